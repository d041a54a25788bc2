// The benchmark's messages, in our value model: one HatEventer.Event, a batch of 100, a
// Bench.Tree 500 deep, 100k Integers, and Bytes of 1 MiB and 4 MiB (bench.sbs).
import type { HatEventer } from '../../../generated/index.js';

export interface Tree {
  value: number;
  children: Tree[];
}

export function makeEvent(i: number): HatEventer.Event {
  return {
    id: { server: 1, session: 1000 + i, instance: i + 1 },
    type: ['gateway', 'device', `point${i % 50}`],
    timestamp: { s: 1_700_000_000 + i, us: 123_456 },
    sourceTimestamp: { s: 1_700_000_000 + i, us: 120_000 },
    payload: { type: 'json', value: `{"value": ${i}.5, "quality": "good"}` },
  };
}

/** A spine `depth` nodes deep; every spine node also has a leaf child (2 * depth - 1 nodes). */
export function makeTree(depth: number): Tree {
  let t: Tree = { value: depth, children: [] };
  for (let d = depth - 1; d > 0; d--) t = { value: d, children: [{ value: -d, children: [] }, t] };
  return t;
}

/** Integers of 1 to 5 SBS bytes (most of 3), signs mixed. */
export function makeInts(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7919) % 2_000_003) - 1_000_000 + (i % 7));
}

export function makeBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
