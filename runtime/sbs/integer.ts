// SBS Integer: the two's-complement value in big-endian 7-bit groups, every byte but the
// last with the top bit clear, the last with it set (not LEB128), minimal length.

/** Number of 7-bit groups needed for a safe integer. */
export function integerSize(v: number): number {
  let n = 1;
  let limit = 64; // 2^(7n-1)
  while (v >= limit || v < -limit) {
    n++;
    limit *= 128;
  }
  return n;
}

/** Integers below 2^63 in magnitude take at most 10 groups: shifting them out is cheapest. */
const SMALL = 1n << 63n;
/** Hex digit character codes, for building one flat digit string without concatenation. */
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const ascii = new TextDecoder();

/** Groups of a bigint, most significant first, minimal. */
export function bigintGroups(v: bigint): number[] {
  if (v >= -SMALL && v < SMALL) {
    const groups: number[] = [];
    for (;;) {
      const g = Number(BigInt.asUintN(7, v));
      groups.push(g);
      v >>= 7n;
      if ((v === 0n && (g & 0x40) === 0) || (v === -1n && (g & 0x40) !== 0)) break;
    }
    return groups.reverse();
  }
  // Shifting 7 bits at a time copies the whole bigint per group (2 s for a million bits);
  // going through its hex digits is linear.
  const magnitude = v < 0n ? ~v : v;
  let hex = magnitude.toString(16);
  const bitLength = (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0] as string, 16)));
  // The sign bit needs room too: 7n - 1 >= bitLength.
  const n = Math.ceil((bitLength + 1) / 7);
  const bits = 7 * n;
  if (v < 0n) hex = (v + (1n << BigInt(bits))).toString(16);
  const groups = new Array<number>(n);
  // The stream is `bits` bits; hex holds its low 4 * hex.length. Bits missing at the top are
  // zeros (held without reading: up to a whole group when 2^83 needs a 0 group for its sign),
  // padding bits of the first digit are zeros to skip (held < 0).
  let have = bits - 4 * hex.length;
  let acc = 0;
  let k = 0;
  for (let i = 0; ; i++) {
    while (have >= 7) {
      have -= 7;
      groups[k++] = (acc >> have) & 0x7f;
      acc &= (1 << have) - 1;
    }
    if (i === hex.length) break;
    acc = (acc << 4) | parseInt(hex[i] as string, 16);
    have += 4;
  }
  return groups;
}

/** V8's largest bigint; other engines throw a RangeError from BigInt() instead. */
export const MAX_BIGINT_BITS = 2 ** 30;

/**
 * Decodes `count` 7-bit groups starting at `start` into a bigint. Small values are
 * combined 7 groups (49 bits) at a time; large ones go through one flat hex digit string,
 * which is linear in time and memory (a string of concatenated binary digits took 0.8 GB
 * and 5.6 s for a 10 MB integer).
 */
export function groupsToBigint(bytes: Uint8Array, start: number, count: number): bigint {
  const bits = 7 * count;
  let unsigned: bigint;
  if (count <= 21) {
    unsigned = 0n;
    let i = start;
    const end = start + count;
    let chunk = count % 7 || 7;
    while (i < end) {
      let acc = 0;
      for (const stop = i + chunk; i < stop; i++) acc = acc * 128 + ((bytes[i] as number) & 0x7f);
      unsigned = (unsigned << BigInt(7 * chunk)) | BigInt(acc);
      chunk = 7;
    }
  } else {
    const out = new Uint8Array(Math.ceil(bits / 4));
    // The first digit starts with padding zeros: held bits that add nothing to acc.
    let have = out.length * 4 - bits;
    let acc = 0;
    let o = 0;
    for (let i = start, end = start + count; i < end; i++) {
      acc = (acc << 7) | ((bytes[i] as number) & 0x7f);
      have += 7;
      while (have >= 4) {
        have -= 4;
        out[o++] = HEX_CODES[(acc >> have) & 0xf] as number;
      }
      acc &= (1 << have) - 1;
    }
    unsigned = BigInt('0x' + ascii.decode(out));
  }
  const negative = ((bytes[start] as number) & 0x40) !== 0;
  return negative ? unsigned - (1n << BigInt(bits)) : unsigned;
}
