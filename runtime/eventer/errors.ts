/** Base class of every error the Eventer runtime produces itself. */
export class EventerError extends Error {
  override name = 'EventerError';
}

/** The server refused the client's `MsgInitReq`; `message` is the server's text. */
export class EventerInitError extends EventerError {
  override name = 'EventerInitError';
}

/** The peer broke the Eventer protocol (unexpected message type, conversation or payload). */
export class EventerProtocolError extends EventerError {
  override name = 'EventerProtocolError';
}

/**
 * A query event type with `*` anywhere but in the last position. The message is hat's
 * (`invalid query event type`), so a server's init error text matches the Python one.
 */
export class InvalidQueryTypeError extends EventerError {
  override name = 'InvalidQueryTypeError';
  constructor(readonly queryType: readonly string[]) {
    super('invalid query event type');
  }
}

/** A value that cannot be carried by the protocol (e.g. a JSON payload that is not JSON). */
export class EventerValueError extends EventerError {
  override name = 'EventerValueError';
}
