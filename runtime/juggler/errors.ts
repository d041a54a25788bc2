import type { JsonValue } from '../json-value.js';

/** Base class of every error thrown by the Juggler runtime. */
export class JugglerBaseError extends Error {
  override name = 'JugglerBaseError';
}

/**
 * A request answered with `success: false`. `data` is the server's response
 * data (for hat servers: the exception text).
 */
export class JugglerError extends JugglerBaseError {
  override name = 'JugglerError';
  constructor(readonly data: JsonValue) {
    super(typeof data === 'string' ? data : JSON.stringify(data));
  }
}

/** Operation on a connection that is closed (or closed while waiting). */
export class ConnectionClosedError extends JugglerBaseError {
  override name = 'ConnectionClosedError';
  constructor(message = 'connection closed') {
    super(message);
  }
}

/** The peer violated the Juggler protocol (bad frame, bad JSON, unknown message). */
export class ProtocolError extends JugglerBaseError {
  override name = 'ProtocolError';
}

/** No frame arrived within `pingTimeout` after a ping. */
export class PingTimeoutError extends JugglerBaseError {
  override name = 'PingTimeoutError';
  constructor() {
    super('ping timeout');
  }
}

/** The WebSocket could not be opened (refused, TLS failure, HTTP status such as 401). */
export class ConnectError extends JugglerBaseError {
  override name = 'ConnectError';
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
}

/** The htpasswd file is unreadable or holds an unsupported hash. */
export class HtpasswdError extends JugglerBaseError {
  override name = 'HtpasswdError';
}

/** A bounded receive buffer (e.g. notifications not consumed) overflowed. */
export class QueueOverflowError extends JugglerBaseError {
  override name = 'QueueOverflowError';
}

/**
 * The server's `maxBufferedBytes` (incoming bytes of unfinished messages, all
 * connections together) was exceeded and this connection held the most; it is
 * closed with WebSocket code 1009.
 */
export class BufferLimitError extends JugglerBaseError {
  override name = 'BufferLimitError';
}
