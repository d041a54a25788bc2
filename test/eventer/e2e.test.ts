// Our client against our server.
import { describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  connect,
  EventerInitError,
  EventerValueError,
  jsonPayload,
  listen,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  type Client,
  type ClientOptions,
  type ConnectionInfo,
  type Event,
  type EventType,
  type QueryParamsInit,
  type Status,
} from '../../runtime/eventer/index.js';
import { noopLogger } from '../../runtime/logger.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';
import { sleep, until } from '../support/wait.js';

const opts = (o: Partial<ClientOptions> = {}): ClientOptions => ({
  clientName: 'c',
  pingDelay: 0,
  ...o,
});

function ev(server: number, instance: number, type: EventType, session = 1): Event {
  return {
    id: { server, session, instance },
    type,
    timestamp: { s: 100, us: instance },
    sourceTimestamp: null,
    payload: jsonPayload(instance),
  };
}

describe('init', () => {
  it('refused by onConnected: EventerInitError with the message; no onDisconnected', async () => {
    const disconnected: ConnectionInfo[] = [];
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      closeTimeout: 50,
      onConnected: (info) => {
        if (info.clientName === 'bad') throw new Error('abc');
      },
      onDisconnected: (info) => void disconnected.push(info),
    });
    try {
      const error = await connect(server.address, opts({ clientName: 'bad' })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EventerInitError);
      expect((error as Error).message).toBe('abc');
      const ok = await connect(server.address, opts({ clientName: 'good' }));
      expect(server.connections.map((c) => [c.id, c.clientName])).toEqual([[2, 'good']]);
      await ok.close();
      await until(() => disconnected.length === 1, 2000);
      expect(disconnected.map((d) => d.clientName)).toEqual(['good']);
    } finally {
      await server.close();
    }
  });

  it('invalid subscription: hat message', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0, closeTimeout: 50 });
    const error = await connect(server.address, opts({ subscriptions: [['a', '*', 'b']] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventerInitError);
    expect((error as Error).message).toBe('invalid query event type');
    await server.close();
  });

  it('a subscription too deep to walk is refused, not closed after a success response', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0, closeTimeout: 50 });
    try {
      const deep = Array.from({ length: 100_000 }, () => 'a');
      const error = await connect(server.address, opts({ subscriptions: [deep] })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EventerInitError);
      expect(server.connections).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('token check of the example server', async () => {
    const { server } = await startMemoryServer({ token: 'secret', pingDelay: 0, closeTimeout: 50 });
    try {
      await expect(connect(server.address, opts({ clientToken: 'wrong' }))).rejects.toThrow(
        'invalid client token',
      );
      const a = await connect(server.address, opts({ clientToken: 'secret' }));
      const b = await connect(server.address, opts());
      expect(a.status).toBe('operational');
      await Promise.all([a.close(), b.close()]);
    } finally {
      await server.close();
    }
  });

  it('a refused client that does not close is closed after closeTimeout', async () => {
    const chatter = await import('../../runtime/chatter/index.js');
    const { HatEventer } = await import('../../generated/index.js');
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      closeTimeout: 30,
      onConnected: () => {
        throw new Error('no');
      },
    });
    const conn = await chatter.connect(server.address, { pingDelay: 0 });
    await chatter.sendMsg(
      conn,
      HatEventer.MsgInitReq,
      { clientName: 'x', clientToken: null, subscriptions: [], serverId: null, persisted: false },
      { last: false },
    );
    const res = chatter.decodeMsg(await conn.receive(), HatEventer.MsgInitRes);
    expect(res).toEqual({ type: 'error', value: 'no' });
    // The server closes the connection itself after a refused init (no timer involved).
    await conn.closed;
    await server.close();
  });
});

