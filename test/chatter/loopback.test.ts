import { describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  connect,
  listen,
  type Connection,
} from '../../runtime/chatter/index.js';
import { bytes, pair, until } from './helpers.js';

describe('chatter loopback', () => {
  it('connects, reports addresses and closes connections with the server', async () => {
    await expect(connect('127.0.0.1:1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const { server, c1, c2 } = await pair();
    expect(server.addresses).toEqual([{ host: '127.0.0.1', port: server.address.port }]);
    expect(server.address.port).toBeGreaterThan(0);
    expect(c1.info.remoteAddress).toEqual(server.address);
    expect(c2.info.localAddress).toEqual(server.address);
    expect(c1.info.localAddress).toEqual(c2.info.remoteAddress);
    expect(c1.info.tls).toBe(false);
    expect(server.connectionCount).toBe(1);
    await server.close();
    await c1.closed;
    await c2.closed;
    expect(c1.isOpen).toBe(false);
    expect(c1.closeReason).toBeNull();
  });

  it('sends and receives in conversations with hat flags', async () => {
    const { server, c1, c2 } = await pair();
    const conv1 = await c1.send({ type: 'abc', data: bytes('xyz') }, { last: false });
    expect(conv1).toEqual({ owner: true, firstId: 1 });
    const m1 = await c2.receive();
    expect(m1).toEqual({
      data: { type: 'abc', data: bytes('xyz') },
      conv: { owner: false, firstId: 1 },
      first: true,
      last: false,
      token: true,
    });
    const conv2 = await c2.send(
      { type: 'xyz', data: bytes('abc') },
      { conv: m1.conv, token: false },
    );
    expect(conv2).toBe(m1.conv);
    const m2 = await c1.receive();
    expect(m2.conv).toEqual(conv1);
    expect([m2.first, m2.last, m2.token]).toEqual([false, true, false]);

    // The server starts its own conversation: same first id (1), different owner.
    const conv3 = await c2.send({ type: 'Unknown.Type', data: new Uint8Array(0) });
    expect(conv3).toEqual({ owner: true, firstId: 2 });
    const m3 = await c1.receive();
    expect(m3.conv).toEqual({ owner: false, firstId: 2 });
    expect(m3.data.type).toBe('Unknown.Type');
    expect(m3.first).toBe(true);

    // Ids keep counting: a fresh conversation from c1 starts at id 2.
    expect(await c1.send({ type: 't', data: new Uint8Array(0) })).toEqual({
      owner: true,
      firstId: 2,
    });
    expect((await c2.receive()).conv).toEqual({ owner: false, firstId: 2 });

    await c1.close();
    await expect(c1.send({ type: 't', data: new Uint8Array(0) })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    await expect(c1.receive()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(c1.drain()).rejects.toBeInstanceOf(ConnectionClosedError);
    await c2.closed;
    await expect(c2.receive()).rejects.toBeInstanceOf(ConnectionClosedError);
    await server.close();
  });

  it('keeps received messages readable after close, then rejects', async () => {
    const { server, c1, c2 } = await pair();
    for (let i = 0; i < 3; i++) await c1.send({ type: 'n', data: Uint8Array.of(i) });
    await c1.close();
    await c2.closed;
    const got: number[] = [];
    for await (const m of c2) got.push(m.data.data[0] as number);
    expect(got).toEqual([0, 1, 2]);
    await expect(c2.receive()).rejects.toBeInstanceOf(ConnectionClosedError);
    await server.close();
  });

  it('rejects a pending receive when the connection closes', async () => {
    const { server, c1, c2 } = await pair();
    const pending = expect(c2.receive()).rejects.toBeInstanceOf(ConnectionClosedError);
    await c1.close();
    await pending;
    await server.close();
  });

  it('batches many sends and delivers them in order', async () => {
    const { server, c1, c2 } = await pair({ receiveQueueSize: 64 });
    const n = 20_000;
    const sending = (async () => {
      for (let i = 0; i < n; i++)
        await c1.send({ type: 'seq', data: Uint8Array.of(i & 0xff, i >> 8) });
      await c1.drain();
    })();
    let i = 0;
    for await (const m of c2) {
      expect((m.data.data[0] as number) | ((m.data.data[1] as number) << 8)).toBe(i);
      expect(m.conv.firstId).toBe(i + 1);
      if (++i === n) break;
    }
    await sending;
    await server.close();
  });

  it('carries a 10 MiB message', async () => {
    const { server, c1, c2 } = await pair();
    const big = new Uint8Array(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    await c1.send({ type: 'big', data: big });
    const m = await c2.receive();
    expect(m.data.data.length).toBe(big.length);
    expect(Buffer.compare(m.data.data, big)).toBe(0);
    // And back, with a small message right after it in the same batch.
    await c2.send({ type: 'big', data: m.data.data }, { conv: m.conv });
    await c2.send({ type: 'small', data: bytes('s') });
    const back = await c1.receive();
    expect(back.data.data.length).toBe(big.length);
    expect((await c1.receive()).data.type).toBe('small');
    await server.close();
  });

  it('serves 500 concurrent connections', async () => {
    const seen: number[] = [];
    const server = await listen('127.0.0.1:0', {
      onConnection: async (conn) => {
        for await (const m of conn) {
          seen.push(1);
          await conn.send(m.data, { conv: m.conv });
        }
      },
    });
    const conns = await Promise.all(Array.from({ length: 500 }, () => connect(server.address)));
    await until(() => server.connectionCount === 500, 10_000, '500 accepted connections');
    const replies = await Promise.all(
      conns.map(async (c, i) => {
        const reply = await c.request(
          { type: 'echo', data: bytes(String(i)) },
          { timeout: 10_000 },
        );
        return new TextDecoder().decode(reply.data.data);
      }),
    );
    expect(replies).toEqual(conns.map((_, i) => String(i)));
    expect(seen.length).toBe(500);
    await server.close();
    await Promise.all(conns.map((c) => c.closed));
    expect(server.connectionCount).toBe(0);
  });

  it('closes a connection whose onConnection throws', async () => {
    const server = await listen('127.0.0.1:0', {
      onConnection: () => {
        throw new Error('rejected');
      },
    });
    const c = await connect(server.address);
    await c.closed;
    expect(c.isOpen).toBe(false);
    await server.close();
  });

  it('supports await using', async () => {
    let client: Connection | undefined;
    {
      await using server = await listen('127.0.0.1:0');
      await using c = await connect(server.address);
      client = c;
      await until(() => server.connectionCount === 1);
    }
    expect(client.isOpen).toBe(false);
  });
});
