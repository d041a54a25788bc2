import type { JsonValue } from '../json-value.js';
import { EventerValueError } from './errors.js';

export type { JsonValue } from '../json-value.js';

// Characters Python's `json.dumps` (ensure_ascii) escapes and `JSON.stringify` does not.
const NON_ASCII = /[\u007f-\uffff]/g;

function escapeUnit(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

function encodeString(s: string): string {
  // Printable ASCII other than `"` and `\` is written as is by both; keys and most values
  // are such, and this check is several times cheaper than `JSON.stringify`.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c)
      // JSON.stringify escapes `"`, `\`, the short forms and other control characters exactly
      // as Python does (lower-case `\u00xx`), and lone surrogates as `\udxxx`.
      return JSON.stringify(s).replace(NON_ASCII, escapeUnit);
  }
  return '"' + s + '"';
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
function encodeNumber(n: number): string {
  if (Number.isSafeInteger(n)) return Object.is(n, -0) ? '-0.0' : String(n);
  if (!Number.isFinite(n)) throw new EventerValueError(`${n} is not a JSON number`);
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e16) {
    // `String` writes the same shortest digits, and in fixed form throughout this range.
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  const sign = exp < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * Nesting Python's `json` reads and writes (its recursion limit is 1000); deeper values are
 * refused both ways, well before our recursive writer would overflow the stack.
 */
const MAX_DEPTH = 1000;

/**
 * JSON text as hat's `json.encode` (Python `json.dumps` defaults) writes it: `", "` and
 * `": "` separators and non-ASCII characters escaped, so the payload bytes equal those of a
 * Python peer. Integers (safe ones) are written without a fraction, other numbers as Python
 * writes floats. Throws `EventerValueError` for values that are not JSON (NaN, functions)
 * and for nesting deeper than 1000 levels (which includes cycles).
 */
export function encodeJson(value: unknown): string {
  return write(value, MAX_DEPTH);
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth === 0) throw new EventerValueError(tooDeep);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ', ';
          out += write(value[i] ?? null, depth - 1);
        }
        return out + ']';
      }
      if (value instanceof Uint8Array || value instanceof Date || value instanceof Map)
        throw new EventerValueError(`${value.constructor.name} is not a JSON value`);
      let out = '{';
      let first = true;
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (!first) out += ', ';
        first = false;
        out += encodeString(k) + ': ' + write(v, depth - 1);
      }
      return out + '}';
    }
    default:
      throw new EventerValueError(`${typeof value} is not a JSON value`);
  }
}

const tooDeep = `JSON value nested deeper than ${MAX_DEPTH} levels (or cyclic)`;

/**
 * Parses JSON payload text; `EventerValueError` for text that is not JSON, and for JSON that
 * `encodeJson` could not write back: nesting deeper than 1000 levels, or numbers beyond the
 * double range (`JSON.parse` makes them ±Infinity). A server would otherwise store an event
 * that fails every later notification and query selecting it.
 */
export function decodeJson(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new EventerValueError(`invalid JSON payload: ${(e as Error).message}`, { cause: e });
  }
  // Shorter text is neither that deep nor, without a 3-digit exponent, out of range.
  if ((text.length >= 200 || LARGE_EXPONENT.test(text)) && !writable(value, MAX_DEPTH))
    throw new EventerValueError(
      `invalid JSON payload: nested deeper than ${MAX_DEPTH} levels or a number out of range`,
    );
  return value;
}

const LARGE_EXPONENT = /[eE][+-]?\d\d\d/;

function writable(value: JsonValue, depth: number): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth === 0) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!writable(v, depth - 1)) return false;
    return true;
  }
  for (const k in value) if (!writable(value[k] as JsonValue, depth - 1)) return false;
  return true;
}
