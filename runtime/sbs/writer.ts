import { SbsEncodeError, describe } from './errors.js';
import { bigintGroups, integerSize } from './integer.js';
import { allocResult, allocUninitialized } from './pool.js';
import { MAX_DEPTH, depthLimit } from './reader.js';

const encoder = new TextEncoder();
/**
 * Writers shrink back after encoding something larger than their retain limit (by default
 * this), so one huge message does not pin memory; up to it they keep their grown buffer, so
 * a run of large messages does not shrink and regrow it each time.
 */
const RETAIN_LIMIT = 1 << 20;
/**
 * `finish` hands the buffer itself over as the result, instead of copying it, when the
 * message is at least this large and fills at least 3/4 of the buffer: a copy of a large
 * message costs as much as encoding it (1 MiB of Bytes: 2 copies -> 1).
 */
const HANDOVER_MIN = 256 * 1024;
const ASCII_LOOP_MAX = 63;

export interface EncodeOptions {
  /**
   * Nesting limit for recursive types; guards against cyclic JS objects. Default and upper
   * bound: MAX_DEPTH (1000).
   */
  readonly maxDepth?: number;
}

/**
 * Appends SBS primitives to one growing buffer that is reused across messages: no per-field
 * allocation. Each primitive validates its JS value and throws `SbsEncodeError` on a mismatch.
 */
export class SbsWriter {
  buf: Uint8Array;
  pos = 0;
  depth = 0;
  maxDepth = MAX_DEPTH;
  private view: DataView;
  private readonly initialSize: number;
  private readonly retainLimit: number;

  /**
   * @param initialSize the buffer's first size in bytes
   * @param retainLimit the largest buffer `reset` keeps for the next message
   */
  constructor(initialSize = 256, retainLimit = RETAIN_LIMIT) {
    this.initialSize = initialSize;
    this.retainLimit = retainLimit;
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  reset(options?: EncodeOptions): void {
    if (this.buf.length > this.retainLimit) this.setBuffer(new Uint8Array(this.initialSize));
    this.pos = 0;
    this.depth = 0;
    this.maxDepth = depthLimit(options?.maxDepth);
  }

  /**
   * What was written, safe to keep after the writer is reused: a copy, or for a large message
   * filling most of the buffer, the buffer itself (the writer starts a new one).
   */
  finish(): Uint8Array {
    const n = this.pos;
    const buf = this.buf;
    if (n >= HANDOVER_MIN && 4 * n >= 3 * buf.length) {
      // The rest may be uninitialized memory (allocUninitialized), and `.buffer` reaches it.
      buf.fill(0, n);
      this.setBuffer(new Uint8Array(this.initialSize));
      this.pos = 0;
      return buf.subarray(0, n);
    }
    const out = allocResult(n);
    if (n < 64) {
      const b = this.buf;
      for (let i = 0; i < n; i++) out[i] = b[i] as number;
    } else {
      out.set(this.buf.subarray(0, n));
    }
    return out;
  }

  /** A view of what was written; valid only until the writer is written to or reset. */
  view_(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    // Doubling (from at least 16: an initial size of 0 would never make room), or what is
    // needed when that is more: one large Bytes or String then fills the buffer, which
    // finish() can hand over without a copy. Only the written part is copied; the rest is
    // written before it is read (allocUninitialized). A large write also gets 1/16 of room
    // for what follows it (the fields after a large Bytes): without it the next small field
    // doubled the buffer, copying the payload again, and finish() copied it a third time as
    // the buffer was then too empty to hand over.
    const need = this.pos + n;
    const size = Math.max(
      Math.max(this.buf.length, 8) * 2,
      need >= HANDOVER_MIN ? need + (need >>> 4) : need,
    );
    const next = allocUninitialized(size);
    next.set(this.buf.subarray(0, this.pos));
    this.setBuffer(next);
  }

  private setBuffer(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Raw bytes, e.g. a frame header; no SBS framing. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  none(v: unknown): void {
    if (v !== null && v !== undefined)
      throw new SbsEncodeError(`expected null for None, got ${describe(v)}`);
  }

  boolean(v: boolean): void {
    if (typeof v !== 'boolean') throw new SbsEncodeError(`expected a boolean, got ${describe(v)}`);
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  integer(v: number | bigint): void {
    if (typeof v === 'number') {
      if ((v | 0) === v) this.int32(v);
      else if (Number.isSafeInteger(v)) this.safeInteger(v);
      else if (Number.isInteger(v)) this.bigInteger(BigInt(v));
      else throw new SbsEncodeError(`expected an integer, got ${describe(v)}`);
    } else if (typeof v === 'bigint') {
      if (v >= -0x7fffffffn && v <= 0x7fffffffn) this.int32(Number(v));
      else this.bigInteger(v);
    } else {
      throw new SbsEncodeError(`expected an integer (number or bigint), got ${describe(v)}`);
    }
  }

  /** A non-negative count or choice index known to be a small integer. */
  count(n: number): void {
    if (n < 64) {
      this.ensure(1);
      this.buf[this.pos++] = n | 0x80;
    } else {
      this.integer(n);
    }
  }

  private int32(v: number): void {
    const n =
      v >= -64 && v < 64
        ? 1
        : v >= -8192 && v < 8192
          ? 2
          : v >= -1048576 && v < 1048576
            ? 3
            : v >= -134217728 && v < 134217728
              ? 4
              : 5;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let shift = 7 * (n - 1); shift > 0; shift -= 7) b[p++] = (v >> shift) & 0x7f;
    b[p++] = (v & 0x7f) | 0x80;
    this.pos = p;
  }

  private safeInteger(v: number): void {
    const n = integerSize(v);
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    // Division by a power of two is exact below 2^53, and `& 0x7f` after Math.floor gives
    // the two's-complement low bits for negative values too.
    for (let i = n - 1; i > 0; i--) b[p++] = Math.floor(v / 2 ** (7 * i)) & 0x7f;
    b[p++] = (v & 0x7f) | 0x80;
    this.pos = p;
  }

  private bigInteger(v: bigint): void {
    const groups = bigintGroups(v);
    this.ensure(groups.length);
    const last = groups.length - 1;
    for (let i = 0; i < last; i++) this.buf[this.pos++] = groups[i] as number;
    this.buf[this.pos++] = (groups[last] as number) | 0x80;
  }

  float(v: number): void {
    if (typeof v !== 'number')
      throw new SbsEncodeError(`expected a number for Float, got ${describe(v)}`);
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bytes(v: Uint8Array): void {
    if (!(v instanceof Uint8Array))
      throw new SbsEncodeError(`expected a Uint8Array, got ${describe(v)}`);
    const n = v.length;
    this.count(n);
    this.ensure(n);
    if (n < 32) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = v[i] as number;
    } else {
      this.buf.set(v, this.pos);
    }
    this.pos += n;
  }

  string(v: string): void {
    if (typeof v !== 'string') throw new SbsEncodeError(`expected a string, got ${describe(v)}`);
    const n = v.length;
    // Measured on Node 20 inside whole-message encodes: below 64 characters a JS loop beats
    // TextEncoder.encodeInto (a subarray view, a native call and the well-formedness check).
    if (n <= ASCII_LOOP_MAX) {
      // ASCII: the byte count is the length, so the 1-byte prefix is known upfront.
      this.ensure(1 + 3 * n);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = 0x80 | n;
        this.pos = p;
        return;
      }
    }
    this.utf8(v);
  }

  private utf8(v: string): void {
    if (!v.isWellFormed()) throw new SbsEncodeError('string contains a lone UTF-16 surrogate');
    const n = v.length;
    const max = 3 * n;
    // UTF-8 takes at least one byte per UTF-16 unit, so the length prefix is at least
    // integerSize(n): exact for ASCII; otherwise the body moves right once.
    const guess = integerSize(n);
    this.ensure(integerSize(max) + max);
    const start = this.pos;
    const { written } = encoder.encodeInto(v, this.buf.subarray(start + guess));
    const prefix = integerSize(written);
    if (prefix > guess) this.buf.copyWithin(start + prefix, start + guess, start + guess + written);
    this.integer(written);
    this.pos = start + prefix + written;
  }

  /** Validates and writes an array's length; returns it typed for the caller's loop. */
  array<T>(v: readonly T[]): readonly T[] {
    if (!Array.isArray(v)) throw new SbsEncodeError(`expected an array, got ${describe(v)}`);
    this.count(v.length);
    return v;
  }

  record(v: object): void {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array)
      throw new SbsEncodeError(`expected an object for Record, got ${describe(v)}`);
  }

