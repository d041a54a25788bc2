import { describe, expect, it } from 'vitest';
import { entryKey, entryEventId, entryTimestamp } from '../../../runtime/eventer/lmdb/keys.js';
import {
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  compareTimestamps,
} from '../../../runtime/eventer/timestamp.js';

describe('LMDB keys', () => {
  it('timestamps and ids round-trip and sort bytewise as (timestamp, id)', () => {
    const ts = [
      MIN_TIMESTAMP,
      { s: -(2 ** 53), us: 5 },
      { s: -4294967297, us: 0 },
      { s: -1, us: 999_999 },
      { s: 0, us: 0 },
      { s: 1, us: 1 },
      { s: 4294967296, us: 0 },
      { s: 2 ** 53, us: 0 },
      MAX_TIMESTAMP,
    ];
    const ids = [
      { server: 0, session: 0, instance: 0 },
      { server: 1, session: 2 ** 32, instance: 3 },
      { server: 2 ** 53 - 1, session: 1, instance: 2 ** 40 },
    ];
    const keys = ts.flatMap((t) => ids.map((id) => ({ t, id, k: entryKey(t, id) })));
    for (const { t, id, k } of keys) {
      expect(entryTimestamp(k)).toEqual(t);
      expect(entryEventId(k)).toEqual(id);
    }
    const sorted = [...keys].sort((a, b) => Buffer.compare(a.k, b.k));
    expect(sorted).toEqual(keys); // built in ascending (timestamp, id) order
    for (let i = 1; i < ts.length; i++)
      expect(
        compareTimestamps(ts[i - 1] as typeof MIN_TIMESTAMP, ts[i] as typeof MIN_TIMESTAMP),
      ).toBe(-1);
  });

  it('refuses values the key cannot hold', () => {
    expect(() => entryKey({ s: 0.5, us: 0 }, { server: 1, session: 1, instance: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_LMDB_VALUE' }),
    );
    expect(() => entryKey({ s: 0, us: 0 }, { server: -1, session: 1, instance: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_LMDB_VALUE' }),
    );
  });
});
