import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket } from 'node:tls';
import * as HatChatter from './gen/HatChatter.js';
import { SbsWriter } from '../sbs/index.js';
import type { Address } from './address.js';
import type { Data } from './conversation.js';
import {
  BufferLimitError,
  ConnectionClosedError,
  FrameTooLargeError,
  PingTimeoutError,
  ProtocolError,
} from './errors.js';
import { aliasedOption, checkDelay, checkOption } from '../options.js';
import type { BudgetHolder, BufferBudget } from '../buffer-budget.js';
import { FrameDecoder, lengthSize, writeHeader } from './framing.js';
import { noopLogger, type Logger } from '../logger.js';
import { ViewReader } from './view-reader.js';

/** The options of a connection that concern its socket and frames. Times are in milliseconds. */
export interface TransportOptions {
  /** Idle time before a ping is sent; `0` or `null` disables sending pings (pings are still answered). Default 20000. */
  readonly pingDelay?: number | null;
  /** Time to wait for any incoming message after a ping before closing. Default 20000. */
  readonly pingTimeout?: number;
  /** Frames encoded in one tick before they are written at once without waiting for the tick's end. Default 1024. */
  readonly sendQueueSize?: number;
  /** `send` waits while the socket holds more unwritten bytes than this. Default 1 MiB. */
  readonly writeBufferLimit?: number;
  /**
   * Largest accepted message: the body of one frame, in bytes. A larger announced length closes
   * the connection; a larger `send` rejects. Default 64 MiB.
   */
  readonly maxMessageSize?: number;
  /** @deprecated Use `maxMessageSize` (the same limit); giving both with different values is a TypeError. */
  readonly maxFrameSize?: number;
  /** A graceful `close()` destroys the socket if the peer has not closed its side after this long. Default 1000. */
  readonly closeTimeout?: number;
  readonly logger?: Logger;
}

/**
 * Throws RangeError for an option value the transport cannot work with (NaN would switch a
 * limit off, a delay beyond Node's timer range fires at once).
 */
export function checkTransportOptions(options: TransportOptions): void {
  const { pingDelay, pingTimeout, closeTimeout } = options;
  if (pingDelay !== undefined && pingDelay !== null) checkDelay('pingDelay', pingDelay);
  if (pingTimeout !== undefined) checkDelay('pingTimeout', pingTimeout);
  if (closeTimeout !== undefined) checkDelay('closeTimeout', closeTimeout);
  if (options.sendQueueSize !== undefined)
    checkOption('sendQueueSize', options.sendQueueSize, 0, true);
  if (options.writeBufferLimit !== undefined)
    checkOption('writeBufferLimit', options.writeBufferLimit, 0);
  const maxMessageSize = aliasedOption(options, 'maxMessageSize', 'maxFrameSize');
  if (maxMessageSize !== undefined)
    checkOption(
      options.maxMessageSize === undefined ? 'maxFrameSize' : 'maxMessageSize',
      maxMessageSize,
      0,
    );
}

export interface ConnectionInfo {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly tls: boolean;
}

/**
 * What the transport hands up to its owner (the connection), and the one thing it asks of it.
 * One table shared by all connections, called with the owner: four closures per connection
 * made an idle connection cost ~1.2 KiB more heap.
 */
export interface TransportHandlers<O> {
  /** Each received message other than a `HatChatter.Ping` or `HatChatter.Pong`. */
  onMessage(owner: O, wire: HatChatter.Msg): void;
  /**
   * The socket's write buffer fell below `writeBufferLimit` (see `isBlocked`): sends that
   * waited for it may go on.
   */
  onWritable(owner: O): void;
  /** Called once when the transport starts closing, before the socket is ended or destroyed. */
  onClosing(owner: O, reason: Error | null): void;
  /** Takes the next message id for a ping or pong: they are numbered with the connection's messages. */
  takeId(owner: O): number;
}

