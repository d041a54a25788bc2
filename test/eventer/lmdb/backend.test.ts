import { afterEach, describe, expect, it } from 'vitest';
import { jsonPayload, type Event, type RegisterEvent } from '../../../runtime/eventer/event.js';
import { MemoryBackend } from '../../../runtime/eventer/memory-backend.js';
import { queryParams, type QueryParamsInit } from '../../../runtime/eventer/query.js';
import type { Timestamp } from '../../../runtime/eventer/timestamp.js';
import { LmdbBackend, parseConfig, type LmdbConfig } from '../../../runtime/eventer/lmdb/index.js';
import { tmpDbDir } from './tmp-db.js';

const BOTH: LmdbConfig = parseConfig({
  timeseries: [
    { order_by: 'TIMESTAMP', subscriptions: [['*']] },
    { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
  ],
});

function clock(): () => Timestamp {
  let t = 1000;
  return () => {
    const v = t++;
    return { s: Math.floor(v / 3), us: (v % 3) * 10 };
  };
}

/** A deterministic pseudo-random sequence (tests must not depend on luck). */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function batches(n: number): RegisterEvent[][] {
  const r = rng(7);
  const out: RegisterEvent[][] = [];
  for (let i = 0; i < n; i++) {
    const size = 1 + Math.floor(r() * 4);
    out.push(
      Array.from({ length: size }, (_, j) => ({
        type: ['a', String(Math.floor(r() * 5)), j % 2 === 0 ? 'x' : 'y'],
        sourceTimestamp: r() < 0.2 ? null : { s: Math.floor(r() * 50), us: 0 },
        payload: jsonPayload({ i, j }),
      })),
    );
  }
  return out;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openDb(
  config: LmdbConfig = BOTH,
  path?: string,
): Promise<{ b: LmdbBackend; path: string }> {
  let p = path;
  if (p === undefined) {
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    p = tmp.path;
  }
  const b = await LmdbBackend.open({ path: p, config, clock: clock() });
  cleanups.push(() => b.close());
  return { b, path: p };
}

const key = (e: Event): string => `${e.id.session}.${e.id.instance}`;

describe('LmdbBackend', () => {
  it('answers timeseries, server and latest queries as the memory backend does', async () => {
    const { b } = await openDb();
    const m = new MemoryBackend({ clock: clock() });
    for (const batch of batches(120)) {
      const a = await b.register(batch);
      expect(a).toEqual(m.register(batch));
    }
    const queries: QueryParamsInit[] = [];
    for (const orderBy of ['timestamp', 'sourceTimestamp'] as const)
      for (const order of ['ascending', 'descending'] as const) {
        queries.push({ type: 'timeseries', orderBy, order });
        queries.push({ type: 'timeseries', orderBy, order, maxResults: 7 });
        queries.push({ type: 'timeseries', orderBy, order, eventTypes: [['a', '1', '*']] });
        queries.push({
          type: 'timeseries',
          orderBy,
          order,
          eventTypes: [['a', '?', 'y']],
          maxResults: 5,
        });
        queries.push({
          type: 'timeseries',
          orderBy,
          order,
          tFrom: { s: 400, us: 0 },
          tTo: { s: 420, us: 10 },
        });
        queries.push({
          type: 'timeseries',
          orderBy,
          order,
          sourceTFrom: { s: 10, us: 0 },
          sourceTTo: { s: 20, us: 0 },
        });
      }
    queries.push({ type: 'server', serverId: 1 }, { type: 'server', serverId: 1, maxResults: 10 });
    queries.push({ type: 'server', serverId: 2 });
    queries.push({
      type: 'server',
      serverId: 1,
      lastEventId: { server: 1, session: 50, instance: 2 },
    });
    for (const q of queries) {
      const expected = m.query(queryParams(q));
      expect(b.query(queryParams(q)), JSON.stringify(q)).toEqual(expected);
    }
    // latest: same set (order is the types' first appearance in memory, load order on disk).
    const sorted = (es: Event[]): string[] => es.map(key).sort();
    for (const eventTypes of [
      null,
      [['a', '*']],
      [['a', '?', 'x']],
      [['a', '2', 'x'], ['a', '3', 'y'], ['zz'], ['a', '2', 'x']],
    ])
      expect(sorted(b.query(queryParams({ type: 'latest', eventTypes })).events)).toEqual(
        sorted(m.query(queryParams({ type: 'latest', eventTypes })).events),
      );
  });

  it('pages with lastEventId by seeking, the same pages as the memory backend', async () => {
    const { b } = await openDb();
    const m = new MemoryBackend({ clock: clock() });
    for (const batch of batches(80)) {
      await b.register(batch);
      m.register(batch);
    }
    for (const orderBy of ['timestamp', 'sourceTimestamp'] as const)
      for (const order of ['ascending', 'descending'] as const) {
        let last: Event['id'] | null = null;
        let pages = 0;
        for (;;) {
          const q = queryParams({
            type: 'timeseries',
            orderBy,
            order,
            maxResults: 9,
            lastEventId: last,
          });
          const got = b.query(q);
          expect(got).toEqual(m.query(q));
          pages++;
          if (!got.moreFollows) break;
          last = (got.events[got.events.length - 1] as Event).id;
        }
        expect(pages).toBeGreaterThan(5);
      }
    let last: Event['id'] | null = null;
    const seen: string[] = [];
    for (;;) {
      const q = queryParams({ type: 'server', serverId: 1, maxResults: 13, lastEventId: last });
      const got = b.query(q);
      expect(got).toEqual(m.query(q));
      seen.push(...got.events.map(key));
      if (!got.moreFollows) break;
      last = (got.events[got.events.length - 1] as Event).id;
    }
    expect(seen.length).toBe(m.size);
    // hat: an id outside the bounds (or unknown) leaves nothing; another server's id throws.
    const first = b.query(queryParams({ type: 'timeseries', order: 'ascending', maxResults: 1 }))
      .events[0] as Event;
    expect(
      b.query(
        queryParams({ type: 'timeseries', lastEventId: first.id, tFrom: { s: 10_000, us: 0 } }),
      ).events,
    ).toEqual([]);
    expect(
      b.query(
        queryParams({ type: 'timeseries', lastEventId: { server: 1, session: 9999, instance: 1 } }),
      ).events,
    ).toEqual([]);
    expect(() =>
      b.query(
        queryParams({
          type: 'server',
          serverId: 1,
          lastEventId: { server: 2, session: 1, instance: 1 },
        }),
      ),
    ).toThrow('invalid server id');
  });

  it('keeps events, latest and last ids across a reopen; sessions continue', async () => {
    const { b, path } = await openDb();
    const before: Event[] = [];
    for (const batch of batches(10)) before.push(...(await b.register(batch)));
    const latestBefore = b.query(queryParams({ type: 'latest' })).events;
    await b.close();
    const { b: again } = await openDb(BOTH, path);
    expect(again.lastSession).toBe(10);
    expect(again.query(queryParams({ type: 'server', serverId: 1 })).events).toEqual(before);
    expect(new Set(again.query(queryParams({ type: 'latest' })).events.map(key))).toEqual(
      new Set(latestBefore.map(key)),
    );
    const [next] = await again.register([{ type: ['b'] }]);
    expect(next?.id.session).toBe(11);
  });

  it('cleanup applies max_entries and min_entries; references follow, latest stays reachable', async () => {
    const config = parseConfig({
      latest: { subscriptions: [['*']] },
      timeseries: [
        {
          order_by: 'TIMESTAMP',
          subscriptions: [['*']],
          limit: { max_entries: 10, min_entries: 5 },
        },
      ],
    });
    const { b } = await openDb(config);
    for (let i = 0; i < 30; i++)
      await b.register([{ type: ['t', String(i % 3)], payload: jsonPayload(i) }]);
    expect(await b.cleanup()).toBe(20);
    const ts = b.query(queryParams({ type: 'timeseries', order: 'ascending' })).events;
    expect(ts.map((e) => e.id.session)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    // Server query: the 10 still in the partition; the latest of each type are among them.
    const server = b
      .query(queryParams({ type: 'server', serverId: 1 }))
      .events.map((e) => e.id.session);
    expect(server).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(await b.cleanup()).toBe(0);
  });

  it('an event only in latest stays reachable by a server query after its partition entry goes', async () => {
    const config = parseConfig({
      timeseries: [
        { order_by: 'TIMESTAMP', subscriptions: [['ts', '*']], limit: { max_entries: 1 } },
      ],
    });
    const { b } = await openDb(config);
    await b.register([{ type: ['ts', 'a'] }]); // 1: latest and partition
    await b.register([{ type: ['only', 'latest'] }]); // 2: latest only
    await b.register([{ type: ['ts', 'b'] }]); // 3
    expect(await b.cleanup()).toBe(1); // drops 1 from the partition; it is still latest of ts/a
    const s = b.query(queryParams({ type: 'server', serverId: 1 })).events.map((e) => e.id.session);
    expect(s).toEqual([1, 2, 3]);
    await b.register([{ type: ['ts', 'a'] }]); // 4 replaces 1 in latest: 1 is gone everywhere
    expect(
      b.query(queryParams({ type: 'server', serverId: 1 })).events.map((e) => e.id.session),
    ).toEqual([2, 3, 4]);
  });

  it('duration limit removes entries older than now - duration', async () => {
    let t = 0;
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    const b = await LmdbBackend.open({
      path: tmp.path,
      config: parseConfig({
        timeseries: [{ order_by: 'TIMESTAMP', subscriptions: [['*']], limit: { duration: 10 } }],
      }),
      clock: () => ({ s: t, us: 0 }),
    });
    cleanups.push(() => b.close());
    for (t = 0; t < 20; t++) await b.register([{ type: ['x'] }]);
    t = 25;
    expect(await b.cleanup()).toBe(15); // keeps s >= 15
    expect(
      b
        .query(queryParams({ type: 'timeseries', order: 'ascending' }))
        .events.map((e) => e.timestamp.s),
    ).toEqual([15, 16, 17, 18, 19]);
  });

  it('concurrent registrations share commits and keep request order', async () => {
    const { b } = await openDb();
    // Counts write transactions (LMDB's transaction id): the group commit is one per turn, not
    // one per registration.
    const env = (b as unknown as { env: { getStats(): { lastTxnId: number } } }).env;
    const before = env.getStats().lastTxnId;
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) => b.register([{ type: ['c'], payload: jsonPayload(i) }])),
    );
    expect(all.map((es) => es[0]?.id.session)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(env.getStats().lastTxnId - before).toBe(1);
    expect(b.query(queryParams({ type: 'server', serverId: 1 })).events.length).toBe(200);
    expect(b.query(queryParams({ type: 'latest' })).events.map((e) => e.id.session)).toEqual([200]);
  });

  it('exports in id order and imports keeping ids, timestamps and last ids', async () => {
    const { b } = await openDb();
    for (const batch of batches(20)) await b.register(batch);
    const exported: Event[] = [];
    for await (const e of b.exportEvents()) exported.push(e);
    expect(exported).toEqual(b.query(queryParams({ type: 'server', serverId: 1 })).events);
    const { b: into } = await openDb();
    await into.importEvents(exported, [
      {
        serverId: 1,
        eventId: { server: 1, session: 500, instance: 0 },
        timestamp: { s: 1, us: 0 },
      },
    ]);
    for (const q of [
      { type: 'timeseries', orderBy: 'sourceTimestamp', maxResults: 15 },
      { type: 'timeseries', order: 'ascending' },
      { type: 'server', serverId: 1 },
    ] as const)
      expect(into.query(queryParams(q))).toEqual(b.query(queryParams(q)));
    expect(into.lastIds()).toEqual([
      {
        serverId: 1,
        eventId: { server: 1, session: 500, instance: 0 },
        timestamp: { s: 1, us: 0 },
      },
    ]);
    const [e] = await into.register([{ type: ['n'] }]);
    expect(e?.id.session).toBe(501);
  });

  it('flush period: queries see flushed and pending events alike (as hat-event), same pages as memory', async () => {
    const { b } = await openDb(
      parseConfig({
        flush_period: 0.05,
        timeseries: [
          { order_by: 'TIMESTAMP', subscriptions: [['*']] },
          { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
        ],
      }),
    );
    const m = new MemoryBackend({ clock: clock() });
    const all = batches(60);
    for (const [i, batch] of all.entries()) {
      expect(await b.register(batch)).toEqual(m.register(batch));
      if (i === 30) await b.flushed(); // half on disk, half pending
    }
    for (const orderBy of ['timestamp', 'sourceTimestamp'] as const)
      for (const order of ['ascending', 'descending'] as const) {
        let last: Event['id'] | null = null;
        for (;;) {
          const q = queryParams({
            type: 'timeseries',
            orderBy,
            order,
            maxResults: 11,
            lastEventId: last,
          });
          const got = b.query(q);
          expect(got).toEqual(m.query(q));
          if (!got.moreFollows) break;
          last = (got.events[got.events.length - 1] as Event).id;
        }
      }
    const server = queryParams({ type: 'server', serverId: 1, maxResults: 1000 });
    expect(b.query(server)).toEqual(m.query(server));
    const persisted = b.query(
      queryParams({ type: 'server', serverId: 1, persisted: true, maxResults: 1000 }),
    );
    expect(persisted.events.length).toBeLessThan(m.size);
    const exported: Event[] = [];
    for await (const e of b.exportEvents()) exported.push(e);
    expect(exported).toEqual(m.query(server).events);
    await b.flushed();
    expect(b.query(server)).toEqual(m.query(server));
  });

  it('flush period: latest at once, everything written on close', async () => {
    const { b, path } = await openDb(parseConfig({ flush_period: 3600 }));
    await b.register([{ type: ['f'], payload: jsonPayload(1) }]);
    expect(b.query(queryParams({ type: 'latest' })).events).toHaveLength(1);
    expect(
      b.query(queryParams({ type: 'server', serverId: 1, persisted: true })).events,
    ).toHaveLength(0);
    await b.close();
    const { b: again } = await openDb(BOTH, path);
    expect(again.query(queryParams({ type: 'timeseries' })).events.map(key)).toEqual(['1.1']);
    expect(again.lastSession).toBe(1);
  });

  it('a registration with a value the store cannot hold fails whole and uses no session', async () => {
    const { b } = await openDb();
    await expect(
      b.register([{ type: ['ok'] }, { type: ['bad'], sourceTimestamp: { s: 2 ** 63, us: 0 } }]),
    ).rejects.toMatchObject({ code: 'ERR_LMDB_VALUE' });
    const [e] = await b.register([{ type: ['ok'] }]);
    expect(e?.id.session).toBe(1);
    expect(b.query(queryParams({ type: 'server', serverId: 1 })).events).toEqual([e]);
    expect(b.query(queryParams({ type: 'latest' })).events).toEqual([e]);
  });

  it('queries with ids and bounds beyond what keys hold answer as the memory backend', async () => {
    const { b } = await openDb();
    const m = new MemoryBackend({ clock: clock() });
    for (const batch of batches(10)) {
      await b.register(batch);
      m.register(batch);
    }
    const huge = { s: 2 ** 63, us: 0 };
    const queries: QueryParamsInit[] = [
      { type: 'server', serverId: -1 },
      { type: 'server', serverId: 2 ** 64 },
      { type: 'server', serverId: 1, lastEventId: { server: 1, session: -3, instance: 5 } },
      { type: 'server', serverId: 1, lastEventId: { server: 1, session: 2, instance: 2 ** 70 } },
      { type: 'timeseries', tTo: huge },
      { type: 'timeseries', tFrom: { s: -(2 ** 64), us: 0 }, order: 'ascending' },
      { type: 'timeseries', orderBy: 'sourceTimestamp', sourceTTo: huge },
      { type: 'timeseries', lastEventId: { server: 1, session: -1, instance: 1 } },
    ];
    for (const q of queries)
      expect(b.query(queryParams(q)), JSON.stringify(q)).toEqual(m.query(queryParams(q)));
  });

  it('a closed backend refuses use with a typed error', async () => {
    const { b } = await openDb();
    await b.close();
    expect(() => b.query(queryParams({ type: 'latest' }))).toThrow(
      expect.objectContaining({ code: 'ERR_LMDB_CLOSED' }),
    );
  });
});
