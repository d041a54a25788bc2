// Round-trip checks of the peers: a decoded value, mapped back to our value model, must equal
// the original exactly (numbers stay numbers: a Long or a bigint where a number was encoded
// fails), with byte arrays of any Uint8Array subclass compared by content.
import { isDeepStrictEqual } from 'node:util';

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

export function checkSame(peer: string, message: string, decoded: unknown, value: unknown): void {
  if (!isDeepStrictEqual(plain(decoded), plain(value)))
    throw new Error(`${message}: ${peer} does not decode to the value it encoded`);
}
