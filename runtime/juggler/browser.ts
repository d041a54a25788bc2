// Browser entry of `hat-open-ts/juggler` (the package's "browser" export
// condition): the client, store and patch code without the Node-only server.
export {
  connect,
  Client,
  type ClientOptions,
  type Notification,
  type WebSocketConstructor,
} from './client.js';
export {
  JsonStore,
  getIn,
  type JsonPath,
  type ReadonlyJsonStore,
  type ChangeListener,
} from './store.js';
export {
  diff,
  applyPatch,
  parsePointer,
  escapePointerToken,
  type JsonPatch,
  type JsonPatchOp,
} from './patch.js';
export { jsonEquals, type JsonValue, type JsonObject } from '../json-value.js';
export type { Logger, LogFields } from '../logger.js';
export { HatError } from '../errors.js';
export {
  JugglerBaseError,
  JugglerRequestError,
  JugglerError,
  ConnectionClosedError,
  ProtocolError,
  PingTimeoutError,
  ConnectError,
  PatchError,
  QueueOverflowError,
} from './errors.js';
