import { ConnectionClosedError, JugglerRequestError } from './errors.js';
import type { JsonValue } from '../json-value.js';
import type { Logger } from '../logger.js';
import { encodeNotify, encodeResponse } from './encode.js';
import { parseRequest, type RequestMsg } from './messages.js';
import { diff } from './patch.js';
import type { JsonStore } from './store.js';
import type { Transport } from './transport.js';

/**
 * Handles one request. The returned value (undefined -> null) is sent with
 * `success: true`; a throw sends `success: false` with the error message as
 * data (a thrown `JugglerRequestError` sends its `data` instead).
 */
export type RequestHandler = (
  conn: Connection,
  name: string,
  data: JsonValue,
) => JsonValue | undefined | void | Promise<JsonValue | undefined | void>;

export interface ConnectionOptions {
  store: JsonStore;
  /** ms; 0 = one state message per change; > 0 = changes merged for that long; null = only on flush(). */
  autoflushDelay: number | null;
  parallelRequests: boolean;
  onRequest: RequestHandler | undefined;
  /** `store` is shared with other connections (the server's `state`). */
  sharedStore: boolean;
  /** Requests waiting or running before reading from the socket pauses. */
  receiveQueueSize: number;
  logger: Logger;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * Last state message per shared store: connections in step (same last synced
 * value) sync the same change, so it is diffed and encoded once, not once per
 * connection. Only for shared stores, as the entry keeps the previous value alive.
 */
const lastStateMsgs = new WeakMap<
  JsonStore,
  { from: JsonValue; to: JsonValue; json: string | null }
>();

function encodeState(from: JsonValue, to: JsonValue): string | null {
  const patch = diff(from, to);
  return patch.length > 0 ? JSON.stringify({ type: 'state', diff: patch }) : null;
}

function encodeSharedState(store: JsonStore, from: JsonValue, to: JsonValue): string | null {
  const last = lastStateMsgs.get(store);
  if (last !== undefined && last.from === from && last.to === to) return last.json;
  const json = encodeState(from, to);
  lastStateMsgs.set(store, { from, to, json });
  return json;
}

/** A server side Juggler connection (one WebSocket client). */
export class Connection {
  /** Client address: from `Forwarded`/`X-Forwarded-For` when the peer is a trusted proxy (see `trustProxy`), else the socket peer. */
  readonly remote: string;
  /** The state synced to this client (shared between connections when the server has `state`). */
  readonly state: JsonStore;
  readonly closed: Promise<void>;

  private readonly transport: Transport;
  private readonly opts: ConnectionOptions;
  private synced: JsonValue = null;
  private dirty = false;
  private flushTimer: Timer | null = null;
  private waitingSpace = false;
  private readonly unsubscribe: () => void;
  /** Requests waiting to run, with the bytes each holds of the receive budget. */
  private requests: { req: RequestMsg; size: number }[] = [];
  private busy = false;
  private inflight = 0;
  private paused = false;

