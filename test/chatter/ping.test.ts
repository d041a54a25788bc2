import { describe, expect, it } from 'vitest';
import { HatChatter } from '../../generated/index.js';
import { PingTimeoutError, connect, listen, type Connection } from '../../runtime/chatter/index.js';
import { bytes, hex, openingMsg, rawServer, sleep, until, wire } from './helpers.js';

const PING_1 = '011681810101008f486174436861747465722e50696e6780';
const PONG_1 = '011681810001018f486174436861747465722e506f6e6780';

function decodeFrames(buf: Uint8Array): HatChatter.Msg[] {
  const out: HatChatter.Msg[] = [];
  for (let p = 0; p < buf.length;) {
    const m = buf[p] as number;
    let k = 0;
    for (let i = 1; i <= m; i++) k = k * 256 + (buf[p + i] as number);
    out.push(HatChatter.Msg.decode(buf.subarray(p + 1 + m, p + 1 + m + k)));
    p += 1 + m + k;
  }
  return out;
}

describe('chatter ping', () => {
  it('pings an idle peer in a new conversation and closes when nothing comes back', async () => {
    const raw = await rawServer();
    const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: 20, pingTimeout: 30 });
    const peer = await raw.peer;
    await conn.closed;
    expect(conn.closeReason).toBeInstanceOf(PingTimeoutError);
    // Exactly the reference ping frame: id 1, new conversation, last = false.
    expect(hex(peer.received)).toBe(PING_1);
    await raw.close();
  });

  it('answers a ping with the reference pong and hides both from the application', async () => {
    const raw = await rawServer();
    const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: null });
    const peer = await raw.peer;
    peer.write(PING_1);
    await peer.waitBytes(PONG_1.length / 2);
    expect(hex(peer.received)).toBe(PONG_1);
    // A pong from the peer is swallowed too; the next user message is what receive() sees.
    peer.write(PONG_1);
    peer.write(wire(openingMsg('a', bytes('b'), 3)));
    const msg = await conn.receive();
    expect(msg.data.type).toBe('a');
    expect(msg.conv).toEqual({ owner: false, firstId: 3 });
    // Our next message uses id 2: the pong consumed id 1.
    await conn.send({ type: 'x', data: new Uint8Array(0) });
    await peer.waitBytes(PONG_1.length / 2 + 6);
    expect(decodeFrames(peer.received)[1]).toMatchObject({ id: 2, first: 2, owner: true });
    await conn.close();
    await raw.close();
  });

  it('keeps an idle loopback pair alive with ping/pong', async () => {
    let serverConn: Connection | undefined;
    const server = await listen('127.0.0.1:0', {
      pingDelay: 15,
      pingTimeout: 50,
      onConnection: (c) => {
        serverConn = c;
      },
    });
    const conn = await connect(server.address, { pingDelay: 15, pingTimeout: 50 });
    await sleep(200);
    expect(conn.isOpen).toBe(true);
    await until(() => serverConn !== undefined);
    expect(serverConn?.isOpen).toBe(true);
    // Ping traffic never reached the application, but ids were consumed by it.
    expect(conn.tryReceive()).toBeUndefined();
    const conv = await conn.send({ type: 'after', data: new Uint8Array(0) });
    expect(conv.firstId).toBeGreaterThan(2);
    const got = await serverConn?.receive();
    expect(got?.data.type).toBe('after');
    await server.close();
  });

  it('does not ping while messages keep arriving', async () => {
    const raw = await rawServer();
    const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: 40, pingTimeout: 1000 });
    const peer = await raw.peer;
    for (let i = 0; i < 8; i++) {
      peer.write(wire(openingMsg('t', new Uint8Array(0), i + 1)));
      await sleep(15);
    }
    expect(peer.received.length).toBe(0);
    await conn.close();
    await raw.close();
  });

  it('reads an answer that arrived while the event loop was busy before timing out', async () => {
    const raw = await rawServer();
    const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: 20, pingTimeout: 50 });
    const peer = await raw.peer;
    await peer.waitBytes(PING_1.length / 2);
    // The pong reaches our socket's kernel buffer, then the event loop stays busy past the
    // ping timeout: the timer fires before the socket is read.
    peer.write(PONG_1);
    const end = Date.now() + 150;
    while (Date.now() < end);
    await sleep(10);
    expect(conn.closeReason).toBeNull();
    expect(conn.isOpen).toBe(true);
    await conn.close();
    await raw.close();
  });
});
