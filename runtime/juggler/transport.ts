import type { BudgetHolder, BufferBudget } from '../buffer-budget.js';
import {
  BufferLimitError,
  ConnectionClosedError,
  PingTimeoutError,
  ProtocolError,
} from './errors.js';
import type { Logger } from '../logger.js';
import type { FrameSocket } from './socket.js';
import { Fifo } from '../fifo.js';
import { aliasedOption, checkDelay, checkOption } from '../options.js';

export interface TransportOptions {
  /** Max UTF-16 code units of JSON per frame (the header char comes on top). */
  maxSegmentSize: number;
  /** Ms without any received frame before a ping is sent; null disables pings. */
  pingDelay: number | null;
  /** Ms to wait for any frame after a ping before the connection is dropped. */
  pingTimeout: number;
  /** Max encoded messages waiting to be written; `send` waits for space beyond it. */
  sendQueueSize: number;
  /** Max UTF-16 code units of one reassembled incoming message. */
  maxMessageSize: number;
  /** Bytes buffered in the socket above which the writer waits for drain. */
  writeBufferLimit: number;
  /**
   * @internal The server's `maxBufferedBytes` budget, shared by all its
   * transports: frames the socket holds, segments of an unfinished message and
   * messages not yet released by their owner (2 bytes per UTF-16 code unit).
   */
  receiveBudget?: BufferBudget | null;
  logger: Logger;
}

export const transportDefaults = {
  maxSegmentSize: 64 * 1024,
  pingDelay: 30_000,
  pingTimeout: 30_000,
  sendQueueSize: 1024,
  maxMessageSize: 64 * 1024 * 1024,
  writeBufferLimit: 1024 * 1024,
  /** @deprecated Use `writeBufferLimit` (the same default). */
  highWaterMark: 1024 * 1024,
} as const;

/** What `transportOptions` takes: the options, each optional, and the deprecated aliases. */
export type TransportOptionsInput = Partial<Omit<TransportOptions, 'logger'>> & {
  /** @deprecated Use `writeBufferLimit`; giving both with different values is a TypeError. */
  highWaterMark?: number;
};

/**
 * `TransportOptions` from a client's or server's options, defaults filled in.
 * Throws RangeError for values the transport cannot work with, so `listen`
 * and `connect` reject up front instead of failing on every connection.
 */
export function transportOptions(opts: TransportOptionsInput, logger: Logger): TransportOptions {
  const result = {
    maxSegmentSize: opts.maxSegmentSize ?? transportDefaults.maxSegmentSize,
    // null disables pings, so only undefined takes the default
    pingDelay: opts.pingDelay === undefined ? transportDefaults.pingDelay : opts.pingDelay,
    pingTimeout: opts.pingTimeout ?? transportDefaults.pingTimeout,
    sendQueueSize: opts.sendQueueSize ?? transportDefaults.sendQueueSize,
    maxMessageSize: opts.maxMessageSize ?? transportDefaults.maxMessageSize,
    writeBufferLimit:
      aliasedOption(opts, 'writeBufferLimit', 'highWaterMark') ??
      transportDefaults.writeBufferLimit,
    logger,
  };
  checkTransportOptions(result);
  return result;
}

function checkTransportOptions(opts: TransportOptions): void {
  checkOption('maxSegmentSize', opts.maxSegmentSize, 2, true);
  checkOption('sendQueueSize', opts.sendQueueSize, 1, true);
  checkOption('maxMessageSize', opts.maxMessageSize, 1);
  checkOption('writeBufferLimit', opts.writeBufferLimit, 0);
  if (opts.pingDelay !== null) checkDelay('pingDelay', opts.pingDelay);
  checkDelay('pingTimeout', opts.pingTimeout);
}

const HEADER_LAST = 0x30; // '0'
const HEADER_MORE = 0x31; // '1'
const HEADER_PING = 0x32; // '2'
const HEADER_PONG = 0x33; // '3'

/** Ms an evicted connection has to take its close frame before it is dropped. */
const EVICT_GRACE = 1000;

/** Incoming segments merged into one string at a time (see receiveSegment). */
const SEGMENT_BATCH = 256;

type Timer = ReturnType<typeof setTimeout>;

