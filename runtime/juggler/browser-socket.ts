import { HandlerRelay, type FrameSocket, type FrameSocketHandlers } from './socket.js';

/** Subset of the WHATWG WebSocket used here (also satisfied by `ws`'s WebSocket). */
export interface WhatwgWebSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: never) => void): void;
}

const CLOSED = 3;
/** Browsers have no drain event; bufferedAmount is polled at this interval while waiting. */
const DRAIN_POLL_MS = 5;

/** `FrameSocket` over a browser (WHATWG) WebSocket. */
export class BrowserFrameSocket implements FrameSocket {
  private readonly ws: WhatwgWebSocket;
  private readonly events = new HandlerRelay();

  constructor(ws: WhatwgWebSocket) {
    this.ws = ws;
    const events = this.events;
    ws.addEventListener('message', (event: { data: unknown }) => {
      if (typeof event.data === 'string') events.text(event.data);
      else events.binary();
    });
    ws.addEventListener('close', (event: { code: number; reason: string }) =>
      events.close(event.code, event.reason),
    );
    ws.addEventListener('error', () => events.error(new Error('WebSocket error')));
  }

  bind(handlers: FrameSocketHandlers): void {
    this.events.bind(handlers);
  }

  send(header: string, body: string): void {
    this.ws.send(header + body);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  waitDrain(lowWater: number): Promise<void> {
    return new Promise((resolve) => {
      const poll = (): void => {
        if (this.ws.readyState === CLOSED || this.ws.bufferedAmount <= lowWater) resolve();
        else setTimeout(poll, DRAIN_POLL_MS);
      };
      poll();
    });
  }

  close(code?: number, reason?: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // WHATWG WebSockets accept only 1000 and 3000-4999 and throw on the
      // 1002/1011 sent for protocol/internal errors; the throw left the socket
      // open and the transport waiting for a close that never came.
      this.ws.close();
    }
  }

  terminate(): void {
    this.ws.close();
  }
}
