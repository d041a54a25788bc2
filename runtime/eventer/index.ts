export { connect, Client, type ClientOptions, type RegisterOptions } from './client.js';
export {
  listen,
  Server,
  type ConnectionInfo,
  type NotifyOptions,
  type ServerOptions,
} from './server.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
export type { EventerBackend } from './backend.js';
export {
  binaryPayload,
  compareEventIds,
  compareEvents,
  eventBefore,
  eventEquals,
  eventIdEquals,
  jsonPayload,
  payloadBinary,
  payloadEquals,
  payloadJson,
  typeEquals,
  type Event,
  type EventId,
  type EventPayload,
  type EventPayloadBinary,
  type EventPayloadJson,
  type EventType,
  type RegisterEvent,
} from './event.js';
export {
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  addSeconds,
  compareTimestamps,
  now,
  timestamp,
  timestampEquals,
  timestampFromBytes,
  timestampFromDate,
  timestampFromFloat,
  timestampToBytes,
  timestampToDate,
  timestampToFloat,
  timestampToIso,
  type Timestamp,
} from './timestamp.js';
export { STATUSES, type Status } from './status.js';
export {
  queryParams,
  type Order,
  type OrderBy,
  type QueryLatestParams,
  type QueryParams,
  type QueryParamsInit,
  type QueryResult,
  type QueryServerParams,
  type QueryTimeseriesParams,
} from './query.js';
export { MAX_QUERY_TYPE_LENGTH, Subscription, matchesQueryType } from './subscription.js';
export { decodeJson, encodeJson, type JsonValue } from './payload-json.js';
export {
  eventFromSbs,
  eventToSbs,
  payloadFromSbs,
  payloadToSbs,
  queryParamsFromSbs,
  queryParamsToSbs,
  queryResultFromSbs,
  queryResultToSbs,
  registerEventFromSbs,
  registerEventToSbs,
  statusFromSbs,
  statusToSbs,
} from './convert.js';
export {
  EventerError,
  EventerInitError,
  EventerProtocolError,
  EventerValueError,
  InvalidQueryTypeError,
} from './errors.js';
export { HatError, ConnectionClosedError } from '../errors.js';
export * as HatEventer from './gen/HatEventer.js';
