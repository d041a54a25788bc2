import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { HandlerRelay, type FrameSocket, type FrameSocketHandlers } from './socket.js';

/**
 * `FrameSocket` over a `ws` WebSocket. `ws` has no `drain` event (maintainers
 * point to the send callback, websockets/ws#2009), so drain waiters are woken
 * from send callbacks once `bufferedAmount` is low enough.
 */
export class NodeFrameSocket implements FrameSocket {
  private readonly ws: WebSocket;
  private drainWaiters: { lowWater: number; resolve: () => void }[] = [];
  private closed = false;
  private readonly onSent = (): void => {
    if (this.drainWaiters.length > 0) this.wakeDrainWaiters();
  };

  private readonly events = new HandlerRelay();
  /** Bytes read from `raw` since the last message was delivered. */
  private pending = 0;

  /**
   * With `raw` (the socket under `ws`), the bytes of frames `ws` buffers until
   * a message is complete are reported through the `pending` handler. They
   * are counted from each chunk read until the next message: `ws` delivers
   * messages synchronously from its own (later) data listener, so the count
   * misses at most the tail of the chunk that completed a message.
   */
  constructor(ws: WebSocket, raw?: Duplex) {
    this.ws = ws;
    const events = this.events;
    raw?.prependListener('data', (chunk: Buffer) => {
      this.pending += chunk.length;
      events.pending(chunk.length);
    });
    ws.on('message', (data, isBinary) => {
      this.release(this.pending);
      if (isBinary) events.binary();
      else events.text(Array.isArray(data) ? Buffer.concat(data).toString() : data.toString());
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      this.wakeDrainWaiters();
      events.close(code, reason.toString());
    });
    ws.on('error', (err) => events.error(err));
    if (raw) {
      // Control frames may come between the fragments of a message, so they
      // give back only their own size (a client frame's header is 6 bytes);
      // otherwise a peer sending only pings would count as holding a message.
      const control = (data: Buffer): void => this.release(data.length + 6);
      ws.on('ping', control);
      ws.on('pong', control);
    }
  }

  private release(bytes: number): void {
    const n = Math.min(bytes, this.pending);
    if (n <= 0) return;
    this.pending -= n;
    this.events.pending(-n);
  }

  bind(handlers: FrameSocketHandlers): void {
    this.events.bind(handlers);
  }

  send(header: string, body: string): void {
    // Encoded straight into the frame's buffer: `header + body` is a rope that
    // ws would flatten (a heap copy of the body, per frame) before encoding it.
    const length = Buffer.byteLength(body);
    const frame = Buffer.allocUnsafe(length + 1);
    frame.write(header, 0, 1, 'latin1');
    frame.write(body, 1, length, 'utf8');
    this.ws.send(frame, { binary: false }, this.onSent);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  waitDrain(lowWater: number): Promise<void> {
    if (this.closed || this.ws.bufferedAmount <= lowWater) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ lowWater, resolve }));
  }

  private wakeDrainWaiters(): void {
    const buffered = this.ws.bufferedAmount;
    const waiting = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiting) {
      if (this.closed || buffered <= w.lowWater) w.resolve();
      else this.drainWaiters.push(w);
    }
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}
