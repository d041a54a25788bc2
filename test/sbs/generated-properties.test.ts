// Generated codecs (the committed golden output) against the dynamic Repository: random
// values round-trip and encode to the same bytes; random and mutated bytes make both throw
// the same SbsDecodeError (code, offset, path); malformed values the same SbsEncodeError.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSchema, readSources } from '../../compiler/index.js';
import {
  Repository,
  SbsDecodeError,
  SbsEncodeError,
  SbsWriter,
  type Codec,
} from '../../runtime/sbs/index.js';
import { sameValue } from '../../scripts/conformance/vectors.js';
import { SbsArbitraries, concreteTypes } from '../support/arbitrary.js';
import * as numberMode from '../golden/number/index.js';
import * as bigintMode from '../golden/bigint/index.js';
import { CONFORMANCE } from '../support/conformance.js';

const MODES = { number: numberMode, bigint: bigintMode } as const;
const schema = compileSchema(
  await readSources([join(CONFORMANCE, 'schemas/hat'), join(CONFORMANCE, 'schemas/test')]),
);
const types = concreteTypes(schema);

function generated(int: keyof typeof MODES, name: string): Codec<unknown> {
  const [module = '', type = ''] = name.split('.');
  const ns = MODES[int] as unknown as Record<string, Record<string, Codec<unknown>>>;
  const codec = ns[module]?.[type];
  if (!codec) throw new Error(`no generated codec ${name}`);
  return codec;
}

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof SbsDecodeError) return { code: e.code, offset: e.offset, path: e.path };
    if (e instanceof SbsEncodeError) return { encodeError: e.path, reason: e.reason };
    throw e;
  }
}

