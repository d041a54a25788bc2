/** Base class of every error the Chatter runtime produces itself. */
export class ChatterError extends Error {
  override name = 'ChatterError';
}

/**
 * `send`, `receive`, `drain` or a reply wait on a connection that is closed or closes
 * while waiting. `cause` is why the connection closed, when it closed because of an error.
 */
export class ConnectionClosedError extends ChatterError {
  override name = 'ConnectionClosedError';
  constructor(message = 'connection closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The peer broke the framing or sent a body that is not a valid `HatChatter.Msg`. */
export class ProtocolError extends ChatterError {
  override name = 'ProtocolError';
}

/**
 * A frame body larger than `maxFrameSize`: announced by the peer (the connection closes; nothing
 * of that size was allocated) or passed to `send` (that send rejects; the connection stays open).
 */
export class FrameTooLargeError extends ProtocolError {
  override name = 'FrameTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    // A header of up to 255 length bytes can announce more than a double holds exactly.
    const what = Number.isSafeInteger(size) ? `${size} bytes` : 'more than 2^53 bytes';
    super(`frame body of ${what} exceeds maxFrameSize (${limit} bytes)`);
  }
}

/**
 * A server's connections together held more bytes of unfinished frames than its
 * `maxBufferedBytes`: the connection holding the most was closed with this reason.
 */
export class BufferLimitError extends ChatterError {
  override name = 'BufferLimitError';
  constructor(
    /** Bytes of an unfinished frame the closed connection held. */
    readonly buffered: number,
    /** Bytes held by all the server's connections together when the limit was passed. */
    readonly total: number,
    readonly limit: number,
  ) {
    super(
      `${total} bytes of unfinished frames on this server exceed maxBufferedBytes (${limit} bytes); closing the connection holding the most (${buffered} bytes)`,
    );
  }
}

/** Nothing arrived within `pingTimeout` after a ping. */
export class PingTimeoutError extends ChatterError {
  override name = 'PingTimeoutError';
  constructor() {
    super('ping timeout');
  }
}

/** A reply wait (`waitReply`, `request`) ran past its timeout. */
export class ReplyTimeoutError extends ChatterError {
  override name = 'ReplyTimeoutError';
  constructor(readonly timeout: number) {
    super(`no reply within ${timeout} ms`);
  }
}

/** A typed decode found a message of another type than expected. */
export class UnexpectedTypeError extends ChatterError {
  override name = 'UnexpectedTypeError';
  constructor(
    readonly type: string,
    readonly expected: readonly string[],
  ) {
    super(
      `unexpected message type ${JSON.stringify(type)}, expected ${expected.map((e) => JSON.stringify(e)).join(' or ')}`,
    );
  }
}
