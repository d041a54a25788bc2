import { checkOption } from '../options.js';
import { at, SbsDecodeError, type SbsDecodeErrorCode } from './errors.js';
import { MAX_BIGINT_BITS, groupsToBigint } from './integer.js';
import { allocResult, allocUninitialized, MAX_POOLED } from './pool.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A leading Integer group that only repeats the sign of the next one: the encoding is not
 * minimal. Small enough for V8 to inline into every read path that checks it.
 */
const redundantGroup = (first: number, second: number): boolean =>
  (first === 0 && (second & 0x40) === 0) || (first === 0x7f && (second & 0x40) !== 0);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const fromCharCode = String.fromCharCode;

/**
 * Node's native Latin-1 decoder of a byte range (Buffer.prototype.latin1Slice, which takes any
 * Uint8Array as `this`): ASCII bytes decode to the same string as UTF-8. Undefined where there
 * is no Node Buffer (browsers), which then use the TextDecoder.
 */
const latin1Slice = ((): ((this: Uint8Array, start: number, end: number) => string) | undefined => {
  const B = (globalThis as { Buffer?: { prototype?: { latin1Slice?: unknown } } }).Buffer;
  const f = B?.prototype?.latin1Slice;
  return typeof f === 'function'
    ? (f as (this: Uint8Array, start: number, end: number) => string)
    : undefined;
})();

function isAscii(b: Uint8Array, start: number, end: number): boolean {
  let bits = 0;
  for (let i = start; i < end; i++) bits |= b[i] as number;
  return bits < 0x80;
}

/**
 * Up to 8 bytes of ASCII as one string; undefined if any byte is not ASCII. Each byte is read
 * once, into a local.
 */
function shortAscii(b: Uint8Array, p: number, n: number): string | undefined {
  switch (n) {
    case 0:
      return '';
    case 1: {
      const c0 = b[p] as number;
      return c0 & 0x80 ? undefined : fromCharCode(c0);
    }
    case 2: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      return (c0 | c1) & 0x80 ? undefined : fromCharCode(c0, c1);
    }
    case 3: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      return (c0 | c1 | c2) & 0x80 ? undefined : fromCharCode(c0, c1, c2);
    }
    case 4: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      const c3 = b[p + 3] as number;
      return (c0 | c1 | c2 | c3) & 0x80 ? undefined : fromCharCode(c0, c1, c2, c3);
    }
    case 5: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      const c3 = b[p + 3] as number;
      const c4 = b[p + 4] as number;
      return (c0 | c1 | c2 | c3 | c4) & 0x80 ? undefined : fromCharCode(c0, c1, c2, c3, c4);
    }
    case 6: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      const c3 = b[p + 3] as number;
      const c4 = b[p + 4] as number;
      const c5 = b[p + 5] as number;
      return (c0 | c1 | c2 | c3 | c4 | c5) & 0x80
        ? undefined
        : fromCharCode(c0, c1, c2, c3, c4, c5);
    }
    case 7: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      const c3 = b[p + 3] as number;
      const c4 = b[p + 4] as number;
      const c5 = b[p + 5] as number;
      const c6 = b[p + 6] as number;
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6) & 0x80
        ? undefined
        : fromCharCode(c0, c1, c2, c3, c4, c5, c6);
    }
    case 8: {
      const c0 = b[p] as number;
      const c1 = b[p + 1] as number;
      const c2 = b[p + 2] as number;
      const c3 = b[p + 3] as number;
      const c4 = b[p + 4] as number;
      const c5 = b[p + 5] as number;
      const c6 = b[p + 6] as number;
      const c7 = b[p + 7] as number;
      return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) & 0x80
        ? undefined
        : fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7);
    }
    default:
      return undefined;
  }
}
const EMPTY = new Uint8Array(0);

/**
 * The deepest nesting of recursive types any option allows (a larger maxDepth counts as this).
 * Past it, whether a value decodes would depend on the call stack left: generated codecs and
 * the Repository spend different stack per level (measured on Node 20's default stack, cold
 * code: ~1,650 levels of `Json` objects for the Repository, ~2,100 for generated code), so one
 * would decode what the other refuses. Both always reach this depth, with room to spare for a
 * caller's own frames.
 */
export const MAX_DEPTH = 1000;

export interface DecodeOptions {
  /** Nesting limit for recursive types. Default and upper bound: MAX_DEPTH (1000). */
  readonly maxDepth?: number;
  /**
   * Upper bound on the number of items, over the whole input, of arrays whose items may encode
   * to zero bytes (`Array(None)`): such counts are not bounded by the input size. Default
   * 1,000,000.
   */
  readonly maxEmptyItems?: number;
}

