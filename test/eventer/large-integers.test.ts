// Integers beyond ±(2^53-1), as a Python peer sends them: hat's min_timestamp/max_timestamp
// as bounds or source timestamps, a max_results of 2^60. hat accepts every one of these
// messages; ours must too, and answer as hat would.
import { beforeAll, describe, expect, it } from 'vitest';
import { HatEventer } from '../../generated/index.js';
import * as chatter from '../../runtime/chatter/index.js';
import {
  connect,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  type Event,
  type Timestamp,
} from '../../runtime/eventer/index.js';
import { decodeWide, WIDE_INTEGER_LIMIT } from '../../runtime/eventer/wide-integers.js';
import { Repository, SbsDecodeError, SbsWriter } from '../../runtime/sbs/index.js';
import { startEventServer, startMemoryServer } from '../../runtime/cli/eventer-server.js';
import type { Server } from '../../runtime/eventer/server.js';
import { LmdbBackend, parseConfig } from '../../runtime/eventer/lmdb/index.js';
import { tmpDbDir } from './lmdb/tmp-db.js';
import { until } from '../support/wait.js';
import { repositoryFromFiles } from '../../compiler/index.js';

// hat.event.common.min_timestamp / max_timestamp, exactly.
const HAT_MIN = { s: -(2n ** 63n), us: 0n };
const HAT_MAX = { s: 2n ** 63n - 1n, us: 999_999n };
const HAT_MAX_RESULTS = 2n ** 60n;

/** What a Python peer's hat-sbs writes and reads: Integers of any size. */
let python: Repository;
beforeAll(async () => {
  python = await repositoryFromFiles(['schemas'], { integers: 'bigint' });
});

const data = (type: string, value: unknown): chatter.Data => ({
  type: `HatEventer.${type}`,
  data: python.encode(`HatEventer.${type}`, value),
});
const none = { type: 'timestamp', value: null };
const ascending = { type: 'ascending', value: null };

interface PyEvent {
  id: { server: bigint; session: bigint; instance: bigint };
  type: string[];
  timestamp: { s: bigint; us: bigint };
  sourceTimestamp: { s: bigint; us: bigint } | null;
}

/** A raw Chatter connection initialized as a Python client would be. */
async function pythonClient(port: number, serverId: bigint | null = null): Promise<PyClient> {
  const conn = await chatter.connect(`127.0.0.1:${port}`, { pingDelay: null });
  const init = {
    clientName: 'py',
    clientToken: null,
    subscriptions: [['*']],
    serverId,
    persisted: false,
  };
  const res = await conn.request(data('MsgInitReq', init));
  expect(python.decode('HatEventer.MsgInitRes', res.data.data)).toMatchObject({ type: 'success' });
  return new PyClient(conn);
}

class PyClient {
  constructor(readonly conn: chatter.Connection) {}

  async query(params: unknown): Promise<{ events: PyEvent[]; moreFollows: boolean }> {
    const res = await this.conn.request(data('MsgQueryReq', params), { timeout: 5000 });
    return python.decode('HatEventer.MsgQueryRes', res.data.data) as {
      events: PyEvent[];
      moreFollows: boolean;
    };
  }

  async register(events: unknown[]): Promise<PyEvent[]> {
    const res = await this.conn.request(data('MsgRegisterReq', events), { timeout: 5000 });
    const r = python.decode('HatEventer.MsgRegisterRes', res.data.data) as {
      type: string;
      value: PyEvent[];
    };
    expect(r.type).toBe('events');
    return r.value;
  }
}

const timeseries = (value: Record<string, unknown>): unknown => ({
  type: 'timeseries',
  value: {
    eventTypes: null,
    tFrom: null,
    tTo: null,
    sourceTFrom: null,
    sourceTTo: null,
    order: ascending,
    orderBy: none,
    maxResults: null,
    lastEventId: null,
    ...value,
  },
});

const big = (t: Timestamp): { s: bigint; us: bigint } => ({ s: BigInt(t.s), us: BigInt(t.us) });

