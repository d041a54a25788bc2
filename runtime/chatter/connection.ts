import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as HatChatter from './gen/HatChatter.js';
import { SbsEncodeError } from '../sbs/index.js';
import { conversationKey, type Conversation, type Data, type Msg } from './conversation.js';
import { ChatterError, ConnectionClosedError, ReplyTimeoutError } from './errors.js';
import { Fifo } from '../fifo.js';
import { checkOption } from '../options.js';
import type { BufferBudget } from '../buffer-budget.js';
import {
  checkTransportOptions,
  closedError,
  Transport,
  type ConnectionInfo,
  type TransportHandlers,
  type TransportOptions,
} from './transport.js';

export type { ConnectionInfo } from './transport.js';

/** Options shared by `connect` and `listen`. Times are in milliseconds. */
export interface ConnectionOptions extends TransportOptions {
  /** Received messages held for `receive()`; when full the socket is paused. Default 1024. */
  readonly receiveQueueSize?: number;
}

/**
 * Throws RangeError for an option value the connection cannot work with (NaN would switch a
 * limit off, a delay beyond Node's timer range fires at once). `connect` and `listen` call it
 * before opening anything.
 */
export function checkConnectionOptions(options: ConnectionOptions): void {
  checkTransportOptions(options);
  if (options.receiveQueueSize !== undefined)
    checkOption('receiveQueueSize', options.receiveQueueSize, 0, true);
}

export interface SendOptions {
  /** Conversation to send in; omitted: a new conversation owned by this side, starting with this message. */
  readonly conv?: Conversation;
  /** Default true. */
  readonly last?: boolean;
  /** Default true. */
  readonly token?: boolean;
}

export interface WaitOptions {
  /** Milliseconds; rejects with `ReplyTimeoutError`. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** Put in a cancelled send job in place of its data, which need not be kept. */
const NO_DATA: Data = { type: '', data: new Uint8Array(0) };

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type SendJob =
  | (Deferred<Conversation> & {
      kind: 'send';
      data: Data;
      options: SendOptions | undefined;
      /** Given up by a `request` timeout or abort while waiting: skipped, using no id. */
      cancelled?: boolean;
    })
  | (Deferred<void> & { kind: 'drain' });

interface ConvWaiter extends Deferred<Msg> {
  cleanup(): void;
}

/**
 * One Chatter connection over a connected TCP or TLS socket: message ids, conversations, replies
 * awaited in them and the receive queue. Framing, send batching, write backpressure, pings and
 * the close of the socket are its `Transport`'s (frames sent in the same tick are encoded into
 * one buffer and written with one socket write).
 */
export class Connection implements AsyncIterable<Msg>, AsyncDisposable {
  readonly info: ConnectionInfo;
  /** Resolves once the socket is closed, whatever the reason (see `closeReason`). */
  readonly closed: Promise<void>;
  /** Why the connection closed: `null` for a local `close()` or a clean end by the peer. */
  closeReason: Error | null = null;

  private static readonly handlers: TransportHandlers<Connection> = {
    onMessage: (conn, wire) => conn.onMessage(wire),
    onWritable: (conn) => conn.onWritable(),
    onClosing: (conn, reason) => conn.onClosing(reason),
    takeId: (conn) => conn.nextId++,
  };

  private readonly transport: Transport<Connection>;
  private readonly receiveQueueSize: number;
  private nextId = 1;
  /** Sends (and drains, in order with them) waiting while the transport is blocked. */
  private readonly sendJobs = new Fifo<SendJob>();

  private readonly queue = new Fifo<Msg>();
  private readonly receivers = new Fifo<Deferred<Msg>>();
  private readonly convWaiters = new Map<number | string, ConvWaiter>();

  constructor(
    /** The underlying socket, for what this API does not cover (e.g. the peer certificate of a `TLSSocket`). */
    readonly socket: Socket,
    options: ConnectionOptions = {},
    /** @internal A server's `maxBufferedBytes` budget, told of the bytes of unfinished frames held. */
    budget: BufferBudget | null = null,
  ) {
    this.receiveQueueSize = Math.max(1, options.receiveQueueSize ?? 1024);
    // The transport may call its handlers before its constructor returns (a socket already
    // destroyed): they use only fields initialized above.
    this.transport = new Transport(socket, options, budget, Connection.handlers, this);
    this.info = this.transport.info;
    this.closed = this.transport.closed;
  }

