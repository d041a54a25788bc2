import { EventerValueError } from './errors.js';
import { jsonEquals } from '../json-value.js';
import type { JsonValue } from './payload-json.js';
import { compareTimestamps, type Timestamp } from './timestamp.js';

/** `{server, session, instance}`; session and instance start at 1 (0 means "none yet"). */
export interface EventId {
  readonly server: number;
  readonly session: number;
  readonly instance: number;
}

/** Event type segments, e.g. `['gateway', 'device', 'data']`. */
export type EventType = readonly string[];

/** A JSON payload: `data` is any JSON value, carried as JSON text (`null` is a payload too). */
export interface EventPayloadJson {
  readonly kind: 'json';
  readonly data: JsonValue;
}

/** A binary payload: `type` names the content, `data` the bytes. */
export interface EventPayloadBinary {
  readonly kind: 'binary';
  readonly type: string;
  readonly data: Uint8Array;
}

export type EventPayload = EventPayloadJson | EventPayloadBinary;

export interface Event {
  readonly id: EventId;
  readonly type: EventType;
  readonly timestamp: Timestamp;
  readonly sourceTimestamp: Timestamp | null;
  readonly payload: EventPayload | null;
}

/** An event as a client registers it: the server assigns id and timestamp. */
export interface RegisterEvent {
  readonly type: EventType;
  readonly sourceTimestamp?: Timestamp | null;
  readonly payload?: EventPayload | null;
}

export function jsonPayload(data: JsonValue): EventPayloadJson {
  return { kind: 'json', data };
}

export function binaryPayload(type: string, data: Uint8Array): EventPayloadBinary {
  return { kind: 'binary', type, data };
}

type PayloadSource = EventPayload | { readonly payload?: EventPayload | null } | null;

function payloadOf(from: PayloadSource): EventPayload | null {
  return from !== null && 'kind' in from ? from : (from?.payload ?? null);
}

/** The JSON value of a JSON payload; `EventerValueError` for a missing or binary payload. */
export function payloadJson(from: PayloadSource): JsonValue {
  const p = payloadOf(from);
  if (p?.kind !== 'json')
    throw new EventerValueError(`expected a JSON payload, got ${describe(p)}`);
  return p.data;
}

/** The binary payload; `EventerValueError` for a missing or JSON payload. */
export function payloadBinary(from: PayloadSource): EventPayloadBinary {
  const p = payloadOf(from);
  if (p?.kind !== 'binary')
    throw new EventerValueError(`expected a binary payload, got ${describe(p)}`);
  return p;
}

function describe(p: EventPayload | null): string {
  return p === null ? 'no payload' : `a ${p.kind} payload`;
}

/** Compares ids as the tuple `(server, session, instance)`. */
export function compareEventIds(a: EventId, b: EventId): number {
  return a.server !== b.server
    ? a.server - b.server
    : a.session !== b.session
      ? a.session - b.session
      : a.instance - b.instance;
}

export function eventIdEquals(a: EventId, b: EventId): boolean {
  return a.server === b.server && a.session === b.session && a.instance === b.instance;
}

/**
 * hat's natural ordering (`Event.__lt__`): events of one server by id, of different servers
 * by timestamp; with equal timestamps across servers the left one counts as earlier (so
 * this is not antisymmetric there, as in hat).
 */
export function eventBefore(a: Event, b: Event): boolean {
  if (eventIdEquals(a.id, b.id)) return false;
  if (a.id.server === b.id.server) return compareEventIds(a.id, b.id) < 0;
  return compareTimestamps(a.timestamp, b.timestamp) <= 0;
}

/**
 * A comparator for `Array.prototype.sort` consistent with `eventBefore` where that is a
 * total order; across servers with equal timestamps it returns 0, so a stable sort keeps
 * input order exactly as Python's `sorted()` does.
 */
export function compareEvents(a: Event, b: Event): number {
  if (a.id.server === b.id.server) return compareEventIds(a.id, b.id);
  return compareTimestamps(a.timestamp, b.timestamp);
}

/** Structural equality (payload bytes and JSON values compared deeply). */
export function eventEquals(a: Event, b: Event): boolean {
  return (
    eventIdEquals(a.id, b.id) &&
    typeEquals(a.type, b.type) &&
    compareTimestamps(a.timestamp, b.timestamp) === 0 &&
    optionalTimestampEquals(a.sourceTimestamp, b.sourceTimestamp) &&
    payloadEquals(a.payload, b.payload)
  );
}

export function typeEquals(a: EventType, b: EventType): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function optionalTimestampEquals(a: Timestamp | null, b: Timestamp | null): boolean {
  return a === null || b === null ? a === b : compareTimestamps(a, b) === 0;
}

export function payloadEquals(a: EventPayload | null, b: EventPayload | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'binary')
    return (
      b.kind === 'binary' &&
      a.type === b.type &&
      a.data.length === b.data.length &&
      a.data.every((x, i) => x === b.data[i])
    );
  return b.kind === 'json' && jsonEquals(a.data, b.data);
}
