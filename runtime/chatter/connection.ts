import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket } from 'node:tls';
import * as HatChatter from './gen/HatChatter.js';
import { SbsEncodeError, SbsWriter } from '../sbs/index.js';
import type { Address } from './address.js';
import { conversationKey, type Conversation, type Data, type Msg } from './conversation.js';
import {
  BufferLimitError,
  ChatterError,
  ConnectionClosedError,
  FrameTooLargeError,
  PingTimeoutError,
  ProtocolError,
  ReplyTimeoutError,
} from './errors.js';
import { Fifo } from '../fifo.js';
import { checkDelay, checkOption } from '../options.js';
import type { BudgetHolder, BufferBudget } from '../buffer-budget.js';
import { FrameDecoder, lengthSize, writeHeader } from './framing.js';
import { noopLogger, type Logger } from '../logger.js';
import { ViewReader } from './view-reader.js';

/** Options shared by `connect` and `listen`. Times are in milliseconds. */
export interface ConnectionOptions {
  /** Idle time before a ping is sent; `0` or `null` disables sending pings (pings are still answered). Default 20000. */
  readonly pingDelay?: number | null;
  /** Time to wait for any incoming message after a ping before closing. Default 20000. */
  readonly pingTimeout?: number;
  /** Received messages held for `receive()`; when full the socket is paused. Default 1024. */
  readonly receiveQueueSize?: number;
  /** Frames encoded in one tick before they are written at once without waiting for the tick's end. Default 1024. */
  readonly sendQueueSize?: number;
  /** `send` waits while the socket holds more unwritten bytes than this. Default 1 MiB. */
  readonly writeBufferLimit?: number;
  /** Largest accepted frame body; a larger announced length closes the connection. Default 64 MiB. */
  readonly maxFrameSize?: number;
  /** A graceful `close()` destroys the socket if the peer has not closed its side after this long. Default 1000. */
  readonly closeTimeout?: number;
  readonly logger?: Logger;
}

/**
 * Throws RangeError for an option value the connection cannot work with (NaN would switch a
 * limit off, a delay beyond Node's timer range fires at once). `connect` and `listen` call it
 * before opening anything.
 */
