import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
  type Server as HttpServer,
} from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { realpath, stat } from 'node:fs/promises';
import type { AddressInfo, BlockList } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Connection, type RequestHandler } from './connection.js';
import { BufferBudget } from '../buffer-budget.js';
import { JugglerBaseError } from './errors.js';
import { Htpasswd } from './htpasswd.js';
import { noopLogger, type Logger } from '../logger.js';
import { NodeFrameSocket } from './node-socket.js';
import { defaultTrustProxy, remoteAddress, trustedProxies } from './remote.js';
import { serveStatic } from './static.js';
import { JsonStore } from './store.js';
import { checkDelay, checkOption } from '../options.js';
import { Transport, transportOptions, type TransportOptions } from './transport.js';

/**
 * Extra HTTP route hook, consulted after `/` and the WebSocket path and before
 * static files. Return true when the request was handled.
 */
export type HttpRouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => boolean | Promise<boolean>;

export interface ServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port; see `server.port`). */
  port?: number;
  onConnection?: (conn: Connection) => void | Promise<void>;
  onRequest?: RequestHandler;
  /** Default '/ws'. */
  wsPath?: string;
  staticDir?: string;
  /**
   * Serve files of `staticDir` reached through symlinks that lead outside it.
   * Default false: a path whose real path is outside the real `staticDir` is
   * a 404 (as hat-juggler, through aiohttp's `follow_symlinks=False`).
   */
  followSymlinks?: boolean;
  /** Where `GET /` redirects (302); null disables the redirect. Default '/index.html'. */
  indexPath?: string | null;
  /** Adds `Cache-Control: no-cache` to every HTTP response. Default true. */
  noCache?: boolean;
  routes?: HttpRouteHandler;
  /** htpasswd file ($apr1$, bcrypt, {SHA}); when set every route needs HTTP Basic auth. */
  htpasswdFile?: string;
  /**
   * Peers (addresses or CIDRs, IPv4 or IPv6) whose `Forwarded` /
   * `X-Forwarded-For` headers set `conn.remote`; other peers' headers are
   * ignored. Default loopback only: `['127.0.0.0/8', '::1']` (IPv4-mapped
   * `::ffff:127.x` included). `[]` trusts no one.
   */
  trustProxy?: readonly string[];
  /** TLS options (key, cert, ...) for https/wss. */
  tls?: HttpsOptions;
  /** ms; 0 = a state message per change, > 0 = merge changes for that long, null = only on flush(). Default 200. */
  autoflushDelay?: number | null;
  /** ms to wait for connections to close gracefully on `close()`. Default 100. */
  shutdownTimeout?: number;
  /** One store shared by all connections (default: a fresh store, null, per connection). */
  state?: JsonStore;
  /** Run requests of one connection concurrently. Default false (one at a time, in order). */
  parallelRequests?: boolean;
  /** Default 1024 messages. */
  sendQueueSize?: number;
  /** Requests queued/running per connection before reading pauses. Default 1024. */
  receiveQueueSize?: number;
  /** UTF-16 code units per segment. Default 65536. */
  maxSegmentSize?: number;
  /** Max reassembled message size (UTF-16 code units). Default 64 Mi. */
  maxMessageSize?: number;
  /** ms; null disables. Default 30000. */
  pingDelay?: number | null;
  /** ms. Default 30000. */
  pingTimeout?: number;
  /** Socket bytes buffered before the writer waits. Default 1 MiB. */
  writeBufferLimit?: number;
  /** @deprecated Use `writeBufferLimit`; giving both with different values is a TypeError. */
  highWaterMark?: number;
  /**
   * Server-wide bound on incoming bytes held for unfinished messages by all
   * connections together (frames being received plus segments of a message,
   * 2 bytes per UTF-16 code unit). When exceeded, the connection holding the
   * most is closed (code 1009, logged). Default 256 MiB; Infinity disables.
   */
  maxBufferedBytes?: number;
  /**
   * Open TCP connections (HTTP and WebSocket) beyond which new ones are
   * closed at once, before any byte is read. Default Infinity (no limit).
   */
  maxConnections?: number;
  /**
   * ms a client has to send a request's headers (also the WebSocket upgrade
   * request); 0 disables. With `tls`, also the TLS handshake timeout unless
   * `tls.handshakeTimeout` is given. Default 20000.
   */
  headersTimeout?: number;
  /** ms a client has to send a whole HTTP request; 0 disables. Default 300000. */
  requestTimeout?: number;
  logger?: Logger;
}

