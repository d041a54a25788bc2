// MemoryBackend.load: imported events (any server id) kept as they are, answered like
// registered ones, and registration continuing after them.
import { describe, expect, it } from 'vitest';
import { EventerValueError } from '../../runtime/eventer/errors.js';
import type { Event } from '../../runtime/eventer/event.js';
import { MemoryBackend } from '../../runtime/eventer/memory-backend.js';
import { queryParams, type QueryParamsInit } from '../../runtime/eventer/query.js';

const ev = (server: number, session: number, instance: number, s: number, type = ['a']): Event => ({
  id: { server, session, instance },
  type,
  timestamp: { s, us: 0 },
  sourceTimestamp: null,
  payload: null,
});
const ids = (b: MemoryBackend, p: QueryParamsInit): string[] =>
  b.query(queryParams(p)).events.map((e) => `${e.id.server}.${e.id.session}.${e.id.instance}`);

describe('MemoryBackend.load', () => {
  it('serves each server id its own events, paged, whatever the load order', () => {
    const b = new MemoryBackend({ serverId: 1 });
    b.load([ev(2, 1, 1, 15), ev(1, 2, 1, 20), ev(1, 1, 1, 10), ev(2, 2, 1, 25), ev(1, 1, 2, 10)]);
    expect(ids(b, { type: 'server', serverId: 1 })).toEqual(['1.1.1', '1.1.2', '1.2.1']);
    expect(ids(b, { type: 'server', serverId: 2 })).toEqual(['2.1.1', '2.2.1']);
    expect(ids(b, { type: 'server', serverId: 3 })).toEqual([]);
    const page = b.query(
      queryParams({ type: 'server', serverId: 1, maxResults: 2, lastEventId: null }),
    );
    expect(page.moreFollows).toBe(true);
    expect(
      ids(b, { type: 'server', serverId: 1, lastEventId: { server: 1, session: 1, instance: 2 } }),
    ).toEqual(['1.2.1']);
    // Timeseries across servers in timestamp order, not id order.
    expect(ids(b, { type: 'timeseries', order: 'ascending' })).toEqual([
      '1.1.1',
      '1.1.2',
      '2.1.1',
      '1.2.1',
      '2.2.1',
    ]);
  });

  it('registration continues after the highest loaded session and keeps id order', () => {
    let t = 100;
    const b = new MemoryBackend({ serverId: 1, clock: () => ({ s: t++, us: 0 }) });
    b.load([ev(1, 7, 1, 50), ev(2, 3, 1, 60)]);
    expect(b.lastSession).toBe(7);
    const [e] = b.register([{ type: ['b'] }]);
    expect(e?.id).toEqual({ server: 1, session: 8, instance: 1 });
    expect(ids(b, { type: 'server', serverId: 1 })).toEqual(['1.7.1', '1.8.1']);
    expect(ids(b, { type: 'server', serverId: 2 })).toEqual(['2.3.1']);
    expect(ids(b, { type: 'timeseries', order: 'ascending' })).toEqual(['1.7.1', '2.3.1', '1.8.1']);
  });

  it('latest is the newest loaded event per type; an id loaded twice is refused', () => {
    const b = new MemoryBackend();
    b.load([ev(1, 2, 1, 20, ['x']), ev(1, 1, 1, 10, ['x']), ev(1, 1, 2, 10, ['y'])]);
    expect(ids(b, { type: 'latest' }).sort()).toEqual(['1.1.2', '1.2.1']);
    expect(() => b.load([ev(1, 9, 1, 90), ev(1, 1, 1, 10)])).toThrow(EventerValueError);
    // Nothing of a refused load is kept.
    expect(b.size).toBe(3);
  });
});
