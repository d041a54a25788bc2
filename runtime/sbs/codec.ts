import { SbsDecodeError, SbsEncodeError, at } from './errors.js';
import { SbsReader, type DecodeOptions } from './reader.js';
import { SbsWriter, type EncodeOptions } from './writer.js';

/**
 * An SBS type's codec: what generated code exports per type (same name as the TS type)
 * and what `Repository.codec()` returns.
 */
export interface Codec<T> {
  /** Qualified SBS name, `Module.Type`. */
  readonly name: string;
  /** Encodes a whole value; the result is a fresh view the caller may keep. */
  encode(value: T, options?: EncodeOptions): Uint8Array;
  /** Decodes exactly one value spanning all of `bytes`. */
  decode(bytes: Uint8Array, options?: DecodeOptions): T;
  /** Appends the value to a writer: for framing several values into one buffer. */
  write(writer: SbsWriter, value: T): void;
  /** Reads one value at the reader's position (no trailing-bytes check). */
  read(reader: SbsReader): T;
}

export type WriteFn<T> = (w: SbsWriter, v: T) => void;
export type ReadFn<T> = (r: SbsReader) => T;

// One writer and one reader serve all top-level calls. Encoding can re-enter (a getter on
// the value may itself encode), so a busy instance is never shared: the nested call gets
// its own.
// The shared writer keeps up to 4 MiB between messages: one per process, and a run of
// messages of a few MiB then never shrinks and regrows it (a writer per connection keeps the
// default 1 MiB).
const sharedWriter = new SbsWriter(256, 4 << 20);
let writerBusy = false;
const sharedReader = new SbsReader();
let readerBusy = false;

export function encodeWith<T>(
  name: string,
  write: WriteFn<T>,
  value: T,
  options?: EncodeOptions,
): Uint8Array {
  const nested = writerBusy;
  const w = nested ? new SbsWriter() : sharedWriter;
  writerBusy = true;
  try {
    w.reset(options);
    write(w, value);
    return w.finish();
  } catch (e) {
    throw at(
      overflowed(e, w.depth)
        ? new SbsEncodeError(
            `nesting of ${w.depth} levels overflows the call stack (cyclic value?); lower maxDepth`,
          )
        : e,
      name,
    );
  } finally {
    if (!nested) writerBusy = false;
  }
}

export function decodeWith<T>(
  name: string,
  read: ReadFn<T>,
  bytes: Uint8Array,
  options?: DecodeOptions,
): T {
  const nested = readerBusy;
  const r = nested ? new SbsReader() : sharedReader;
  r.reset(bytes, options);
  readerBusy = true;
  try {
    const value = read(r);
    r.end();
    return value;
  } catch (e) {
    throw at(
      overflowed(e, r.depth)
        ? new SbsDecodeError(
            'depth',
            `nesting of ${r.depth} levels overflows the call stack; lower maxDepth`,
            r.pos,
          )
        : e,
      name,
    );
  } finally {
    if (!nested) {
      readerBusy = false;
      r.release();
    }
  }
}

/**
 * A stack overflow inside a recursive type: the depth guard only stops what maxDepth allows,
 * and a maxDepth above a few thousand (or a caller already deep in its stack) lets a deep value
 * exhaust the stack first. The paths inside are lost, but it stays a typed depth error.
 */
function overflowed(e: unknown, depth: number): boolean {
  return depth > 0 && e instanceof RangeError && /call stack|recursion/i.test(e.message);
}

export function codec<T>(name: string, write: WriteFn<T>, read: ReadFn<T>): Codec<T> {
  return {
    name,
    encode: (value, options) => encodeWith(name, write, value, options),
    decode: (bytes, options) => decodeWith(name, read, bytes, options),
    write,
    read,
  };
}
