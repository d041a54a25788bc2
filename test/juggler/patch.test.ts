import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  diff,
  jsonEquals,
  PatchError,
  type JsonValue,
} from '../../runtime/juggler/index.js';

const roundTrip = (a: JsonValue, b: JsonValue): JsonValue => applyPatch(a, diff(a, b));

describe('diff', () => {
  // hat-json test_diff rows (equality is type-strict: false != 0, '' != false)
  it.each<[JsonValue, JsonValue, boolean]>([
    [{ a: 0 }, { a: false }, true],
    [{ a: '' }, { a: false }, true],
    [false, false, false],
    [[], {}, true],
    [false, null, true],
    ['', [], true],
    [{}, {}, false],
    ['', '', false],
    [[], [], false],
  ])('diff(%j, %j) changes=%s', (a, b, changes) => {
    const d = diff(a, b);
    expect(d.length > 0).toBe(changes);
    expect(roundTrip(a, b)).toEqual(b);
  });

  it('replaces the root for a type change and for null -> value', () => {
    expect(diff(null, 123)).toEqual([{ op: 'replace', path: '', value: 123 }]);
    expect(diff(null, { a: 1 })).toEqual([{ op: 'replace', path: '', value: { a: 1 } }]);
  });

  it('matches hat examples', () => {
    expect(diff([1, { a: 2 }, 3], [1, { a: 4 }, 3])).toEqual([
      { op: 'replace', path: '/1/a', value: 4 },
    ]);
    expect(diff([1, 2, 3], [2, 3])).toEqual([{ op: 'remove', path: '/0' }]);
    expect(diff([1, 2, 3], [1, 2, 3, 4])).toEqual([{ op: 'add', path: '/3', value: 4 }]);
  });

  it('turns a front insert into one add and escapes pointer tokens', () => {
    const a = Array.from({ length: 1000 }, (_, i) => ({ i }));
    expect(diff(a, [{ i: -1 }, ...a])).toEqual([{ op: 'add', path: '/0', value: { i: -1 } }]);
    expect(diff({ 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 })).toEqual([
      { op: 'replace', path: '/a~1b', value: 2 },
      { op: 'replace', path: '/c~0d', value: 2 },
    ]);
  });

  it('handles 50,000-element arrays without stack overflow', () => {
    const a = Array.from({ length: 50_000 }, (_, i) => i);
    const front = [-1, ...a];
    expect(diff(a, front)).toHaveLength(1);
    expect(roundTrip(a, front)).toEqual(front);
    const shuffled = a.map((x) => (x % 7 === 0 ? -x - 1 : x));
    expect(roundTrip(a, shuffled)).toEqual(shuffled);
    expect(roundTrip(a, a.slice(25_000))).toEqual(a.slice(25_000));
    expect(roundTrip([], a)).toEqual(a);
    const nested = { list: a.map((i) => ({ i })) };
    const edited = { list: [{ i: -1 }, ...nested.list.slice(0, 100), ...nested.list.slice(101)] };
    expect(roundTrip(nested, edited)).toEqual(edited);
  });

  it('never emits test/move/copy and always reproduces the target (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(json, json, (a, b) => {
        const d = diff(a, b);
        for (const op of d) expect(['add', 'remove', 'replace']).toContain(op.op);
        expect(jsonEquals(applyPatch(a, d), b)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reproduces edits of arrays: inserts at any position, removals, changes (property)', () => {
    const arr = fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>, {
      maxLength: 30,
    });
    fc.assert(
      fc.property(
        arr,
        fc.nat(),
        fc.array(fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<JsonValue>, { maxLength: 5 }),
        fc.nat(5),
        (a, pos, ins, del) => {
          const p = a.length === 0 ? 0 : pos % (a.length + 1);
          const b = [...a.slice(0, p), ...ins, ...a.slice(p + del)];
          expect(jsonEquals(applyPatch(a, diff(a, b)), b)).toBe(true);
          const front = [...ins, ...a];
          expect(jsonEquals(applyPatch(a, diff(a, front)), front)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('applyPatch', () => {
  const doc: JsonValue = { a: [1, 2, [3], { b: 4 }], c: true };

  it('supports add (root, nested, append "-", insert)', () => {
    expect(applyPatch(doc, [{ op: 'add', path: '', value: 42 }])).toBe(42);
    expect(applyPatch(doc, [{ op: 'add', path: '/a/3/x', value: 5 }])).toEqual({
      a: [1, 2, [3], { b: 4, x: 5 }],
      c: true,
    });
    expect(applyPatch(doc, [{ op: 'add', path: '/a/2/-', value: 9 }])).toEqual({
      a: [1, 2, [3, 9], { b: 4 }],
      c: true,
    });
    expect(applyPatch(doc, [{ op: 'add', path: '/a/0', value: 0 }])).toEqual({
      a: [0, 1, 2, [3], { b: 4 }],
      c: true,
    });
  });

  it('supports remove, replace, move, copy and test', () => {
    expect(applyPatch(doc, [{ op: 'remove', path: '' }])).toBe(null);
    expect(applyPatch(doc, [{ op: 'remove', path: '/a/3/b' }])).toEqual({
      a: [1, 2, [3], {}],
      c: true,
    });
    expect(applyPatch(doc, [{ op: 'replace', path: '/a/0', value: 'x' }])).toEqual({
      a: ['x', 2, [3], { b: 4 }],
      c: true,
    });
    expect(applyPatch({ c: true }, [{ op: 'move', from: '/c', path: '/a' }])).toEqual({ a: true });
    expect(applyPatch({ c: true }, [{ op: 'copy', from: '/c', path: '/a' }])).toEqual({
      a: true,
      c: true,
    });
    expect(applyPatch(doc, [{ op: 'move', from: '', path: '' }])).toEqual(doc);
    expect(applyPatch(doc, [{ op: 'move', from: '/a/0', path: '/a/1/0' }])).toEqual({
      a: [2, [1, 3], { b: 4 }],
      c: true,
    });
    expect(applyPatch(doc, [{ op: 'test', path: '/a/3', value: { b: 4 } }])).toEqual(doc);
    expect(() => applyPatch(doc, [{ op: 'test', path: '/a/0', value: true }])).toThrow(PatchError);
    expect(() => applyPatch({ a: 1 }, [{ op: 'test', path: '/a', value: true }])).toThrow(
      PatchError,
    );
  });

  it('never mutates its input, also through copy + later writes', () => {
    const input = JSON.parse(JSON.stringify(doc)) as JsonValue;
    const out = applyPatch(input, [
      { op: 'copy', from: '/a/3', path: '/d' },
      { op: 'add', path: '/d/z', value: 1 },
      { op: 'add', path: '/a/3/y', value: 2 },
      { op: 'remove', path: '/a/0' },
    ]);
    expect(input).toEqual(doc);
    expect(out).toEqual({ a: [2, [3], { b: 4, y: 2 }], c: true, d: { b: 4, z: 1 } });
  });

  it('rejects invalid patches with PatchError', () => {
    const bad: unknown[] = [
      'x',
      [{ op: 'nope', path: '' }],
      [{ op: 'add', path: '/a/9', value: 1 }],
      [{ op: 'add', path: 'a', value: 1 }],
      [{ op: 'remove', path: '/zz' }],
      [{ op: 'replace', path: '/zz', value: 1 }],
      [{ op: 'replace', path: '/a/4', value: 1 }],
      [{ op: 'replace', path: '/a/-', value: 1 }],
      [{ op: 'replace', path: '/c/x', value: 1 }],
      [{ op: 'replace', path: '/constructor', value: 1 }],
      [{ op: 'add', path: '/a/01', value: 1 }],
      [{ op: 'move', from: '/a', path: '/a/0' }],
      [{ op: 'add', path: '/c/x', value: 1 }],
      [{ op: 'add', path: '/a' }],
    ];
    for (const p of bad) expect(() => applyPatch(doc, p), JSON.stringify(p)).toThrow(PatchError);
    expect(() => applyPatch(1, [{ op: 'replace', path: '/x', value: 1 }])).toThrow(PatchError);
  });

  it('rejects JSON pointer escapes other than ~0 and ~1 (RFC 6901), in path and from', () => {
    const d = { 'a~2b': 1, 'a~b': 2, '~': 3, x: { '~': 4 } };
    const bad: unknown[] = [
      [{ op: 'replace', path: '/a~2b', value: 0 }],
      [{ op: 'add', path: '/a~b', value: 0 }],
      [{ op: 'remove', path: '/~' }],
      [{ op: 'test', path: '/x/~', value: 4 }],
      [{ op: 'copy', from: '/a~', path: '/y' }],
      [{ op: 'move', from: '/~9', path: '/y' }],
    ];
    for (const p of bad) expect(() => applyPatch(d, p), JSON.stringify(p)).toThrow(PatchError);
    expect(applyPatch(d, [{ op: 'replace', path: '/a~0b', value: 0 }])).toEqual({ ...d, 'a~b': 0 });
    expect(applyPatch({ '~1': 1 }, [{ op: 'remove', path: '/~01' }])).toEqual({});
  });

  it('cannot pollute prototypes', () => {
    const out = applyPatch({}, [
      { op: 'add', path: '/__proto__', value: { polluted: true } },
      { op: 'add', path: '/x', value: {} },
    ]) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(() =>
      applyPatch({}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }]),
    ).toThrow(PatchError);
    expect(() => applyPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }])).toThrow(
      PatchError,
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const parsed = JSON.parse('{"__proto__": {"a": 1}}') as JsonValue;
    expect(applyPatch({}, diff({}, parsed))).toEqual(parsed);
  });
});
