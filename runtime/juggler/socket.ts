/**
 * The minimal WebSocket surface the transport needs, implemented over `ws`
 * (Node, `node-socket.ts`) and over the WHATWG WebSocket (browsers,
 * `browser-socket.ts`), so that the transport itself has no platform imports.
 */
export interface FrameSocket {
  /** Sends one text frame: `header` (one ASCII character) followed by `body`. */
  send(header: string, body: string): void;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Resolves once `bufferedAmount <= lowWater` or the socket closed. */
  waitDrain(lowWater: number): Promise<void>;
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
  /** Stops/resumes reading from the network (receive backpressure); optional. */
  pause?(): void;
  resume?(): void;
  /** Installs the receive callbacks; called once by the transport. */
  bind(handlers: FrameSocketHandlers): void;
}

export interface FrameSocketHandlers {
  text(frame: string): void;
  binary(): void;
  close(code: number, reason: string): void;
  error(err: Error): void;
  /**
   * Bytes read from the network for frames not yet delivered changed by
   * `delta` (reported by sockets that can see them, for the server's
   * `maxBufferedBytes`).
   */
  pending?(delta: number): void;
}

/**
 * Receive callbacks for a `FrameSocket` that holds events until `bind`:
 * frames can arrive in the same TCP chunk as the handshake response, before
 * the transport exists. Once bound, events go straight through.
 */
export class HandlerRelay implements FrameSocketHandlers {
  private handlers: FrameSocketHandlers | null = null;
  private held: ((h: FrameSocketHandlers) => void)[] = [];

  bind(handlers: FrameSocketHandlers): void {
    this.handlers = handlers;
    const held = this.held;
    this.held = [];
    for (const event of held) event(handlers);
  }

  text(frame: string): void {
    if (this.handlers) this.handlers.text(frame);
    else this.held.push((h) => h.text(frame));
  }

  binary(): void {
    if (this.handlers) this.handlers.binary();
    else this.held.push((h) => h.binary());
  }

  close(code: number, reason: string): void {
    if (this.handlers) this.handlers.close(code, reason);
    else this.held.push((h) => h.close(code, reason));
  }

  error(err: Error): void {
    if (this.handlers) this.handlers.error(err);
    else this.held.push((h) => h.error(err));
  }

  pending(delta: number): void {
    if (this.handlers) this.handlers.pending?.(delta);
    else this.held.push((h) => h.pending?.(delta));
  }
}
