import { describe, expect, it } from 'vitest';
import { JsonStore, PatchError, type JsonValue } from '../../runtime/juggler/index.js';

describe('JsonStore', () => {
  it('gets, sets and removes like hat-json Storage', () => {
    const store = new JsonStore(123);
    const seen: JsonValue[] = [];
    const off = store.onChange((d) => seen.push(d));
    expect(store.get([])).toBe(123);
    expect(store.get(['a', 'b'])).toBe(null);
    store.set(['a', 'b', 'c'], 123);
    expect(store.data).toEqual({ a: { b: { c: 123 } } });
    store.remove(['a', 'b', 'c']);
    expect(store.data).toEqual({ a: { b: {} } });
    store.set([], [1, 2, 3]);
    store.set(4, 4);
    expect(store.data).toEqual([1, 2, 3, null, 4]);
    store.set([], [1, 2, 3]);
    store.set([], store.data); // same value still notifies
    expect(seen).toHaveLength(6);
    off();
    store.set('x', 1);
    expect(seen).toHaveLength(6);
  });

  it('never mutates previous values (structural sharing)', () => {
    const store = new JsonStore({ a: { x: 1 }, b: { y: 2 } });
    const before = store.data as { a: object; b: object };
    store.set(['a', 'x'], 5);
    const after = store.data as { a: object; b: object };
    expect(before).toEqual({ a: { x: 1 }, b: { y: 2 } });
    expect(after.b).toBe(before.b);
    expect(after.a).not.toBe(before.a);
  });

  it('accepts nested paths and rejects bad indices', () => {
    const store = new JsonStore();
    store.set([['a', [0]], 'b'], true);
    expect(store.data).toEqual({ a: [{ b: true }] });
    expect(store.get(['a', 0, 'b'])).toBe(true);
    expect(() => store.set(['a', -1], 1)).toThrow(PatchError);
    store.set('__proto__', { polluted: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(store.get('__proto__')).toEqual({ polluted: true });
    expect(store.get('constructor')).toBe(null);
  });
});
