import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LONG_STRING,
  encodeNotify,
  encodeRequest,
  encodeResponse,
  quoteLongString,
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

  it('quotes long Latin-1 strings itself, escaping a few characters between slices', () => {
    const clean = 'aé\x7f\xa0 '.repeat(200);
    expect(quoteLongString(clean)).toBe(JSON.stringify(clean));
    expect(quoteLongString('x'.repeat(LONG_STRING))).toBe(JSON.stringify('x'.repeat(LONG_STRING)));
    expect(quoteLongString('x'.repeat(LONG_STRING - 1))).toBeNull();
    // every character JSON.stringify escapes, at the start, inside and at the end
    const special = ['"', '\\', ...Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(c))];
    for (const c of special) {
      for (const s of [clean + c + clean, c + clean, clean + c, c + clean + c]) {
        expect(quoteLongString(s), JSON.stringify(c)).toBe(JSON.stringify(s));
      }
    }
    // escapes next to each other and repeated: positions from several searches, sorted
    const mixed = clean + '\n"\\\x00\n"' + clean + '\t' + clean;
    expect(quoteLongString(mixed)).toBe(JSON.stringify(mixed));
    expect(quoteLongString(123)).toBeNull();
    expect(quoteLongString(['x'.repeat(1000)])).toBeNull();
  });

  it('leaves dense escapes, lone surrogates and wide characters to JSON.stringify', () => {
    // more than one escape in 256 characters: JSON.stringify is cheaper there
    expect(quoteLongString('ab"'.repeat(200))).toBeNull();
    const clean = 'x'.repeat(1000);
    for (const c of ['\ud800', '\udc00']) expect(quoteLongString(clean + c + clean)).toBeNull();
    // wide characters everywhere: V8's indexOf of control characters is slow there
    expect(quoteLongString('ž😀\u2028 '.repeat(100))).toBeNull();
    // one wide character the sample misses: still exact
    const mostlyAscii = clean + '😀' + clean;
    expect(quoteLongString(mostlyAscii)).toBe(JSON.stringify(mostlyAscii));
    expect(quoteLongString(mostlyAscii + '\ud800' + clean)).toBeNull();
    const withNul = mostlyAscii + '\x00' + clean;
    expect(quoteLongString(withNul)).toBe(JSON.stringify(withNul));
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
