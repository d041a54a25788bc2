// New databases use 1 KiB pages (what bounds the database pages the server keeps mapped, see
// LmdbBackend.open); values larger than a page (overflow pages, mapped apart from the chunks)
// and long event types still round-trip, also after a reopen.
import { afterEach, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { jsonPayload } from '../../../runtime/eventer/event.js';
import { queryParams } from '../../../runtime/eventer/query.js';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';
import { tmpDbDir } from './tmp-db.js';

const BOTH = parseConfig({
  timeseries: [
    { order_by: 'TIMESTAMP', subscriptions: [['*']] },
    { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
  ],
});

describe('LmdbBackend page size', () => {
  const tmp = tmpDbDir();
  afterEach(() => tmp.remove());

  it('creates 1 KiB pages and keeps values and types larger than a page', async () => {
    const longType = ['big', 'x'.repeat(3000)];
    // Sizes around and across page and 16-page chunk boundaries.
    const sizes = [10, 900, 1100, 5000, 17_000, 70_000];
    const b = await LmdbBackend.open({ path: tmp.path, config: BOTH });
    const registered = await b.register(
      sizes.map((n, i) => ({
        type: i === 0 ? longType : ['big', String(n)],
        sourceTimestamp: { s: 100 - i, us: 0 },
        payload: jsonPayload({ text: 'y'.repeat(n) }),
      })),
    );
    await b.close();

    const env = open({ path: tmp.path, noSubdir: true, readOnly: true });
    const pageSize = (env.getStats() as { pageSize: number }).pageSize;
    await env.close();
    expect(pageSize).toBe(1024);

    const again = await LmdbBackend.open({ path: tmp.path, config: BOTH });
    try {
      for (const orderBy of ['timestamp', 'sourceTimestamp'] as const) {
        const r = again.query(queryParams({ type: 'timeseries', orderBy, order: 'ascending' }));
        const byId = (e: { id: { instance: number } }): number => e.id.instance;
        expect([...r.events].sort((x, y) => byId(x) - byId(y))).toEqual(registered);
      }
      const latest = again.query(queryParams({ type: 'latest', eventTypes: [longType] }));
      expect(latest.events).toEqual([registered[0]]);
    } finally {
      await again.close();
    }
  });
});
