// A registration is stored whole or not at all, also when LMDB fails its transaction in the
// write thread (after some of its writes were applied).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from '../../../runtime/eventer/event.js';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';
import { queryParams } from '../../../runtime/eventer/query.js';
import { tmpDbDir } from './tmp-db.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** JSON turns the payload's bytes into an object: compare ids, types and timestamps. */
const shape = (e: Event): unknown => ({ id: e.id, type: e.type, timestamp: e.timestamp });

describe('LmdbBackend atomic registration', () => {
  it('a registration whose commit fails leaves nothing (partitions, references, latest, last id); the store still closes', async () => {
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/eventer/lmdb/commit-failure-child.ts', tmp.path],
      { cwd: root },
    );
    const out = JSON.parse(stdout) as { first: Event; failure: string | null; stray: string[] };
    expect(out.failure).toMatch(/Commit failed/);
    // At most lmdb's own internal promise of that commit went unhandled, nothing of ours.
    expect(out.stray.length).toBeLessThanOrEqual(1);
    for (const m of out.stray) expect(m).toMatch(/Commit failed/);

    const b = await LmdbBackend.open({
      path: tmp.path,
      config: parseConfig({
        timeseries: [
          { order_by: 'TIMESTAMP', subscriptions: [['*']] },
          { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
        ],
      }),
    });
    cleanups.push(() => b.close());
    const only = [shape(out.first)];
    expect(b.query(queryParams({ type: 'server', serverId: 1 })).events.map(shape)).toEqual(only);
    for (const orderBy of ['timestamp', 'sourceTimestamp'] as const)
      expect(b.query(queryParams({ type: 'timeseries', orderBy })).events.map(shape)).toEqual(only);
    expect(b.query(queryParams({ type: 'latest' })).events.map(shape)).toEqual(only);
    // The failed registration's session was not stored as used, and none is reused.
    expect(b.lastSession).toBe(1);
    const [next] = await b.register([{ type: ['t', '2'] }]);
    expect(next?.id.session).toBe(2);
  });
});