interface ServerLimits {
  maxBufferedBytes: number;
  maxConnections: number;
  headersTimeout: number;
  requestTimeout: number;
}

export const serverLimitDefaults: Readonly<ServerLimits> = {
  maxBufferedBytes: 256 * 1024 * 1024,
  maxConnections: Infinity,
  headersTimeout: 20_000,
  requestTimeout: 300_000,
};

/** @internal What `listen` reads, checks and builds from the options before the server exists. */
export interface Prepared {
  htpasswd: Htpasswd | null;
  transportOpts: TransportOptions & { receiveBudget: BufferBudget };
  realStaticDir: string | null;
  trustProxy: BlockList;
}

const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Basic realm=""' };

function rejectUpgrade(socket: Duplex, status: number, text: string, extra = ''): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
  socket.destroy();
}

function pathnameOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** A listening Juggler server. Create with `listen()`. */
export class Server {
  readonly host: string;
  readonly port: number;
  readonly closed: Promise<void>;
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly opts: ServerOptions;
  private readonly logger: Logger;
  private readonly htpasswd: Htpasswd | null;
  private readonly transportOpts: TransportOptions;
  private readonly live = new Set<Connection>();
  private readonly realStaticDir: string | null;
  private readonly trustProxy: BlockList;
  private readonly budget: BufferBudget;
  private refused = 0;
  private refusedLoggedAt = 0;
  private closing: Promise<void> | null = null;
  private resolveClosed!: () => void;

  /** @internal use `listen()` */
  constructor(http: HttpServer, opts: ServerOptions, prepared: Prepared) {
    const { htpasswd, transportOpts } = prepared;
    this.realStaticDir = prepared.realStaticDir;
    this.trustProxy = prepared.trustProxy;
    this.budget = transportOpts.receiveBudget;
    this.http = http;
    this.opts = opts;
    this.logger = transportOpts.logger;
    this.htpasswd = htpasswd;
    const addr = http.address() as AddressInfo;
    this.host = addr.address;
    this.port = addr.port;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.transportOpts = transportOpts;
    this.wss = new WebSocketServer({
      noServer: true,
      // Peers send segments of up to their own maxSegmentSize UTF-16 units
      // (<= 3 UTF-8 bytes each); aiohttp's 4 MiB frame limit is the floor.
      maxPayload: Math.max(4 * 1024 * 1024, this.transportOpts.maxSegmentSize * 3 + 16),
      perMessageDeflate: false,
    });
    http.on('request', (req, res) => void this.onRequest(req, res));
    http.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
    http.on('drop', () => this.onDrop());
  }

  /** Incoming bytes held for unfinished messages by all connections (see `maxBufferedBytes`). */
  get bufferedBytes(): number {
    return this.budget.total;
  }

  /** Connections closed at accept because `maxConnections` were open. */
  get refusedConnections(): number {
    return this.refused;
  }

  // A flood of refused connections logs once per 10 s, not once per connection.
  private onDrop(): void {
    this.refused++;
    const now = Date.now();
    if (now - this.refusedLoggedAt < 10_000) return;
    this.refusedLoggedAt = now;
    this.logger.warn('juggler maxConnections reached, refusing connections', {
      maxConnections: this.http.maxConnections,
      refused: this.refused,
    });
  }

  /** Live connections. */
  get connections(): ReadonlySet<Connection> {
    return this.live;
  }

  /** Base URL of the WebSocket endpoint, e.g. `ws://127.0.0.1:1234/ws`. */
  get wsUrl(): string {
    return `${this.opts.tls ? 'wss' : 'ws'}://${this.authority}${this.wsPath}`;
  }

