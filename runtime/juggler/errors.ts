import { HatError } from '../errors.js';
import type { JsonValue } from '../json-value.js';

// ConnectionClosedError, ProtocolError, PingTimeoutError and BufferLimitError are shared with
// Chatter and Eventer (../errors.ts) and extend HatError, not JugglerBaseError.
export {
  ConnectionClosedError,
  ProtocolError,
  PingTimeoutError,
  BufferLimitError,
} from '../errors.js';

/** Base class of the errors only the Juggler runtime produces. */
export class JugglerBaseError extends HatError {
  override name = 'JugglerBaseError';
  readonly code: string = 'juggler';
}

/**
 * A request answered with `success: false`. `data` is the server's response
 * data (for hat servers: the exception text).
 */
export class JugglerRequestError extends JugglerBaseError {
  // The name it had as JugglerError, so logs and `name` checks read as before.
  override name = 'JugglerError';
  override readonly code: string = 'request-failed';
  constructor(readonly data: JsonValue) {
    super(typeof data === 'string' ? data : JSON.stringify(data));
  }
}

/** @deprecated Use {@link JugglerRequestError} (the same class). */
export const JugglerError = JugglerRequestError;
/** @deprecated Use {@link JugglerRequestError} (the same class). */
export type JugglerError = JugglerRequestError;

/** The WebSocket could not be opened (refused, TLS failure, HTTP status such as 401). */
export class ConnectError extends JugglerBaseError {
  override name = 'ConnectError';
  override readonly code: string = 'connect';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A JSON Patch that cannot be applied, or an invalid JSON path. */
export class PatchError extends JugglerBaseError {
  override name = 'PatchError';
  override readonly code: string = 'patch';
}

/** The htpasswd file is unreadable or holds an unsupported hash. */
export class HtpasswdError extends JugglerBaseError {
  override name = 'HtpasswdError';
  override readonly code: string = 'htpasswd';
}

/** A bounded receive buffer (e.g. notifications not consumed) overflowed. */
export class QueueOverflowError extends JugglerBaseError {
  override name = 'QueueOverflowError';
  override readonly code: string = 'queue-overflow';
}
