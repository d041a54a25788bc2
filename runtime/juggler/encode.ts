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
 * is the string in quotes. What JSON.stringify escapes is `"`, `\`, U+0000 to
 * U+001F and lone surrogates; V8 finds one character in a one-byte string with
 * `memchr`, so 34 `indexOf` calls and `isWellFormed` settle it without
 * allocating (about 20 us for 64 KiB, where a `JSON.parse` of the quoted string
 * took 35 us and two 64 KiB copies). Data of any other shape goes through
 * `JSON.stringify` unchanged: walking objects in JS to find long strings would
 * cost more than it saves on the usual small values.
 */

/** UTF-16 units below which the check costs about what it saves. */
export const LONG_STRING = 256;

// Browsers older than 2023 lack it; they keep JSON.stringify.
const hasIsWellFormed = typeof String.prototype.isWellFormed === 'function';

/** The characters below U+0020, those a JSON text may carry most often first (an early exit). */
const CONTROL_CHARS = ['\n', '\r', '\t'];
for (let c = 0; c < 0x20; c++) {
  const ch = String.fromCharCode(c);
  if (!CONTROL_CHARS.includes(ch)) CONTROL_CHARS.push(ch);
}

/** Characters sampled to tell a Latin-1 string from one holding wider characters. */
const PROBES = 32;
/** Prime stride of the sample, so that it does not keep hitting the same place of a repeated pattern. */
const PROBE_STRIDE = 7919;

/**
 * False when a sample of `value` holds a character above U+00FF. V8 then
 * stores the string with two bytes a character, where `indexOf` of a control
 * character can no longer use `memchr` well (its byte recurs in every
 * character of a Cyrillic or Greek text, and U+0000 is searched one character
 * at a time): there, JSON.stringify (about 1.8 ns a character) is cheaper than
 * the checks. A wide character the sample misses only costs time: the
 * checks stay exact.
 */
function looksLatin1(value: string): boolean {
  for (let k = 1; k <= PROBES; k++) {
    if (value.charCodeAt((k * PROBE_STRIDE) % value.length) > 0xff) return false;
  }
  return true;
}

/**
 * True when `value` is a string of at least `LONG_STRING` units, likely
 * Latin-1, that JSON.stringify would not escape: its JSON is then `"` + value + `"`.
 */
export function isPlainLongString(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < LONG_STRING || !hasIsWellFormed) return false;
  if (value.indexOf('"') !== -1 || value.indexOf('\\') !== -1 || !looksLatin1(value)) return false;
  for (const c of CONTROL_CHARS) if (value.indexOf(c) !== -1) return false;
  // JSON.stringify escapes lone surrogates as \udXXX.
  return value.isWellFormed();
}

/** `JSON.stringify({ type: 'request', id, name, data })`. */
export function encodeRequest(id: number, name: string, data: JsonValue): string {
  if (typeof name !== 'string' || !isPlainLongString(data)) {
    return JSON.stringify({ type: 'request', id, name, data });
  }
  return `{"type":"request","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"data":"${data}"}`;
}

/** `JSON.stringify({ type: 'response', id, data, success })`. */
export function encodeResponse(id: JsonValue, data: JsonValue, success: boolean): string {
  if (id === undefined || !isPlainLongString(data)) {
    return JSON.stringify({ type: 'response', id, data, success });
  }
  return `{"type":"response","id":${JSON.stringify(id)},"data":"${data}","success":${success}}`;
}

/** `JSON.stringify({ type: 'notify', name, data })`. */
export function encodeNotify(name: string, data: JsonValue): string {
  if (typeof name !== 'string' || !isPlainLongString(data)) {
    return JSON.stringify({ type: 'notify', name, data });
  }
  return `{"type":"notify","name":${JSON.stringify(name)},"data":"${data}"}`;
}
