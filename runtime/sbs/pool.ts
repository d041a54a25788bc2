// Small encode results are carved out of a shared slab, as Node's Buffer and protobufjs
// do: a fresh `new Uint8Array(100)` per message costs more than encoding it (measured:
// ~1 M allocations/s vs ~6.8 M slab subarrays/s). Consequence, documented in the README:
// a result's `.buffer` is shared; copy before transferring it.

const SLAB_SIZE = 16 * 1024;
const MAX_POOLED = SLAB_SIZE >>> 3;

let slab = new Uint8Array(SLAB_SIZE);
let slabPos = 0;

export function allocResult(size: number): Uint8Array {
  if (size > MAX_POOLED) return new Uint8Array(size);
  // A transferred (detached) slab has byteLength 0.
  if (slabPos + size > SLAB_SIZE || slab.byteLength === 0) {
    slab = new Uint8Array(SLAB_SIZE);
    slabPos = 0;
  }
  const out = slab.subarray(slabPos, slabPos + size);
  slabPos = (slabPos + size + 7) & ~7;
  return out;
}
