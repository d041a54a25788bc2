// hat-event 0.9's LMDB keys and values (`hat/event/backends/lmdb/common.py`): integers are
// big-endian u64, event ids three of them, timestamps `s + 2^63` as u64 then `us` as u32,
// events the SBS `HatEventer.Event`, settings and types JSON text.
import * as HatEventer from '../../gen/HatEventer.js';
import { eventFromSbs, eventToSbs } from '../../convert.js';
import type { Event, EventId, EventType } from '../../event.js';
import { decodeJson, encodeJson, type JsonValue } from '../../payload-json.js';
import type { Timestamp } from '../../timestamp.js';
import { HatDatabaseError } from './errors.js';

/** hat-event's database names (`DbType`), in its enum order. */
export const HAT_DB_NAMES = [
  'SYSTEM_SETTINGS',
  'SYSTEM_LAST_EVENT_ID',
  'SYSTEM_LAST_TIMESTAMP',
  'REF',
  'LATEST_DATA',
  'LATEST_TYPE',
  'TIMESERIES_DATA',
  'TIMESERIES_PARTITION',
  'TIMESERIES_COUNT',
] as const;
export type HatDbName = (typeof HAT_DB_NAMES)[number];

/** `DbType` values that tag an event reference. */
const REF_LATEST = 4;
const REF_TIMESERIES = 6;

/** `SettingsId`. */
export const SETTINGS_VERSION = 0;
export const SETTINGS_IDENTIFIER = 1;

/** Where a stored event lives: latest (by type ref) or a partition (by its key). */
export type HatEventRef =
  | { readonly kind: 'latest'; readonly typeRef: number }
  | {
      readonly kind: 'timeseries';
      readonly partition: number;
      readonly timestamp: Timestamp;
      readonly id: EventId;
    };

const TWO_63 = 2n ** 63n;

function invalid(what: string, detail: string): HatDatabaseError {
  return new HatDatabaseError('invalid-value', `${what}: ${detail}`);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function safe(n: bigint, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(what, `${n} is beyond 2^53`);
  return Number(n);
}

export function encodeUint(n: number): Uint8Array {
  const b = new Uint8Array(8);
  view(b).setBigUint64(0, BigInt(n));
  return b;
}

export function decodeUint(b: Uint8Array, what = 'integer'): number {
  if (b.length !== 8) throw invalid(what, `${b.length} bytes, expected 8`);
  return safe(view(b).getBigUint64(0), what);
}

export function encodeEventId(id: EventId): Uint8Array {
  const b = new Uint8Array(24);
  writeEventId(view(b), 0, id);
  return b;
}

function writeEventId(v: DataView, at: number, id: EventId): void {
  v.setBigUint64(at, BigInt(id.server));
  v.setBigUint64(at + 8, BigInt(id.session));
  v.setBigUint64(at + 16, BigInt(id.instance));
}

export function decodeEventId(b: Uint8Array, what = 'event id'): EventId {
  if (b.length !== 24) throw invalid(what, `${b.length} bytes, expected 24`);
  return readEventId(view(b), 0, what);
}

function readEventId(v: DataView, at: number, what: string): EventId {
  return {
    server: safe(v.getBigUint64(at), what),
    session: safe(v.getBigUint64(at + 8), what),
    instance: safe(v.getBigUint64(at + 16), what),
  };
}

export function encodeTimestamp(t: Timestamp): Uint8Array {
  const b = new Uint8Array(12);
  writeTimestamp(view(b), 0, t);
  return b;
}

function writeTimestamp(v: DataView, at: number, t: Timestamp): void {
  v.setBigUint64(at, BigInt(t.s) + TWO_63);
  v.setUint32(at + 8, t.us);
}

export function decodeTimestamp(b: Uint8Array, what = 'timestamp'): Timestamp {
  if (b.length !== 12) throw invalid(what, `${b.length} bytes, expected 12`);
  return readTimestamp(view(b), 0, what);
}

function readTimestamp(v: DataView, at: number, what: string): Timestamp {
  const us = v.getUint32(at + 8);
  if (us >= 1_000_000) throw invalid(what, `microseconds ${us}`);
  // Doubles hold hat's min_timestamp exactly; beyond 2^53 seconds (far outside any real
  // event) the nearest double is taken, as our Timestamp does everywhere.
  return { s: Number(v.getBigUint64(at) - TWO_63), us };
}

/** `TIMESERIES_DATA` key: partition id, key timestamp, event id (44 bytes). */
export function encodeTimeseriesKey(partition: number, t: Timestamp, id: EventId): Uint8Array {
  const b = new Uint8Array(44);
  const v = view(b);
  v.setBigUint64(0, BigInt(partition));
  writeTimestamp(v, 8, t);
  writeEventId(v, 20, id);
  return b;
}

export function decodeTimeseriesKey(b: Uint8Array): {
  partition: number;
  timestamp: Timestamp;
  id: EventId;
} {
  if (b.length !== 44) throw invalid('timeseries key', `${b.length} bytes, expected 44`);
  const v = view(b);
  return {
    partition: safe(v.getBigUint64(0), 'partition id'),
    timestamp: readTimestamp(v, 8, 'timeseries key'),
    id: readEventId(v, 20, 'timeseries key'),
  };
}

/** A `REF` value: the concatenated references (hat writes a set; the order carries nothing). */
export function encodeRefs(refs: readonly HatEventRef[]): Uint8Array {
  const parts = refs.map((r) => {
    if (r.kind === 'latest') return concat([Uint8Array.of(REF_LATEST), encodeUint(r.typeRef)]);
    return concat([
      Uint8Array.of(REF_TIMESERIES),
      encodeTimeseriesKey(r.partition, r.timestamp, r.id),
    ]);
  });
  return concat(parts);
}

export function decodeRefs(b: Uint8Array): HatEventRef[] {
  const refs: HatEventRef[] = [];
  let at = 0;
  while (at < b.length) {
    const tag = b[at] as number;
    const len = tag === REF_LATEST ? 8 : tag === REF_TIMESERIES ? 44 : -1;
    if (len < 0) throw invalid('event reference', `unknown database type ${tag}`);
    if (at + 1 + len > b.length) throw invalid('event reference', 'truncated');
    const key = b.subarray(at + 1, at + 1 + len);
    if (tag === REF_LATEST) refs.push({ kind: 'latest', typeRef: decodeUint(key, 'type ref') });
    else refs.push({ kind: 'timeseries', ...decodeTimeseriesKey(key) });
    at += 1 + len;
  }
  return refs;
}

export function encodeEvent(e: Event): Uint8Array {
  return HatEventer.Event.encode(eventToSbs(e));
}

export function decodeEvent(b: Uint8Array): Event {
  try {
    return eventFromSbs(HatEventer.Event.decode(b));
  } catch (e) {
    throw new HatDatabaseError('invalid-value', `event: ${(e as Error).message}`, { cause: e });
  }
}

export function encodeJsonValue(v: JsonValue): Uint8Array {
  return new TextEncoder().encode(encodeJson(v));
}

export function decodeJsonValue(b: Uint8Array, what: string): JsonValue {
  try {
    return decodeJson(new TextDecoder('utf-8', { fatal: true }).decode(b));
  } catch (e) {
    throw new HatDatabaseError('invalid-value', `${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** A `LATEST_TYPE` value or a partition's subscription entry: a list of strings. */
export function asEventType(v: JsonValue, what: string): EventType {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw invalid(what, 'not a list of strings');
  return v as string[];
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
