// The one place where plain Eventer values meet the generated HatEventer SBS types.
import type * as HatEventer from './gen/HatEventer.js';
import { EventerProtocolError } from './errors.js';
import type { Event, EventPayload, EventType, RegisterEvent } from './event.js';
import { decodeJson, encodeJson } from './json.js';
import type { Order, OrderBy, QueryParams, QueryResult } from './query.js';
import type { Status } from './status.js';
import type { Timestamp } from './timestamp.js';

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
    timestamp: e.timestamp,
    sourceTimestamp: e.sourceTimestamp ?? null,
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
    sourceTimestamp: e.sourceTimestamp ?? null,
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

const SAFE_MIN: Timestamp = { s: -Number.MAX_SAFE_INTEGER, us: 0 };
const SAFE_MAX: Timestamp = { s: Number.MAX_SAFE_INTEGER, us: 999_999 };

/**
 * A query bound beyond ±(2^53-1) seconds, like MIN_TIMESTAMP/MAX_TIMESTAMP, is sent as the
 * nearest bound within: a peer reading Integers as numbers (ours) cannot decode it and would
 * close the connection, and no event between the two can be decoded as numbers either, so the
 * result is the same. (Not as "no bound": a source timestamp bound also excludes events
 * without a source timestamp.)
 */
function lowerBound(t: Timestamp | null): Timestamp | null {
  return t !== null && t.s < SAFE_MIN.s ? SAFE_MIN : t;
}

function upperBound(t: Timestamp | null): Timestamp | null {
  return t !== null && t.s > SAFE_MAX.s ? SAFE_MAX : t;
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
          tFrom: lowerBound(p.tFrom),
          tTo: upperBound(p.tTo),
          sourceTFrom: lowerBound(p.sourceTFrom),
          sourceTTo: upperBound(p.sourceTTo),
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
        tFrom: v.tFrom ?? null,
        tTo: v.tTo ?? null,
        sourceTFrom: v.sourceTFrom ?? null,
        sourceTTo: v.sourceTTo ?? null,
        order: v.order.type,
        orderBy: v.orderBy.type,
        maxResults: v.maxResults ?? null,
        lastEventId: v.lastEventId ?? null,
      };
    }
    case 'server': {
      const v = p.value;
      return {
        type: 'server',
        serverId: v.serverId,
        persisted: v.persisted,
        maxResults: v.maxResults ?? null,
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
