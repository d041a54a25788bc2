import { describe, expect, it } from 'vitest';
import { EventerValueError } from '../../runtime/eventer/errors.js';
import { decodeJson, encodeJson } from '../../runtime/eventer/payload-json.js';

describe('JSON payload text (Python json.dumps defaults)', () => {
  it.each<[unknown, string]>([
    [{ x: 1, y: [1, 2] }, '{"x": 1, "y": [1, 2]}'],
    ['newer', '"newer"'],
    [null, 'null'],
    [[1, 'č', { k: 1.5 }], '[1, "\\u010d", {"k": 1.5}]'],
    [[{}, null, [], true, false, 1, 2.5, '123'], '[{}, null, [], true, false, 1, 2.5, "123"]'],
    ['\u007f\n\t"\\\u0001', '"\\u007f\\n\\t\\"\\\\\\u0001"'],
    ['😀', '"\\ud83d\\ude00"'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1.5e300, '1.5e+300'],
    [-0, '-0.0'],
    [123456789012, '123456789012'],
    // Where Python switches between fixed and exponent form (texts from Python's json.dumps).
    [1e16, '1e+16'],
    [-1e16, '-1e+16'],
    [9999999999999998, '9999999999999998.0'],
    [2 ** 53, '9007199254740992.0'],
    [-0.0001, '-0.0001'],
    [9.999999999999999e-5, '9.999999999999999e-05'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [
      ['a/b', 'x y', '~', ' ', 'a"b', 'a\\b', '\u001f'],
      '["a/b", "x y", "~", " ", "a\\"b", "a\\\\b", "\\u001f"]',
    ],
  ])('%j -> %s', (value, text) => {
    expect(encodeJson(value)).toBe(text);
  });

  it('round trips through JSON.parse', () => {
    const v = { a: [1, 2.25, 'ž\u0000'], b: { c: null, d: false } };
    expect(decodeJson(encodeJson(v))).toEqual(v);
  });

  it('rejects values that are not JSON', () => {
    expect(() => encodeJson(NaN)).toThrow(/not a JSON number/);
    expect(() => encodeJson(() => 1)).toThrow(/not a JSON value/);
    expect(() => encodeJson(new Uint8Array(1))).toThrow(/not a JSON value/);
    expect(() => decodeJson('{"x": NaN')).toThrow(/invalid JSON payload/);
  });

  it('refuses text it could not write back: deep nesting, numbers beyond doubles', () => {
    // Accepted, such text would be stored by a server and then fail every notification and
    // query that selects it (Python's json refuses nesting this deep too).
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(decodeJson(deep(1000))).toBeInstanceOf(Array);
    expect(() => decodeJson(deep(1001))).toThrow(EventerValueError);
    expect(() => decodeJson(deep(200_000))).toThrow(/nested deeper than 1000 levels/);
    for (const text of ['1e400', '[-1E+309]', `{"x": 1${'0'.repeat(400)}}`])
      expect(() => decodeJson(text), text).toThrow(/number out of range/);
    expect(decodeJson('[1e-400, 1.5e300]')).toEqual([0, 1.5e300]);
  });

  it('refuses values nested too deep or cyclic with a typed error', () => {
    let v: unknown = 1;
    for (let i = 0; i < 5000; i++) v = { a: [v] };
    expect(() => encodeJson(v)).toThrow(EventerValueError);
    const cycle: Record<string, unknown> = {};
    cycle.self = [cycle];
    expect(() => encodeJson(cycle)).toThrow(/nested deeper than 1000 levels \(or cyclic\)/);
  });
});
