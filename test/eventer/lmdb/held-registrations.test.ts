// Registrations arriving while LMDB commits earlier ones are held and handed to its write
// thread together: one write batch (one transaction) for all of them, not one per event turn.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonPayload, type Event } from '../../../runtime/eventer/event.js';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';
import { queryParams } from '../../../runtime/eventer/query.js';
import { tmpDbDir } from './tmp-db.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CONFIG = {
  timeseries: [
    { order_by: 'TIMESTAMP', subscriptions: [['*']] },
    { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
  ],
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Lets lmdb close the write batch of this turn (it does so in a setImmediate). */
const nextTurn = (): Promise<void> =>
  new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

interface Env {
  on(event: 'beforecommit', f: () => void): void;
  getStats(): { lastTxnId: number };
}

describe('LmdbBackend held registrations', () => {
  it('registrations in separate turns while commits are in flight go into one next batch, in call order', async () => {
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    const b = await LmdbBackend.open({ path: tmp.path, config: parseConfig(CONFIG) });
    cleanups.push(() => b.close());
    await b.register([{ type: ['warm'] }]);

    // Another process holds the write lock: our commits cannot finish until it lets go.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/eventer/lmdb/write-lock-child.ts',
        tmp.path,
        JSON.stringify(CONFIG),
      ],
      { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.stdin.end();
      await exited;
    });
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) if (line === 'LOCKED') break;

    const env = (b as unknown as { env: Env }).env;
    let batches = 0;
    env.on('beforecommit', () => batches++);
    const txn0 = env.getStats().lastTxnId;
    const calls: Promise<Event[]>[] = [];
    for (let i = 0; i < 22; i++) {
      calls.push(
        b.register([
          { type: ['t', String(i % 3)], sourceTimestamp: { s: i, us: 0 }, payload: jsonPayload(i) },
        ]),
      );
      await nextTurn();
    }
    // Two batches handed over (MAX_IN_FLIGHT), the 20 registrations after them held.
    expect(batches).toBe(2);
    child.stdin.end('go\n');
    expect(await exited).toBe(0);
    const results = await Promise.all(calls);
    // The held 20 were handed over together: one batch more, one transaction more at most.
    expect(batches).toBe(3);
    expect(env.getStats().lastTxnId - txn0).toBeLessThanOrEqual(3);
    expect(results.map((r) => r[0]?.id.session)).toEqual(
      Array.from({ length: 22 }, (_, i) => i + 2),
    );
    const stored = b.query(queryParams({ type: 'server', serverId: 1 })).events;
    expect(stored.map((e) => e.id.session)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(
      b
        .query(queryParams({ type: 'latest', eventTypes: [['t', '*']] }))
        .events.map((e) => e.id.session)
        .sort((x, y) => x - y),
    ).toEqual([21, 22, 23]);
    await b.close();
    // The last id reached the disk: a reopened store continues after it.
    const again = await LmdbBackend.open({ path: tmp.path, config: parseConfig(CONFIG) });
    cleanups.push(() => again.close());
    expect(again.lastSession).toBe(23);
  });
});