/** What operations on a closed connection reject with (`reason`: why it closed, if not cleanly). */
export function closedError(reason: Error | null): ConnectionClosedError {
  return new ConnectionClosedError('connection closed', reason ? { cause: reason } : undefined);
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

/**
 * Chatter transport over one connected TCP or TLS socket: frames sent in the same tick are
 * encoded into one buffer and written with one socket write; incoming frames are split and
 * decoded; `HatChatter.Ping`/`Pong` keep the connection alive; the socket's write buffer,
 * reading pauses and the close of the socket are managed here. Conversations, ids and the
 * receive queue belong to the `Connection` above.
 */
export class Transport<O> implements BudgetHolder {
  readonly info: ConnectionInfo;
  /** Resolves once the socket is closed, whatever the reason (see `closeReason`). */
  readonly closed: Promise<void>;
  /** Why the transport closed: `null` for a local `close()` or a clean end by the peer. */
  closeReason: Error | null = null;

  private readonly logger: Logger;
  private readonly pingDelay: number;
  private readonly pingTimeout: number;
  private readonly sendQueueSize: number;
  private readonly writeBufferLimit: number;
  private readonly closeTimeout: number;
  private readonly maxMessageSize: number;

  // Taken on the first send and given back after a flush of a single frame, so an idle or
  // request/response connection holds no writer between messages (a 64 KiB writer per
  // connection made an idle connection cost ~51 KiB instead of ~10); a connection sending
  // batches keeps it, grown to its batch size. Given-back writers are reused by any connection
  // (allocating one per message cost request/response round trips ~30 %).
  private writerInstance: SbsWriter | undefined;
  private readonly decoder: FrameDecoder;
  private readonly reader = new ViewReader();

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

  private pendingFrames = 0;
  private flushScheduled = false;
  private blocked = false;

  /** Reading paused by the connection (its receive queue is full). */
  private receivePaused = false;
  /** Reading paused because a pong had to be sent while the peer does not read what we write. */
  private pongPaused = false;

  private lastReceive = 0;
  private receivedFrame = false;
  private awaitingPong = false;
  private pingTimer: NodeJS.Timeout | undefined;

  private closing = false;
  private resolveClosed!: () => void;
  /** Bytes of an unfinished frame last reported to the budget. */
  private accounted = 0;

  constructor(
    private readonly socket: Socket,
    options: TransportOptions,
    /** A server's `maxBufferedBytes` budget, told of the bytes of unfinished frames held. */
    private readonly budget: BufferBudget | null,
    private readonly handlers: TransportHandlers<O>,
    private readonly owner: O,
  ) {
    this.logger = options.logger ?? noopLogger;
    this.pingDelay = options.pingDelay ?? (options.pingDelay === null ? 0 : 20_000);
    this.pingTimeout = options.pingTimeout ?? 20_000;
    this.sendQueueSize = Math.max(1, options.sendQueueSize ?? 1024);
    this.writeBufferLimit = options.writeBufferLimit ?? 1024 * 1024;
    this.closeTimeout = options.closeTimeout ?? 1000;
    this.maxMessageSize =
      aliasedOption(options, 'maxMessageSize', 'maxFrameSize') ?? 64 * 1024 * 1024;
    this.decoder = new FrameDecoder(this.maxMessageSize, (body) => this.onBody(body));
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

  /** True until the transport starts closing. */
  get isOpen(): boolean {
    return !this.closing;
  }

  /** The socket holds more unwritten bytes than `writeBufferLimit`: hold sends until `onWritable`. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Reading is paused by `pauseReceive` (not by pongs). */
  get isReceivePaused(): boolean {
    return this.receivePaused;
  }

  /** Bytes received of a frame not yet complete (0 once closing). */
  get bufferedBytes(): number {
    return this.closing ? 0 : this.decoder.buffered;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Encodes `msg` as one frame into the current batch, written at the end of the tick (or at
   * once when the batch is full). Throws `SbsEncodeError` or `FrameTooLargeError` with nothing
   * written.
   */
  write(msg: HatChatter.Msg): void {
    const w = this.writer;
    const start = w.pos;
    // The header goes before the body, whose length is known only after encoding: reserve
    // room for the largest length the body can have, then close the gap if it was smaller.
    const reserved =
      1 + lengthSize(msg.data.data.length + 3 * msg.data.type.length + BODY_OVERHEAD);
    w.ensure(reserved);
    w.pos = start + reserved;
    try {
      HatChatter.Msg.write(w, msg);
    } catch (e) {
      w.pos = start;
      throw e;
    }
    const k = w.pos - start - reserved;
    if (k > this.maxMessageSize) {
      // A peer with the same limit would drop the connection; refuse this one message instead.
      w.pos = start;
      throw new FrameTooLargeError(k, this.maxMessageSize);
    }
    const m = lengthSize(k);
    if (1 + m < reserved) {
      w.buf.copyWithin(start + 1 + m, start + reserved, w.pos);
      w.pos -= reserved - 1 - m;
    }
    writeHeader(w.buf, start, m, k);

    if (++this.pendingFrames >= this.sendQueueSize || w.pos >= FLUSH_BYTES) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.onFlushTimer);
    }
  }

  /** Sends a `HatChatter.Ping` now, in a new conversation. */
  ping(): void {
    this.writeControl(PING_DATA, undefined, true, false);
  }

  /** Writes the batch, then resolves once everything written so far was handed to the operating system. */
  drain(): Promise<void> {
    this.flush();
    if (this.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // An empty write's callback runs once everything written before it was flushed.
      this.socket.write(EMPTY, (e) =>
        e || this.closeReason ? reject(closedError(this.closeReason)) : resolve(),
      );
    });
  }

  /** A ping or pong: `first` undefined opens a new conversation. */
  private writeControl(data: Data, first: number | undefined, owner: boolean, last: boolean): void {
    const id = this.handlers.takeId(this.owner);
    this.write({ id, first: first ?? id, owner, token: true, last, data });
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
      if (!this.receivePaused && !this.closing) this.socket.resume();
    }
    if (!this.closing) this.handlers.onWritable(this.owner);
  }

  // ---------------------------------------------------------------- receiving

  /** Stops reading from the socket until `resumeReceive`. */
  pauseReceive(): void {
    this.receivePaused = true;
    this.socket.pause();
  }

  resumeReceive(): void {
    this.receivePaused = false;
    if (!this.pongPaused && !this.closing) this.socket.resume();
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
      this.writeControl(PONG_DATA, wire.first, !wire.owner, true);
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
    this.handlers.onMessage(this.owner, wire);
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
    this.ping();
    this.awaitingPong = true;
    this.armPing(this.pingTimeout);
  };

  private readonly onPingDeadline = (): void => {
    if (!this.closing && this.awaitingPong) this.shutdown(new PingTimeoutError());
  };

  // ---------------------------------------------------------------- closing

  /** Writes what is queued and ends the socket; destroys it if the peer has not closed its side after `closeTimeout`. */
  close(): void {
    this.shutdown(null);
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

    this.handlers.onClosing(this.owner, reason);

    const socket = this.socket;
    if (reason !== null || socket.destroyed) {
      this.releaseWriter();
      socket.destroy();
      return;
    }
    this.flush();
    socket.end();
    if (this.receivePaused || this.pongPaused) socket.resume(); // so the peer's end is seen
    const timer = setTimeout(() => socket.destroy(), this.closeTimeout);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}
