import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ConnectError,
  connect,
  listen,
  type JsonValue,
  type Server,
  type ServerOptions,
} from '../../runtime/juggler/index.js';
import { cleanupAfterEach, RawClient, sleep, until } from './helpers.js';

const cleanups = cleanupAfterEach();

async function start(opts: ServerOptions): Promise<Server> {
  const server = await listen({
    onRequest: (_conn, _name, data) => (typeof data === 'string' ? data.length : null),
    ...opts,
  });
  cleanups.push(() => server.close());
  return server;
}

async function open(server: Server): Promise<RawClient> {
  const raw = await RawClient.open(server.wsUrl);
  cleanups.push(() => raw.close());
  return raw;
}

/** Sends the first `n` characters of a request's data string as a non-final segment. */
function startRequest(raw: RawClient, id: number, n: number): void {
  raw.sendFrame(`1{"type":"request","id":${id},"name":"len","data":"` + 'x'.repeat(n));
}

/** Sends `n` more characters of the data string as a non-final segment. */
function more(raw: RawClient, n: number): void {
  raw.sendFrame('1' + 'x'.repeat(n));
}

/** Ends the request and waits for its response (the connection is alive and well). */
async function finish(raw: RawClient, id: number): Promise<JsonValue> {
  raw.sendFrame('0"}');
  await until(
    () => raw.messages.some((m) => (m as { id?: number }).id === id),
    5000,
    `response ${id}`,
  );
  return (raw.messages.find((m) => (m as { id?: number }).id === id) as { data: JsonValue }).data;
}

const PREFIX = '{"type":"request","id":1,"name":"len","data":"'.length;

/** A WebSocket opened by hand, to send a frame's header and only part of its payload. */
async function rawWebSocket(port: number): Promise<Socket> {
  const sock = netConnect(port, '127.0.0.1');
  cleanups.push(() => void sock.destroy());
  sock.on('error', () => {});
  await once(sock, 'connect');
  sock.write(
    'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) head += ((await once(sock, 'data')) as [Buffer])[0].toString();
  expect(head).toMatch(/^HTTP\/1.1 101/);
  return sock;
}

/** Header of a masked (zero mask) final text frame of `length` payload bytes. */
function textFrameHeader(length: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x81;
  h[1] = 0x80 | 126;
  h.writeUInt16BE(length, 2);
  return h; // bytes 4..7: the zero mask
}

describe('maxBufferedBytes (server-wide budget for unfinished messages)', () => {
  it('closes the connection holding the most, with code 1009; the others carry on', async () => {
    const logs: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (_msg: string, f?: Record<string, unknown>) => void logs.push(String(f?.['error'])),
    };
    const server = await start({ maxBufferedBytes: 2000, logger });
    const [a, b, c, d] = [
      await open(server),
      await open(server),
      await open(server),
      await open(server),
    ];
    // segments count 2 bytes per UTF-16 code unit
    startRequest(a, 1, 200 - PREFIX); // 400
    startRequest(b, 1, 300 - PREFIX); // 600
    await until(() => server.bufferedBytes === 1000);
    startRequest(c, 1, 600 - PREFIX); // 1200: 2200 in all, c holds the most
    await until(() => c.closed, 5000, 'c closed');
    expect(c.closeCode).toBe(1009);
    expect(server.bufferedBytes).toBe(1000);
    more(b, 200); // b: 1000, 1400 in all
    await until(() => server.bufferedBytes === 1400);
    startRequest(d, 1, 350 - PREFIX); // 700: 2100 in all, b holds the most, not d
    await until(() => b.closed, 5000, 'b closed');
    expect(b.closeCode).toBe(1009);
    expect(server.bufferedBytes).toBe(1100);
    expect(await finish(a, 1)).toBe(200 - PREFIX);
    expect(await finish(d, 1)).toBe(350 - PREFIX);
    expect(server.bufferedBytes).toBe(0);
    expect(a.closed || d.closed).toBe(false);
    expect(logs.filter((l) => l.includes('maxBufferedBytes (2000 bytes)'))).toHaveLength(2);
  });

  it('counts a WebSocket frame still being received', async () => {
    const server = await start({ maxBufferedBytes: 3000 });
    const a = await open(server);
    startRequest(a, 1, 500 - PREFIX); // 1000
    await until(() => server.bufferedBytes === 1000);
    const sock = await rawWebSocket(server.port);
    const closed = once(sock, 'close');
    sock.write(textFrameHeader(60_000));
    sock.write(Buffer.alloc(1492, 0x31)); // '1111…': with the header, 2500 in all, fits
    await until(() => server.bufferedBytes === 2500);
    sock.write(Buffer.alloc(1000, 0x31)); // 3500 in all: the unfinished frame holds the most
    await closed;
    expect(server.bufferedBytes).toBe(1000);
    expect(await finish(a, 1)).toBe(500 - PREFIX);
  });

  it('counts requests received and not yet handled', async () => {
    let open_ = (): void => {};
    const gate = new Promise<void>((resolve) => (open_ = resolve));
    const server = await start({
      maxBufferedBytes: 2000,
      onRequest: async (_conn, _name, data) => {
        await gate;
        return typeof data === 'string' ? data.length : null;
      },
    });
    const [a, b] = [await open(server), await open(server)];
    /** A request of `length` characters of JSON. */
    const request = (id: number, length: number): string =>
      JSON.stringify({ type: 'request', id, name: 'len', data: 'x'.repeat(length - PREFIX - 2) });
    a.sendFrame('0' + request(1, 400)); // running: 800
    const second = request(2, 400);
    a.sendFrame('1' + second.slice(0, 150)); // queued, in two segments: 800
    a.sendFrame('0' + second.slice(150));
    await until(() => server.bufferedBytes === 1600);
    b.sendFrame('0' + request(1, 250)); // 500: 2100 in all, a holds the most
    await until(() => a.closed, 5000, 'a closed');
    expect(a.closeCode).toBe(1009);
    expect(server.bufferedBytes).toBe(500);
    open_();
    await until(() => b.messages.length === 1);
    expect(b.messages[0]).toMatchObject({ id: 1, success: true, data: 250 - PREFIX - 2 });
    expect(server.bufferedBytes).toBe(0);
  });

  it('does not count WebSocket pings as unfinished messages', async () => {
    const server = await start({ maxBufferedBytes: 1000 });
    const a = await open(server);
    let pongs = 0;
    a.ws.on('pong', () => pongs++);
    for (let i = 1; i <= 20; i++) {
      a.ws.ping(Buffer.alloc(100)); // 106 bytes on the wire: 2120 in all
      await until(() => pongs === i || a.closed, 5000, 'pong');
    }
    expect(server.bufferedBytes).toBe(0);
    expect(a.closed).toBe(false);
  });

  it('counts nothing once messages are complete, however many', async () => {
    const server = await start({ maxBufferedBytes: 1000 });
    const a = await open(server);
    for (let id = 1; id <= 20; id++) {
      startRequest(a, id, 300 - PREFIX);
      expect(await finish(a, id)).toBe(300 - PREFIX);
    }
    expect(server.bufferedBytes).toBe(0);
    expect(a.closed).toBe(false);
  });
});

