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

/** Groups of a bigint, most significant first, minimal. */
export function bigintGroups(v: bigint): number[] {
  const groups: number[] = [];
  for (;;) {
    const g = Number(BigInt.asUintN(7, v));
    groups.push(g);
    v >>= 7n;
    if ((v === 0n && (g & 0x40) === 0) || (v === -1n && (g & 0x40) !== 0)) break;
  }
  return groups.reverse();
}

/**
 * Decodes `count` 7-bit groups starting at `start` into a bigint. Goes through a binary
 * digit string so that very long integers cost linear time, not quadratic shifting.
 */
export function groupsToBigint(bytes: Uint8Array, start: number, count: number): bigint {
  let digits = '';
  for (let i = 0; i < count; i++)
    digits += ((bytes[start + i] as number) & 0x7f).toString(2).padStart(7, '0');
  const unsigned = BigInt('0b' + digits);
  const negative = ((bytes[start] as number) & 0x40) !== 0;
  return negative ? unsigned - (1n << BigInt(7 * count)) : unsigned;
}