  /** @internal Created by the server. */
  constructor(transport: Transport, remote: string, opts: ConnectionOptions) {
    this.transport = transport;
    this.opts = opts;
    this.remote = remote;
    this.state = opts.store;
    this.closed = transport.closed;
    this.unsubscribe = opts.store.onChange(() => this.onChange());
    void transport.closed.then(() => this.cleanup());
    if (opts.store.data !== null) this.onChange(true);
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Number of encoded messages waiting to be written (bounded by sendQueueSize). */
  get sendQueueLength(): number {
    return this.transport.queueLength;
  }

  /** Bytes handed to the socket but not yet written to the network. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /**
   * Sends the pending state change now. Resolves once the diff is queued for
   * sending; rejects with `ConnectionClosedError` when the connection closes.
   */
  async flush(): Promise<void> {
    this.clearFlushTimer();
    for (;;) {
      if (!this.isOpen) throw new ConnectionClosedError();
      if (!this.transport.isQueueFull) break;
      await this.transport.waitSpace();
    }
    this.syncNow();
    if (!this.isOpen) throw new ConnectionClosedError();
  }

  /** Queues a notification; waits while the send queue is full. */
  notify(name: string, data: JsonValue = null): Promise<void> {
    if (!this.isOpen) return Promise.reject(new ConnectionClosedError());
    let json: string;
    try {
      json = encodeNotify(name, data);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.transport.sendEncoded(json);
  }

  async close(): Promise<void> {
    this.transport.close();
    await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal `size`: bytes of the server's receive budget to give back once handled. */
  handleMessage(raw: unknown, size = 0): void {
    const req = parseRequest(raw);
    if (this.opts.parallelRequests) {
      const done = this.runRequest(req);
      if (done) {
        this.inflight++;
        this.updatePause();
        void done.then(() => {
          this.inflight--;
          this.transport.releaseReceived(size);
          this.updatePause();
        });
      } else {
        this.transport.releaseReceived(size);
      }
    } else {
      this.requests.push({ req, size });
      this.drainRequests();
    }
  }

  /** @internal Terminates the socket (used by server shutdown after shutdownTimeout). */
  terminate(): void {
    this.transport.terminate();
  }

  private drainRequests(): void {
    // Requests still queued when the connection closes are dropped, not run
    // for a client that is gone (hat cancels its receive loop on close).
    while (!this.busy && this.requests.length > 0) {
      if (!this.isOpen) {
        this.requests = [];
        break;
      }
      const { req, size } = this.requests.shift() as { req: RequestMsg; size: number };
      const done = this.runRequest(req);
      if (done) {
        this.busy = true;
        void done.then(() => {
          this.busy = false;
          this.transport.releaseReceived(size);
          this.drainRequests();
        });
      } else {
        this.transport.releaseReceived(size);
      }
    }
    this.updatePause();
  }

  private updatePause(): void {
    const pending = this.requests.length + this.inflight + (this.busy ? 1 : 0);
    const full = pending >= this.opts.receiveQueueSize;
    if (full && !this.paused) {
      this.paused = true;
      this.transport.pauseReceive();
    } else if (!full && this.paused) {
      this.paused = false;
      this.transport.resumeReceive();
    }
  }

  /** Runs the handler; returns a promise only when something had to be awaited. */
  private runRequest(req: RequestMsg): Promise<void> | undefined {
    // hat's server still echoes empty-name requests (legacy keep-alive of old
    // JS clients), in turn with other requests; answered out of band, their
    // responses would pile up unbounded for a client that does not read.
    if (req.name === '') return this.respond(req.id, true, req.data);
    const handler = this.opts.onRequest;
    if (!handler) return this.respond(req.id, false, 'request handler not implemented');
    let result: ReturnType<RequestHandler>;
    try {
      result = handler(this, req.name, req.data);
    } catch (err) {
      return this.respondError(req.id, err);
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => this.respond(req.id, true, value ?? null),
        (err: unknown) => this.respondError(req.id, err),
      );
    }
    return this.respond(req.id, true, result ?? null);
  }

  private respondError(id: JsonValue, err: unknown): Promise<void> | undefined {
    const data =
      err instanceof JugglerRequestError
        ? err.data
        : err instanceof Error
          ? err.message
          : String(err);
    return this.respond(id, false, data);
  }

  private respond(id: JsonValue, success: boolean, data: JsonValue): Promise<void> | undefined {
    if (!this.isOpen) return undefined;
    let json: string;
    try {
      json = encodeResponse(id, data, success);
      if (this.transport.trySendEncoded(json)) return undefined;
    } catch (err) {
      return this.sendFailed(err);
    }
    return this.transport.sendEncoded(json).catch((err: unknown) => this.sendFailed(err));
  }

  private sendFailed(err: unknown): undefined {
    if (!(err instanceof ConnectionClosedError)) {
      // e.g. a handler result that JSON.stringify rejects (BigInt, cycles):
      // hat closes the connection when a response cannot be sent.
      this.opts.logger.error('juggler response not sendable', { error: String(err) });
      this.transport.close(err instanceof Error ? err : new Error(String(err)));
    }
    return undefined;
  }

  private onChange(initial = false): void {
    this.dirty = true;
    const delay = this.opts.autoflushDelay;
    if (delay === 0 || initial) this.sync();
    else if (delay !== null && this.flushTimer === null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.sync();
      }, delay);
    }
  }

  /** Syncs when the send queue has room; otherwise waits once, coalescing changes meanwhile. */
  private sync(): void {
    if (!this.isOpen || !this.dirty) return;
    if (this.transport.isQueueFull) {
      if (!this.waitingSpace) {
        this.waitingSpace = true;
        void this.transport.waitSpace().then(() => {
          this.waitingSpace = false;
          this.sync();
        });
      }
      return;
    }
    this.syncNow();
  }

  private syncNow(): void {
    this.dirty = false;
    const data = this.state.data;
    const from = this.synced;
    if (data === from) return;
    this.synced = data;
    let json: string | null;
    try {
      json = this.opts.sharedStore
        ? encodeSharedState(this.state, from, data)
        : encodeState(from, data);
    } catch (err) {
      // A state JSON.stringify rejects (BigInt, cycles) or too deeply nested
      // to diff/encode; this runs from timers too, so a throw would crash the
      // process. hat closes the connection when its sync loop fails.
      this.opts.logger.error('juggler state not sendable', { error: String(err) });
      this.transport.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (json !== null) this.transport.trySendEncoded(json);
  }

  private clearFlushTimer(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private cleanup(): void {
    this.clearFlushTimer();
    this.unsubscribe();
    this.requests = [];
  }
}
