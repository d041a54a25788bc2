import { HatError } from '../errors.js';

/**
 * Base class of the errors only the Eventer runtime produces. A closed connection rejects with
 * the shared ConnectionClosedError (../errors.ts), which extends HatError, not EventerError.
 */
export class EventerError extends HatError {
  override name = 'EventerError';
  readonly code: string = 'eventer';
}

/** The server refused the client's `MsgInitReq`; `message` is the server's text. */
export class EventerInitError extends EventerError {
  override name = 'EventerInitError';
  override readonly code: string = 'init-refused';
}

/** The peer broke the Eventer protocol (unexpected message type, conversation or payload). */
export class EventerProtocolError extends EventerError {
  override name = 'EventerProtocolError';
  override readonly code: string = 'eventer-protocol';
}

/**
 * A query event type with `*` anywhere but in the last position. The message is hat's
 * (`invalid query event type`), so a server's init error text matches the Python one.
 */
export class InvalidQueryTypeError extends EventerError {
  override name = 'InvalidQueryTypeError';
  override readonly code: string = 'invalid-query-type';
  constructor(readonly queryType: readonly string[]) {
    super('invalid query event type');
  }
}

/** A value that cannot be carried by the protocol (e.g. a JSON payload that is not JSON). */
export class EventerValueError extends EventerError {
  override name = 'EventerValueError';
  override readonly code: string = 'eventer-value';
}
