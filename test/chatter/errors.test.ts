import type { Server as NetServer, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HatChatter } from '../../generated/index.js';
import { SbsDecodeError, SbsEncodeError } from '../../runtime/sbs/index.js';
import {
  ConnectionClosedError,
  FrameTooLargeError,
  ProtocolError,
  connect,
  frame,
  listen,
  type Connection,
  type Logger,
} from '../../runtime/chatter/index.js';
import { openingMsg, rawServer, until, wire, type RawPeer } from './helpers.js';

const ok = wire(openingMsg('ok'));

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const noop = (): void => {};
  return { errors, debug: noop, info: noop, warn: noop, error: (msg) => errors.push(msg) };
}

async function withPeer(
  options: Parameters<typeof connect>[1],
  body: (conn: Connection, peer: RawPeer) => Promise<void>,
): Promise<void> {
  const raw = await rawServer();
  const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: null, ...options });
  try {
    await body(conn, await raw.peer);
  } finally {
    await conn.close();
    await raw.close();
  }
}

describe('chatter bad input', () => {
  it('closes on a body that is not a HatChatter.Msg, after delivering what came before', async () => {
    const logger = recordingLogger();
    await withPeer({ logger }, async (conn, peer) => {
      peer.write(ok);
      peer.write('0103ffffff');
      await conn.closed;
      expect(conn.closeReason).toBeInstanceOf(ProtocolError);
      expect(conn.closeReason?.cause).toBeInstanceOf(SbsDecodeError);
      expect(logger.errors.join()).toMatch(/malformed HatChatter.Msg/);
      expect((await conn.receive()).data.type).toBe('ok');
      const err: unknown = await conn.receive().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionClosedError);
      expect((err as Error).cause).toBe(conn.closeReason);
    });
  });

  it('closes on an empty frame (m = 0) and on trailing bytes in a body', async () => {
    await withPeer({}, async (conn, peer) => {
      peer.write('00');
      await conn.closed;
      expect(conn.closeReason).toBeInstanceOf(ProtocolError);
    });
    const body = HatChatter.Msg.encode(openingMsg('t'));
    await withPeer({}, async (conn, peer) => {
      peer.write(frame(Uint8Array.from([...body, 0])));
      await conn.closed;
      expect((conn.closeReason?.cause as SbsDecodeError).code).toBe('trailing');
    });
  });

  it('closes on a Bytes length beyond the body, naming it as a Bytes length', async () => {
    // The data's Bytes are last in the body: dropping the final byte leaves its length
    // prefix claiming one byte more than remains.
    const body = HatChatter.Msg.encode(openingMsg('t', Uint8Array.of(1, 2)));
    await withPeer({}, async (conn, peer) => {
      peer.write(frame(body.subarray(0, body.length - 1)));
      await conn.closed;
      const cause = conn.closeReason?.cause as SbsDecodeError;
      expect(cause.code).toBe('length');
      expect(cause.message).toMatch(/Bytes length 2 exceeds the 1 remaining bytes/);
    });
  });

  it('closes on an oversized announced length without waiting for the body', async () => {
    const logger = recordingLogger();
    await withPeer({ maxMessageSize: 1024, logger }, async (conn, peer) => {
      peer.write('020401');
      await conn.closed;
      expect(conn.closeReason).toBeInstanceOf(FrameTooLargeError);
      expect(conn.closeReason).toMatchObject({ size: 1025, limit: 1024 });
      expect(logger.errors.join()).toMatch(/exceeds maxMessageSize/);
    });
    // The default limit is 64 MiB; a 2^64-ish length fails too.
    await withPeer({}, async (conn, peer) => {
      peer.write('08ffffffffffffffff');
      await conn.closed;
      expect(conn.closeReason).toBeInstanceOf(FrameTooLargeError);
    });
  });

  it('reports a peer that closes in the middle of a frame', async () => {
    await withPeer({}, async (conn, peer) => {
      peer.write(ok);
      peer.write(ok.subarray(0, 5));
      peer.socket.end();
      await conn.closed;
      expect(conn.closeReason).toBeInstanceOf(ProtocolError);
      expect(conn.closeReason?.message).toMatch(/inside a frame/);
      expect((await conn.receive()).data.type).toBe('ok');
    });
  });

  it('survives an abrupt reset mid-frame', async () => {
    await withPeer({}, async (conn, peer) => {
      peer.write(ok.subarray(0, 3));
      await new Promise((r) => setTimeout(r, 10));
      peer.socket.resetAndDestroy();
      await conn.closed;
      expect(conn.isOpen).toBe(false);
      await expect(conn.receive()).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(conn.send({ type: 't', data: new Uint8Array(0) })).rejects.toBeInstanceOf(
        ConnectionClosedError,
      );
    });
  });

  it('passes unknown types through and rejects malformed sends without using an id', async () => {
    await withPeer({}, async (conn, peer) => {
      await expect(conn.send({ type: 5, data: new Uint8Array(0) } as never)).rejects.toBeInstanceOf(
        SbsEncodeError,
      );
      await expect(conn.send({ type: 't', data: 'x' } as never)).rejects.toBeInstanceOf(
        SbsEncodeError,
      );
      await expect(
        conn.send(
          { type: 't', data: new Uint8Array(0) },
          { conv: { owner: 'yes', firstId: 1 } as never },
        ),
      ).rejects.toBeInstanceOf(SbsEncodeError);
      expect(await conn.send({ type: 'Any.Thing', data: new Uint8Array(0) })).toEqual({
        owner: true,
        firstId: 1,
      });
      await conn.drain();
      await peer.waitBytes(1);
      expect(HatChatter.Msg.decode(peer.received.subarray(2))).toMatchObject({
        id: 1,
        data: { type: 'Any.Thing' },
      });
    });
  });

  it('refuses to send a body over maxMessageSize, using no id and keeping the connection', async () => {
    await withPeer({ maxMessageSize: 1000 }, async (conn, peer) => {
      const err = await conn
        .send({ type: 'Big', data: new Uint8Array(2000) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FrameTooLargeError);
      expect(err).toMatchObject({ limit: 1000 });
      expect(conn.isOpen).toBe(true);
      expect(await conn.send({ type: 'Small', data: new Uint8Array(900) })).toEqual({
        owner: true,
        firstId: 1,
      });
      await conn.drain();
      await peer.waitBytes(900);
      expect(HatChatter.Msg.decode(peer.received.subarray(3))).toMatchObject({
        id: 1,
        data: { type: 'Small' },
      });
    });
  });

  it('keeps a peer-chosen first id of 0 or below out of other conversations', async () => {
    await withPeer({}, async (conn, peer) => {
      // Waiting in the conversation the peer opened with its message 5.
      const reply = conn.waitReply({ owner: false, firstId: 5 });
      // Wire owner = false, first = -5: {owner: true, firstId: -5} from our side.
      peer.write(wire({ ...openingMsg('stray', new Uint8Array(0), 6), first: -5, owner: false }));
      peer.write(wire({ ...openingMsg('zero', new Uint8Array(0), 7), first: 0, owner: false }));
      peer.write(wire({ ...openingMsg('zero', new Uint8Array(0), 8), first: 0 }));
      peer.write(wire({ ...openingMsg('answer', new Uint8Array(0), 9), first: 5 }));
      expect(await conn.receive()).toMatchObject({
        data: { type: 'stray' },
        conv: { owner: true, firstId: -5 },
      });
      expect((await conn.receive()).conv).toEqual({ owner: true, firstId: 0 });
      expect((await conn.receive()).conv).toEqual({ owner: false, firstId: 0 });
      expect(await reply).toMatchObject({
        data: { type: 'answer' },
        conv: { owner: false, firstId: 5 },
      });
      // Both owners of conversation 0 are distinct waits.
      const a = conn.waitReply({ owner: true, firstId: 0 });
      const b = conn.waitReply({ owner: false, firstId: 0 });
      peer.write(wire({ ...openingMsg('b', new Uint8Array(0), 10), first: 0 }));
      peer.write(wire({ ...openingMsg('a', new Uint8Array(0), 11), first: 0, owner: false }));
      expect((await b).data.type).toBe('b');
      expect((await a).data.type).toBe('a');
    });
  });

  it('rejects, never throws, for a bad address or TLS option', async () => {
    // `.catch` on the returned promise must see every failure.
    const failures = [
      () => connect('nope'),
      () => connect({ host: '127.0.0.1', port: 70000 }),
      () => listen('127.0.0.1:x'),
      () => listen('127.0.0.1:0', { tls: { key: 'not a key', cert: 'not a cert' } }),
    ];
    for (const f of failures) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = f())).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(Error);
    }
  });

  it('rejects option values a connection cannot work with, before opening anything', async () => {
    // NaN used to switch the limits off; a delay beyond 2^31-1 ms made Node fire at once.
    const server = await listen('127.0.0.1:0');
    const opened: number[] = [];
    // connectionCount is read before the server could accept a socket a rejected connect left
    // open; the ports the server accepts, in order, show one.
    const accepted: (number | undefined)[] = [];
    const raw = (server as unknown as { server: NetServer }).server;
    raw.on('connection', (s: Socket) => accepted.push(s.remotePort));
    try {
      for (const bad of [
        { receiveQueueSize: Number.NaN },
        { sendQueueSize: 1.5 },
        { writeBufferLimit: Number.NaN },
        { maxFrameSize: -1 },
        { pingDelay: Infinity },
        { pingTimeout: Number.NaN },
        { closeTimeout: 2 ** 31 },
      ]) {
        await expect(connect(server.address, bad), JSON.stringify(bad)).rejects.toThrow(RangeError);
        await expect(listen('127.0.0.1:0', bad), JSON.stringify(bad)).rejects.toThrow(RangeError);
        opened.push(server.connectionCount);
      }
      expect(opened.every((n) => n === 0)).toBe(true);
      // Disabling pings stays allowed.
      const conn = await connect(server.address, { pingDelay: null, receiveQueueSize: 0 });
      await until(() => accepted.includes(conn.socket.localPort));
      expect(accepted).toEqual([conn.socket.localPort]);
      await conn.close();
    } finally {
      await server.close();
    }
  });

  it('keeps listening after a server error (logged, not an uncaught error event)', async () => {
    const logger = recordingLogger();
    const server = await listen('127.0.0.1:0', { logger });
    try {
      const raw = (server as unknown as { server: NetServer }).server;
      raw.emit('error', Object.assign(new Error('accept failed'), { code: 'ENOBUFS' }));
      expect(logger.errors.join()).toMatch(/accept failed/);
      const conn = await connect(server.address, { pingDelay: null });
      await conn.close();
    } finally {
      await server.close();
    }
  });
});
