import { BrowserFrameSocket, type WhatwgWebSocket } from './browser-socket.js';
import {
  ConnectError,
  ConnectionClosedError,
  JugglerRequestError,
  QueueOverflowError,
} from './errors.js';
import type { JsonValue } from '../json-value.js';
import { noopLogger, type Logger } from '../logger.js';
import { encodeRequest } from './encode.js';
import { parseServerMsg } from './messages.js';
import { applyPatch } from './patch.js';
import type { FrameSocket } from './socket.js';
import { JsonStore, type ReadonlyJsonStore } from './store.js';
import { checkOption } from '../options.js';
import { Transport, transportOptions, type TransportOptions } from './transport.js';

export interface Notification {
  name: string;
  data: JsonValue;
}

export type WebSocketConstructor = new (url: string) => WhatwgWebSocket;

export interface ClientOptions {
  /** Called for every notification, in order. */
  onNotify?: (name: string, data: JsonValue) => void;
  /** HTTP Basic credentials (Node/`ws` only; browsers reuse the page's credentials). */
  auth?: { username: string; password: string };
  /** Extra handshake headers (Node/`ws` only). */
  headers?: Record<string, string>;
  /**
   * TLS for wss:// under Node. Certificates are verified by default (unlike
   * hat's Python client); `rejectUnauthorized: false` is the explicit opt-out.
   */
  tls?: { rejectUnauthorized?: boolean; ca?: string | Buffer | (string | Buffer)[] };
  /**
   * WebSocket implementation to use instead of the default (`ws` under Node,
   * the global `WebSocket` elsewhere). `auth`/`headers`/`tls` need the default under Node.
   */
  WebSocket?: WebSocketConstructor;
  /** ms for the opening handshake (Node/`ws` only). Default 30000. */
  handshakeTimeout?: number;
  /** Default 1024 messages. */
  sendQueueSize?: number;
  /** UTF-16 code units per segment. Default 65536. */
  maxSegmentSize?: number;
  /** Default 64 Mi UTF-16 code units. */
  maxMessageSize?: number;
  /** ms; null disables. Default 30000. */
  pingDelay?: number | null;
  /** ms. Default 30000. */
  pingTimeout?: number;
  /** Socket bytes buffered before the writer waits. Default 1 MiB. */
  writeBufferLimit?: number;
  /** @deprecated Use `writeBufferLimit`; giving both with different values is a TypeError. */
  highWaterMark?: number;
  /** Notifications buffered per `notifications()` iterator before it fails. Default 1024. */
  notifyQueueSize?: number;
  logger?: Logger;
}

interface Pending {
  resolve: (data: JsonValue) => void;
  reject: (err: Error) => void;
}

/** One `notifications()` consumer with its own bounded buffer. */
class NotificationStream implements AsyncIterableIterator<Notification> {
  private queue: Notification[] = [];
  private waiter: ((r: IteratorResult<Notification>) => void) | null = null;
  private done = false;
  private error: Error | null = null;

  constructor(
    private readonly limit: number,
    private readonly detach: (s: NotificationStream) => void,
  ) {}