  /** True until the connection starts closing. */
  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Bytes received of a frame not yet complete (0 once closing). */
  get bufferedBytes(): number {
    return this.transport.bufferedBytes;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Queues a message and returns its conversation. Resolves once the frame is encoded
   * (not yet written: see `drain`); waits while the socket's write buffer is over
   * `writeBufferLimit`. Rejects with `SbsEncodeError` for a malformed `data` (nothing is sent
   * and no id is used) and with `ConnectionClosedError` once closed.
   */
  send(data: Data, options?: SendOptions): Promise<Conversation> {
    const transport = this.transport;
    if (!transport.isOpen) return Promise.reject(this.closedError());
    if (transport.isBlocked || this.sendJobs.length > 0) {
      return new Promise((resolve, reject) =>
        this.sendJobs.push({ kind: 'send', data, options, resolve, reject }),
      );
    }
    try {
      return Promise.resolve(this.enqueue(data, options?.conv, options?.last, options?.token));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Resolves once every message queued before the call was handed to the operating system. */
  drain(): Promise<void> {
    const transport = this.transport;
    if (!transport.isOpen) return Promise.reject(this.closedError());
    if (transport.isBlocked || this.sendJobs.length > 0)
      return new Promise((resolve, reject) =>
        this.sendJobs.push({ kind: 'drain', resolve, reject }),
      );
    return transport.drain();
  }

  /** Sends a `HatChatter.Ping` now, in a new conversation; the peer answers with a `HatChatter.Pong`. */
  ping(): void {
    if (!this.transport.isOpen) throw this.closedError();
    this.transport.ping();
  }

  private enqueue(
    data: Data,
    conv: Conversation | undefined,
    last?: boolean | null,
    token?: boolean | null,
  ): Conversation {
    if (typeof data !== 'object' || data === null)
      throw new SbsEncodeError(
        `expected {type, data} for HatChatter.Data, got ${data === null ? 'null' : typeof data}`,
      );
    const type: unknown = data.type;
    const bytes: unknown = data.data;
    if (typeof type !== 'string') throw new SbsEncodeError('HatChatter.Data.type must be a string');
    if (!(bytes instanceof Uint8Array))
      throw new SbsEncodeError('HatChatter.Data.data must be a Uint8Array');

    const id = this.nextId;
    const c = conv ?? { owner: true, firstId: id };
    this.transport.write({
      id,
      first: c.firstId,
      owner: c.owner,
      token: token ?? true,
      last: last ?? true,
      data,
    });
    // Only now: a message the transport refused uses no id.
    this.nextId = id + 1;
    return c;
  }

  /** The transport can take frames again: runs the sends and drains queued meanwhile, in order. */
  private onWritable(): void {
    const transport = this.transport;
    while (!transport.isBlocked && transport.isOpen) {
      const job = this.sendJobs.shift();
      if (job === undefined) return;
      if (job.kind === 'drain') {
        transport.drain().then(job.resolve, job.reject);
        continue;
      }
      if (job.cancelled) continue;
      try {
        const o = job.options;
        job.resolve(this.enqueue(job.data, o?.conv, o?.last, o?.token));
      } catch (e) {
        job.reject(e);
      }
    }
  }

  // ---------------------------------------------------------------- receiving

  /** The next application message; rejects with `ConnectionClosedError` once closed and emptied. */
  receive(): Promise<Msg> {
    const msg = this.take();
    if (msg !== undefined) return Promise.resolve(msg);
    if (!this.transport.isOpen) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => this.receivers.push({ resolve, reject }));
  }

  /** A message already received, without waiting; `undefined` if none is queued. */
  tryReceive(): Msg | undefined {
    return this.take();
  }

  /**
   * Yields received messages until the connection closes (then ends normally: see
   * `closeReason`). Leaving the loop early does not close the connection.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Msg> {
    const done = (): IteratorResult<Msg> => ({ value: undefined, done: true });
    const iterator: AsyncIterableIterator<Msg> = {
      next: () =>
        this.receive().then(
          (value) => ({ value, done: false }),
          (e: unknown) => {
            if (e instanceof ConnectionClosedError) return done();
            throw e;
          },
        ),
      return: () => Promise.resolve(done()),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * The next message in `conv`, delivered here instead of to `receive()`. One waiter per
   * conversation at a time; register it before the reply can arrive (right after `send`).
   */
  waitReply(conv: Conversation, options: WaitOptions = {}): Promise<Msg> {
    return this.wait(conv, options.timeout, options.signal, options.timeout);
  }

  /** `waitReply` whose timer runs `delay` ms (what is left of `timeout`, the figure reported). */
  private wait(
    conv: Conversation,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    delay: number | undefined,
  ): Promise<Msg> {
    if (!this.transport.isOpen) return Promise.reject(this.closedError());
    const key = conversationKey(conv);
    if (this.convWaiters.has(key))
      return Promise.reject(
        new ChatterError(`already waiting for a reply in conversation ${JSON.stringify(conv)}`),
      );
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Msg>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      // Timeout and abort both undo everything: a listener left behind would, on a later abort,
      // delete the next wait registered for this conversation.
      const fail = (e: unknown): void => {
        this.convWaiters.delete(key);
        cleanup();
        reject(e);
      };
      const onAbort = (): void => fail(signal?.reason);
      if (timeout !== undefined)
        timer = setTimeout(() => fail(new ReplyTimeoutError(timeout)), delay);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.convWaiters.set(key, { resolve, reject, cleanup });
    });
  }

