// Input meant to reach a recursive path, and internal errors: the client gets our own text.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HatEventer } from '../../generated/index.js';
import * as chatter from '../../runtime/chatter/index.js';
import {
  connect,
  EventerInitError,
  EventerValueError,
  jsonPayload,
  listen,
  MAX_QUERY_TYPE_LENGTH,
  Subscription,
  type Event,
} from '../../runtime/eventer/index.js';
import type { Logger } from '../../runtime/logger.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';
import { rawClient } from '../chatter/helpers.js';
import { until } from '../support/wait.js';

const DEEP = 100_000;
const deepType = (n = DEEP): string[] => Array.from({ length: n }, (_, i) => `s${i % 7}`);

function recordingLogger(): Logger & { lines: { msg: string; fields: unknown }[] } {
  const lines: { msg: string; fields: unknown }[] = [];
  const log = (msg: string, fields?: unknown): void => void lines.push({ msg, fields });
  return { lines, debug: log, info: log, warn: log, error: log };
}

/** Sends MsgInitReq as any peer would and returns the server's MsgInitRes. */
async function rawInit(
  port: number,
  subscriptions: string[][],
): Promise<{ res: HatEventer.MsgInitRes; conn: chatter.Connection }> {
  const conn = await chatter.connect(`127.0.0.1:${port}`, { pingDelay: null });
  await chatter.sendMsg(
    conn,
    HatEventer.MsgInitReq,
    { clientName: 'x', clientToken: null, subscriptions, serverId: null, persisted: false },
    { last: false },
  );
  return { res: chatter.decodeMsg(await conn.receive(), HatEventer.MsgInitRes), conn };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('eventer server: hostile input', () => {
  it('a 100,000-deep subscription is refused with our message, never a runtime error text', async () => {
    const server = await listen('127.0.0.1:0', { pingDelay: null, closeTimeout: 50 });
    try {
      const { res, conn } = await rawInit(server.address.port, [deepType()]);
      expect(res).toEqual({
        type: 'error',
        value: `query event type of ${DEEP} segments is longer than ${MAX_QUERY_TYPE_LENGTH}`,
      });
      await conn.close();
      // Through our client too, with `*` at the end of the deep type.
      const error = await connect(server.address, {
        clientName: 'c',
        pingDelay: null,
        subscriptions: [[...deepType(), '*']],
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventerInitError);
      expect((error as Error).message).not.toMatch(/stack|recursion/i);
      expect(server.connections).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a subscription of MAX_QUERY_TYPE_LENGTH segments works end to end', async () => {
    const { server } = await startMemoryServer({ pingDelay: null });
    const long = deepType(MAX_QUERY_TYPE_LENGTH);
    const got: Event[] = [];
    const client = await connect(server.address, {
      clientName: 'c',
      pingDelay: null,
      subscriptions: [long, [...long.slice(0, -1), '?'], [...long.slice(0, -1), '*']],
      onEvents: (events) => void got.push(...events),
    });
    try {
      await client.register([{ type: long }, { type: ['other'] }], { withResponse: true });
      await until(() => got.length === 1, 5000, 'notification');
      expect(got[0]?.type).toEqual(long);
      const r = await client.query({ type: 'latest', eventTypes: [long] });
      expect(r.events.map((e) => e.type)).toEqual([long]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('an unexpected internal error reaches the client as a fixed text; the detail is logged', async () => {
    const logger = recordingLogger();
    vi.spyOn(Subscription, 'of').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    const server = await listen('127.0.0.1:0', { pingDelay: null, closeTimeout: 50, logger });
    try {
      const { res, conn } = await rawInit(server.address.port, [['a']]);
      expect(res).toEqual({ type: 'error', value: 'internal server error' });
      await conn.close();
      const logged = logger.lines.find((l) => /unexpected error/.test(l.msg));
      expect((logged?.fields as { error: Error }).error.message).toBe(
        'Maximum call stack size exceeded',
      );
    } finally {
      await server.close();
    }
  });

  it('a 100,000-deep query type closes that connection only, with our error logged', async () => {
    const logger = recordingLogger();
    const { server } = await startMemoryServer({ pingDelay: null, logger });
    const bad = await connect(server.address, { clientName: 'bad', pingDelay: null });
    const good = await connect(server.address, { clientName: 'good', pingDelay: null });
    try {
      const error = await bad
        .query({ type: 'latest', eventTypes: [deepType()] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(chatter.ConnectionClosedError);
      const closed = logger.lines.find((l) => /connection 1 closed/.test(l.msg));
      expect((closed?.fields as { error: Error }).error).toBeInstanceOf(EventerValueError);
      expect(closed?.msg).toMatch(/longer than 1000/);
      expect((await good.query({ type: 'latest' })).events).toEqual([]);
    } finally {
      await Promise.all([bad.close(), good.close()]);
      await server.close();
    }
  });

  it('a 100,000-segment event type and a 100,000-deep JSON payload harm nobody', async () => {
    const { server } = await startMemoryServer({ pingDelay: null });
    const got: Event[] = [];
    const watcher = await connect(server.address, {
      clientName: 'w',
      pingDelay: null,
      subscriptions: [['*'], deepType(MAX_QUERY_TYPE_LENGTH)],
      onEvents: (events) => void got.push(...events),
    });
    const sender = await connect(server.address, { clientName: 's', pingDelay: null });
    try {
      const long = deepType();
      await sender.register([{ type: long, payload: jsonPayload(1) }], { withResponse: true });
      await until(() => got.length === 1, 5000, 'notification');
      expect(got[0]?.type).toHaveLength(DEEP);
      // A payload nested 100,000 deep is refused when read (our message, logged); only the
      // sender's connection closes, as with any payload that is not JSON.
      const conn = await chatter.connect(server.address, { pingDelay: null });
      await chatter.sendMsg(
        conn,
        HatEventer.MsgInitReq,
        {
          clientName: 'raw',
          clientToken: null,
          subscriptions: [],
          serverId: null,
          persisted: false,
        },
        { last: false },
      );
      await conn.receive();
      const deepJson = '['.repeat(DEEP) + ']'.repeat(DEEP);
      await chatter.sendMsg(conn, HatEventer.MsgRegisterReq, [
        { type: ['j'], sourceTimestamp: null, payload: { type: 'json', value: deepJson } },
      ]);
      await conn.closed;
      expect(got).toHaveLength(1);
      expect((await watcher.query({ type: 'latest', eventTypes: [['*']] })).events).toHaveLength(1);
    } finally {
      await Promise.all([watcher.close(), sender.close()]);
      await server.close();
    }
  });

  it("Chatter's server-wide limits apply to the eventer server", async () => {
    const { server } = await startMemoryServer({
      pingDelay: null,
      maxConnections: 2,
      maxBufferedBytes: 1000,
      maxFrameSize: 100_000,
    });
    const first = await connect(server.address, { clientName: 'a', pingDelay: null });
    const raw = await rawClient(server.address.port);
    try {
      // Refused at accept: the init exchange never completes.
      await expect(connect(server.address, { clientName: 'b', pingDelay: null })).rejects.toThrow();
      // Most of a frame of 10,000 bytes, beyond the budget: that connection is closed.
      const partial = new Uint8Array(1500);
      partial.set([3, 0, 0x27, 0x10]);
      raw.write(partial);
      await until(() => raw.ended, 5000, 'raw closed');
      const again = await connect(server.address, { clientName: 'c', pingDelay: null });
      expect(server.connections.map((c) => c.clientName)).toEqual(['a', 'c']);
      await again.close();
    } finally {
      raw.socket.destroy();
      await first.close();
      await server.close();
    }
  });
});
