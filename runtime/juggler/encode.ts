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
 * took 35 us and two 64 KiB copies), and a few characters that do need escaping
 * (JSON text in a string) are escaped between slices. Data of any other shape
 * goes through `JSON.stringify` unchanged: walking objects in JS to find long
 * strings would cost more than it saves on the usual small values.
 */

/** UTF-16 units below which the check costs about what it saves. */
export const LONG_STRING = 256;

// Browsers older than 2023 lack it; they keep JSON.stringify.
const hasIsWellFormed = typeof String.prototype.isWellFormed === 'function';

/**
 * What JSON.stringify escapes in a well-formed string: `"`, `\\` and the
 * characters below U+0020, those a text carries most often first.
 */
const SPECIAL_CHARS = ['"', '\\', '\n', '\r', '\t'];
for (let c = 0; c < 0x20; c++) {
  const ch = String.fromCharCode(c);
  if (!SPECIAL_CHARS.includes(ch)) SPECIAL_CHARS.push(ch);
}

/** JSON.stringify's escape of each of SPECIAL_CHARS (short forms, else lowercase \u00XX). */
const ESCAPES = new Map<number, string>(
  SPECIAL_CHARS.map((ch) => [ch.charCodeAt(0), JSON.stringify(ch).slice(1, -1)]),
);

/**
 * Escapes per character above which JSON.stringify is cheaper than finding
 * each one with `indexOf` and joining the pieces in between (about 50 ns an
 * escape against 1.4 ns a character).
 */
const MAX_ESCAPE_DENSITY = 1 / 256;

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
 * the search. A wide character the sample misses only costs time: the
 * result stays exact.
 */
function looksLatin1(value: string): boolean {
  for (let k = 1; k <= PROBES; k++) {
    if (value.charCodeAt((k * PROBE_STRIDE) % value.length) > 0xff) return false;
  }
  return true;
}

/**
 * `JSON.stringify(value)` when `value` is a well-formed string of at least
 * `LONG_STRING` units, likely Latin-1, with few characters to escape (none,
 * usually); otherwise null (the caller uses JSON.stringify).
 */
export function quoteLongString(value: unknown): string | null {
  if (typeof value !== 'string' || value.length < LONG_STRING || !hasIsWellFormed) return null;
  // JSON.stringify escapes lone surrogates as \udXXX.
  if (!looksLatin1(value) || !value.isWellFormed()) return null;
  const limit = value.length * MAX_ESCAPE_DENSITY;
  let found: number[] | null = null;
  for (const ch of SPECIAL_CHARS) {
    for (let i = value.indexOf(ch); i !== -1; i = value.indexOf(ch, i + 1)) {
      found ??= [];
      if (found.push(i) > limit) return null;
    }
  }
  if (found === null) return '"' + value + '"';
  found.sort((a, b) => a - b);
  const parts = ['"'];
  let from = 0;
  for (const at of found) {
    parts.push(value.slice(from, at), ESCAPES.get(value.charCodeAt(at)) as string);
    from = at + 1;
  }
  parts.push(value.slice(from), '"');
  return parts.join('');
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
