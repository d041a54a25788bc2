import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbBackend, checkDbFile, parseConfig } from '../../../runtime/eventer/lmdb/index.js';
import { loadConfigFile } from '../../../runtime/eventer/lmdb/config-file.js';
import { tmpDbDir } from './tmp-db.js';

const dirs: (() => void)[] = [];
afterEach(() => {
  for (const r of dirs.splice(0)) r();
});
function dir(): string {
  const t = tmpDbDir();
  dirs.push(() => t.remove());
  return t.dir;
}

/** A real LMDB 0.9 (data format 1) file: the database hat-event 0.9 wrote for the fixtures. */
function format1Header(): Buffer {
  return readFileSync(join(import.meta.dirname, '../../fixtures/hat-event-db/mixed/data.mdb'));
}

async function refused(path: string): Promise<string> {
  const before = readFileSync(path);
  let message = '';
  await LmdbBackend.open({ path }).then(
    (b) => b.close().then(() => expect.fail('opened')),
    (e: unknown) => {
      expect(e).toMatchObject({ code: 'ERR_LMDB_FORMAT' });
      message = (e as Error).message;
    },
  );
  expect(message).not.toContain('\n');
  expect(readFileSync(path).equals(before)).toBe(true);
  return message;
}

describe('database header check', () => {
  it('refuses LMDB format 1 (hat-event), garbage, empty and cut files, leaving them unchanged', async () => {
    const d = dir();
    const f1 = join(d, 'hat.lmdb');
    writeFileSync(f1, format1Header());
    expect(await refused(f1)).toMatch(/LMDB data format 1 \(liblmdb 0\.9/);
    const garbage = join(d, 'garbage.lmdb');
    writeFileSync(garbage, Buffer.alloc(10_000, 0x5a));
    expect(await refused(garbage)).toMatch(/not an LMDB database/);
    const small = join(d, 'small.lmdb');
    writeFileSync(small, 'hello');
    expect(await refused(small)).toMatch(/not an LMDB database/);
    const empty = join(d, 'empty.lmdb');
    writeFileSync(empty, '');
    expect(await refused(empty)).toMatch(/is empty/);
    const sub = join(d, 'sub');
    mkdirSync(sub);
    await expect(LmdbBackend.open({ path: sub })).rejects.toMatchObject({
      code: 'ERR_LMDB_FORMAT',
    });
  });

  it("refuses a truncated copy of a real database and another program's LMDB file", async () => {
    const d = dir();
    const path = join(d, 'ours.lmdb');
    const b = await LmdbBackend.open({ path });
    for (let i = 0; i < 50; i++)
      await b.register(Array.from({ length: 50 }, () => ({ type: ['x', String(i)] })));
    await b.close();
    expect(checkDbFile(path).kind).toBe('lmdb2');
    const cut = join(d, 'cut.lmdb');
    copyFileSync(path, cut);
    truncateSync(cut, Math.floor(statSync(path).size / 2));
    expect(await refused(cut)).toMatch(/truncated/);
    const cutMeta = join(d, 'cutmeta.lmdb');
    copyFileSync(path, cutMeta);
    truncateSync(cutMeta, 100);
    expect(await refused(cutMeta)).toMatch(/truncated/);

    const other = join(d, 'other.lmdb');
    const env = open({ path: other, noSubdir: true });
    await env.put('some', 'thing');
    await env.close();
    expect(await refused(other)).toMatch(/another program/);
    // Ours opens again, with its events.
    const again = await LmdbBackend.open({ path });
    expect(again.lastSession).toBe(50);
    await again.close();
  });
});

describe('config', () => {
  it('defaults need no file; hat-event keys are read', () => {
    expect(parseConfig(undefined).timeseries).toHaveLength(1);
    const c = parseConfig({
      flush_period: 1,
      cleanup_period: 2,
      timeseries_max_results: 10,
      db_path: 'ignored',
      latest: { subscriptions: [['a', '*']] },
      timeseries: [
        { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['b']], limit: { max_entries: 5 } },
      ],
    });
    expect(c).toMatchObject({
      flushPeriod: 1,
      cleanupPeriod: 2,
      maxResults: 10,
      latest: [['a', '*']],
    });
    expect(c.timeseries[0]).toMatchObject({
      orderBy: 'sourceTimestamp',
      limit: { maxEntries: 5, minEntries: null },
    });
  });

  it('lists one problem per line with its path', () => {
    let problems: readonly string[] = [];
    try {
      parseConfig({
        flush_period: -1,
        latst: {},
        timeseries: [
          { order_by: 'TIME', subscriptions: [['a', '*', 'b']], limit: { max_entries: 1.5 } },
        ],
      });
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_LMDB_CONFIG' });
      problems = (e as { problems: string[] }).problems;
    }
    expect(problems).toEqual([
      'latst: unknown key',
      'flush_period: expected a number > 0, got -1',
      'timeseries[0].order_by: expected TIMESTAMP or SOURCE_TIMESTAMP, got "TIME"',
      "timeseries[0].subscriptions[0]: '*' may only be the last segment",
      'timeseries[0].limit.max_entries: expected an integer >= 0, got 1.5',
    ]);
  });

  it('reads YAML and JSON files; a parse error names the file', async () => {
    const d = dir();
    const y = join(d, 'c.yaml');
    writeFileSync(y, 'timeseries:\n  - order_by: TIMESTAMP\n    subscriptions: [[a, "*"]]\n');
    expect((await loadConfigFile(y)).timeseries[0]?.subscriptions).toEqual([['a', '*']]);
    const j = join(d, 'c.json');
    writeFileSync(j, '{"cleanup_period": 3}');
    expect((await loadConfigFile(j)).cleanupPeriod).toBe(3);
    writeFileSync(j, '{"cleanup_period": ');
    await expect(loadConfigFile(j)).rejects.toThrow(/c\.json: not valid JSON/);
  });
});
