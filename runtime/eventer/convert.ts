// The one place where plain Eventer values meet the generated HatEventer SBS types.
import type * as HatEventer from './gen/HatEventer.js';
import { EventerProtocolError } from './errors.js';
import type { Event, EventPayload, EventType, RegisterEvent } from './event.js';
import { decodeJson, encodeJson } from './payload-json.js';
import type { Order, OrderBy, QueryParams, QueryResult } from './query.js';
import type { Status } from './status.js';
import { MAX_TIMESTAMP, MIN_TIMESTAMP, type Timestamp } from './timestamp.js';

type SbsStatus = HatEventer.Status;

// Shared constant choice values: nothing to allocate per message.
const STATUS: { [K in Status]: SbsStatus } = {
  standby: { type: 'standby', value: null },
  starting: { type: 'starting', value: null },
  operational: { type: 'operational', value: null },
  stopping: { type: 'stopping', value: null },
};

export function statusToSbs(status: Status): SbsStatus {
  return STATUS[status];
}

export function statusFromSbs(status: SbsStatus): Status {
  return status.type;
}

// Ids and timestamps have the SBS shape already and are passed as they are (the codecs read
// only the fields they know); only readonly arrays need a cast.
function typeToSbs(type: EventType): string[] {
  return type as string[];
}

export function payloadToSbs(p: EventPayload | null | undefined): HatEventer.EventPayload | null {
  if (p == null) return null;
  if (p.kind === 'binary') return { type: 'binary', value: { type: p.type, data: p.data } };
  return { type: 'json', value: encodeJson(p.data) };
}

/** `EventerProtocolError` when a JSON payload's text is not JSON. */
export function payloadFromSbs(p: HatEventer.EventPayload | null | undefined): EventPayload | null {
  if (p == null) return null;
  if (p.type === 'binary') return { kind: 'binary', type: p.value.type, data: p.value.data };
  try {
    return { kind: 'json', data: decodeJson(p.value) };
  } catch (e) {
    throw new EventerProtocolError((e as Error).message, { cause: e });
  }
}

export function eventToSbs(e: Event): HatEventer.Event {
  return {
    id: e.id,
    type: typeToSbs(e.type),
    timestamp: e.timestamp,
    sourceTimestamp: e.sourceTimestamp,
    payload: payloadToSbs(e.payload),
  };
}

export function eventFromSbs(e: HatEventer.Event): Event {
  return {
    id: e.id,
    type: e.type,
    timestamp: timestampInRange(e.timestamp),
    sourceTimestamp: optionalInRange(e.sourceTimestamp),
    payload: payloadFromSbs(e.payload),
  };
}

export function registerEventToSbs(e: RegisterEvent): HatEventer.RegisterEvent {
  return {
    type: typeToSbs(e.type),
    sourceTimestamp: e.sourceTimestamp ?? null,
    payload: payloadToSbs(e.payload),
  };
}

export function registerEventFromSbs(e: HatEventer.RegisterEvent): RegisterEvent {
  return {
    type: e.type,
    sourceTimestamp: optionalInRange(e.sourceTimestamp),
    payload: payloadFromSbs(e.payload),
  };
}

const ORDER: { [K in Order]: HatEventer.Order } = {
  descending: { type: 'descending', value: null },
  ascending: { type: 'ascending', value: null },
};
const ORDER_BY: { [K in OrderBy]: HatEventer.OrderBy } = {
  timestamp: { type: 'timestamp', value: null },
  sourceTimestamp: { type: 'sourceTimestamp', value: null },
};

function typesToSbs(types: readonly EventType[] | null): string[][] | null {
  return types === null ? null : (types as string[][]);
}

/**
 * A timestamp within MIN_TIMESTAMP..MAX_TIMESTAMP: seconds beyond them mean "before/after
 * everything", as hat's `min_timestamp`/`max_timestamp` do. Received, such seconds come only
 * from a peer sending Integers past ±(2^53-1) (see wide-integers.ts): hat's `min_timestamp`
 * seconds are exactly MIN_TIMESTAMP's, its `max_timestamp` (2^63-1 s) is past MAX_TIMESTAMP.
 * Sent, query bounds stay in the range hat's `timestamp_to_bytes` (so an lmdb server's
 * query) takes.
 */
function timestampInRange(t: Timestamp): Timestamp {
  if (t.s < MIN_TIMESTAMP.s) return MIN_TIMESTAMP;
  if (t.s > MAX_TIMESTAMP.s) return MAX_TIMESTAMP;
  return t;
}

function optionalInRange(t: Timestamp | null | undefined): Timestamp | null {
  return t == null ? null : timestampInRange(t);
}

/**
 * A received result limit: one past 2^53-1 (hat's clients may send 2^60) limits nothing a
 * store can hold, so it becomes the largest exact number; likewise for a negative one.
 */
function limitFromWire(n: number | null | undefined): number | null {
  return n == null
    ? null
    : Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
}

export function queryParamsToSbs(p: QueryParams): HatEventer.QueryParams {
  switch (p.type) {
    case 'latest':
      return { type: 'latest', value: { eventTypes: typesToSbs(p.eventTypes) } };
    case 'timeseries':
      return {
        type: 'timeseries',
        value: {
          eventTypes: typesToSbs(p.eventTypes),
          tFrom: optionalInRange(p.tFrom),
          tTo: optionalInRange(p.tTo),
          sourceTFrom: optionalInRange(p.sourceTFrom),
          sourceTTo: optionalInRange(p.sourceTTo),
          order: ORDER[p.order],
          orderBy: ORDER_BY[p.orderBy],
          maxResults: p.maxResults,
          lastEventId: p.lastEventId,
        },
      };
    case 'server':
      return {
        type: 'server',
        value: {
          serverId: p.serverId,
          persisted: p.persisted,
          maxResults: p.maxResults,
          lastEventId: p.lastEventId,
        },
      };
  }
}

export function queryParamsFromSbs(p: HatEventer.QueryParams): QueryParams {
  switch (p.type) {
    case 'latest':
      return { type: 'latest', eventTypes: p.value.eventTypes ?? null };
    case 'timeseries': {
      const v = p.value;
      return {
        type: 'timeseries',
        eventTypes: v.eventTypes ?? null,
        tFrom: optionalInRange(v.tFrom),
        tTo: optionalInRange(v.tTo),
        sourceTFrom: optionalInRange(v.sourceTFrom),
        sourceTTo: optionalInRange(v.sourceTTo),
        order: v.order.type,
        orderBy: v.orderBy.type,
        maxResults: limitFromWire(v.maxResults),
        lastEventId: v.lastEventId ?? null,
      };
    }
    case 'server': {
      const v = p.value;
      return {
        type: 'server',
        serverId: v.serverId,
        persisted: v.persisted,
        maxResults: limitFromWire(v.maxResults),
        lastEventId: v.lastEventId ?? null,
      };
    }
  }
}

export function queryResultToSbs(r: QueryResult): HatEventer.QueryResult {
  return { events: r.events.map(eventToSbs), moreFollows: r.moreFollows };
}

export function queryResultFromSbs(r: HatEventer.QueryResult): QueryResult {
  return { events: r.events.map(eventFromSbs), moreFollows: r.moreFollows };
}
