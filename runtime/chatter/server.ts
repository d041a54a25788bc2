import * as net from 'node:net';
import * as tls from 'node:tls';
import { parseAddress, type Address, type AddressLike } from './address.js';
import { BufferBudget } from '../buffer-budget.js';
import { checkConnectionOptions, Connection, type ConnectionOptions } from './connection.js';
import { Fifo } from '../fifo.js';
import { noopLogger, type Logger } from '../logger.js';
import { checkOption } from '../options.js';

/** Default `maxBufferedBytes`: four default-sized (64 MiB) unfinished frames. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface ListenOptions extends ConnectionOptions {
  /** TLS server options (`key`, `cert`, `ca`, `requestCert`, ...); omitted: plain TCP. */
  readonly tls?: tls.TlsOptions;
  /**
   * Called with each new connection. A throw or rejection closes that connection (logged).
   * Without it, connections are taken by iterating the server.
   */
  readonly onConnection?: (conn: Connection) => void | Promise<void>;
  readonly backlog?: number;
  /**
   * Bytes of unfinished frames all connections together may hold; past it, the connection
   * holding the most is closed (reason `BufferLimitError`). Default 256 MiB.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Connections open at once (TLS ones counted from accept, before the handshake); more are
   * closed as soon as they are accepted (logged as a warning). Default: no limit.
   */
  readonly maxConnections?: number;
}

/**
 * A listening Chatter server. New connections go to `onConnection`, or else to async
 * iteration (`for await (const conn of server)`). `close()` stops listening and closes every
 * connection it accepted.
 */
export class Server implements AsyncIterable<Connection>, AsyncDisposable {
  readonly closed: Promise<void>;
  private readonly connections = new Set<Connection>();
  /** TCP sockets of a TLS server, from accept on; those still open after the connections closed are mid-handshake. */
  private readonly rawSockets = new Set<net.Socket>();
  private readonly pending = new Fifo<Connection>();
  private readonly takers = new Fifo<(result: IteratorResult<Connection>) => void>();
  private closing = false;
  private resolveClosed!: () => void;
  private readonly logger: Logger;
  private readonly budget: BufferBudget;

  constructor(
    private readonly server: net.Server,
    private readonly options: ListenOptions,
  ) {
    this.logger = options.logger ?? noopLogger;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.budget = new BufferBudget(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
    if (options.maxConnections !== undefined) {
      // Node's own check runs before any JS object is made for the socket, and before a TLS
      // handshake: a flood of connections costs no more than their accept.
      server.maxConnections = options.maxConnections;
      server.on('drop', (data?: net.DropArgument) =>
        this.logger.warn('chatter: maxConnections reached, connection refused', {
          remote: { host: data?.remoteAddress ?? '', port: data?.remotePort ?? 0 },
          maxConnections: options.maxConnections,
        }),
      );
    }
    const event = server instanceof tls.Server ? 'secureConnection' : 'connection';
    server.on(event, (socket: net.Socket) => this.accept(socket));
    // Once listening, a server error (an accept failure other than EMFILE, which libuv absorbs)
    // would be an unhandled 'error' event and end the process; the server keeps listening.
    server.on('error', (e: Error) =>
      this.logger.error(`chatter: server error: ${e.message}`, { error: e }),
    );
    if (server instanceof tls.Server) {
      server.on('connection', (socket: net.Socket) => {
        this.rawSockets.add(socket);
        socket.once('close', () => this.rawSockets.delete(socket));
      });
      server.on('tlsClientError', (e: Error) =>
        this.logger.warn(`chatter: TLS handshake failed: ${e.message}`, { error: e }),
      );
    }
  }

  /** The bound addresses (with the actual port when listening on port 0). */
  get addresses(): Address[] {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? [{ host: a.address, port: a.port }] : [];
  }

  /** The first bound address. */
  get address(): Address {
    const a = this.addresses[0];
    if (a === undefined) throw new Error('server is not listening');
    return a;
  }

  /** Connections currently open. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Bytes of unfinished frames held by all connections now (bounded by `maxBufferedBytes`). */
  get bufferedBytes(): number {
    return this.budget.total;
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this.options, this.budget);
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
    const cb = this.options.onConnection;
    if (cb) {
      const fail = (e: unknown): void => {
        this.logger.warn('chatter: onConnection failed, closing the connection', { error: e });
        void conn.close();
      };
      try {
        const r = cb(conn);
        if (r instanceof Promise) r.catch(fail);
      } catch (e) {
        fail(e);
      }
      return;
    }
    const taker = this.takers.shift();
    if (taker) taker({ value: conn, done: false });
    else this.pending.push(conn);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Connection> {
    const iterator: AsyncIterableIterator<Connection> = {
      next: () => {
        const conn = this.pending.shift();
        if (conn !== undefined) return Promise.resolve({ value: conn, done: false });
        if (this.closing) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.takers.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Stops listening, closes every accepted connection and resolves when all are closed. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      for (const t of this.takers.drain()) t({ value: undefined, done: true });
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await Promise.all([...this.connections].map((c) => c.close()));
      // net.Server.close waits for every socket, and a client that never finishes the TLS
      // handshake would hold it until the handshake timeout (120 s by default).
      for (const socket of this.rawSockets) socket.destroy();
      await stopped;
      this.resolveClosed();
    }
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts a server; resolves once it is listening (bind port 0 for any free port, see `addresses`). */
export function listen(address: AddressLike, options: ListenOptions = {}): Promise<Server> {
  // In the executor, so that a bad address or TLS key rejects instead of throwing.
  return new Promise((resolve, reject) => {
    checkConnectionOptions(options);
    if (options.maxBufferedBytes !== undefined)
      checkOption('maxBufferedBytes', options.maxBufferedBytes, 0);
    // Node's maxConnections treats 0 as "no limit"; refuse it rather than invert its meaning.
    if (options.maxConnections !== undefined)
      checkOption('maxConnections', options.maxConnections, 1, true);
    const { host, port } = parseAddress(address);
    const server = options.tls ? tls.createServer(options.tls) : net.createServer();
    server.once('error', reject);
    server.listen({ host, port, backlog: options.backlog }, () => {
      server.off('error', reject);
      resolve(new Server(server, options));
    });
  });
}
