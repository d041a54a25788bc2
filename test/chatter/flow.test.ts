import { describe, expect, it } from 'vitest';
import { connect, listen, type Connection } from '../../runtime/chatter/index.js';
import { openingMsg, rawServer, sleep, until, wire } from './helpers.js';

describe('chatter flow control', () => {
  it('pauses the socket for a slow consumer and keeps memory bounded', async () => {
    const raw = await rawServer();
    const conn = await connect(`127.0.0.1:${raw.port}`, { pingDelay: null, receiveQueueSize: 100 });
    const peer = await raw.peer;
    const msg = wire(openingMsg('t', new Uint8Array(1000)));
    // 50 MB offered, nothing consumed: the peer's writes back up instead of our memory growing.
    const chunk = Buffer.concat(Array.from({ length: 1000 }, () => msg));
    let offered = 0;
    while (offered < 50_000_000 && peer.socket.write(chunk)) offered += chunk.length;
    for (let i = 0; i < 50 && offered < 50_000_000; i++) {
      peer.socket.write(chunk);
      offered += chunk.length;
    }
    await sleep(100);
    expect(conn.socket.isPaused()).toBe(true);
    const heldBytes = conn.socket.readableLength;
    expect(heldBytes).toBeLessThan(1_000_000);
    expect(peer.socket.writableLength).toBeGreaterThan(10_000_000);
    // Consuming resumes reading; everything arrives in order.
    let n = 0;
    const total = offered / msg.length;
    while (n < total) {
      await conn.receive();
      n++;
    }
    expect(n).toBe(total);
    await conn.close();
    await raw.close();
  });

  it('makes send wait while the peer does not read', async () => {
    let serverConn: Connection | undefined;
    const server = await listen('127.0.0.1:0', {
      pingDelay: null,
      onConnection: (c) => {
        serverConn = c;
        c.socket.pause();
      },
    });
    const conn = await connect(server.address, { pingDelay: null, writeBufferLimit: 256 * 1024 });
    await until(() => serverConn !== undefined);
    const data = new Uint8Array(64 * 1024);
    let sent = 0;
    let waiting = false;
    while (sent < 2000) {
      const p = conn.send({ type: 't', data });
      const r = await Promise.race([p.then(() => 'sent'), sleep(50).then(() => 'blocked')]);
      if (r === 'blocked') {
        waiting = true;
        break;
      }
      sent++;
    }
    expect(waiting).toBe(true);
    // Kernel buffers + our limit: far less than the 128 MB we tried to send.
    expect(sent).toBeLessThan(1000);
    expect(conn.socket.writableLength).toBeLessThan(256 * 1024 + 2 * 1024 * 1024);
    serverConn?.socket.resume();
    let got = 0;
    while (got <= sent) {
      await serverConn?.receive();
      got++;
    }
    expect(got).toBe(sent + 1);
    await conn.drain();
    await server.close();
  });
});
