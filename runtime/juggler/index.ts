// Node entry of `hat-open-ts/juggler`: the browser entry (client, store, patch, errors)
// plus the server side.
export * from './browser.js';
export {
  listen,
  Server,
  serverLimitDefaults,
  type ServerOptions,
  type HttpRouteHandler,
} from './server.js';
export { Connection, type RequestHandler } from './connection.js';
export { Htpasswd } from './htpasswd.js';
export { HtpasswdError, BufferLimitError } from './errors.js';
export { apr1 } from './apr1.js';
export { Transport, transportDefaults, type TransportOptions } from './transport.js';
export type { FrameSocket, FrameSocketHandlers } from './socket.js';
