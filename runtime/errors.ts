// The errors Chatter, Juggler and Eventer share, and the base every runtime error class extends.
// One class per idea, so `instanceof ConnectionClosedError` holds whichever protocol closed: a
// caller using Eventer over Chatter, or Juggler beside it, catches one class, not three.
// The shared classes extend HatError only, not a protocol root (ChatterError, JugglerBaseError,
// EventerError), because one class cannot belong to three roots.

/**
 * Base of every error class the runtime's protocols define. `code` is stable across releases
 * (messages are not), so programs branch on `code` or on the class, never on the text.
 */
export abstract class HatError extends Error {
  abstract readonly code: string;
}

/**
 * `send`, `receive`, a request or a reply wait on a connection that is closed or closes while
 * waiting. `cause` is why the connection closed, when it closed because of an error.
 */
export class ConnectionClosedError extends HatError {
  override name = 'ConnectionClosedError';
  readonly code: string = 'connection-closed';
  constructor(message = 'connection closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The peer broke the protocol: bad framing, an undecodable body or an unexpected message. */
export class ProtocolError extends HatError {
  override name = 'ProtocolError';
  readonly code: string = 'protocol';
}

/** Nothing arrived within `pingTimeout` after a ping. */
export class PingTimeoutError extends HatError {
  override name = 'PingTimeoutError';
  readonly code: string = 'ping-timeout';
  constructor() {
    super('ping timeout');
  }
}

/**
 * A server's connections together held more bytes of unfinished frames or messages than its
 * `maxBufferedBytes`: the connection holding the most was closed with this reason.
 */
export class BufferLimitError extends HatError {
  override name = 'BufferLimitError';
  readonly code: string = 'buffer-limit';
  constructor(
    /** Bytes of unfinished input the closed connection held. */
    readonly buffered: number,
    /** Bytes held by all the server's connections together when the limit was passed. */
    readonly total: number,
    readonly limit: number,
  ) {
    super(
      `${total} bytes of unfinished input on this server exceed maxBufferedBytes (${limit} bytes); closing the connection holding the most (${buffered} bytes)`,
    );
  }
}
