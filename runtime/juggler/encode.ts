import type { JsonValue } from '../json-value.js';

/**
 * Encoding of the messages that carry caller data (requests, responses,
 * notifications), byte for byte what `JSON.stringify` of the message object
 * gives.
 *
 * `JSON.stringify` escapes a string one character at a time (about 1.4 ns a
 * character in Node 20's V8, 94 us for 64 KiB), so a message whose data is one
 * long string (a document, base64) cost more to encode than everything else
 * in a round trip. Such a string usually needs no escaping, and then its JSON
 * is the string in quotes: checking that with `indexOf` (memchr) and
 * `JSON.parse` (whose scanner is about 4x faster than stringify's escaping)
 * costs about a quarter. Data of any other shape goes through `JSON.stringify`
 * unchanged: walking objects in JS to find long strings would cost more than
 * it saves on the usual small values.
 */

/** UTF-16 units below which the check costs about what it saves. */
export const LONG_STRING = 256;

// Browsers older than 2023 lack it; they keep JSON.stringify.
const hasIsWellFormed = typeof String.prototype.isWellFormed === 'function';

/**
 * `JSON.stringify(value)` when `value` is a string of at least `LONG_STRING`
 * units that JSON.stringify would not escape; otherwise null.
 */
export function quoteLongString(value: unknown): string | null {
  if (typeof value !== 'string' || value.length < LONG_STRING || !hasIsWellFormed) return null;
  // Common escapes are rejected here, so they do not cost a thrown SyntaxError.
  if (value.indexOf('"') !== -1 || value.indexOf('\\') !== -1 || value.indexOf('\n') !== -1) {
    return null;
  }
  // JSON.stringify escapes lone surrogates as \udXXX.
  if (!value.isWellFormed()) return null;
  const quoted = '"' + value + '"';
  try {
    // Without quotes and backslashes, what JSON.parse rejects here is exactly
    // the rest of what JSON.stringify escapes: control characters below U+0020.
    JSON.parse(quoted);
  } catch {
    return null;
  }
  return quoted;
}

/** `JSON.stringify({ type: 'request', id, name, data })`. */
export function encodeRequest(id: number, name: string, data: JsonValue): string {
  const quoted = typeof name === 'string' ? quoteLongString(data) : null;
  if (quoted === null) return JSON.stringify({ type: 'request', id, name, data });
  return `{"type":"request","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"data":${quoted}}`;
}

/** `JSON.stringify({ type: 'response', id, data, success })`. */
export function encodeResponse(id: JsonValue, data: JsonValue, success: boolean): string {
  const quoted = id !== undefined ? quoteLongString(data) : null;
  if (quoted === null) return JSON.stringify({ type: 'response', id, data, success });
  return `{"type":"response","id":${JSON.stringify(id)},"data":${quoted},"success":${success}}`;
}

/** `JSON.stringify({ type: 'notify', name, data })`. */
export function encodeNotify(name: string, data: JsonValue): string {
  const quoted = typeof name === 'string' ? quoteLongString(data) : null;
  if (quoted === null) return JSON.stringify({ type: 'notify', name, data });
  return `{"type":"notify","name":${JSON.stringify(name)},"data":${quoted}}`;
}