  /** Base URL for HTTP, e.g. `http://127.0.0.1:1234`. */
  get httpUrl(): string {
    return `${this.opts.tls ? 'https' : 'http'}://${this.authority}`;
  }

  private get authority(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  private get wsPath(): string {
    return this.opts.wsPath ?? '/ws';
  }

  /**
   * Stops listening, closes every connection (waiting at most
   * `shutdownTimeout` ms for clean closes, then dropping them) and resolves
   * when the HTTP server is closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<void> {
    const httpClosed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    const conns = [...this.live];
    for (const conn of conns) void conn.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(conns.map((c) => c.closed)),
      new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, this.opts.shutdownTimeout ?? 100)),
      ),
    ]);
    clearTimeout(timer);
    for (const conn of conns) conn.terminate();
    await Promise.all(conns.map((c) => c.closed));
    this.http.closeAllConnections();
    this.wss.close();
    await httpClosed;
    this.resolveClosed();
  }

  private async authorized(req: IncomingMessage): Promise<boolean> {
    if (!this.htpasswd) return true;
    try {
      return await this.htpasswd.verifyAuthorization(req.headers.authorization);
    } catch (err) {
      this.logger.warn('juggler auth check failed', { error: String(err) });
      return false;
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const opts = this.opts;
    const noCache = opts.noCache ?? true;
    try {
      if (noCache) res.setHeader('Cache-Control', 'no-cache');
      if (!(await this.authorized(req))) {
        res.writeHead(401, UNAUTHORIZED_HEADERS).end('Unauthorized');
        return;
      }
      const pathname = pathnameOf(req);
      const isGet = req.method === 'GET' || req.method === 'HEAD';
      const indexPath = opts.indexPath === undefined ? '/index.html' : opts.indexPath;
      if (isGet && pathname === '/' && indexPath) {
        res.writeHead(302, { Location: indexPath }).end();
        return;
      }
      if (pathname === this.wsPath) {
        res.writeHead(426, { Upgrade: 'websocket' }).end('Upgrade Required');
        return;
      }
      if (opts.routes && (await opts.routes(req, res))) return;
      if (this.realStaticDir !== null && isGet) {
        await serveStatic(req, res, pathname, {
          realRoot: this.realStaticDir,
          noCache,
          followSymlinks: opts.followSymlinks ?? false,
        });
        return;
      }
      res.writeHead(404).end('Not Found');
    } catch (err) {
      this.logger.error('juggler http route failed', { error: String(err), url: req.url });
      if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
      else res.destroy();
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', (err) =>
      this.logger.debug('juggler upgrade socket error', { error: err.message }),
    );
    if (this.closing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (pathnameOf(req) !== this.wsPath) return rejectUpgrade(socket, 404, 'Not Found');
    if (!(await this.authorized(req))) {
      return rejectUpgrade(socket, 401, 'Unauthorized', 'WWW-Authenticate: Basic realm=""\r\n');
    }
    if (this.closing || socket.destroyed) return rejectUpgrade(socket, 503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, socket));
  }

  private accept(ws: WebSocket, req: IncomingMessage, raw: Duplex): void {
    const opts = this.opts;
    const logger = this.logger;
    const ref: { conn?: Connection } = {};
    const transport = new Transport(
      new NodeFrameSocket(ws, raw),
      this.transportOpts,
      (msg, size) => ref.conn?.handleMessage(msg, size),
      (error) => {
        if (ref.conn) this.live.delete(ref.conn);
        logger.debug('juggler connection closed', {
          remote: ref.conn?.remote,
          error: error?.message,
        });
      },
    );
    const conn = new Connection(transport, remoteAddress(req, this.trustProxy), {
      store: opts.state ?? new JsonStore(),
      sharedStore: opts.state !== undefined,
      autoflushDelay: opts.autoflushDelay === undefined ? 200 : opts.autoflushDelay,
      parallelRequests: opts.parallelRequests ?? false,
      onRequest: opts.onRequest,
      receiveQueueSize: opts.receiveQueueSize ?? 1024,
      logger,
    });
    ref.conn = conn;
    this.live.add(conn);
    logger.debug('juggler connection opened', { remote: conn.remote });
    if (this.closing) {
      conn.terminate();
      return;
    }
    if (opts.onConnection) {
      const c = conn;
      try {
        const r = opts.onConnection(c);
        if (r instanceof Promise) {
          r.catch((err: unknown) =>
            logger.error('juggler onConnection failed', { error: String(err) }),
          );
        }
      } catch (err) {
        logger.error('juggler onConnection failed', { error: String(err) });
      }
    }
  }
}

/** Starts a Juggler server (HTTP(S) + WebSocket) and resolves once it listens. */
export async function listen(options: ServerOptions = {}): Promise<Server> {
  const limits = serverLimits(options);
  const transportOpts = {
    ...transportOptions(options, options.logger ?? noopLogger),
    receiveBudget: new BufferBudget(limits.maxBufferedBytes),
  };
  const trustProxy = trustedProxies(options.trustProxy ?? defaultTrustProxy);
  if (options.receiveQueueSize !== undefined)
    checkOption('receiveQueueSize', options.receiveQueueSize, 1, true);
  const { autoflushDelay, shutdownTimeout } = options;
  if (autoflushDelay !== undefined && autoflushDelay !== null)
    checkDelay('autoflushDelay', autoflushDelay);
  if (shutdownTimeout !== undefined) checkDelay('shutdownTimeout', shutdownTimeout);
  // As hat does at startup: a mistyped UI path would otherwise only show as 404s.
  if (options.staticDir !== undefined && !(await isDirectory(options.staticDir)))
    throw new JugglerBaseError(`staticDir ${JSON.stringify(options.staticDir)} is not a directory`);
  const realStaticDir = options.staticDir !== undefined ? await realpath(options.staticDir) : null;
  const htpasswd =
    options.htpasswdFile !== undefined ? await Htpasswd.load(options.htpasswdFile) : null;
  const httpOptions = {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    // Node checks these timeouts only this often (30 s by default).
    connectionsCheckingInterval: checkingInterval(limits.headersTimeout, limits.requestTimeout),
  };
  const http = options.tls
    ? createHttpsServer({
        // the TLS handshake gets no longer than the request head after it (node: 120 s)
        ...(limits.headersTimeout > 0 ? { handshakeTimeout: limits.headersTimeout } : {}),
        ...options.tls,
        ...httpOptions,
      })
    : createHttpServer(httpOptions);
  if (limits.maxConnections !== Infinity) http.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  return new Server(http, options, { htpasswd, transportOpts, realStaticDir, trustProxy });
}

function serverLimits(options: ServerOptions): ServerLimits {
  const limits = {
    maxBufferedBytes: options.maxBufferedBytes ?? serverLimitDefaults.maxBufferedBytes,
    maxConnections: options.maxConnections ?? serverLimitDefaults.maxConnections,
    headersTimeout: options.headersTimeout ?? serverLimitDefaults.headersTimeout,
    requestTimeout: options.requestTimeout ?? serverLimitDefaults.requestTimeout,
  };
  checkOption('maxBufferedBytes', limits.maxBufferedBytes, 0);
  if (limits.maxConnections !== Infinity)
    checkOption('maxConnections', limits.maxConnections, 1, true);
  checkDelay('headersTimeout', limits.headersTimeout);
  checkDelay('requestTimeout', limits.requestTimeout);
  // node refuses a headers timeout longer than the request timeout
  if (limits.requestTimeout > 0 && limits.headersTimeout > limits.requestTimeout)
    throw new RangeError(
      `headersTimeout (${limits.headersTimeout}) must not exceed requestTimeout (${limits.requestTimeout})`,
    );
  return limits;
}

function checkingInterval(...timeouts: number[]): number {
  const shortest = Math.min(...timeouts.filter((t) => t > 0));
  return Number.isFinite(shortest) ? Math.max(10, Math.min(1000, Math.floor(shortest / 4))) : 1000;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
