/**
 * The minimal WebSocket surface the transport needs, implemented over `ws`
 * (Node, `node-socket.ts`) and over the WHATWG WebSocket (browsers,
 * `browser-socket.ts`), so that the transport itself has no platform imports.
 */
export interface FrameSocket {
  /** Sends one text frame. */
  send(frame: string): void;
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
}
