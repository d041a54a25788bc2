import { describe, expect, it } from 'vitest';
import { SortedList } from '../../runtime/eventer/sorted-list.js';

function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('SortedList', () => {
  it('keeps order through random inserts and deletes; iterates both ways from a seek', () => {
    const r = rng(3);
    const list = new SortedList<{ v: number }>((a, b) => a.v - b.v);
    const ref: { v: number }[] = [];
    for (let i = 0; i < 5000; i++) {
      if (ref.length > 0 && r() < 0.3) {
        const x = ref.splice(Math.floor(r() * ref.length), 1)[0] as { v: number };
        expect(list.delete(x)).toBe(true);
      } else {
        const x = { v: Math.floor(r() * 300) };
        list.insert(x);
        ref.push(x);
      }
    }
    expect(list.delete({ v: 5 })).toBe(false); // equal value, other object
    const sorted = [...ref].sort((a, b) => a.v - b.v).map((x) => x.v);
    expect(list.size).toBe(ref.length);
    expect([...list.forward({ chunk: 0, index: 0 })].map((x) => x.v)).toEqual(sorted);
    for (const bound of [-1, 0, 17, 150, 299, 400]) {
      const pos = list.seek((x) => x.v < bound);
      expect([...list.forward(pos)].map((x) => x.v)).toEqual(sorted.filter((v) => v >= bound));
      expect([...list.backward(pos)].map((x) => x.v)).toEqual(
        sorted.filter((v) => v < bound).reverse(),
      );
    }
  });

  it('seeks with O(log n) comparisons', () => {
    const list = new SortedList<number>((a, b) => a - b);
    for (let i = 0; i < 100_000; i++) list.insert(i);
    let calls = 0;
    list.seek((x) => (calls++, x < 73_123));
    expect(calls).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100_000)));
    // Appends in order cost one comparison each.
    const counting = new SortedList<number>((a, b) => (calls++, a - b));
    calls = 0;
    for (let i = 0; i < 10_000; i++) counting.insert(i);
    expect(calls).toBeLessThan(10_000);
  });
});