  push(n: Notification): void {
    if (this.done) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: n, done: false });
    } else if (this.queue.length >= this.limit) {
      this.error = new QueueOverflowError(`more than ${this.limit} notifications not consumed`);
      this.done = true;
      this.detach(this);
    } else {
      this.queue.push(n);
    }
  }

  end(): void {
    this.done = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Notification>> {
    const n = this.queue.shift();
    if (n) return Promise.resolve({ value: n, done: false });
    if (this.error) {
      const err = this.error;
      this.error = null;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<Notification>> {
    this.queue = [];
    this.error = null;
    this.detach(this);
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Notification> {
    return this;
  }
}

/** A Juggler client connection. Create with `connect()`. */
export class Client {
  readonly closed: Promise<void>;
  private readonly transport: Transport;
  private readonly store = new JsonStore();
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Set<NotificationStream>();
  private readonly opts: ClientOptions;
  private readonly logger: Logger;
  private nextId = 1;

  /** @internal use `connect()` */
  constructor(socket: FrameSocket, opts: ClientOptions, transportOpts: TransportOptions) {
    this.opts = opts;
    this.logger = transportOpts.logger;
    this.transport = new Transport(
      socket,
      transportOpts,
      (msg) => this.onMessage(msg),
      (error) => this.onClose(error),
      // no response can arrive once closing: fail pending requests now, not
      // when a peer that ignores the closing handshake finally lets go
      (error) => this.onClose(error),
    );
    this.closed = this.transport.closed;
  }

  /** Mirror of the server's state for this connection (starts as null). */
  get state(): ReadonlyJsonStore {
    return this.store;
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Error that closed the connection (protocol error, ping timeout), if any. */
  get closeError(): Error | undefined {
    return this.transport.error;
  }

  /**
   * Sends a request; resolves with the response data, rejects with
   * `JugglerRequestError` (server data in `.data`) when the server answered with
   * `success: false`, or `ConnectionClosedError`.
   */
  send(name: string, data: JsonValue = null): Promise<JsonValue> {
    if (!this.transport.isOpen) return Promise.reject(new ConnectionClosedError());
    const id = this.nextId++;
    return new Promise<JsonValue>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const fail = (err: unknown): void => {
        this.pending.delete(id);
        reject(err);
      };
      try {
        const json = encodeRequest(id, name, data);
        if (!this.transport.trySendEncoded(json)) this.transport.sendEncoded(json).catch(fail);
      } catch (err) {
        fail(err);
      }
    });
  }

  /** Notifications from now on; the iterator ends when the connection closes. */
  notifications(): AsyncIterableIterator<Notification> {
    const stream = new NotificationStream(this.opts.notifyQueueSize ?? 1024, (s) =>
      this.streams.delete(s),
    );
    if (this.transport.isOpen) this.streams.add(stream);
    else stream.end();
    return stream;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Notification> {
    return this.notifications();
  }

  async close(): Promise<void> {
    this.transport.close();
    await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private onMessage(raw: unknown): void {
    const msg = parseServerMsg(raw);
    switch (msg.type) {
      case 'response': {
        if (typeof msg.id !== 'number') return;
        const pending = this.pending.get(msg.id);
        if (!pending) return;
        this.pending.delete(msg.id);
        if (msg.success) pending.resolve(msg.data);
        else pending.reject(new JugglerRequestError(msg.data));
        return;
      }
      case 'state':
        this.store.set([], applyPatch(this.store.data, msg.diff));
        return;
      case 'notify':
        if (this.opts.onNotify) {
          try {
            this.opts.onNotify(msg.name, msg.data);
          } catch (err) {
            this.logger.error('juggler onNotify failed', { error: String(err) });
          }
        }
        for (const s of [...this.streams]) s.push({ name: msg.name, data: msg.data });
        return;
    }
  }

  private onClose(error: Error | undefined): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      p.reject(
        new ConnectionClosedError(
          error ? `connection closed: ${error.message}` : 'connection closed',
        ),
      );
    }
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}

const DEFAULT_HANDSHAKE_TIMEOUT = 30_000;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function openWhatwg(url: string, Ctor: WebSocketConstructor): Promise<FrameSocket> {
  return new Promise((resolve, reject) => {
    let ws: WhatwgWebSocket;
    try {
      ws = new Ctor(url);
    } catch (err) {
      reject(
        new ConnectError(`cannot connect to ${url}: ${(err as Error).message}`, undefined, {
          cause: err,
        }),
      );
      return;
    }
    const socket = new BrowserFrameSocket(ws);
    let settled = false;
    ws.addEventListener('open', () => {
      if (settled) return;
      settled = true;
      resolve(socket);
    });
    const fail = (): void => {
      if (settled) return;
      settled = true;
      reject(new ConnectError(`cannot connect to ${url}`));
    };
    ws.addEventListener('error', fail);
    ws.addEventListener('close', fail);
  });
}

/**
 * Connects to a Juggler server at `url` (`ws[s]://host:port/ws`). Under Node
 * it uses `ws` (loaded lazily, so browser bundles don't need it); in browsers
 * the native WebSocket. Rejects with `ConnectError` (`.status` = HTTP status,
 * e.g. 401) when the WebSocket cannot be opened.
 */
export async function connect(url: string, options: ClientOptions = {}): Promise<Client> {
  // before opening the socket, which a throwing Client constructor would leak
  const transportOpts = transportOptions(options, options.logger ?? noopLogger);
  if (options.notifyQueueSize !== undefined)
    checkOption('notifyQueueSize', options.notifyQueueSize, 0, true);
  let socket: FrameSocket;
  const Ctor = options.WebSocket;
  if (Ctor === undefined && isNode()) {
    const { openNodeSocket } = await import('./node-connect.js');
    const maxSegment = transportOpts.maxSegmentSize;
    socket = await openNodeSocket(url, {
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
      ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
      maxPayload: Math.max(64 * 1024 * 1024, maxSegment * 3 + 16),
      // `ws` has no default: a peer that accepts TCP but never answers the
      // upgrade would leave connect() pending forever.
      handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
    });
  } else {
    if (options.auth || options.headers || options.tls) {
      throw new TypeError(
        'auth, headers and tls need the built-in Node (ws) WebSocket; browsers use the page credentials',
      );
    }
    const Impl = Ctor ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Impl === undefined) throw new TypeError('no WebSocket implementation available');
    socket = await openWhatwg(url, Impl);
  }
  return new Client(socket, options, transportOpts);
}
