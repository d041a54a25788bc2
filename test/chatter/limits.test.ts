import { describe, expect, it } from 'vitest';
import {
  BufferLimitError,
  connect,
  listen,
  type Connection,
  type Logger,
  type Server,
} from '../../runtime/chatter/index.js';
import { openingMsg, rawClient, until, wire, type RawPeer } from './helpers.js';

function recordingLogger(): Logger & { errors: string[]; warns: string[] } {
  const errors: string[] = [];
  const warns: string[] = [];
  const noop = (): void => {};
  return {
    errors,
    warns,
    debug: noop,
    info: noop,
    warn: (msg) => warns.push(msg),
    error: (msg) => errors.push(msg),
  };
}

/** The first `n` bytes of a frame announcing a body of `k` bytes (m = 3). */
function partialFrame(k: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set([3, (k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff]);
  return out;
}

async function withServer(
  options: Parameters<typeof listen>[1],
  body: (server: Server, accepted: Connection[]) => Promise<void>,
): Promise<void> {
  const accepted: Connection[] = [];
  const server = await listen('127.0.0.1:0', {
    pingDelay: null,
    ...options,
    onConnection: (conn) => {
      accepted.push(conn);
    },
  });
  try {
    await body(server, accepted);
  } finally {
    await server.close();
  }
}

describe('chatter server limits', () => {
  it('maxBufferedBytes: past the budget, the connection holding the most is closed', async () => {
    const logger = recordingLogger();
    await withServer(
      { maxBufferedBytes: 1000, maxFrameSize: 100_000, logger },
      async (server, accepted) => {
        const peers: RawPeer[] = [];
        try {
          const a = await rawClient(server.address.port);
          peers.push(a);
          a.write(partialFrame(10_000, 600));
          await until(() => server.bufferedBytes === 600, 5000, 'a: 600 bytes');

          // b: most of a real message, completed later.
          const bFrame = wire(openingMsg('b', new Uint8Array(380)));
          const b = await rawClient(server.address.port);
          peers.push(b);
          b.write(bFrame.subarray(0, 300));
          await until(() => server.bufferedBytes === 900, 5000, 'b: 900 bytes');

          // c passes the budget (1400 > 1000) while holding less than a: a is closed.
          const c = await rawClient(server.address.port);
          peers.push(c);
          c.write(partialFrame(10_000, 500));
          await until(() => a.ended, 5000, 'a closed');
          expect(server.bufferedBytes).toBe(800);
          expect(accepted).toHaveLength(3);
          const [connA, connB, connC] = accepted as [Connection, Connection, Connection];
          expect(connA.closeReason).toBeInstanceOf(BufferLimitError);
          expect(connA.closeReason).toMatchObject({ buffered: 600, total: 1400, limit: 1000 });
          expect(logger.errors.join('\n')).toMatch(/maxBufferedBytes \(1000 bytes\)/);
          expect(connB.isOpen && connC.isOpen).toBe(true);

          // Completed frames give their bytes back; so do closed connections.
          b.write(bFrame.subarray(300));
          const msg = await connB.receive();
          expect(msg.data.type).toBe('b');
          expect(msg.data.data).toHaveLength(380);
          expect(server.bufferedBytes).toBe(500);
          c.socket.destroy();
          await connC.closed;
          expect(server.bufferedBytes).toBe(0);
          expect(connC.bufferedBytes).toBe(0);
        } finally {
          for (const p of peers) p.socket.destroy();
        }
      },
    );
  });

  it('maxBufferedBytes: a single connection beyond the budget is closed', async () => {
    await withServer({ maxBufferedBytes: 100, maxFrameSize: 10_000 }, async (server, accepted) => {
      const a = await rawClient(server.address.port);
      try {
        a.write(partialFrame(5000, 99));
        await until(() => server.bufferedBytes === 99, 5000, '99 bytes');
        a.write(new Uint8Array(2));
        await until(() => a.ended, 5000, 'closed');
        expect(accepted[0]?.closeReason).toBeInstanceOf(BufferLimitError);
        expect(server.bufferedBytes).toBe(0);
      } finally {
        a.socket.destroy();
      }
    });
  });

  it('maxConnections: extra connections are closed at once, and the slot frees on close', async () => {
    const logger = recordingLogger();
    await withServer({ maxConnections: 2, logger }, async (server, accepted) => {
      const c1 = await connect(server.address, { pingDelay: null });
      const c2 = await connect(server.address, { pingDelay: null });
      await until(() => accepted.length === 2, 5000, 'two accepted');
      const extra = await rawClient(server.address.port);
      await until(() => extra.ended, 5000, 'extra closed');
      expect(accepted).toHaveLength(2);
      expect(server.connectionCount).toBe(2);
      expect(logger.warns.join('\n')).toMatch(/maxConnections/);

      // The connections within the limit still work.
      await c1.send({ type: 'ping?', data: new Uint8Array([1]) });
      expect((await (accepted[0] as Connection).receive()).data.type).toBe('ping?');

      await c2.close();
      await until(() => server.connectionCount === 1, 5000, 'one left');
      const c3 = await connect(server.address, { pingDelay: null });
      await until(() => accepted.length === 3, 5000, 'third accepted');
      expect(server.connectionCount).toBe(2);
      await c1.close();
      await c3.close();
    });
  });

  it('refuses option values the limits cannot work with', async () => {
    for (const options of [
      { maxConnections: 0 },
      { maxConnections: 1.5 },
      { maxBufferedBytes: -1 },
      { maxBufferedBytes: Number.NaN },
    ])
      await expect(listen('127.0.0.1:0', options)).rejects.toThrow(RangeError);
  });
});