describe.each(['number', 'bigint'] as const)('%s integers', (int) => {
  const repo = new Repository(schema, { integers: int });
  const arbs = new SbsArbitraries(schema, { int });

  it('covers every concrete type', () => expect(types.length).toBeGreaterThan(50));

  it.each(types)('%s: values round-trip and match the Repository bytes', (name) => {
    const codec = generated(int, name);
    fc.assert(
      fc.property(arbs.of(name), (value) => {
        const bytes = codec.encode(value);
        expect(Buffer.from(bytes).equals(Buffer.from(repo.encode(name, value)))).toBe(true);
        expect(sameValue(codec.decode(bytes), value)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it.each(types)('%s: bad bytes fail exactly like the Repository', (name) => {
    const codec = generated(int, name);
    const mutated = arbs.of(name).chain((value) => {
      const bytes = codec.encode(value);
      return fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.nat({ max: Math.max(0, bytes.length - 1) }).map((cut) => bytes.subarray(0, cut)),
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, b]) => {
          const copy = bytes.slice();
          if (copy.length > 0) copy[at % copy.length] = b;
          return copy;
        }),
      );
    });
    fc.assert(
      fc.property(mutated, (bytes) => {
        const ours = outcome(() => codec.decode(bytes));
        const theirs = outcome(() => repo.decode(name, bytes));
        if ('ok' in (ours as object))
          expect(sameValue((ours as { ok: unknown }).ok, (theirs as { ok: unknown }).ok)).toBe(
            true,
          );
        else expect(ours).toEqual(theirs);
      }),
      { numRuns: 60 },
    );
  });

  it('malformed values fail with the same path as the Repository', () => {
    const cases: [string, unknown][] = [
      ['Interop.AI', 'not an array'],
      ['Interop.AI', [1, 2, 'x']],
      ['Interop.R1', {}],
      ['Interop.R1', { x: 1.5 }],
      ['Interop.R', { n: null, b: 1 }],
      ['Interop.C', { type: 'nope', value: 1 }],
      ['Interop.C', { type: 'rec', value: { x: NaN } }],
      ['Interop.OOI', { type: 'value', value: 'x' }],
      ['InteropExt.Tree', { label: 'a', children: [{ label: 'b', children: 'x' }] }],
      ['InteropExt.Json', { type: 'object', value: [{ key: 1, value: { type: 'null' } }] }],
      ['HatEventer.MsgInitReq', { clientName: 'c', subscriptions: [['a', 5]], persisted: true }],
      ['HatChatter.Msg', null],
    ];
    for (const [name, value] of cases) {
      const ours = outcome(() => generated(int, name).encode(value));
      expect(ours, name).toHaveProperty('encodeError');
      expect(ours, name).toEqual(outcome(() => repo.encode(name, value)));
    }
    // An Array-typed value that is not an array fails at the array, not at an index.
    expect(outcome(() => generated(int, 'Interop.AI').encode('x'))).toMatchObject({
      encodeError: ['Interop.AI'],
    });
  });

  it('agrees with the Repository at nesting depths around the maxDepth cap, whatever maxDepth', () => {
    // Past the cap the two would part ways: each overflows the stack at its own depth (a
    // Json nested 2,500 deep decoded in one and was a depth error in the other).
    const shapes: [string, (inner: unknown) => unknown, unknown][] = [
      ['InteropExt.Json', (v) => ({ type: 'array', value: [v] }), { type: 'null', value: null }],
      [
        'InteropExt.Json',
        (v) => ({ type: 'object', value: [{ key: 'k', value: v }] }),
        { type: 'int', value: 1 },
      ],
      ['InteropExt.Tree', (v) => ({ label: 'x', children: [v] }), { label: 'x', children: [] }],
    ];
    const depths = [999, 1000, 1001, 1250, 1500, 2000, 2500, 3000, 5000];
    const limits = [undefined, 999, 1000, 1001, 2000, 3000, 5000, 1e9, Infinity];
    const flat = new SbsWriter();
    for (const [name, wrap, leaf] of shapes) {
      const codec = generated(int, name);
      for (const depth of depths) {
        let value = leaf;
        for (let d = 1; d < depth; d++) value = wrap(value);
        // The bytes come from a plain, non-recursive encoding of the same value.
        flat.reset();
        writeFlat(flat, name, value);
        const bytes = flat.finish();
        for (const maxDepth of limits) {
          const options = maxDepth === undefined ? undefined : { maxDepth };
          const what = `${name} ${depth} deep, maxDepth ${maxDepth}`;
          const decoded = outcome(() => codec.decode(bytes, options));
          const expected = Math.min(maxDepth ?? 1000, 1000) >= depth;
          expect('ok' in (decoded as object), what).toBe(expected);
          if (!expected) expect(decoded, what).toMatchObject({ code: 'depth' });
          const theirs = outcome(() => repo.decode(name, bytes, options));
          if (expected) expect('ok' in (theirs as object), what).toBe(true);
          else expect(decoded, what).toEqual(theirs);
          const encoded = outcome(() => codec.encode(value, options));
          expect('ok' in (encoded as object), what).toBe(expected);
          expect(encoded, what).toEqual(outcome(() => repo.encode(name, value, options)));
        }
      }
    }
  });

  it('keeps Float bits, except the quiet bit of NaNs inside arrays (the README limit)', () => {
    const patterns = [
      '0000000000000000',
      '8000000000000000',
      '0000000000000001', // smallest subnormal
      '7fefffffffffffff',
      '7ff0000000000000',
      'fff0000000000000',
      '3ff0000000000001',
    ];
    const nans = ['7ff8000000000000', 'fff0000000000001', '7ff4000000000abc', 'fff8000000000001'];
    // Decoded and encoded again by the generated codec and by the Repository.
    const reencode = (name: string, h: string): string[] => {
      const ours = generated(int, name);
      const input = Buffer.from(h, 'hex');
      return [ours.encode(ours.decode(input)), repo.encode(name, repo.decode(name, input))].map(
        (b) => Buffer.from(b).toString('hex'),
      );
    };
    for (const h of [...patterns, ...nans]) expect(reencode('Interop.F', h), h).toEqual([h, h]);
    const all = '87' + patterns.join('');
    expect(reencode('Interop.AF', all)).toEqual([all, all]);
    // A JS engine may quieten a NaN it stores in an array of doubles (V8 does, depending on
    // how optimised the code is; ECMAScript leaves NaN bit patterns to the engine). Sign,
    // payload and NaN-ness survive.
    for (const h of nans) {
      const quiet = (BigInt('0x' + h) | (1n << 51n)).toString(16).padStart(16, '0');
      for (const back of reencode('Interop.AF', '81' + h))
        expect(['81' + h, '81' + quiet], h).toContain(back);
    }
  });

  it('encodes an array with its own iterator by index, like the count it writes', () => {
    const odd = Object.assign([1, 2, 3], {
      *[Symbol.iterator](): Generator<number> {
        yield 1;
      },
    });
    const bytes = generated(int, 'Interop.AI').encode(odd);
    expect(Buffer.from(bytes).toString('hex')).toBe('83818283');
    expect(Buffer.from(repo.encode('Interop.AI', odd)).equals(Buffer.from(bytes))).toBe(true);
  });
});

/**
 * SBS bytes of a deep Json or Tree value by a loop, not recursion, so the input can be built
 * at any depth: Choice index, array count 1, then the inner value (an object entry's key
 * first); a Tree node is its label, then its children.
 */
function writeFlat(w: SbsWriter, name: string, value: unknown): void {
  let v = value as { type?: string; value?: unknown; label?: string; children?: unknown[] };
  for (;;) {
    if (name === 'InteropExt.Tree') {
      w.string(v.label as string);
      const children = v.children as unknown[];
      w.count(children.length);
      if (children.length === 0) break;
      v = children[0] as typeof v;
    } else if (v.type === 'array') {
      w.count(5);
      w.count(1);
      v = (v.value as unknown[])[0] as typeof v;
    } else if (v.type === 'object') {
      w.count(6);
      w.count(1);
      const entry = (v.value as { key: string; value: unknown }[])[0] as {
        key: string;
        value: unknown;
      };
      w.string(entry.key);
      v = entry.value as typeof v;
    } else if (v.type === 'int') {
      w.count(2);
      w.integer(v.value as number);
      break;
    } else {
      w.count(0);
      break;
    }
  }
}
