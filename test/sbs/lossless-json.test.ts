import { describe, expect, it } from 'vitest';
import {
  JsonNumber,
  JsonSyntaxError,
  parseLosslessJson,
  type JsonValue,
} from '../../scripts/conformance/lossless-json.js';

/** The parse with numbers turned back into their text, to compare with JSON.parse. */
function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('lossless JSON parser', () => {
  it('keeps number texts exactly', () => {
    const v = parseLosslessJson(
      '[18446744073709551616, -9223372036854775808, -0.0, 1e+300, 0, 2.5E-3]',
    );
    expect((v as JsonNumber[]).map((n) => n.text)).toEqual([
      '18446744073709551616',
      '-9223372036854775808',
      '-0.0',
      '1e+300',
      '0',
      '2.5E-3',
    ]);
  });

  it('agrees with JSON.parse on structure, strings and escapes', () => {
    const text =
      ' {"a": [1, {"b": null, "c": true, "d": false}], "s": "x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00 ž😀", "e": {}, "f": [] } ';
    expect(plain(parseLosslessJson(text))).toEqual(JSON.parse(text));
  });

  it('treats __proto__ as an ordinary key', () => {
    const v = parseLosslessJson('{"__proto__": 1}') as Record<string, JsonValue>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(null);
  });

  it('parses long strings without running out of regex stack', () => {
    const s = 'ab\\n'.repeat(300_000);
    expect(parseLosslessJson(`"${s}"`)).toBe(JSON.parse(`"${s}"`));
  });

  it.each([
    '',
    '[1,]',
    '{"a" 1}',
    '{"a":1,}',
    '01',
    '1.',
    '"\u0001"',
    '"\\x"',
    'tru',
    '[1] 2',
    '{1: 2}',
    '[',
    '-',
  ])('rejects %j', (text) => {
    expect(() => parseLosslessJson(text)).toThrow(JsonSyntaxError);
  });
});