/**
 * A maxDepth or maxEmptyItems option. NaN would turn its check off without a word (every
 * comparison with it is false), so anything but a non-negative number is a TypeError.
 */
export function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  checkOption(name, value, 0, false, Infinity, TypeError);
  return value;
}

/** The effective maxDepth option: a valid value, capped at MAX_DEPTH. */
export function depthLimit(value: number | undefined): number {
  return Math.min(limit(value, MAX_DEPTH, 'maxDepth'), MAX_DEPTH);
}

/**
 * Reads SBS primitives from a byte array, strictly: truncation, oversized lengths, non-minimal
 * integers, bad booleans, choice indices out of range, invalid UTF-8 and excessive nesting are
 * `SbsDecodeError`s with the byte offset. Never allocates from an unchecked length.
 */
export class SbsReader {
  buf: Uint8Array;
  pos = 0;
  depth = 0;
  maxDepth = MAX_DEPTH;
  maxEmptyItems = 1_000_000;
  /**
   * What is left of maxEmptyItems until the next reset. A limit per array alone would let
   * `Array(Array(None))` multiply it by the input size (302 bytes -> 10^8 items).
   */
  private emptyItemsLeft = 1_000_000;
  private view: DataView | undefined;

  constructor(bytes: Uint8Array = EMPTY, options?: DecodeOptions) {
    this.buf = bytes;
    this.reset(bytes, options);
  }