describe('status, register, query', () => {
  it('API values that would wedge a client or server are refused with EventerValueError', async () => {
    await expect(listen('127.0.0.1:0', { status: 'bogus' as Status })).rejects.toThrow(
      EventerValueError,
    );
    const server = await listen('127.0.0.1:0', { pingDelay: 0, status: 'operational' });
    try {
      // Kept, it failed every later init response.
      await expect(server.setStatus('bogus' as Status)).rejects.toThrow(EventerValueError);
      expect(server.status).toBe('operational');
      // NaN passed the clamp to 1 and then never left room: the second notification stalled.
      for (const eventQueueSize of [NaN, 0, 1.5])
        await expect(connect(server.address, opts({ eventQueueSize }))).rejects.toThrow(
          EventerValueError,
        );
      const client = await connect(server.address, opts());
      expect(client.status).toBe('operational');
      await expect(client.query({ type: 'bogus' } as unknown as QueryParamsInit)).rejects.toThrow(
        EventerValueError,
      );
      expect(client.isOpen).toBe(true);
      await client.close();
    } finally {
      await server.close();
    }
  });

  it('status changes reach every client', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const seen: Status[][] = [[], []];
    const clients = await Promise.all(
      [0, 1].map((i) => connect(server.address, opts({ onStatus: (s) => void seen[i]?.push(s) }))),
    );
    expect(clients[0]?.status).toBe('standby');
    for (const s of ['starting', 'operational', 'stopping'] as Status[]) await server.setStatus(s);
    await until(() => seen[1]?.length === 3, 2000);
    expect(seen).toEqual([
      ['starting', 'operational', 'stopping'],
      ['starting', 'operational', 'stopping'],
    ]);
    expect(clients.map((c) => c.status)).toEqual(['stopping', 'stopping']);
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('register with and without response, failure; notifications go before the response', async () => {
    const { server, backend } = await startMemoryServer({ pingDelay: 0, failType: ['fail'] });
    const order: string[] = [];
    const client = await connect(
      server.address,
      opts({ subscriptions: [['*']], onEvents: (evs) => void order.push(`events ${evs.length}`) }),
    );
    try {
      const events = await client.register(
        [
          { type: ['a'], payload: jsonPayload({ x: 1 }) },
          { type: ['b'], sourceTimestamp: { s: 5, us: 6 } },
        ],
        { withResponse: true },
      );
      order.push('response');
      expect(events?.map((e) => [e.id, e.type, e.payload])).toEqual([
        [{ server: 1, session: 1, instance: 1 }, ['a'], jsonPayload({ x: 1 })],
        [{ server: 1, session: 1, instance: 2 }, ['b'], null],
      ]);
      expect(events?.[1]?.sourceTimestamp).toEqual({ s: 5, us: 6 });
      expect(events?.[0]?.timestamp).toEqual(events?.[1]?.timestamp);
      expect(order).toEqual(['events 2', 'response']);

      expect(await client.register([{ type: ['x'] }])).toBeUndefined();
      expect(await client.register([{ type: ['fail'] }], { withResponse: true })).toBeNull();
      expect(await client.register([], { withResponse: true })).toEqual([]);
      await until(() => backend.size === 3, 2000);
      expect(backend.lastSession).toBe(2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('logRequests: each register and query logged at debug level, nothing without it', async () => {
    for (const logRequests of [true, false]) {
      const logged: string[] = [];
      const { server } = await startMemoryServer({
        pingDelay: 0,
        logRequests,
        logger: {
          ...noopLogger,
          debug: (msg, fields) => logged.push(`${msg} ${fields?.['events']}`),
        },
      });
      const client = await connect(server.address, opts());
      try {
        await client.register([{ type: ['a'] }, { type: ['b'] }], { withResponse: true });
        await client.query({ type: 'latest' });
        expect(logged).toEqual(logRequests ? ['register 2', 'query 2'] : []);
      } finally {
        await client.close();
        await server.close();
      }
    }
  });

  it('every query type, paged', async () => {
    const { server } = await startMemoryServer({ pingDelay: 0 });
    const client = await connect(server.address, opts());
    try {
      for (let i = 0; i < 25; i++)
        await client.register(
          [
            { type: ['t', String(i % 5)], sourceTimestamp: { s: 1000 - i, us: 0 } },
            { type: ['u'], payload: jsonPayload(i) },
          ],
          { withResponse: true },
        );
      const latest = await client.query({ type: 'latest', eventTypes: [['t', '?']] });
      expect(latest.moreFollows).toBe(false);
      expect(latest.events.map((e) => [e.type[1], e.id.session])).toEqual([
        ['0', 21],
        ['1', 22],
        ['2', 23],
        ['3', 24],
        ['4', 25],
      ]);
      expect((await client.query({ type: 'latest', eventTypes: [] })).events).toEqual([]);
      expect((await client.query({ type: 'latest' })).events).toHaveLength(6);

      for (const order of ['ascending', 'descending'] as const) {
        const pages: Event[][] = [];
        let lastEventId = null;
        for (;;) {
          const r = await client.query({
            type: 'timeseries',
            eventTypes: [['t', '*']],
            order,
            maxResults: 7,
            lastEventId,
          });
          pages.push(r.events);
          if (!r.moreFollows) break;
          lastEventId = r.events[r.events.length - 1]?.id ?? null;
        }
        expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
        const sessions = pages.flat().map((e) => e.id.session);
        const asc = Array.from({ length: 25 }, (_, i) => i + 1);
        expect(sessions).toEqual(order === 'ascending' ? asc : asc.reverse());
      }
      const bySource = await client.query({
        type: 'timeseries',
        orderBy: 'sourceTimestamp',
        order: 'ascending',
        sourceTFrom: { s: 990, us: 0 },
        maxResults: 3,
      });
      expect(bySource.events.map((e) => e.sourceTimestamp?.s)).toEqual([990, 991, 992]);
      expect(bySource.moreFollows).toBe(true);

      const all: Event[] = [];
      let last = null;
      for (let n = 0; n < 20; n++) {
        const r = await client.query({
          type: 'server',
          serverId: 1,
          maxResults: 16,
          lastEventId: last,
        });
        all.push(...r.events);
        if (!r.moreFollows) break;
        last = r.events[r.events.length - 1]?.id ?? null;
      }
      expect(all).toHaveLength(50);
      expect(all.map((e) => e.id.session * 10 + e.id.instance)).toEqual(
        Array.from({ length: 50 }, (_, i) => (Math.floor(i / 2) + 1) * 10 + (i % 2) + 1),
      );
      expect((await client.query({ type: 'server', serverId: 2 })).events).toEqual([]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('MIN_TIMESTAMP and MAX_TIMESTAMP as query bounds', async () => {
    // Their seconds are beyond what a number-mode decoder takes; the server reads them anyway
    // (see large-integers.test.ts).
    const { server } = await startMemoryServer({ pingDelay: 0 });
    const client = await connect(server.address, opts());
    try {
      await client.register([{ type: ['a'] }, { type: ['b'], sourceTimestamp: { s: 5, us: 0 } }], {
        withResponse: true,
      });
      for (const bounds of [
        { tFrom: MIN_TIMESTAMP, tTo: MAX_TIMESTAMP },
        { sourceTFrom: MIN_TIMESTAMP, sourceTTo: MAX_TIMESTAMP },
      ]) {
        const r = await client.query({ type: 'timeseries', order: 'ascending', ...bounds });
        // A source timestamp bound also leaves out events without one, as in hat.
        expect(r.events.map((e) => e.type)).toEqual('tFrom' in bounds ? [['a'], ['b']] : [['b']]);
      }
      const none = await client.query({ type: 'timeseries', tTo: { s: -1, us: 0 } });
      expect(none.events).toEqual([]);
      expect(client.isOpen).toBe(true);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a throwing callback closes that connection only (logged); onDisconnected runs', async () => {
    const logged: string[] = [];
    const disconnected: string[] = [];
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      logger: { ...noopLogger, error: (m) => void logged.push(m) },
      onRegister: (info) => {
        if (info.clientName === 'bad') throw new Error('boom');
        return [];
      },
      onDisconnected: (info) => void disconnected.push(info.clientName),
    });
    const bad = await connect(server.address, opts({ clientName: 'bad' }));
    const good = await connect(server.address, opts({ clientName: 'good' }));
    await expect(bad.register([], { withResponse: true })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    expect(await good.register([], { withResponse: true })).toEqual([]);
    await until(() => disconnected.length === 1, 2000);
    expect(disconnected).toEqual(['bad']);
    expect(logged.some((m) => m.includes('boom'))).toBe(true);
    await good.close();
    await server.close();
  });

  it('close() waits for onDisconnected at most closeTimeout, also when it awaits close()', async () => {
    const hanging = await listen('127.0.0.1:0', {
      pingDelay: 0,
      closeTimeout: 50,
      onDisconnected: () => new Promise<void>(() => {}),
    });
    const a = await connect(hanging.address, opts());
    // Without the bound, close() never resolves and the test times out.
    await hanging.close();
    await a.closed;

    let inner: Promise<void> | undefined;
    const closing = await listen('127.0.0.1:0', {
      pingDelay: 0,
      closeTimeout: 50,
      onDisconnected: async () => {
        inner = closing.close();
        await inner;
      },
    });
    const b = await connect(closing.address, opts());
    await b.close();
    await until(() => inner !== undefined, 2000);
    await closing.closed;
  });

  it('a query still pending when the client closes rejects', async () => {
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      onQuery: () => new Promise(() => {}),
    });
    const client = await connect(server.address, opts());
    const pending = client.query({ type: 'latest' }).catch((e: unknown) => e);
    await sleep(5);
    await client.close();
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    await server.close();
  });
});

describe('notifications', () => {
  it('a client whose queue stays full keeps no reaction per stalled notification', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const client = await connect(server.address, {
      ...opts({ subscriptions: [['*']] }),
      eventQueueSize: 1,
    });
    try {
      // Counts what waits on the connection's close: Promise.race([full, closed]) added one
      // reaction per stall, kept until the connection closed (memory grew with every event).
      const closed = client.connection.closed;
      const then = closed.then.bind(closed);
      let reactions = 0;
      Object.defineProperty(closed, 'then', {
        value: (...args: Parameters<typeof then>) => {
          reactions++;
          return then(...args);
        },
      });
      const it = client[Symbol.asyncIterator]();
      for (let i = 0; i < 100; i++) {
        await server.notifyEvents([ev(1, 2 * i + 1, ['a'])], false);
        await server.notifyEvents([ev(1, 2 * i + 2, ['a'])], false);
        expect((await it.next()).value?.[0]?.id.instance).toBe(2 * i + 1);
        expect((await it.next()).value?.[0]?.id.instance).toBe(2 * i + 2);
      }
      expect(reactions).toBeLessThan(5);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('subscription matrix: ?, *, server id, persisted', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const specs: [string, Partial<ClientOptions>][] = [
      ['all', { subscriptions: [['*']] }],
      ['none', { subscriptions: [] }],
      ['a?', { subscriptions: [['a', '?']] }],
      ['a*', { subscriptions: [['a', '*']] }],
      // Same subscriptions as others: the selection made for one must not leak across server ids.
      ['a? again', { subscriptions: [['a', '?']] }],
      ['a* server2', { subscriptions: [['a', '*']], serverId: 2 }],
      ['?b', { subscriptions: [['?', 'b']] }],
      ['exact', { subscriptions: [['a', 'b', 'c']] }],
      ['server2', { subscriptions: [['*']], serverId: 2 }],
      ['persisted', { subscriptions: [['*']], persisted: true }],
      ['persisted a?', { subscriptions: [['a', '?']], persisted: true }],
    ];
    const got = new Map<string, string[]>();
    const clients: Client[] = [];
    for (const [name, o] of specs) {
      got.set(name, []);
      clients.push(
        await connect(
          server.address,
          opts({
            clientName: name,
            ...o,
            onEvents: (evs) =>
              void got.get(name)?.push(...evs.map((e) => `${e.id.server}:${e.type.join('/')}`)),
          }),
        ),
      );
    }
    const events = [
      ev(1, 1, ['a']),
      ev(1, 2, ['a', 'b']),
      ev(2, 3, ['a', 'b', 'c']),
      ev(2, 4, ['x', 'b']),
      ev(1, 5, []),
    ];
    await server.notifyEvents(events, false);
    await server.notifyEvents([ev(1, 6, ['a', 'z']), ev(2, 7, ['q'])], true);
    await sleep(30);
    expect(Object.fromEntries(got)).toEqual({
      all: ['1:a', '1:a/b', '2:a/b/c', '2:x/b', '1:'],
      none: [],
      'a?': ['1:a/b'],
      'a*': ['1:a', '1:a/b', '2:a/b/c'],
      'a? again': ['1:a/b'],
      'a* server2': ['2:a/b/c'],
      '?b': ['1:a/b', '2:x/b'],
      exact: ['2:a/b/c'],
      server2: ['2:a/b/c', '2:x/b'],
      persisted: ['1:a/z', '2:q'],
      'persisted a?': ['1:a/z'],
    });
    // Every client but `none` can be notified; leaving clients stop counting.
    expect(server.subscriberCount).toBe(specs.length - 1);
    await Promise.all(clients.map((c) => c.close()));
    await until(() => server.connections.length === 0);
    expect(server.subscriberCount).toBe(0);
    await server.close();
  });

  it('200 clients each receive 10,000 events in order, none lost', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const N = 200;
    const TOTAL = 10_000;
    const BATCH = 500;
    const counts = new Array<number>(N).fill(0);
    let disorder = 0;
    const clients = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        connect(
          server.address,
          opts({
            clientName: `c${i}`,
            subscriptions: [['load', '*']],
            onEvents: (evs) => {
              for (const e of evs) {
                if (e.id.instance !== (counts[i] as number) + 1) disorder++;
                counts[i] = e.id.instance;
              }
            },
          }),
        ),
      ),
    );
    try {
      for (let start = 0; start < TOTAL; start += BATCH) {
        const batch: Event[] = [];
        for (let k = start; k < start + BATCH; k++)
          batch.push(ev(1, k + 1, ['load', String(k % 10)]));
        // Every 4th batch with acks, so the ack path is loaded as well.
        await server.notifyEvents(batch, false, { withAck: (start / BATCH) % 4 === 0 });
      }
      await until(() => counts.every((c) => c === TOTAL), 20_000, 'all events');
      expect(disorder).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    }
  });

  it('a client leaving while the server waits for acks ends only its own wait', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let slowGot = 0;
    const leaving = await connect(
      server.address,
      opts({ clientName: 'leaving', subscriptions: [['*']] }),
    );
    const slow = await connect(
      server.address,
      opts({
        clientName: 'slow',
        subscriptions: [['*']],
        onEvents: async () => {
          slowGot++;
          await gate;
        },
      }),
    );
    const it = leaving[Symbol.asyncIterator](); // iterated lazily: no ack until taken
    let done = false;
    const notified = server
      .notifyEvents([ev(1, 1, ['a'])], false, { withAck: true })
      .then(() => (done = true));
    await until(() => slowGot === 1, 2000);
    await leaving.close();
    expect((await it.next()).value).toBeDefined(); // queued before close, never acked
    await sleep(30);
    expect(done).toBe(false); // still waiting for "slow"
    release();
    await notified;
    expect(done).toBe(true);
    await slow.close();
    await server.close();
  });

  it('ackTimeout gives up on a client that does not acknowledge', async () => {
    const warned: string[] = [];
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      logger: { ...noopLogger, warn: (m) => void warned.push(m) },
    });
    const client = await connect(server.address, opts({ subscriptions: [['*']] }));
    await server.notifyEvents([ev(1, 1, ['a'])], false, { withAck: true, ackTimeout: 30 });
    expect(warned).toContain('eventer server: no events ack');
    // The late ack is ignored; the connection keeps working.
    for await (const events of client) {
      expect(events).toHaveLength(1);
      break;
    }
    expect(await client.query({ type: 'latest' })).toEqual({ events: [], moreFollows: false });
    await client.close();
    await server.close();
  });
});
