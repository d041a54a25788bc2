import { HatError, ProtocolError } from '../errors.js';

// ConnectionClosedError, ProtocolError, PingTimeoutError and BufferLimitError are shared with
// Juggler and Eventer (../errors.ts) and extend HatError, not ChatterError.
export {
  ConnectionClosedError,
  ProtocolError,
  PingTimeoutError,
  BufferLimitError,
} from '../errors.js';

/** Base class of the errors only the Chatter runtime produces. */
export class ChatterError extends HatError {
  override name = 'ChatterError';
  readonly code: string = 'chatter';
}

/**
 * A frame body larger than `maxMessageSize`: announced by the peer (the connection closes; nothing
 * of that size was allocated) or passed to `send` (that send rejects; the connection stays open).
 */
export class FrameTooLargeError extends ProtocolError {
  override name = 'FrameTooLargeError';
  override readonly code: string = 'frame-too-large';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    // A header of up to 255 length bytes can announce more than a double holds exactly.
    const what = Number.isSafeInteger(size) ? `${size} bytes` : 'more than 2^53 bytes';
    super(`frame body of ${what} exceeds maxMessageSize (${limit} bytes)`);
  }
}

/** A reply wait (`waitReply`, `request`) ran past its timeout. */
export class ReplyTimeoutError extends ChatterError {
  override name = 'ReplyTimeoutError';
  override readonly code: string = 'reply-timeout';
  constructor(readonly timeout: number) {
    super(`no reply within ${timeout} ms`);
  }
}

/** A typed decode found a message of another type than expected. */
export class UnexpectedTypeError extends ChatterError {
  override name = 'UnexpectedTypeError';
  override readonly code: string = 'unexpected-type';
  constructor(
    readonly type: string,
    readonly expected: readonly string[],
  ) {
    super(
      `unexpected message type ${JSON.stringify(type)}, expected ${expected.map((e) => JSON.stringify(e)).join(' or ')}`,
    );
  }
}
