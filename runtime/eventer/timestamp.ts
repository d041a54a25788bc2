import { EventerValueError } from './errors.js';

/**
 * Seconds since the Unix epoch (may be negative) and microseconds in [0, 1e6), as hat's
 * `Timestamp(s, us)`. Ordered as the pair `(s, us)`.
 */
export interface Timestamp {
  readonly s: number;
  readonly us: number;
}

const US = 1_000_000;

/**
 * hat's `min_timestamp`/`max_timestamp` as closely as doubles hold them: `-(2^63)` is exact,
 * but `2^63 - 1` would round up to `2^63`, beyond hat's range (its `timestamp_to_bytes`, and
 * so an lmdb server given it as a query bound, overflows), so the maximum is the largest
 * double below, `2^63 - 1024`.
 */
export const MIN_TIMESTAMP: Timestamp = { s: -(2 ** 63), us: 0 };
export const MAX_TIMESTAMP: Timestamp = { s: 2 ** 63 - 1024, us: 999_999 };

/** `< 0`, `0` or `> 0` as `a` is before, equal to or after `b`. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.s !== b.s ? (a.s < b.s ? -1 : 1) : a.us !== b.us ? (a.us < b.us ? -1 : 1) : 0;
}

export function timestampEquals(a: Timestamp, b: Timestamp): boolean {
  return a.s === b.s && a.us === b.us;
}

/** A valid timestamp: integer `s`, integer `us` in [0, 1e6). Throws `EventerValueError` otherwise. */
export function timestamp(s: number, us = 0): Timestamp {
  if (!Number.isInteger(s) || !Number.isInteger(us) || us < 0 || us >= US)
    throw new EventerValueError(`invalid timestamp (${s}, ${us})`);
  return { s, us };
}

/** hat's `timestamp_from_float`: `us` rounded, carrying into `s` at 1e6. */
export function timestampFromFloat(t: number): Timestamp {
  if (!Number.isFinite(t)) throw new EventerValueError(`invalid timestamp ${t}`);
  let s = Math.trunc(t);
  if (t < 0) s -= 1;
  // Python's round() is half-to-even; Math.round is half-up. Differs only on exact .5 us.
  let us = roundHalfEven((t - s) * 1e6);
  if (us >= US) {
    s += 1;
    us -= US;
  }
  return { s, us };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `s + us * 1e-6`. */
export function timestampToFloat(t: Timestamp): number {
  return t.s + t.us * 1e-6;
}

/** Wall clock minus the monotonic clock, in milliseconds; moved when the wall clock steps. */
let wallOffset = performance.timeOrigin;

/**
 * How far the two clocks may part before the wall clock is followed. Smaller gaps are the
 * millisecond truncation of `Date.now()` and slow drift; following those would move `now()`
 * back and forth.
 */
const STEP_MS = 500;

/**
 * Now, from the wall clock as hat's `time.time()`: the monotonic `performance.now()` (for
 * microseconds, and never going back) kept within STEP_MS of `Date.now()`. A wall clock step
 * (NTP, a manual change) or time suspended is followed at once, backwards too, as in hat.
 */
export function now(): Timestamp {
  const wall = Date.now();
  const mono = performance.now();
  let ms = wallOffset + mono;
  if (ms < wall - STEP_MS || ms > wall + STEP_MS) {
    wallOffset = wall - mono;
    ms = wall;
  }
  return timestampFromFloat(ms / 1000);
}

/**
 * A Date carries milliseconds only: `us` is truncated to whole milliseconds.
 * `EventerValueError` beyond the Date range (about ±275,000 years) rather than an Invalid Date.
 */
export function timestampToDate(t: Timestamp): Date {
  const d = new Date(t.s * 1000 + Math.floor(t.us / 1000));
  if (Number.isNaN(d.getTime()))
    throw new EventerValueError(`timestamp (${t.s}, ${t.us}) is not a Date`);
  return d;
}

export function timestampFromDate(d: Date): Timestamp {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new EventerValueError('invalid Date');
  const s = Math.floor(ms / 1000);
  return { s, us: (ms - s * 1000) * 1000 };
}

/**
 * ISO 8601 UTC text with microseconds, e.g. `2038-01-01T00:00:00.099999Z` (years beyond
 * 0..9999 in the expanded form, `+010000-01-01T...`). `EventerValueError` beyond the Date range.
 */
export function timestampToIso(t: Timestamp): string {
  // Everything but `.sssZ`: the year part is longer outside 0..9999.
  const base = timestampToDate({ s: t.s, us: 0 }).toISOString().slice(0, -5);
  return `${base}.${String(t.us).padStart(6, '0')}Z`;
}

/** hat's `Timestamp.add(seconds)`; `EventerValueError` for NaN or infinite seconds (hat raises too). */
export function addSeconds(t: Timestamp, seconds: number): Timestamp {
  if (!Number.isFinite(seconds)) throw new EventerValueError(`cannot add ${seconds} seconds`);
  const whole = Math.trunc(seconds);
  const total = t.us + roundHalfEven((seconds - whole) * 1e6);
  const s = t.s + whole + Math.floor(total / US);
  return { s, us: ((total % US) + US) % US };
}

/** Whether `t` has integer parts that the timestamp bytes hold, with `us` below `usLimit`. */
export function timestampFitsBytes(t: Timestamp, usLimit: number): boolean {
  const { s, us } = t;
  return (
    Number.isInteger(s) &&
    s >= -(2 ** 63) &&
    s < 2 ** 63 &&
    Number.isInteger(us) &&
    us >= 0 &&
    us < usLimit
  );
}

/**
 * hat's `timestamp_to_bytes`: u64 BE `s + 2^63`, then u32 BE `us` (sortable bytes).
 * `EventerValueError` for parts the bytes cannot hold (hat raises `OverflowError`) instead of
 * wrapping them, which would sort them among other timestamps.
 */
export function timestampToBytes(t: Timestamp): Uint8Array {
  if (!timestampFitsBytes(t, 2 ** 32))
    throw new EventerValueError(`timestamp (${t.s}, ${t.us}) does not fit hat's timestamp bytes`);
  const out = new Uint8Array(TIMESTAMP_BYTES);
  writeTimestampBytes(out, 0, t);
  return out;
}

export function timestampFromBytes(bytes: Uint8Array): Timestamp {
  if (bytes.length !== TIMESTAMP_BYTES)
    throw new EventerValueError('timestamp bytes must be 12 bytes long');
  return readTimestampBytes(bytes, 0);
}

/** Length of hat's timestamp bytes. */
export const TIMESTAMP_BYTES = 12;
const TWO_32 = 2 ** 32;

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function getU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number))
  );
}

/**
 * Writes `t` as hat's 12 timestamp bytes at `offset`, for callers that checked its parts (the
 * LMDB store's keys, `timestampToBytes`). Split without BigInt, a hot path for the store:
 * doubles beyond 2^53 are multiples of 2^11, so the division by 2^32 stays exact.
 */
export function writeTimestampBytes(out: Uint8Array, offset: number, t: Timestamp): void {
  const hi = Math.floor(t.s / TWO_32);
  putU32(out, offset, hi + 2 ** 31);
  putU32(out, offset + 4, t.s - hi * TWO_32);
  putU32(out, offset + 8, t.us);
}

/** Reads hat's 12 timestamp bytes at `offset` (seconds beyond 2^53 round to the nearest double). */
export function readTimestampBytes(bytes: Uint8Array, offset: number): Timestamp {
  const hi = getU32(bytes, offset) - 2 ** 31;
  return { s: hi * TWO_32 + getU32(bytes, offset + 4), us: getU32(bytes, offset + 8) };
}