export function checkConnectionOptions(options: ConnectionOptions): void {
  const { pingDelay, pingTimeout, closeTimeout } = options;
  if (pingDelay !== undefined && pingDelay !== null) checkDelay('pingDelay', pingDelay);
  if (pingTimeout !== undefined) checkDelay('pingTimeout', pingTimeout);
  if (closeTimeout !== undefined) checkDelay('closeTimeout', closeTimeout);
  for (const name of ['receiveQueueSize', 'sendQueueSize'] as const)
    if (options[name] !== undefined) checkOption(name, options[name], 0, true);
  for (const name of ['writeBufferLimit', 'maxFrameSize'] as const)
    if (options[name] !== undefined) checkOption(name, options[name], 0);
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

export interface ConnectionInfo {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly tls: boolean;
}

const PING = 'HatChatter.Ping';
const PONG = 'HatChatter.Pong';
const EMPTY = new Uint8Array(0);
/** First size of a connection's writer; it grows by doubling to the largest batch. */
const WRITER_SIZE = 1024;
/** Writers given back by connections between messages, shared by all connections. */
const spareWriters: SbsWriter[] = [];
const MAX_SPARE_WRITERS = 16;
const PING_DATA: Data = { type: PING, data: EMPTY };
const PONG_DATA: Data = { type: PONG, data: EMPTY };
/** A batch this large is written right away instead of at the end of the tick. */
const FLUSH_BYTES = 256 * 1024;
/** Room the SBS body of a Msg needs beyond its type's UTF-8 and data bytes (two integers, three booleans, two length prefixes). */
const BODY_OVERHEAD = 40;

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
 * One Chatter connection over a connected TCP or TLS socket. Frames sent in the same tick
 * are encoded into one buffer and written with one socket write.
 */
export class Connection implements AsyncIterable<Msg>, AsyncDisposable, BudgetHolder {
  readonly info: ConnectionInfo;
  /** Resolves once the socket is closed, whatever the reason (see `closeReason`). */
  readonly closed: Promise<void>;
  /** Why the connection closed: `null` for a local `close()` or a clean end by the peer. */
  closeReason: Error | null = null;

  private readonly logger: Logger;
  private readonly pingDelay: number;
  private readonly pingTimeout: number;
  private readonly receiveQueueSize: number;
  private readonly sendQueueSize: number;
  private readonly writeBufferLimit: number;
  private readonly closeTimeout: number;
  private readonly maxFrameSize: number;

  // Taken on the first send and given back after a flush of a single frame, so an idle or
  // request/response connection holds no writer between messages (a 64 KiB writer per
  // connection made an idle connection cost ~51 KiB instead of ~10); a connection sending
  // batches keeps it, grown to its batch size. Given-back writers are reused by any connection
  // (allocating one per message cost request/response round trips ~30 %).
  private writerInstance: SbsWriter | undefined;
  private readonly decoder: FrameDecoder;

  private get writer(): SbsWriter {
    return (this.writerInstance ??= spareWriters.pop() ?? new SbsWriter(WRITER_SIZE));
  }

  /** Hands the writer to the next connection that needs one (reset; large ones shrink). */
  private releaseWriter(): void {
    const w = this.writerInstance;
    if (w === undefined) return;
    this.writerInstance = undefined;
    w.reset();
    if (spareWriters.length < MAX_SPARE_WRITERS) spareWriters.push(w);
  }
  private readonly reader = new ViewReader();
  private nextId = 1;
  private pendingFrames = 0;
  private flushScheduled = false;
  private blocked = false;
  private readonly sendJobs = new Fifo<SendJob>();

  private readonly queue = new Fifo<Msg>();
  private readonly receivers = new Fifo<Deferred<Msg>>();
  private readonly convWaiters = new Map<number | string, ConvWaiter>();
  /** Reading paused because the receive queue is full. */
  private paused = false;
  /** Reading paused because a pong had to be sent while the peer does not read what we write. */
  private pongPaused = false;

  private lastReceive = 0;
  private receivedFrame = false;
  private awaitingPong = false;
  private pingTimer: NodeJS.Timeout | undefined;

  private closing = false;
  private resolveClosed!: () => void;
  /** Bytes of an unfinished frame last reported to `account`. */
  private accounted = 0;

  constructor(
    /** The underlying socket, for what this API does not cover (e.g. the peer certificate of a `TLSSocket`). */
    readonly socket: Socket,
    options: ConnectionOptions = {},
    /** @internal A server's `maxBufferedBytes` budget, told of the bytes of unfinished frames held. */
    private readonly budget: BufferBudget | null = null,
  ) {
    this.logger = options.logger ?? noopLogger;
    this.pingDelay = options.pingDelay ?? (options.pingDelay === null ? 0 : 20_000);
    this.pingTimeout = options.pingTimeout ?? 20_000;
    this.receiveQueueSize = Math.max(1, options.receiveQueueSize ?? 1024);
    this.sendQueueSize = Math.max(1, options.sendQueueSize ?? 1024);
    this.writeBufferLimit = options.writeBufferLimit ?? 1024 * 1024;
    this.closeTimeout = options.closeTimeout ?? 1000;
    this.maxFrameSize = options.maxFrameSize ?? 64 * 1024 * 1024;
    this.decoder = new FrameDecoder(this.maxFrameSize, (body) => this.onBody(body));
    this.info = {
      localAddress: { host: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      remoteAddress: { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      tls: socket instanceof TLSSocket,
    };
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));

    // Frames are batched per tick already; Nagle would only add latency to round trips.
    socket.setNoDelay(true);
    // A plain Uint8Array view: received Bytes are views into the chunk (see ViewReader), and
    // the application should get Uint8Arrays, not Buffers.
    socket.on('data', (chunk: Buffer) =>
      this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    socket.on('end', () => this.onEnd());
    socket.on('error', (e: Error) => this.shutdown(e));
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.onDrain());
    if (socket.destroyed) this.onClose();
    this.lastReceive = performance.now();
    if (this.pingDelay > 0) this.armPing(this.pingDelay);
  }

  /** True until the connection starts closing. */
  get isOpen(): boolean {
    return !this.closing;
  }

  /** Bytes received of a frame not yet complete (0 once closing). */
  get bufferedBytes(): number {
    return this.closing ? 0 : this.decoder.buffered;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Queues a message and returns its conversation. Resolves once the frame is encoded
   * (not yet written: see `drain`); waits while the socket's write buffer is over
   * `writeBufferLimit`. Rejects with `SbsEncodeError` for a malformed `data` (nothing is sent
   * and no id is used) and with `ConnectionClosedError` once closed.
   */
  send(data: Data, options?: SendOptions): Promise<Conversation> {
    if (this.closing) return Promise.reject(this.closedError());
    if (this.blocked || this.sendJobs.length > 0) {
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
    if (this.closing) return Promise.reject(this.closedError());
    if (this.blocked || this.sendJobs.length > 0)
      return new Promise((resolve, reject) =>
        this.sendJobs.push({ kind: 'drain', resolve, reject }),
      );
    return this.drainNow();
  }

  /** Sends a `HatChatter.Ping` now, in a new conversation; the peer answers with a `HatChatter.Pong`. */
  ping(): void {
    if (this.closing) throw this.closedError();
    this.enqueue(PING_DATA, undefined, false);
  }

  private drainNow(): Promise<void> {
    this.flush();
    if (this.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // An empty write's callback runs once everything written before it was flushed.
      this.socket.write(EMPTY, (e) =>
        e || this.closeReason ? reject(this.closedError()) : resolve(),
      );
    });
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
    const w = this.writer;
    const start = w.pos;
    // The header goes before the body, whose length is known only after encoding: reserve
    // room for the largest length the body can have, then close the gap if it was smaller.
    const reserved = 1 + lengthSize(bytes.length + 3 * type.length + BODY_OVERHEAD);
    w.ensure(reserved);
    w.pos = start + reserved;
    try {
      HatChatter.Msg.write(w, {
        id,
        first: c.firstId,
        owner: c.owner,
        token: token ?? true,
        last: last ?? true,
        data,
      });
    } catch (e) {
      w.pos = start;
      throw e;
    }
    const k = w.pos - start - reserved;
    if (k > this.maxFrameSize) {
      // A peer with the same limit would drop the connection; refuse this one message instead.
      w.pos = start;
      throw new FrameTooLargeError(k, this.maxFrameSize);
    }
    const m = lengthSize(k);
    if (1 + m < reserved) {
      w.buf.copyWithin(start + 1 + m, start + reserved, w.pos);
      w.pos -= reserved - 1 - m;
    }
    writeHeader(w.buf, start, m, k);
    this.nextId = id + 1;

    if (++this.pendingFrames >= this.sendQueueSize || w.pos >= FLUSH_BYTES) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.onFlushTimer);
    }
    return c;
  }

  private readonly onFlushTimer = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private flush(): void {
    const w = this.writerInstance;
    if (w === undefined || w.pos === 0) return;
    const n = w.pos;
    const frames = this.pendingFrames;
    this.pendingFrames = 0;
    if (this.socket.destroyed) {
      this.releaseWriter();
      return;
    }
    // A copy, so the writer's buffer is reused for the next batch while the socket holds this one.
    const out = Buffer.allocUnsafe(n);
    out.set(w.buf.subarray(0, n));
    if (frames <= 1) this.releaseWriter();
    else w.reset();
    if (!this.socket.write(out) && this.socket.writableLength > this.writeBufferLimit)
      this.blocked = true;
  }

  private onDrain(): void {
    this.blocked = false;
    if (this.pongPaused) {
      this.pongPaused = false;
      if (!this.paused && !this.closing) this.socket.resume();
    }
    while (!this.blocked && !this.closing) {
      const job = this.sendJobs.shift();
      if (job === undefined) return;
      if (job.kind === 'drain') {
        this.drainNow().then(job.resolve, job.reject);
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
    if (this.closing) return Promise.reject(this.closedError());
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
    if (this.closing) return Promise.reject(this.closedError());
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
    const queued = this.blocked || this.sendJobs.length > 0;
    if (this.closing || !queued || (timeout === undefined && signal === undefined))
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
        job.data = PING_DATA; // the job stays queued until the socket drains; its data need not
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
    if (
      msg !== undefined &&
      this.paused &&
      this.queue.length <= this.receiveQueueSize >>> 1 &&
      !this.closing
    ) {
      this.paused = false;
      if (!this.pongPaused) this.socket.resume();
    }
    return msg;
  }

  private onData(chunk: Uint8Array): void {
    if (this.closing) return;
    try {
      this.decoder.push(chunk);
    } catch (e) {
      this.shutdown(e instanceof Error ? e : new ProtocolError(String(e)));
      return;
    }
    if (this.budget !== null && this.decoder.buffered !== this.accounted) {
      const delta = this.decoder.buffered - this.accounted;
      this.accounted += delta;
      // May close this very connection, when it holds the most.
      this.budget.add(this, delta);
      if (this.closing) return;
    }
    if (this.receivedFrame) {
      this.receivedFrame = false;
      this.lastReceive = performance.now();
      if (this.awaitingPong) {
        this.awaitingPong = false;
        this.armPing(this.pingDelay);
      }
    }
  }

  private onBody(body: Uint8Array): void {
    if (this.closing) return;
    let wire: HatChatter.Msg;
    try {
      const r = this.reader;
      r.reset(body);
      wire = HatChatter.Msg.read(r);
      r.end();
      // Decoded Bytes are views of their own; the reader need not keep the chunk alive.
      r.release();
    } catch (e) {
      throw new ProtocolError(
        `malformed HatChatter.Msg: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    this.receivedFrame = true;
    const type = wire.data.type;
    if (type === PING) {
      this.enqueue(PONG_DATA, { owner: !wire.owner, firstId: wire.first });
      // A peer that pings without reading would otherwise grow our write buffer without
      // bound; like hat's read loop blocking on the full send queue, stop reading until the
      // socket drains (the rest of the current chunk is still answered).
      if (this.blocked && !this.pongPaused) {
        this.pongPaused = true;
        this.socket.pause();
      }
      return;
    }
    if (type === PONG) return;
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
    if (!this.paused && this.queue.length >= this.receiveQueueSize) {
      // The rest of the current chunk is still decoded: at most one chunk beyond the bound.
      this.paused = true;
      this.socket.pause();
    }
  }

  // ---------------------------------------------------------------- ping

  private armPing(delay: number): void {
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(this.onPingTimer, Math.max(1, delay));
    this.pingTimer.unref();
  }

  private readonly onPingTimer = (): void => {
    this.pingTimer = undefined;
    if (this.closing) return;
    if (this.awaitingPong) {
      // Timers run before the poll phase: after a busy stretch of the event loop the answer
      // may already be waiting in the socket. Decide only after that input has been read.
      setImmediate(this.onPingDeadline);
      return;
    }
    const idle = performance.now() - this.lastReceive;
    // Timers may fire a fraction of a millisecond early.
    if (idle < this.pingDelay - 1) {
      this.armPing(this.pingDelay - idle);
      return;
    }
    this.enqueue(PING_DATA, undefined, false);
    this.awaitingPong = true;
    this.armPing(this.pingTimeout);
  };

  private readonly onPingDeadline = (): void => {
    if (!this.closing && this.awaitingPong) this.shutdown(new PingTimeoutError());
  };

  // ---------------------------------------------------------------- closing

  /** Writes what is queued, closes the connection and resolves once the socket is closed. */
  close(): Promise<void> {
    this.shutdown(null);
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
    this.shutdown(reason);
  }

  /** @internal Called by the server's budget: this connection holds the most. */
  evict(held: number, total: number, max: number): void {
    this.accounted = 0; // the budget has already released this connection's bytes
    this.shutdown(new BufferLimitError(held, total, max));
  }

  private closedError(): ConnectionClosedError {
    return new ConnectionClosedError(
      'connection closed',
      this.closeReason ? { cause: this.closeReason } : undefined,
    );
  }

  private onEnd(): void {
    let reason: Error | null = null;
    try {
      this.decoder.end();
    } catch (e) {
      reason = e as Error;
    }
    this.shutdown(reason);
  }

  private onClose(): void {
    this.shutdown(null);
    this.resolveClosed();
  }

  private shutdown(reason: Error | null): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    if (this.accounted !== 0) {
      this.accounted = 0;
      this.budget?.release(this);
    }
    if (reason)
      this.logger.error(`chatter: connection closed: ${reason.message}`, {
        remote: this.info.remoteAddress,
        error: reason,
      });
    else this.logger.debug('chatter: connection closing', { remote: this.info.remoteAddress });
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);

    const error = this.closedError();
    for (const job of this.sendJobs.drain()) job.reject(error);
    for (const r of this.receivers.drain()) r.reject(error);
    for (const w of this.convWaiters.values()) {
      w.cleanup();
      w.reject(error);
    }
    this.convWaiters.clear();

    const socket = this.socket;
    if (reason !== null || socket.destroyed) {
      this.releaseWriter();
      socket.destroy();
      return;
    }
    this.flush();
    socket.end();
    if (this.paused || this.pongPaused) socket.resume(); // so the peer's end is seen
    const timer = setTimeout(() => socket.destroy(), this.closeTimeout);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}
