// The chatter flags of every message of the protocol table (hat-behavior §9.1), observed with
// a plain chatter peer on the other side of our client and of our server.
import { describe, expect, it } from 'vitest';
import { HatEventer } from '../../generated/index.js';
import * as chatter from '../../runtime/chatter/index.js';
import {
  connect,
  EventerProtocolError,
  listen,
  MemoryBackend,
  statusToSbs,
  type Client,
  type Status,
} from '../../runtime/eventer/index.js';
import { sleep } from '../support/wait.js';

const { decodeMsg, sendMsg, toData } = chatter;
const initReq = (
  subscriptions: string[][] = [['*']],
  persisted = false,
): HatEventer.MsgInitReq => ({
  clientName: 'raw',
  clientToken: null,
  subscriptions,
  serverId: null,
  persisted,
});
const event = (instance: number): HatEventer.Event => ({
  id: { server: 1, session: 1, instance },
  type: ['a'],
  timestamp: { s: 1, us: 2 },
  sourceTimestamp: null,
  payload: null,
});

function flags(m: chatter.Msg): { first: boolean; last: boolean; token: boolean } {
  return { first: m.first, last: m.last, token: m.token };
}

describe('our server, raw chatter client', () => {
  it('init, status, events (with and without ack), register (both ways), query', async () => {
    const backend = new MemoryBackend();
    const server = await listen('127.0.0.1:0', {
      pingDelay: 0,
      onRegister: (_i, evs) => backend.register(evs),
      onQuery: (_i, p) => backend.query(p),
    });
    const conn = await chatter.connect(server.address, { pingDelay: 0 });
    try {
      const initConv = await sendMsg(conn, HatEventer.MsgInitReq, initReq(), { last: false });
      const initRes = await conn.receive();
      expect(initRes.data.type).toBe('HatEventer.MsgInitRes');
      expect(initRes.conv).toEqual(initConv);
      expect(flags(initRes)).toEqual({ first: false, last: true, token: true });
      expect(decodeMsg(initRes, HatEventer.MsgInitRes)).toEqual({
        type: 'success',
        value: statusToSbs('standby'),
      });

      for (const s of ['starting', 'operational', 'stopping', 'standby'] as Status[]) {
        await server.setStatus(s);
        const m = await conn.receive();
        expect(m.data.type).toBe('HatEventer.MsgStatusNotify');
        expect(flags(m)).toEqual({ first: true, last: true, token: true });
        expect(decodeMsg(m, HatEventer.MsgStatusNotify).type).toBe(s);
      }
      await server.setStatus('standby'); // unchanged: nothing sent

      const events = [1, 2].map((i) => ({ ...event(i), sourceTimestamp: null, payload: null }));
      await server.notifyEvents(events, false);
      const plain = await conn.receive();
      expect(plain.data.type).toBe('HatEventer.MsgEventsNotify');
      expect(flags(plain)).toEqual({ first: true, last: true, token: true });
      expect(decodeMsg(plain, HatEventer.MsgEventsNotify)).toEqual([event(1), event(2)]);

      let acked = false;
      const notified = server
        .notifyEvents(events, false, { withAck: true })
        .then(() => (acked = true));
      const withAck = await conn.receive();
      expect(flags(withAck)).toEqual({ first: true, last: false, token: true });
      await sleep(10);
      expect(acked).toBe(false);
      await sendMsg(conn, HatEventer.MsgEventsAck, null, { conv: withAck.conv });
      await notified;
      expect(acked).toBe(true);

      const reg = [
        { type: ['a'], sourceTimestamp: null, payload: { type: 'json' as const, value: '1' } },
      ];
      const regConv = await sendMsg(conn, HatEventer.MsgRegisterReq, reg, { last: false });
      const regRes = await conn.receive();
      expect(regRes.conv).toEqual(regConv);
      expect(flags(regRes)).toEqual({ first: false, last: true, token: true });
      const res = decodeMsg(regRes, HatEventer.MsgRegisterRes);
      expect(res.type === 'events' && res.value.map((e) => e.id)).toEqual([
        { server: 1, session: 1, instance: 1 },
      ]);

      // last = true: registered, not answered; the next message is the query's answer.
      await sendMsg(conn, HatEventer.MsgRegisterReq, reg, { last: true });
      const qConv = await sendMsg(
        conn,
        HatEventer.MsgQueryReq,
        {
          type: 'server',
          value: { serverId: 1, persisted: false, maxResults: null, lastEventId: null },
        },
        { last: false },
      );
      const qRes = await conn.receive();
      expect(qRes.data.type).toBe('HatEventer.MsgQueryRes');
      expect(qRes.conv).toEqual(qConv);
      expect(flags(qRes)).toEqual({ first: false, last: true, token: true });
      expect(decodeMsg(qRes, HatEventer.MsgQueryRes).events.map((e) => e.id.session)).toEqual([
        1, 2,
      ]);
    } finally {
      await conn.close();
      await server.close();
    }
  });

  it('without callbacks: register fails, queries are empty', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const client = await connect(server.address, { clientName: 'c', pingDelay: 0 });
    try {
      expect(await client.register([{ type: ['a'] }], { withResponse: true })).toBeNull();
      expect(await client.query({ type: 'latest' })).toEqual({ events: [], moreFollows: false });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a first message other than MsgInitReq closes without an answer', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const conn = await chatter.connect(server.address, { pingDelay: 0 });
    await sendMsg(conn, HatEventer.MsgRegisterReq, [], { last: false });
    await expect(conn.receive()).rejects.toBeInstanceOf(chatter.ConnectionClosedError);
    expect(server.connections).toEqual([]);
    await server.close();
  });

  it('an unknown message type after init closes that connection only', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: 0 });
    const conn = await chatter.connect(server.address, { pingDelay: 0 });
    const other = await connect(server.address, { clientName: 'ok', pingDelay: 0 });
    await sendMsg(conn, HatEventer.MsgInitReq, initReq(), { last: false });
    await conn.receive();
    await conn.send({ type: 'HatEventer.Nonsense', data: new Uint8Array(0) });
    await expect(conn.receive()).rejects.toBeInstanceOf(chatter.ConnectionClosedError);
    expect(await other.query({ type: 'latest' })).toEqual({ events: [], moreFollows: false });
    expect(server.connections.map((c) => c.clientName)).toEqual(['ok']);
    await other.close();
    await server.close();
  });
});