  reset(bytes: Uint8Array, options?: DecodeOptions): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('SBS input must be a Uint8Array');
    this.buf = bytes;
    this.pos = 0;
    this.depth = 0;
    this.view = undefined;
    this.maxDepth = depthLimit(options?.maxDepth);
    this.maxEmptyItems = limit(options?.maxEmptyItems, 1_000_000, 'maxEmptyItems');
    this.emptyItemsLeft = this.maxEmptyItems;
  }

  /**
   * Forgets the input, and the DataView a Float read made of it, so a reader kept for reuse
   * does not keep a large input alive.
   */
  release(): void {
    this.buf = EMPTY;
    this.view = undefined;
  }

  fail(code: SbsDecodeErrorCode, reason: string, offset: number = this.pos): never {
    throw new SbsDecodeError(code, reason, offset);
  }

  private truncated(what: string, offset: number): never {
    return this.fail(
      'truncated',
      `truncated input: ${what} runs past the end (${this.buf.length} bytes)`,
      offset,
    );
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.pos !== this.buf.length)
      this.fail('trailing', `${this.buf.length - this.pos} trailing bytes after the value`);
  }

  boolean(): boolean {
    const p = this.pos;
    if (p >= this.buf.length) this.truncated('Boolean', p);
    const b = this.buf[p] as number;
    if (b > 1) this.fail('boolean', `invalid Boolean byte 0x${b.toString(16).padStart(2, '0')}`, p);
    this.pos = p + 1;
    return b === 1;
  }

  /** An Integer as a number; values beyond ±(2^53-1) are a 'range' error, never rounded. */
  integer(): number {
    const b = this.buf;
    const start = this.pos;
    const c = b[start];
    if (c !== undefined && c & 0x80) {
      this.pos = start + 1;
      return c & 0x40 ? (c & 0x7f) - 128 : c & 0x7f;
    }
    const d = b[start + 1];
    // Two groups (-8192..8191: tree values, small ids), read without the loop below. `c` is
    // there whenever `d` is; the minimality check is the general path's.
    if (d !== undefined && d & 0x80) {
      const h = c as number;
      if (redundantGroup(h, d)) this.fail('non-minimal', 'non-minimal Integer encoding', start);
      this.pos = start + 2;
      return (h & 0x40 ? h - 128 : h) * 128 + (d & 0x7f);
    }
    return this.longInteger();
  }

  /**
   * `n` Integers (an `Array(Integer)`'s items, `n` from `count`) as numbers, in one loop that
   * reads the forms of up to three groups inline and hands anything else, checks included, to
   * `integer()` at the same place: a call per item cost 10 ns of the 16-23 ns each of 100k
   * (measured). Exactly as strict as `integer()`; an error's path names the item's index.
   */
  integers(n: number): number[] {
    const a = new Array<number>(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = b[p];
      if (c !== undefined) {
        if (c & 0x80) {
          a[i] = c & 0x40 ? (c & 0x7f) - 128 : c & 0x7f;
          p++;
          continue;
        }
        const d = b[p + 1];
        if (d !== undefined && !redundantGroup(c, d)) {
          const high = (c & 0x40 ? c - 128 : c) * 128 + (d & 0x7f);
          if (d & 0x80) {
            a[i] = high;
            p += 2;
            continue;
          }
          const e = b[p + 2];
          if (e !== undefined && e & 0x80) {
            a[i] = high * 128 + (e & 0x7f);
            p += 3;
            continue;
          }
        }
      }
      this.pos = p;
      try {
        a[i] = this.integer();
      } catch (err) {
        throw at(err, i);
      }
      p = this.pos;
    }
    this.pos = p;
    return a;
  }

  /**
   * `integer()` past two groups. A method of its own so that `integer()` stays small: V8
   * inlines callees into a codec function only up to a bytecode budget, and when the general
   * paths of `integer` and `count` were inlined, whichever came first used it up (measured on
   * the bench tree: `integer` left as a call in some processes, 42k instead of 58k decodes/s).
   */
  private longInteger(): number {
    const b = this.buf;
    const start = this.pos;
    const c = b[start];
    const d = b[start + 1];
    // Up to 7 groups (49 bits) cannot leave the safe range: read them here, without the
    // general path's call (timestamps take 5 groups, microseconds 3).
    if (c !== undefined && d !== undefined && start + 7 <= b.length) {
      if (redundantGroup(c, d)) this.fail('non-minimal', 'non-minimal Integer encoding', start);
      let acc = (c & 0x40 ? c - 128 : c) * 128 + (d & 0x7f);
      let p = start + 2;
      let g = d;
      while ((g & 0x80) === 0 && p < start + 7) {
        g = b[p++] as number;
        acc = acc * 128 + (g & 0x7f);
      }
      if (g & 0x80) {
        this.pos = p;
        return acc;
      }
    }
    const v = this.anyInteger();
    if (v > MAX_SAFE || v < -MAX_SAFE)
      this.fail(
        'range',
        'Integer outside ±(2^53-1); decode with bigint integers to read it',
        start,
      );
    return v;
  }

  /**
   * An Integer as a number, rounded beyond ±(2^53-1). For lengths, counts and choice indices,
   * which fail their own bounds (`length`, `choice`) long before rounding matters, in either
   * integer mode: a String length of 2^60 is a bad length, not a reason to decode as bigint.
   */
  private anyInteger(): number {
    const b = this.buf;
    const len = b.length;
    const start = this.pos;
    if (start >= len) this.truncated('Integer', start);
    let c = b[start] as number;
    if (c & 0x80) {
      this.pos = start + 1;
      return c & 0x40 ? (c & 0x7f) - 128 : c & 0x7f;
    }
    let p = start + 1;
    if (p >= len) this.truncated('Integer', start);
    this.checkMinimal(c, b[p] as number, start);
    let acc = c & 0x40 ? c - 128 : c;
    do {
      if (p >= len) this.truncated('Integer', start);
      c = b[p++] as number;
      acc = acc * 128 + (c & 0x7f);
    } while ((c & 0x80) === 0);
    this.pos = p;
    return acc;
  }

  /** An Integer of any size as a bigint. */
  bigint(): bigint {
    const b = this.buf;
    const len = b.length;
    const start = this.pos;
    let p = start;
    while (p < len && ((b[p] as number) & 0x80) === 0) p++;
    if (p >= len) this.truncated('Integer', start);
    const count = p - start + 1;
    if (count <= 7) return BigInt(this.integer());
    this.checkMinimal(b[start] as number, b[start + 1] as number, start);
    if (7 * count > MAX_BIGINT_BITS) this.tooBig(count, start);
    let v: bigint;
    try {
      v = groupsToBigint(b, start, count);
    } catch {
      return this.tooBig(count, start);
    }
    this.pos = p + 1;
    return v;
  }

  private tooBig(count: number, offset: number): never {
    return this.fail('range', `Integer of ${7 * count} bits is beyond the largest bigint`, offset);
  }

  private checkMinimal(first: number, second: number, offset: number): void {
    if (redundantGroup(first, second))
      this.fail('non-minimal', 'non-minimal Integer encoding', offset);
  }

  float(): number {
    const p = this.pos;
    if (p + 8 > this.buf.length) this.truncated('Float', p);
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = p + 8;
    return this.view.getFloat64(p);
  }

  /** A Bytes or String length: non-negative and within the remaining input. */
  protected length(what: string): number {
    const start = this.pos;
    const n = this.anyInteger();
    if (n < 0) this.fail('length', `negative ${what} length ${n}`, start);
    if (n > this.buf.length - this.pos)
      this.fail(
        'length',
        `${what} length ${n} exceeds the ${this.buf.length - this.pos} remaining bytes`,
        start,
      );
    return n;
  }

  /** A copy, so the result stays valid when the input buffer is reused. */
  bytes(): Uint8Array {
    const n = this.length('Bytes');
    const p = this.pos;
    this.pos = p + n;
    // Uint8Array's slice copies; a Node Buffer's own slice() would return a view. V8 keeps
    // typed arrays of up to 64 bytes in its heap; past that each gets its own backing store,
    // 3.5x the cost at 65-1000 bytes (measured), so those are copied into the result slab.
    if (n <= 64) return Uint8Array.prototype.slice.call(this.buf, p, p + n);
    if (n <= MAX_POOLED) {
      const pooled = allocResult(n);
      pooled.set(this.buf.subarray(p, p + n));
      return pooled;
    }
    if (n < 64 * 1024) return Uint8Array.prototype.slice.call(this.buf, p, p + n);
    const out = allocUninitialized(n);
    out.set(this.buf.subarray(p, p + n));
    return out;
  }

  string(): string {
    const b = this.buf;
    let p = this.pos;
    const c = b[p];
    let n: number;
    // A one-byte length (0-63), checked against the input here; any other goes the long way.
    if (c !== undefined && (c & 0xc0) === 0x80) {
      n = c & 0x3f;
      p++;
      if (n > b.length - p) {
        this.length('String');
      }
    } else {
      n = this.length('String');
      p = this.pos;
    }
    this.pos = p + n;
    // ASCII is valid UTF-8 and decodes byte for byte, so it needs no TextDecoder (~100 ns a
    // call). Measured on Node 20: one multi-argument String.fromCharCode is 3x a loop of
    // concatenations at 7 bytes; past 8 bytes Node's native latin1Slice wins (1.3x the
    // TextDecoder at 37 bytes, check included).
    if (n <= 8) {
      const s = shortAscii(b, p, n);
      if (s !== undefined) return s;
    } else if (latin1Slice !== undefined && isAscii(b, p, p + n)) {
      return latin1Slice.call(b, p, p + n);
    }
    try {
      return decoder.decode(b.subarray(p, p + n));
    } catch {
      // Browsers' TextDecoder refuses views of a SharedArrayBuffer (Node's does not): that is
      // not bad UTF-8, so decode a copy.
      if (typeof SharedArrayBuffer === 'function' && b.buffer instanceof SharedArrayBuffer) {
        try {
          return decoder.decode(Uint8Array.prototype.slice.call(b, p, p + n));
        } catch {
          // invalid UTF-8 after all
        }
      }
      return this.fail('utf8', 'invalid UTF-8 in String', p);
    }
  }

  /**
   * An array length. Items of at least `minItemSize` bytes must fit in what remains, so a
   * hostile count fails before anything is allocated.
   */
  count(minItemSize: number): number {
    const b = this.buf;
    const start = this.pos;
    const c = b[start];
    // A one-byte count (0-63) of items that take bytes, checked against the input here: every
    // node of a tree reads one, and the general path costs a call (measured on the 999-node
    // bench tree: 40k -> 50k decodes/s). Anything else, failures included, goes the long way,
    // which reports them.
    if (c !== undefined && (c & 0xc0) === 0x80 && minItemSize > 0) {
      const n = c & 0x3f;
      if (n * minItemSize <= b.length - start - 1) {
        this.pos = start + 1;
        return n;
      }
    }
    return this.longCount(minItemSize);
  }

  /** `count()` past its one-byte case: a method of its own, like `longInteger`. */
  private longCount(minItemSize: number): number {
    const start = this.pos;
    const n = this.anyInteger();
    if (n < 0) this.fail('length', `negative array length ${n}`, start);
    if (minItemSize > 0) {
      const remaining = this.buf.length - this.pos;
      if (n * minItemSize > remaining)
        this.fail(
          'length',
          `array of ${n} items cannot fit in the ${remaining} remaining bytes`,
          start,
        );
    } else if (n > this.emptyItemsLeft) {
      const used = this.maxEmptyItems - this.emptyItemsLeft;
      this.fail(
        'length',
        `array of ${n} zero-size items exceeds maxEmptyItems (${this.maxEmptyItems}` +
          (used > 0 ? `, ${used} already read` : '') +
          ')',
        start,
      );
    } else {
      this.emptyItemsLeft -= n;
    }
    return n;
  }

  /** A choice index, checked against the number of entries. */
  choice(entries: number): number {
    const start = this.pos;
    const b = this.buf[start];
    // Fast path: one-byte non-negative index.
    if (b !== undefined && (b & 0xc0) === 0x80 && (b & 0x3f) < entries) {
      this.pos = start + 1;
      return b & 0x3f;
    }
    const i = this.anyInteger();
    if (i < 0 || i >= entries)
      this.fail('choice', `choice index ${i} out of range (${entries} entries)`, start);
    return i;
  }

  enter(): void {
    if (++this.depth > this.maxDepth) this.fail('depth', `nesting deeper than ${this.maxDepth}`);
  }

  leave(): void {
    this.depth--;
  }
}
