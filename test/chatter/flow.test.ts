import { describe, expect, it } from 'vitest';
import { HatChatter } from '../../generated/index.js';
import {
  FrameDecoder,
  ReplyTimeoutError,
  connect,
  listen,
  type Connection,
} from '../../runtime/chatter/index.js';
import { hex, openingMsg, pausedServer, rawServer, sleep, until, wire } from './helpers.js';

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

  it('stops reading while a peer that does not read keeps pinging', async () => {
    const server = await pausedServer();
    const conn = await connect(`127.0.0.1:${server.port}`, {
      pingDelay: null,
      writeBufferLimit: 64 * 1024,
    });
    const peer = await server.peer;
    // 16 MB of pings (each answered by a pong of about the same size), none of the pongs read.
    const n = 640_000;
    const pingFrame = (id: number): Uint8Array =>
      wire({ ...openingMsg('HatChatter.Ping', new Uint8Array(0), id), last: false });
    for (let id = 1; id <= n; id += 10_000)
      peer.write(Buffer.concat(Array.from({ length: 10_000 }, (_, i) => pingFrame(id + i))));
    const bound = 64 * 1024 + 256 * 1024;
    await until(
      () => conn.socket.isPaused() || conn.socket.writableLength > bound,
      10_000,
      'reading to pause',
    );
    await sleep(100);
    // Our pongs stay within the limit plus what one received chunk asks for; the peer's pings
    // back up instead.
    expect(conn.socket.writableLength).toBeLessThan(bound);
    expect(conn.socket.isPaused()).toBe(true);
    expect(conn.isOpen).toBe(true);
    // Once the peer reads again, every ping is answered and later messages still arrive.
    const lastPong = hex(
      wire({ ...openingMsg('HatChatter.Pong', new Uint8Array(0), n), owner: false }),
    );
    let tail = '';
    peer.on('data', (d: Buffer) => (tail = (tail + d.toString('hex')).slice(-lastPong.length)));
    peer.write(wire(openingMsg('after', new Uint8Array(0), n + 1)));
    peer.resume();
    expect((await conn.receive()).data.type).toBe('after');
    await until(() => tail === lastPong, 20_000, 'the last pong');
    await conn.close();
    await server.close();
  }, 30_000);

  it('ends a request that waits for the write buffer at its timeout or abort, sending nothing', async () => {
    const server = await pausedServer();
    const conn = await connect(`127.0.0.1:${server.port}`, {
      pingDelay: null,
      writeBufferLimit: 1024,
    });
    const peer = await server.peer;
    const fill = new Uint8Array(64 * 1024);
    let fills = 0;
    for (;;) {
      const r = await Promise.race([
        conn.send({ type: 'fill', data: fill }).then(() => 'sent'),
        sleep(50).then(() => 'blocked'),
      ]);
      fills++;
      if (r === 'blocked') break;
    }
    const req = { type: 'req', data: new Uint8Array(1) };
    // Each expectation is attached as the request starts: one left unobserved while the
    // others settle would be an unhandled rejection.
    const timedOut = expect(conn.request(req, { timeout: 50 })).rejects.toBeInstanceOf(
      ReplyTimeoutError,
    );
    const ac = new AbortController();
    const aborted = expect(conn.request(req, { signal: ac.signal })).rejects.toThrow('stop');
    const pre = new AbortController();
    pre.abort(new Error('before'));
    const preAborted = expect(conn.request(req, { signal: pre.signal })).rejects.toThrow('before');
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await timedOut;
    await aborted;
    await preAborted;
    // The withdrawn requests use no id and never reach the peer; a later send does.
    const last = conn.send({ type: 'last', data: new Uint8Array(0) });
    const frames: HatChatter.Msg[] = [];
    const decoder = new FrameDecoder(1 << 20, (b) => frames.push(HatChatter.Msg.decode(b)));
    peer.on('data', (d: Buffer) => decoder.push(d));
    peer.resume();
    expect(await last).toEqual({ owner: true, firstId: fills + 1 });
    await until(() => frames.length === fills + 1, 10_000);
    expect(frames.map((f) => f.data.type)).toEqual([...Array<string>(fills).fill('fill'), 'last']);
    await conn.close();
    await server.close();
  }, 10_000);
});
