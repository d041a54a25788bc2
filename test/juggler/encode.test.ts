import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LONG_STRING,
  encodeNotify,
  encodeRequest,
  encodeResponse,
  isPlainLongString,
} from '../../runtime/juggler/encode.js';
import type { JsonValue } from '../../runtime/juggler/index.js';

// Characters JSON.stringify escapes, mixed with ones it does not (astral pairs, U+2028, DEL).
const tricky = fc.constantFrom(
  'x',
  'ž',
  '😀',
  '\u2028',
  '\x7f',
  '"',
  '\\',
  '\n',
  '\t',
  '\x00',
  '\x1f',
  '\ud800',
  '\udfff',
  '\\n',
  '\\u0041',
);

/** Long strings, clean or with one of `tricky` somewhere (a single char is easy to miss). */
const longString = fc
  .tuple(
    fc.string({ minLength: LONG_STRING - 5, maxLength: LONG_STRING + 300 }),
    fc.array(tricky, { maxLength: 3 }),
    fc.nat(),
  )
  .map(([base, extra, at]) => {
    const i = at % (base.length + 1);
    return base.slice(0, i) + extra.join('') + base.slice(i);
  });

const data: fc.Arbitrary<JsonValue> = fc.oneof(
  longString,
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.jsonValue() as fc.Arbitrary<JsonValue>,
);

describe('message encoding', () => {
  it('gives exactly JSON.stringify of the message object', () => {
    fc.assert(
      fc.property(data, fc.integer(), fc.string(), fc.boolean(), (d, id, name, success) => {
        expect(encodeRequest(id, name, d)).toBe(
          JSON.stringify({ type: 'request', id, name, data: d }),
        );
        expect(encodeResponse(name, d, success)).toBe(
          JSON.stringify({ type: 'response', id: name, data: d, success }),
        );
        expect(encodeNotify(name, d)).toBe(JSON.stringify({ type: 'notify', name, data: d }));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the quoting shortcut only for long Latin-1 strings JSON.stringify would not escape', () => {
    const clean = 'aé\x7f\xa0 '.repeat(100);
    expect(isPlainLongString(clean)).toBe(true);
    expect(isPlainLongString('x'.repeat(LONG_STRING))).toBe(true);
    expect(isPlainLongString('x'.repeat(LONG_STRING - 1))).toBe(false);
    for (let code = 0; code < 0x20; code++) {
      const c = String.fromCharCode(code);
      expect(isPlainLongString(clean + c + clean), JSON.stringify(c)).toBe(false);
      expect(isPlainLongString(c + clean), JSON.stringify(c)).toBe(false);
      expect(isPlainLongString(clean + c), JSON.stringify(c)).toBe(false);
    }
    for (const c of ['"', '\\', '\ud800', '\udc00']) {
      expect(isPlainLongString(clean + c + clean), JSON.stringify(c)).toBe(false);
      expect(isPlainLongString(c + clean), JSON.stringify(c)).toBe(false);
      expect(isPlainLongString(clean + c), JSON.stringify(c)).toBe(false);
    }
    for (const esc of ['\\n', '\\\\', '\\u0041', '\\/']) {
      expect(isPlainLongString(clean + esc + clean), esc).toBe(false);
    }
    expect(isPlainLongString(123)).toBe(false);
    expect(isPlainLongString(['x'.repeat(1000)])).toBe(false);
  });

  it('leaves strings with characters above U+00FF to JSON.stringify, checks exact when the sample misses them', () => {
    // wide characters everywhere: V8's indexOf of control characters is slow there
    expect(isPlainLongString('ž😀\u2028 '.repeat(100))).toBe(false);
    // one wide character the sample misses: still checked exactly
    const mostlyAscii = 'x'.repeat(1000) + '😀' + 'x'.repeat(1000);
    expect(isPlainLongString(mostlyAscii)).toBe(true);
    expect(isPlainLongString(mostlyAscii + '\ud800' + 'x'.repeat(1000))).toBe(false);
    expect(isPlainLongString(mostlyAscii + '\x00' + 'x'.repeat(1000))).toBe(false);
    expect(encodeResponse(1, mostlyAscii, true)).toBe(
      JSON.stringify({ type: 'response', id: 1, data: mostlyAscii, success: true }),
    );
  });

  it('falls back to JSON.stringify for values it does not handle', () => {
    const big = 10n;
    expect(() => encodeResponse(1, big as unknown as JsonValue, true)).toThrow(TypeError);
    const withFn = { a: () => 1 } as unknown as JsonValue;
    expect(encodeNotify('n', withFn)).toBe('{"type":"notify","name":"n","data":{}}');
    // a non-string name from untyped callers: the key is dropped as JSON.stringify drops it
    const noName = undefined as unknown as string;
    expect(encodeRequest(1, noName, 'x'.repeat(1000))).toBe(
      JSON.stringify({ type: 'request', id: 1, name: noName, data: 'x'.repeat(1000) }),
    );
  });
});