/** The memory server, or the LMDB one (whose registrations overlap: `pipelineRegister`). */
async function startServer(store: 'memory' | 'lmdb'): Promise<{
  server: Server;
  close(): Promise<void>;
}> {
  if (store === 'memory') {
    const { server } = await startMemoryServer({ pingDelay: null });
    return { server, close: () => server.close() };
  }
  const tmp = tmpDbDir();
  // Both orders, as the memory server answers them; hat answers nothing for an order no
  // partition has.
  const config = parseConfig({
    timeseries: [
      { order_by: 'TIMESTAMP', subscriptions: [['*']] },
      { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
    ],
  });
  const backend = await LmdbBackend.open({ path: tmp.path, config });
  const { server } = await startEventServer({ backend, pingDelay: null });
  return {
    server,
    close: async () => {
      await server.close();
      await backend.close();
      tmp.remove();
    },
  };
}

describe('eventer: Integers beyond ±(2^53-1) from a Python peer', () => {
  it.each(['memory', 'lmdb'] as const)(
    'server (%s): hat min/max_timestamp as bounds and source timestamps, max_results 2^60',
    async (store) => {
      const { server, close } = await startServer(store);
      const py = await pythonClient(server.address.port);
      try {
        // Registered by the Python peer: source timestamps at hat's extremes, one ordinary.
        const registered = await py.register(
          [HAT_MIN, { s: 5n, us: 0n }, HAT_MAX, null].map((sourceTimestamp, i) => ({
            type: ['x', String(i)],
            sourceTimestamp,
            payload: null,
          })),
        );
        // The extremes are kept as MIN_TIMESTAMP (hat's min exactly) and MAX_TIMESTAMP.
        expect(registered.map((e) => e.sourceTimestamp)).toEqual([
          big(MIN_TIMESTAMP),
          { s: 5n, us: 0n },
          big(MAX_TIMESTAMP),
          null,
        ]);

        const all = await py.query(
          timeseries({ tFrom: HAT_MIN, tTo: HAT_MAX, maxResults: HAT_MAX_RESULTS }),
        );
        expect(all.events.map((e) => e.type)).toEqual([
          ['x', '0'],
          ['x', '1'],
          ['x', '2'],
          ['x', '3'],
        ]);
        expect(all.moreFollows).toBe(false);

        // As in hat, source bounds leave out events without a source timestamp, and bounds at
        // the extremes are inclusive.
        const bySource = await py.query(
          timeseries({
            sourceTFrom: HAT_MIN,
            sourceTTo: HAT_MAX,
            orderBy: { type: 'sourceTimestamp', value: null },
          }),
        );
        expect(bySource.events.map((e) => e.type)).toEqual([
          ['x', '0'],
          ['x', '1'],
          ['x', '2'],
        ]);
        const onlyMax = await py.query(timeseries({ sourceTFrom: HAT_MAX, sourceTTo: HAT_MAX }));
        expect(onlyMax.events.map((e) => e.type)).toEqual([['x', '2']]);
        const onlyMin = await py.query(timeseries({ sourceTFrom: HAT_MIN, sourceTTo: HAT_MIN }));
        expect(onlyMin.events.map((e) => e.type)).toEqual([['x', '0']]);

        const byServer = await py.query({
          type: 'server',
          value: { serverId: 1n, persisted: false, maxResults: HAT_MAX_RESULTS, lastEventId: null },
        });
        expect(byServer.events).toHaveLength(4);
        expect(byServer.moreFollows).toBe(false);
        // A negative limit of the same size selects nothing, as a limit of 0.
        const negative = await py.query(timeseries({ maxResults: -HAT_MAX_RESULTS }));
        expect(negative.events).toEqual([]);

        expect(py.conn.isOpen).toBe(true);
      } finally {
        await py.conn.close();
        await close();
      }
    },
  );

  it('server: a subscription with a server id of 2^60 is taken (and selects nothing)', async () => {
    const { server } = await startMemoryServer({ pingDelay: null });
    const py = await pythonClient(server.address.port, 2n ** 60n);
    const own = await connect(server.address, { clientName: 'c', pingDelay: null });
    try {
      expect(server.connections.map((c) => c.serverId)).toEqual([2 ** 60, null]);
      await own.register([{ type: ['a'] }], { withResponse: true });
      expect(py.conn.tryReceive()).toBeUndefined();
      expect(py.conn.isOpen).toBe(true);
    } finally {
      await Promise.all([py.conn.close(), own.close()]);
      await server.close();
    }
  });

  it('client: events at hat max_timestamp and ids beyond 2^53 from a Python server', async () => {
    // A raw server playing hat's: answers init, then notifies an event and answers a query
    // with it.
    const pyEvent = {
      id: { server: 1n, session: 2n ** 60n, instance: 2n ** 63n - 1n },
      type: ['big'],
      timestamp: HAT_MAX,
      sourceTimestamp: HAT_MIN,
      payload: null,
    };
    const pyServer = await chatter.listen('127.0.0.1:0', {
      pingDelay: null,
      onConnection: async (conn) => {
        const init = await conn.receive();
        await conn.send(
          data('MsgInitRes', { type: 'success', value: { type: 'operational', value: null } }),
          {
            conv: init.conv,
          },
        );
        await conn.send(data('MsgEventsNotify', [pyEvent]));
        const q = await conn.receive();
        // The bounds our client sent, read as Python reads them: MIN_TIMESTAMP is hat's
        // min_timestamp exactly, MAX_TIMESTAMP within its range (not the old ±(2^53-1)).
        const params = python.decode('HatEventer.MsgQueryReq', q.data.data) as {
          value: { tFrom: unknown; tTo: unknown };
        };
        expect(params.value.tFrom).toEqual(HAT_MIN);
        expect(params.value.tTo).toEqual(big(MAX_TIMESTAMP));
        await conn.send(data('MsgQueryRes', { events: [pyEvent], moreFollows: false }), {
          conv: q.conv,
        });
      },
    });
    const got: Event[] = [];
    const client = await connect(pyServer.address, {
      clientName: 'c',
      pingDelay: null,
      onEvents: (events) => void got.push(...events),
    });
    try {
      await until(() => got.length === 1, 5000, 'notification');
      const expected = {
        id: { server: 1, session: 2 ** 60, instance: 2 ** 63 },
        timestamp: MAX_TIMESTAMP,
        sourceTimestamp: MIN_TIMESTAMP,
      };
      expect(got[0]).toMatchObject(expected);
      const r = await client.query({
        type: 'timeseries',
        tFrom: MIN_TIMESTAMP,
        tTo: MAX_TIMESTAMP,
      });
      expect(r.events[0]).toMatchObject(expected);
      expect(client.isOpen).toBe(true);
    } finally {
      await client.close();
      await pyServer.close();
    }
  });

  it('our client sends bounds beyond MIN/MAX_TIMESTAMP within them, and they select everything', async () => {
    const { server } = await startMemoryServer({ pingDelay: null });
    const client = await connect(server.address, { clientName: 'c', pingDelay: null });
    try {
      await client.register(
        [
          { type: ['a'], sourceTimestamp: MIN_TIMESTAMP },
          { type: ['b'], sourceTimestamp: MAX_TIMESTAMP },
        ],
        { withResponse: true },
      );
      const r = await client.query({
        type: 'timeseries',
        order: 'ascending',
        orderBy: 'sourceTimestamp',
        sourceTFrom: { s: -(2 ** 70), us: 0 },
        sourceTTo: { s: 2 ** 70, us: 0 },
        maxResults: 2 ** 60,
      });
      expect(r.events.map((e) => [e.type, e.sourceTimestamp])).toEqual([
        [['a'], MIN_TIMESTAMP],
        [['b'], MAX_TIMESTAMP],
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('decodeWide', () => {
  const encodeTimestamp = (s: bigint): Uint8Array => {
    const w = new SbsWriter();
    w.integer(s);
    w.integer(0);
    return w.finish();
  };

  it('reads Integers of any size as the nearest double within ±2^64; the fast path is unchanged', () => {
    const cases: [bigint, number][] = [
      [5n, 5],
      [2n ** 53n - 1n, 2 ** 53 - 1],
      [2n ** 53n, 2 ** 53],
      [-(2n ** 63n), -(2 ** 63)],
      [2n ** 63n - 1n, 2 ** 63],
      [2n ** 64n, 2 ** 64],
      [2n ** 69n, WIDE_INTEGER_LIMIT],
      [-(2n ** 200n), -WIDE_INTEGER_LIMIT],
      [2n ** 4000n, WIDE_INTEGER_LIMIT],
    ];
    for (const [s, expected] of cases) {
      const bytes = encodeTimestamp(s);
      expect(decodeWide(HatEventer.Timestamp, bytes)).toEqual({ s: expected, us: 0 });
    }
    expect(() => HatEventer.Timestamp.decode(encodeTimestamp(2n ** 53n))).toThrow(SbsDecodeError);
  });

  it('still refuses broken encodings, with the type in the path', () => {
    const wide = encodeTimestamp(2n ** 63n);
    for (const bytes of [
      wide.subarray(0, wide.length - 2), // truncated
      new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81, 0x80]), // non-minimal
      new Uint8Array([...wide, 0x80]), // trailing
    ]) {
      const error: unknown = (() => {
        try {
          decodeWide(HatEventer.Timestamp, bytes);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SbsDecodeError);
      expect((error as SbsDecodeError).code).not.toBe('range');
      expect((error as SbsDecodeError).path[0]).toBe('HatEventer.Timestamp');
    }
  });
});