  /** Checks a Choice value's shape and returns its `type`. */
  choice(v: { readonly type: string }): string {
    if (typeof v !== 'object' || v === null || typeof v.type !== 'string')
      throw new SbsEncodeError(`expected an object {type, value} for Choice, got ${describe(v)}`);
    return v.type;
  }

  /** A Choice entry of type None: its index, and a check that no value came with it. */
  noneEntry(index: number, value: unknown, name: string): void {
    this.count(index);
    if (value !== null && value !== undefined) {
      const e = new SbsEncodeError(`expected null for None, got ${describe(value)}`);
      e.prependPath(name);
      throw e;
    }
  }

  enter(): void {
    if (++this.depth > this.maxDepth)
      throw new SbsEncodeError(`nesting deeper than ${this.maxDepth} (cyclic value?)`);
  }

  leave(): void {
    this.depth--;
  }
}

export function unknownEntry(type: unknown, names: readonly string[]): SbsEncodeError {
  return new SbsEncodeError(
    `unknown choice entry ${JSON.stringify(type)}, expected one of ${names.map((n) => JSON.stringify(n)).join(', ')}`,
  );
}

const OBJECT_PROTOTYPE = Object.prototype as unknown as Readonly<Record<string, unknown>>;

/** Whether a Record entry must be read with `entryValue` rather than `value[name]`. */
export function isInheritedName(name: string): boolean {
  return name in OBJECT_PROTOTYPE;
}

/**
 * A Record entry named like a member of Object.prototype (`constructor`, `toString`,
 * `__proto__`...): `value[name]` on an object without it would give the inherited member, so
 * an omitted None/Optional entry would be encoded from a function (or the prototype).
 * Inherited from Object.prototype counts as absent; an own property, or a class's member of
 * that name, is the value. `constructor` and `__proto__` are always inherited (every class
 * instance has its class as `constructor`), so only own properties count for them.
 */
export function entryValue(value: object, name: string): unknown {
  if (Object.hasOwn(value, name)) return (value as Record<string, unknown>)[name];
  if (name === '__proto__' || name === 'constructor') return undefined;
  const v = (value as Record<string, unknown>)[name];
  return v === OBJECT_PROTOTYPE[name] ? undefined : v;
}