describe('maxConnections', () => {
  it('refuses the connection beyond the limit until one closes', async () => {
    const server = await start({ maxConnections: 2 });
    const first = await connect(server.wsUrl);
    const second = await connect(server.wsUrl);
    await expect(connect(server.wsUrl)).rejects.toBeInstanceOf(ConnectError);
    // plain HTTP is refused too: closed before anything is read or answered
    const http = netConnect(server.port, '127.0.0.1');
    http.on('error', () => {});
    let answer = '';
    http.on('data', (d: Buffer) => (answer += d.toString()));
    http.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(http, 'close');
    expect(answer).toBe('');
    expect(server.refusedConnections).toBe(2);
    await first.close();
    await until(() => server.connections.size === 1);
    let third: Awaited<ReturnType<typeof connect>> | undefined;
    // the server sees the TCP close a moment after the WebSocket close
    for (let i = 0; i < 100 && third === undefined; i++)
      third = await connect(server.wsUrl).catch(() => undefined);
    expect(third).toBeDefined();
    await third?.close();
    await second.close();
  });
});

describe('headersTimeout', () => {
  it('closes a connection that does not finish its request headers', async () => {
    const server = await start({ headersTimeout: 200, requestTimeout: 400 });
    const sock = netConnect(server.port, '127.0.0.1');
    sock.on('error', () => {});
    let answer = '';
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    await once(sock, 'connect');
    sock.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'); // never ends
    await once(sock, 'close');
    expect(answer).toMatch(/^HTTP\/1.1 408/);
  });
});

describe('requestTimeout', () => {
  it('does not apply to WebSocket connections once upgraded', async () => {
    const server = await start({ headersTimeout: 50, requestTimeout: 100 });
    const client = await connect(server.wsUrl);
    await sleep(500); // node checks the timeouts every 25 ms here
    expect(await client.send('len', 'abc')).toBe(3);
    await client.close();
  });
});

describe('limit options', () => {
  it('are checked at listen', async () => {
    const bad: ServerOptions[] = [
      { maxBufferedBytes: -1 },
      { maxBufferedBytes: Number.NaN },
      { maxConnections: 0 },
      { maxConnections: 1.5 },
      { headersTimeout: -1 },
      { headersTimeout: 5000, requestTimeout: 1000 },
    ];
    for (const opts of bad)
      await expect(listen(opts), JSON.stringify(opts)).rejects.toThrow(RangeError);
  });
});
