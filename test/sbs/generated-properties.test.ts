// Generated codecs (the committed golden output) against the dynamic Repository: random
// values round-trip and encode to the same bytes; random and mutated bytes make both throw
// the same SbsDecodeError (code, offset, path); malformed values the same SbsEncodeError.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSchema, readSources } from '../../compiler/index.js';
import { Repository, SbsDecodeError, SbsEncodeError, type Codec } from '../../runtime/sbs/index.js';
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