describe('our client, raw chatter server', () => {
  async function setup(): Promise<{
    client: Client;
    conn: chatter.Connection;
    statuses: Status[];
    close(): Promise<void>;
  }> {
    const raw = await chatter.listen('127.0.0.1:0', { pingDelay: 0 });
    const statuses: Status[] = [];
    const clientP = connect(raw.address, {
      clientName: 'c',
      clientToken: 'tok',
      subscriptions: [
        ['a', '?'],
        ['b', '*'],
      ],
      serverId: 7,
      persisted: true,
      pingDelay: 0,
      onStatus: (s) => void statuses.push(s),
    });
    const conn = (await raw[Symbol.asyncIterator]().next()).value as chatter.Connection;
    const init = await conn.receive();
    expect(init.data.type).toBe('HatEventer.MsgInitReq');
    expect(flags(init)).toEqual({ first: true, last: false, token: true });
    expect(decodeMsg(init, HatEventer.MsgInitReq)).toEqual({
      clientName: 'c',
      clientToken: 'tok',
      subscriptions: [
        ['a', '?'],
        ['b', '*'],
      ],
      serverId: 7,
      persisted: true,
    });
    await conn.send(
      toData(HatEventer.MsgInitRes, { type: 'success', value: statusToSbs('starting') }),
      {
        conv: init.conv,
      },
    );
    const client = await clientP;
    return {
      client,
      conn,
      statuses,
      close: async () => {
        await client.close();
        await raw.close();
      },
    };
  }

  it('register, query, acks and status', async () => {
    const { client, conn, statuses, close } = await setup();
    try {
      expect(client.status).toBe('starting');
      await client.register([{ type: ['a', 'b'] }]);
      const noResponse = await conn.receive();
      expect(noResponse.data.type).toBe('HatEventer.MsgRegisterReq');
      expect(flags(noResponse)).toEqual({ first: true, last: true, token: true });

      const registered = client.register([{ type: ['a', 'b'] }], { withResponse: true });
      const req = await conn.receive();
      expect(flags(req)).toEqual({ first: true, last: false, token: true });
      await conn.send(toData(HatEventer.MsgRegisterRes, { type: 'events', value: [event(1)] }), {
        conv: req.conv,
      });
      expect((await registered)?.map((e) => e.id.instance)).toEqual([1]);

      const failed = client.register([], { withResponse: true });
      const req2 = await conn.receive();
      await conn.send(toData(HatEventer.MsgRegisterRes, { type: 'failure', value: null }), {
        conv: req2.conv,
      });
      expect(await failed).toBeNull();

      const queried = client.query({ type: 'server', serverId: 123 });
      const q = await conn.receive();
      expect(q.data.type).toBe('HatEventer.MsgQueryReq');
      expect(flags(q)).toEqual({ first: true, last: false, token: true });
      expect(decodeMsg(q, HatEventer.MsgQueryReq)).toEqual({
        type: 'server',
        value: { serverId: 123, persisted: false, maxResults: null, lastEventId: null },
      });
      await conn.send(toData(HatEventer.MsgQueryRes, { events: [event(3)], moreFollows: true }), {
        conv: q.conv,
      });
      const result = await queried;
      expect(result.moreFollows).toBe(true);
      expect(result.events[0]?.id.instance).toBe(3);

      // Notification with last = false: acknowledged in its conversation, last = true.
      const it = client[Symbol.asyncIterator]();
      const nConv = await conn.send(toData(HatEventer.MsgEventsNotify, [event(4)]), {
        last: false,
      });
      expect((await it.next()).value?.[0]?.id.instance).toBe(4);
      const ack = await conn.receive();
      expect(ack.data.type).toBe('HatEventer.MsgEventsAck');
      expect(ack.data.data.length).toBe(0);
      expect(ack.conv).toEqual(nConv);
      expect(flags(ack)).toEqual({ first: false, last: true, token: true });

      // last = true: no ack (the next thing the server sees is the following request).
      await conn.send(toData(HatEventer.MsgEventsNotify, [event(5)]));
      expect((await it.next()).value?.[0]?.id.instance).toBe(5);
      await sleep(10);
      expect(conn.tryReceive()).toBeUndefined();

      await conn.send(toData(HatEventer.MsgStatusNotify, statusToSbs('operational')));
      await conn.send(toData(HatEventer.MsgStatusNotify, statusToSbs('stopping')));
      await sleep(10);
      expect(statuses).toEqual(['operational', 'stopping']);
      expect(client.status).toBe('stopping');
    } finally {
      await close();
    }
  });

  it('a response is handed over after onEvents ran for the notifications before it (as hat)', async () => {
    const raw = await chatter.listen('127.0.0.1:0', { pingDelay: 0 });
    const order: string[] = [];
    let release: (() => void) | undefined;
    const clientP = connect(raw.address, {
      clientName: 'c',
      subscriptions: [['*']],
      pingDelay: 0,
      onEvents: async (evs) => {
        order.push(`events ${evs[0]?.id.instance}`);
        await new Promise<void>((resolve) => (release = resolve));
        order.push('events done');
      },
    });
    const conn = (await raw[Symbol.asyncIterator]().next()).value as chatter.Connection;
    const init = await conn.receive();
    await conn.send(
      toData(HatEventer.MsgInitRes, { type: 'success', value: statusToSbs('operational') }),
      { conv: init.conv },
    );
    const client = await clientP;
    try {
      const queried = client
        .query({ type: 'latest' })
        .then((r) => void order.push(`query ${r.events.length}`));
      const q = await conn.receive();
      // Sent in one tick: both frames reach the client in one write.
      void conn.send(toData(HatEventer.MsgEventsNotify, [event(1)]));
      void conn.send(toData(HatEventer.MsgQueryRes, { events: [event(1)], moreFollows: false }), {
        conv: q.conv,
      });
      await sleep(50);
      expect(order).toEqual(['events 1']);
      release?.();
      await queried;
      expect(order).toEqual(['events 1', 'events done', 'query 1']);
    } finally {
      await client.close();
      await raw.close();
    }
  });

  it('the connect signal also ends an init the server never answers', async () => {
    const raw = await chatter.listen('127.0.0.1:0', { pingDelay: 0 });
    try {
      const controller = new AbortController();
      const reason = new Error('gave up');
      const connecting = connect(raw.address, {
        clientName: 'c',
        pingDelay: 0,
        signal: controller.signal,
      }).catch((e: unknown) => e);
      const conn = (await raw[Symbol.asyncIterator]().next()).value as chatter.Connection;
      expect((await conn.receive()).data.type).toBe('HatEventer.MsgInitReq');
      controller.abort(reason);
      expect(await connecting).toBe(reason);
      await conn.closed;
    } finally {
      await raw.close();
    }
  });

  it('pending calls reject when the connection closes', async () => {
    const { client, conn, close } = await setup();
    const pending = client.query({ type: 'latest' }).catch((e: unknown) => e);
    const registering = client.register([], { withResponse: true }).catch((e: unknown) => e);
    await conn.receive();
    await conn.receive();
    await conn.close();
    expect(await pending).toBeInstanceOf(chatter.ConnectionClosedError);
    expect(await registering).toBeInstanceOf(chatter.ConnectionClosedError);
    await client.closed;
    await expect(client.query({ type: 'latest' })).rejects.toBeInstanceOf(
      chatter.ConnectionClosedError,
    );
    await close();
  });

  it('an unexpected message type closes the client with a protocol error', async () => {
    const { client, conn, close } = await setup();
    await conn.send(toData(HatEventer.MsgInitReq, initReq()));
    await client.closed;
    expect(client.closeReason?.name).toBe('EventerProtocolError');
    await close();
  });

  it('a reply whose JSON payload is not JSON rejects the call and closes the client (as hat)', async () => {
    const { client, conn, close } = await setup();
    const queried = client.query({ type: 'latest' }).catch((e: unknown) => e);
    const q = await conn.receive();
    const bad: HatEventer.Event = { ...event(1), payload: { type: 'json', value: '{bad' } };
    await conn.send(toData(HatEventer.MsgQueryRes, { events: [bad], moreFollows: false }), {
      conv: q.conv,
    });
    expect(await queried).toBeInstanceOf(EventerProtocolError);
    await client.closed;
    expect(client.closeReason).toBeInstanceOf(EventerProtocolError);
    await close();
  });
});