function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Juggler transport over one WebSocket: JSON messages split into `'1'`/`'0'`
 * segments, `'2'`/`'3'` ping/pong keep-alive, a bounded send queue written
 * with socket backpressure, and reassembly of incoming segments.
 *
 * Segments are sized in UTF-16 code units (as the hat JS client does) and a
 * segment never ends on a high surrogate, so astral characters survive
 * (the hat JS client can split them; hat's Python peer counts code points).
 */
export class Transport implements BudgetHolder {
  private readonly socket: FrameSocket;
  private readonly opts: TransportOptions;
  private readonly onMessage: (msg: unknown, size: number) => void;
  private readonly onClose: (error: Error | undefined) => void;
  private readonly onClosing: ((error: Error | undefined) => void) | undefined;

  private readonly queue = new Fifo<string>();
  private current: string | null = null;
  private currentPos = 0;
  private writerBlocked = false;
  /** Reading paused by the owner (request backpressure) / until pongs drain. */
  private receivePaused = false;
  private pongPaused = false;
  /** `send`s waiting for a queue slot and `waitSpace` callers (which take no slot) in arrival order. */
  private spaceWaiters: { resolve: () => void; reject: (e: Error) => void; takesSlot: boolean }[] =
    [];

  private parts: string[] = [];
  private partsLength = 0;
  /** Bytes of parts charged to the receive budget. */
  private partsCharged = 0;
  /** Trailing entries of parts not yet merged (see receiveSegment). */
  private unmergedParts = 0;

  private lastReceived = Date.now();
  private pingSentAt = 0;
  private pingPending = false;
  private timer: Timer | null = null;

  private closing = false;
  private finished = false;
  private closeError: Error | undefined;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: FrameSocket,
    opts: TransportOptions,
    /**
     * Each incoming message. With a `receiveBudget`, `size` bytes stay charged
     * to this transport until the owner calls `releaseReceived(size)` (once
     * the message is handled).
     */
    onMessage: (msg: unknown, size: number) => void,
    onClose: (error: Error | undefined) => void,
    /**
     * Called once as soon as the transport stops receiving (close started by
     * either side), before `onClose`, which waits for the socket to close: a
     * peer that never answers the closing handshake delays that by `ws`'s 30 s
     * close timeout (in browsers, the browser's).
     */
    onClosing?: (error: Error | undefined) => void,
  ) {
    checkTransportOptions(opts);
    this.socket = socket;
    this.opts = opts;
    this.onMessage = onMessage;
    this.onClose = onClose;
    this.onClosing = onClosing;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.bind({
      text: (frame) => this.receive(frame),
      binary: () => this.fail(new ProtocolError('binary frame received')),
      close: () => this.finish(),
      error: (err) => {
        opts.logger.debug('juggler socket error', { error: err.message });
      },
      pending: (delta) => {
        if (!this.closing) opts.receiveBudget?.add(this, delta);
      },
    });
    this.armTimer(opts.pingDelay);
  }

  get isOpen(): boolean {
    return !this.closing;
  }

  /** Error that closed the transport (undefined for a normal close). */
  get error(): Error | undefined {
    return this.closeError;
  }

  /** Encoded messages queued and not yet fully written. */
  get queueLength(): number {
    return this.queue.length + (this.current === null ? 0 : 1);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get isQueueFull(): boolean {
    return this.queueLength >= this.opts.sendQueueSize || this.spaceWaiters.length > 0;
  }

  /**
   * Queues a message encoded as JSON (see encode.ts); resolves once it is
   * queued (not written), waiting while the queue is full. Rejects with
   * `ConnectionClosedError` once closed.
   */
  async sendEncoded(text: string): Promise<void> {
    if (this.closing) throw new ConnectionClosedError();
    while (this.isQueueFull) {
      await new Promise<void>((resolve, reject) =>
        this.spaceWaiters.push({ resolve, reject, takesSlot: true }),
      );
      if (this.closing) throw new ConnectionClosedError();
      if (this.queueLength < this.opts.sendQueueSize) break;
    }
    this.enqueue(text);
  }

  /** Queues a message encoded as JSON only if there is room right now; returns whether it did. */
  trySendEncoded(json: string): boolean {
    if (!this.hasRoom()) return false;
    this.enqueue(json);
    return true;
  }

  /** Resolves when the queue has room (or the transport closed). */
  waitSpace(): Promise<void> {
    if (this.closing || !this.isQueueFull) return Promise.resolve();
    return new Promise<void>((resolve) =>
      this.spaceWaiters.push({ resolve, reject: () => resolve(), takesSlot: false }),
    );
  }

  pauseReceive(): void {
    this.receivePaused = true;
    this.socket.pause?.();
  }

  resumeReceive(): void {
    this.receivePaused = false;
    if (!this.pongPaused && !this.closing) this.socket.resume?.();
  }

  /** Gives back `size` bytes of a message (see `onMessage`) to the receive budget. */
  releaseReceived(size: number): void {
    if (size > 0 && !this.closing) this.opts.receiveBudget?.add(this, -size);
  }

  /** @internal Called by the server's receive budget: this connection holds the most. */
  evict(held: number, total: number, max: number): void {
    this.fail(new BufferLimitError(held, total, max));
  }

  /** Closes the WebSocket; `error` (if any) is reported as the close reason. */
  close(error?: Error): void {
    if (this.closing) return;
    this.closeError = error;
    this.markClosing();
    if (error instanceof PingTimeoutError) {
      this.socket.terminate();
    } else if (error instanceof BufferLimitError) {
      // Read nothing more (the peer was sending what overflows the budget) and
      // do not wait the closing handshake's usual timeout with a half-read frame.
      this.socket.close(1009, 'server receive budget exceeded');
      this.socket.pause?.();
      unref(setTimeout(() => this.socket.terminate(), EVICT_GRACE));
    } else {
      this.socket.close(error ? (error instanceof ProtocolError ? 1002 : 1011) : 1000);
    }
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.markClosing();
    this.socket.terminate();
  }

  private hasRoom(): boolean {
    if (this.closing) throw new ConnectionClosedError();
    return !this.isQueueFull;
  }

  private enqueue(text: string): void {
    this.queue.push(text);
    if (!this.writerBlocked) this.pump();
  }

  private pump(): void {
    const socket = this.socket;
    const max = this.opts.maxSegmentSize;
    while (!this.closing) {
      if (socket.bufferedAmount > this.opts.writeBufferLimit) {
        this.writerBlocked = true;
        void socket.waitDrain(this.opts.writeBufferLimit / 2).then(() => {
          this.writerBlocked = false;
          this.pump();
        });
        return;
      }
      if (this.current === null) {
        const next = this.queue.shift();
        if (next === undefined) break;
        this.current = next;
        this.currentPos = 0;
      }
      const text = this.current;
      const pos = this.currentPos;
      let end = pos + max;
      if (end >= text.length) {
        // slice(0) of a whole string is that string: a one-segment message is not copied
        socket.send('0', text.slice(pos));
        this.current = null;
        this.wakeOneWaiter();
      } else {
        if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
        socket.send('1', text.slice(pos, end));
        this.currentPos = end;
      }
    }
  }

  /**
   * Wakes waiters up to the first `send`: a `waitSpace` caller takes no slot,
   * and if it alone consumed the wake-up, a `send` behind it could wait for a
   * write that never comes (the queue may be empty by then).
   */
  private wakeOneWaiter(): void {
    for (;;) {
      const waiter = this.spaceWaiters.shift();
      if (waiter === undefined) return;
      waiter.resolve();
      if (waiter.takesSlot) return;
    }
  }

  /** Stops the timer, drops the send queue and fails its waiters (once). */
  private markClosing(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopTimer();
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w.reject(new ConnectionClosedError());
    this.queue.drain();
    this.current = null;
    this.parts = [];
    this.partsCharged = 0;
    this.opts.receiveBudget?.release(this);
    this.onClosing?.(this.closeError);
  }

  private receive(frame: string): void {
    if (this.closing) return;
    this.lastReceived = Date.now();
    const header = frame.charCodeAt(0);
    if (header === HEADER_LAST || header === HEADER_MORE) {
      this.receiveSegment(frame, header === HEADER_LAST);
    } else if (header === HEADER_PING) {
      // Written directly, not queued: a pong may sit between segments of a message.
      this.socket.send('3', frame.slice(1));
      if (this.socket.bufferedAmount > this.opts.writeBufferLimit) this.pauseForPongs();
    } else if (header !== HEADER_PONG) {
      this.fail(
        new ProtocolError(
          frame.length === 0 ? 'empty frame' : `unknown frame header ${JSON.stringify(frame[0])}`,
        ),
      );
    }
  }

  /**
   * A peer that pings without reading our pongs would otherwise grow the socket
   * buffer without bound (hat awaits each pong write in its receive loop):
   * stop reading until the buffer drains.
   */
  private pauseForPongs(): void {
    if (this.pongPaused || this.closing) return;
    this.pongPaused = true;
    this.socket.pause?.();
    void this.socket.waitDrain(this.opts.writeBufferLimit / 2).then(() => {
      this.pongPaused = false;
      if (!this.receivePaused && !this.closing) this.socket.resume?.();
    });
  }

  private receiveSegment(frame: string, last: boolean): void {
    this.partsLength += frame.length - 1;
    if (this.partsLength > this.opts.maxMessageSize) {
      this.fail(new ProtocolError(`message exceeds maxMessageSize (${this.opts.maxMessageSize})`));
      return;
    }
    if (!last) {
      if (frame.length === 1) return;
      this.parts.push(frame.slice(1));
      if (this.opts.receiveBudget) {
        this.partsCharged += 2 * (frame.length - 1);
        this.opts.receiveBudget.add(this, 2 * (frame.length - 1));
        if (this.closing) return; // evicted
      }
      // Each part costs tens of bytes besides its characters, so a peer sending
      // tiny segments would hold many times maxMessageSize in memory: merge
      // them in batches (each character is copied once more at most).
      if (++this.unmergedParts === SEGMENT_BATCH) {
        this.parts.push(this.parts.splice(-SEGMENT_BATCH).join(''));
        this.unmergedParts = 0;
      }
      return;
    }
    let text: string;
    if (this.parts.length === 0) {
      text = frame.slice(1);
    } else {
      this.parts.push(frame.slice(1));
      text = this.parts.join('');
      this.parts = [];
      // only the segments: earlier messages may still be charged, waiting for their handler
      this.opts.receiveBudget?.add(this, -this.partsCharged);
      this.partsCharged = 0;
    }
    this.partsLength = 0;
    this.unmergedParts = 0;
    // Requests waiting for their handler hold memory too (up to receiveQueueSize per
    // connection): the message stays charged until its owner releases it.
    const size = this.opts.receiveBudget ? 2 * text.length : 0;
    if (size > 0) {
      this.opts.receiveBudget?.add(this, size);
      if (this.closing) return; // evicted
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      this.fail(new ProtocolError(`invalid JSON: ${(err as Error).message}`));
      return;
    }
    try {
      this.onMessage(msg, size);
    } catch (err) {
      this.fail(err instanceof Error ? err : new ProtocolError(String(err)));
    }
  }

  private fail(error: Error): void {
    this.opts.logger.warn('juggler connection error', { error: error.message });
    this.close(error);
  }

  // Keep-alive: frames only stamp lastReceived; one timer re-checks lazily,
  // so the receive path never touches timers.
  private armTimer(delay: number | null): void {
    if (delay === null || this.closing) return;
    this.timer = unref(setTimeout(() => this.onTimer(), Math.max(0, delay)));
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    const pingDelay = this.opts.pingDelay;
    if (this.closing || pingDelay === null) return;
    const now = Date.now();
    if (this.pingPending) {
      if (this.lastReceived >= this.pingSentAt) {
        this.pingPending = false;
        this.armTimer(this.lastReceived + pingDelay - now);
      } else {
        this.fail(new PingTimeoutError());
      }
      return;
    }
    const idle = now - this.lastReceived;
    if (idle < pingDelay) {
      this.armTimer(pingDelay - idle);
      return;
    }
    this.pingPending = true;
    this.pingSentAt = now;
    this.socket.send('2', '');
    this.armTimer(this.opts.pingTimeout);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.markClosing();
    try {
      this.onClose(this.closeError);
    } finally {
      this.resolveClosed();
    }
  }
}
