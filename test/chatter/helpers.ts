import * as net from 'node:net';
import { HatChatter } from '../../generated/index.js';
import {
  connect,
  frame,
  listen,
  type Connection,
  type ConnectionOptions,
  type Server,
} from '../../runtime/chatter/index.js';
import { sleep, until } from '../support/wait.js';

export { sleep, until };

export const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A peer's message that opens its own conversation (first = id), with token and last set. */
export function openingMsg(
  type: string,
  data: Uint8Array = new Uint8Array(0),
  id = 1,
): HatChatter.Msg {
  return { id, first: id, owner: true, token: true, last: true, data: { type, data } };
}

/** The frame a peer sends for `m`. */
export const wire = (m: HatChatter.Msg): Uint8Array => frame(HatChatter.Msg.encode(m));

/** A server on 127.0.0.1:0 and one connection to it from each side (c1 the client). */
export async function pair(
  options: ConnectionOptions = {},
): Promise<{ server: Server; c1: Connection; c2: Connection }> {
  const server = await listen({ host: '127.0.0.1', port: 0 }, options);
  const accepted = server[Symbol.asyncIterator]().next();
  const c1 = await connect(server.address, options);
  return { server, c1, c2: (await accepted).value as Connection };
}

/** A raw TCP peer: collects what it receives and writes what it is told. */
export class RawPeer {
  received = Buffer.alloc(0);
  ended = false;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => {});
  }
  write(b: Uint8Array | string): void {
    this.socket.write(typeof b === 'string' ? unhex(b) : b);
  }
  async waitBytes(n: number, ms = 5000): Promise<Buffer> {
    await until(() => this.received.length >= n, ms, `${n} bytes (have ${this.received.length})`);
    return this.received;
  }
}

/** A raw TCP server on 127.0.0.1:0 whose first accepted socket is wrapped as a RawPeer. */
export async function rawServer(): Promise<{
  port: number;
  peer: Promise<RawPeer>;
  close(): Promise<void>;
}> {
  const sockets: net.Socket[] = [];
  let resolvePeer!: (p: RawPeer) => void;
  const peer = new Promise<RawPeer>((r) => (resolvePeer = r));
  const server = net.createServer((s) => {
    sockets.push(s);
    resolvePeer(new RawPeer(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    peer,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A raw TCP server on 127.0.0.1:0 whose first accepted socket is left unread (paused). */
export async function pausedServer(): Promise<{
  port: number;
  peer: Promise<net.Socket>;
  close(): Promise<void>;
}> {
  let resolvePeer!: (s: net.Socket) => void;
  const peer = new Promise<net.Socket>((r) => (resolvePeer = r));
  const server = net.createServer((s) => {
    s.pause();
    resolvePeer(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    peer,
    close: async () => {
      (await peer).destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A raw TCP client connected to the port. */
export async function rawClient(port: number): Promise<RawPeer> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => {
    s.once('connect', r);
    s.once('error', j);
  });
  return new RawPeer(s);
}
