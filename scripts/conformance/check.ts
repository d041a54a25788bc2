// Checks conformance vectors against a set of codecs, both ways: encoding the value gives
// exactly the hex, decoding the hex gives the value.
import { SbsDecodeError } from '../../runtime/sbs/index.js';
import {
  UnsafeIntegerError,
  bytesToHex,
  formatValue,
  hexToBytes,
  sameValue,
  type IntegerMode,
  type Vector,
  type VectorConverter,
} from './vectors.js';

export interface CodecLike {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export interface Target {
  /** E.g. `repository/number`. */
  readonly label: string;
  readonly int: IntegerMode;
  /** The codec of a vector's type name; throws if there is none. */
  codec(type: string): CodecLike;
}

export interface Failure {
  readonly target: string;
  readonly vector: Vector;
  readonly direction: 'encode' | 'decode' | 'setup';
  readonly reason: string;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Runs one vector through one target; returns the failures (empty when both directions hold).
 * In 'number' mode a value beyond ±(2^53-1) must fail to decode with code 'range' (the specified
 * behaviour) and its bigint form must still encode to the hex.
 */
export function checkVector(target: Target, converter: VectorConverter, vector: Vector): Failure[] {
  const failures: Failure[] = [];
  const fail = (direction: Failure['direction'], reason: string): void => {
    failures.push({ target: target.label, vector, direction, reason });
  };
  let codec: CodecLike;
  let expected: unknown;
  let unsafe = false;
  try {
    codec = target.codec(vector.type);
    const type = converter.typeOf(vector.type);
    try {
      expected = converter.toValue(type, vector.value, target.int);
    } catch (e) {
      if (!(e instanceof UnsafeIntegerError)) throw e;
      unsafe = true;
      expected = converter.toValue(type, vector.value, 'bigint');
    }
  } catch (e) {
    fail('setup', errorText(e));
    return failures;
  }

  try {
    const hex = bytesToHex(codec.encode(expected));
    if (hex !== vector.hex) {
      let i = 0;
      while (i < hex.length && hex[i] === vector.hex[i]) i++;
      const at = Math.floor(i / 2);
      const got = hex.length > 80 ? `${hex.slice(0, 80)}...` : hex || '(empty)';
      fail('encode', `got ${got} (${hex.length / 2} bytes, differs from byte ${at})`);
    }
  } catch (e) {
    fail('encode', errorText(e));
  }

  const bytes = hexToBytes(vector.hex);
  try {
    const decoded = codec.decode(bytes);
    if (unsafe)
      fail(
        'decode',
        `expected SbsDecodeError 'range' (integer beyond 2^53), got ${formatValue(decoded)}`,
      );
    else if (!sameValue(decoded, expected))
      fail('decode', `got ${formatValue(decoded)}, expected ${formatValue(expected)}`);
  } catch (e) {
    if (!(unsafe && e instanceof SbsDecodeError && e.code === 'range'))
      fail('decode', errorText(e));
  }
  return failures;
}

export function formatFailure(f: Failure): string {
  const hex =
    f.vector.hex.length > 80 ? `${f.vector.hex.slice(0, 80)}...` : f.vector.hex || '(empty)';
  return `FAIL ${f.target} ${f.vector.schema} ${f.vector.type} ${f.direction} hex=${hex}: ${f.reason}`;
}
