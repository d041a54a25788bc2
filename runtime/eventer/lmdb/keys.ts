// Binary keys whose byte order (LMDB's memcmp) is the order the queries walk: timestamps as
// `(s, us)`, event ids as `(server, session, instance)`, timeseries entries as `(key, id)`.
import { createHash } from 'node:crypto';
import type { EventId, EventType } from '../event.js';
import {
  readTimestampBytes,
  TIMESTAMP_BYTES,
  timestampFitsBytes,
  writeTimestampBytes,
  type Timestamp,
} from '../timestamp.js';
import { LmdbBackendError } from './errors.js';

/** hat's timestamp bytes (`timestamp_to_bytes`), which sort as the timestamps do. */
export const TIMESTAMP_SIZE = TIMESTAMP_BYTES;
export const EVENT_ID_SIZE = 24;
export const ENTRY_KEY_SIZE = TIMESTAMP_SIZE + EVENT_ID_SIZE;

const TWO_32 = 2 ** 32;

/** `n` (an integer in [0, 2^32)) as 4 bytes big-endian; plain stores, no range checks. */
function putU32(buf: Uint8Array, offset: number, n: number): void {
  buf[offset] = n >>> 24;
  buf[offset + 1] = n >>> 16;
  buf[offset + 2] = n >>> 8;
  buf[offset + 3] = n;
}

/**
 * A non-negative integer below 2^64 as 8 bytes big-endian. Checked once here and written
 * with plain byte stores (Buffer's writeUInt32BE checks again: twice the cost per key).
 */
function writeU64(buf: Uint8Array, offset: number, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 64)
    throw new LmdbBackendError('ERR_LMDB_VALUE', `invalid ${what} ${n}`);
  const hi = Math.floor(n / TWO_32);
  putU32(buf, offset, hi);
  putU32(buf, offset + 4, n - hi * TWO_32);
}

function readU64(buf: Uint8Array, offset: number): number {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return view.readUInt32BE(offset) * TWO_32 + view.readUInt32BE(offset + 4);
}

/**
 * hat's timestamp bytes (`s` as a 64-bit integer with its sign bit flipped, so negative seconds
 * sort before positive ones; then `us`), refusing what the store must not hold.
 */
export function writeTimestamp(buf: Buffer, offset: number, t: Timestamp): void {
  if (!timestampFitsBytes(t, 1_000_000))
    throw new LmdbBackendError('ERR_LMDB_VALUE', `invalid timestamp (${t.s}, ${t.us})`);
  writeTimestampBytes(buf, offset, t);
}

export function readTimestamp(buf: Uint8Array, offset: number): Timestamp {
  return readTimestampBytes(buf, offset);
}

export function writeEventId(buf: Buffer, offset: number, id: EventId): void {
  writeU64(buf, offset, id.server, 'server id');
  writeU64(buf, offset + 8, id.session, 'session id');
  writeU64(buf, offset + 16, id.instance, 'instance id');
}

export function readEventId(buf: Uint8Array, offset: number): EventId {
  return {
    server: readU64(buf, offset),
    session: readU64(buf, offset + 8),
    instance: readU64(buf, offset + 16),
  };
}

export function eventIdKey(id: EventId): Buffer {
  const buf = Buffer.allocUnsafe(EVENT_ID_SIZE);
  writeEventId(buf, 0, id);
  return buf;
}

/**
 * A key for seeking to an id from a query, which may hold any integers: a component below 0
 * (or above 2^64 - 1) puts the key before (after) every id sharing the components before it.
 * Ids of stored events are never at the clamped places (session 0, or the all-ones maximum).
 */
export function seekEventIdKey(id: EventId): Buffer {
  const buf = Buffer.alloc(EVENT_ID_SIZE);
  const parts = [id.server, id.session, id.instance];
  for (let i = 0; i < 3; i++) {
    const n = parts[i] as number;
    if (!(n >= 0)) return buf; // below (or NaN): the rest stay 0
    if (n >= 2 ** 64) return buf.fill(0xff, i * 8);
    writeU64(buf, i * 8, Math.floor(n), 'id');
  }
  return buf;
}

export function serverKey(server: number): Buffer {
  const buf = Buffer.allocUnsafe(8);
  writeU64(buf, 0, server, 'server id');
  return buf;
}

export function readServerKey(buf: Uint8Array): number {
  return readU64(buf, 0);
}

/** A timeseries entry: `(key timestamp, event id)`. */
export function entryKey(t: Timestamp, id: EventId): Buffer {
  const buf = Buffer.allocUnsafe(ENTRY_KEY_SIZE);
  writeTimestamp(buf, 0, t);
  writeEventId(buf, TIMESTAMP_SIZE, id);
  return buf;
}

/** Sorts before every entry at `t` (a prefix). */
export function entryLowerBound(t: Timestamp): Buffer {
  const buf = Buffer.allocUnsafe(TIMESTAMP_SIZE);
  writeTimestamp(buf, 0, t);
  return buf;
}

/** Sorts after every entry at `t`. */
export function entryUpperBound(t: Timestamp): Buffer {
  const buf = Buffer.alloc(ENTRY_KEY_SIZE + 1, 0xff);
  writeTimestamp(buf, 0, t);
  return buf;
}

export function entryTimestamp(key: Uint8Array): Timestamp {
  return readTimestamp(key, 0);
}

export function entryEventId(key: Uint8Array): EventId {
  return readEventId(key, TIMESTAMP_SIZE);
}

/** A map key for an event type (JSON of the segments, so distinct types stay distinct). */
export function typeKey(type: EventType): string {
  return JSON.stringify(type);
}

/**
 * The latest table's key of an event type: a digest, since LMDB keys are limited to a few
 * hundred bytes and event types are not. The stored event carries its type.
 */
export function latestKey(type: EventType): Buffer {
  return createHash('sha1').update(typeKey(type)).digest();
}

export function partitionKey(id: number): Buffer {
  const buf = Buffer.allocUnsafe(2);
  buf.writeUInt16BE(id);
  return buf;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
