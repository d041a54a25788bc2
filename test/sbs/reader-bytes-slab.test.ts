// Decoded Bytes of 65 B-2 KiB are views of the shared result slab (runtime/sbs/pool.ts): each
// must still be its own copy, whatever the input or the other values do afterwards.
import { describe, expect, it } from 'vitest';
import { SbsReader, SbsWriter } from '../../runtime/sbs/index.js';

function encodeBytes(values: Uint8Array[]): Uint8Array {
  const w = new SbsWriter();
  for (const v of values) w.bytes(v);
  return w.finish().slice();
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('decoded Bytes', () => {
  it('equal their input at every size around the slab bounds, across many slabs', () => {
    const sizes = [0, 1, 63, 64, 65, 100, 1000, 2047, 2048, 2049, 4096, 70_000];
    const values = Array.from({ length: 60 }, (_, i) =>
      pattern(sizes[i % sizes.length] as number, i),
    );
    const r = new SbsReader(encodeBytes(values));
    const decoded = values.map(() => r.bytes());
    r.end();
    decoded.forEach((d, i) => expect(d).toEqual(values[i]));
  });

  it('are copies: changing the input or another value leaves them as they were', () => {
    const values = Array.from({ length: 40 }, (_, i) => pattern(100 + i, i));
    const input = encodeBytes(values);
    const r = new SbsReader(input);
    const decoded = values.map(() => r.bytes());
    input.fill(0xee);
    for (const d of decoded) d.fill(0x11, 0, 1);
    decoded.forEach((d, i) => {
      expect(d.length).toBe(100 + i);
      expect(d.subarray(1)).toEqual((values[i] as Uint8Array).subarray(1));
    });
  });

  it('keep working after a value’s buffer (the slab) was transferred away', () => {
    const value = pattern(300, 7);
    const first = new SbsReader(encodeBytes([value])).bytes();
    structuredClone(first.buffer, { transfer: [first.buffer] });
    expect(first.byteLength).toBe(0);
    const again = new SbsReader(encodeBytes([value])).bytes();
    expect(again).toEqual(value);
  });
});