  /**
   * `send` with `last = false` by default, then the peer's next message in that conversation.
   * The timeout and signal cover the whole request: also a send still waiting for the write
   * buffer (that message is then not sent) and an already aborted signal (nothing is sent).
   */
  async request(data: Data, options: SendOptions & WaitOptions = {}): Promise<Msg> {
    const { timeout, signal } = options;
    if (signal?.aborted) throw signal.reason;
    const started = performance.now();
    const conv = await this.sendUntil(data, { last: false, ...options }, timeout, signal);
    const left =
      timeout === undefined ? undefined : Math.max(0, timeout - (performance.now() - started));
    return this.wait(conv, timeout, signal, left);
  }

  /** `send`, except that a wait in the send queue ends at the timeout or abort, withdrawing the message. */
  private sendUntil(
    data: Data,
    options: SendOptions,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Conversation> {
    const queued = this.transport.isBlocked || this.sendJobs.length > 0;
    if (!this.transport.isOpen || !queued || (timeout === undefined && signal === undefined))
      return this.send(data, options);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const job: SendJob = {
        kind: 'send',
        data,
        options,
        resolve: (conv) => {
          cleanup();
          resolve(conv);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const cancel = (e: unknown): void => {
        job.cancelled = true;
        job.data = NO_DATA; // the job stays queued until the socket drains; its data need not
        cleanup();
        reject(e);
      };
      const onAbort = (): void => cancel(signal?.reason);
      if (timeout !== undefined)
        timer = setTimeout(() => cancel(new ReplyTimeoutError(timeout)), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sendJobs.push(job);
    });
  }

  private take(): Msg | undefined {
    const msg = this.queue.shift();
    const transport = this.transport;
    if (
      msg !== undefined &&
      transport.isReceivePaused &&
      this.queue.length <= this.receiveQueueSize >>> 1 &&
      transport.isOpen
    )
      transport.resumeReceive();
    return msg;
  }

  /** A received application message: to its conversation's waiter, a `receive()` caller or the queue. */
  private onMessage(wire: HatChatter.Msg): void {
    const msg: Msg = {
      data: wire.data,
      conv: { owner: !wire.owner, firstId: wire.first },
      first: wire.owner && wire.first === wire.id,
      last: wire.last,
      token: wire.token,
    };
    if (this.convWaiters.size > 0) {
      const key = conversationKey(msg.conv);
      const waiter = this.convWaiters.get(key);
      if (waiter !== undefined) {
        this.convWaiters.delete(key);
        waiter.cleanup();
        waiter.resolve(msg);
        return;
      }
    }
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(msg);
      return;
    }
    this.queue.push(msg);
    if (!this.transport.isReceivePaused && this.queue.length >= this.receiveQueueSize) {
      // The rest of the current chunk is still decoded: at most one chunk beyond the bound.
      this.transport.pauseReceive();
    }
  }

  // ---------------------------------------------------------------- closing

  /** Writes what is queued, closes the connection and resolves once the socket is closed. */
  close(): Promise<void> {
    this.transport.close();
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Closes at once, without writing what is queued: `closeReason` is `reason` (logged as an
   * error). A no-op once closing.
   */
  destroy(reason: Error): void {
    this.transport.destroy(reason);
  }

  private closedError(): ConnectionClosedError {
    return closedError(this.closeReason);
  }

  /** Fails everything waiting on the connection; the transport then ends or destroys the socket. */
  private onClosing(reason: Error | null): void {
    this.closeReason = reason;
    const error = this.closedError();
    for (const job of this.sendJobs.drain()) job.reject(error);
    for (const r of this.receivers.drain()) r.reject(error);
    for (const w of this.convWaiters.values()) {
      w.cleanup();
      w.reject(error);
    }
    this.convWaiters.clear();
  }
}
