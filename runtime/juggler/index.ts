export {
  connect,
  Client,
  type ClientOptions,
  type Notification,
  type WebSocketConstructor,
} from './client.js';
export { listen, Server, type ServerOptions, type HttpRouteHandler } from './server.js';
export { Connection, type RequestHandler } from './connection.js';
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
export { jsonEquals, type JsonValue, type JsonObject } from './json.js';
export { Htpasswd } from './htpasswd.js';
export { apr1 } from './apr1.js';
export { Transport, transportDefaults, type TransportOptions } from './transport.js';
export type { FrameSocket, FrameSocketHandlers } from './socket.js';
export type { Logger, LogFields } from './logger.js';
export {
  JugglerBaseError,
  JugglerError,
  ConnectionClosedError,
  ProtocolError,
  PingTimeoutError,
  ConnectError,
  PatchError,
  HtpasswdError,
  QueueOverflowError,
} from './errors.js';
