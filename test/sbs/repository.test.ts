import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SbsSchemaError } from '../../compiler/index.js';
import {
  Repository,
  SbsDecodeError,
  SbsEncodeError,
  SbsUnknownTypeError,
  type DecodeOptions,
} from '../../runtime/sbs/index.js';
import { checkVector, formatFailure, type Target } from '../../scripts/conformance/check.js';
import {
  bytesToHex as hex,
  hexToBytes as bytes,
  parseVectors,
  UnsafeIntegerError,
  VectorConverter,
} from '../../scripts/conformance/vectors.js';
import { CONFORMANCE } from '../support/conformance.js';
import { repositoryFromFiles, repositoryFromText } from '../../compiler/index.js';

let hat: Repository;
let test: Repository;

beforeAll(async () => {
  hat = await repositoryFromFiles([join(CONFORMANCE, 'schemas/hat')]);
  test = await repositoryFromFiles([join(CONFORMANCE, 'schemas/test')]);
});

function decodeError(
  repo: Repository,
  type: string,
  h: string,
  options?: DecodeOptions,
): SbsDecodeError {
  try {
    repo.decode(type, bytes(h), options);
  } catch (e) {
    if (e instanceof SbsDecodeError) return e;
    throw e;
  }
  throw new Error(`decoding ${type} from ${h} did not fail`);
}

function encodeError(repo: Repository, type: string, value: unknown): SbsEncodeError {
  try {
    repo.encode(type, value);
  } catch (e) {
    if (e instanceof SbsEncodeError) return e;
    throw e;
  }
  throw new Error(`encoding ${type} did not fail`);
}

describe('conformance vectors', () => {
  const files = readdirSync(join(CONFORMANCE, 'vectors')).filter((f) => f.endsWith('.json'));
  it('finds the vector files', () =>
    expect(files.sort()).toEqual(['chatter.json', 'eventer.json', 'interop.json']));

  for (const file of files) {
    for (const int of ['number', 'bigint'] as const) {
      it(`${file} holds both ways through the Repository (${int} integers)`, () => {
        const vectors = parseVectors(readFileSync(join(CONFORMANCE, 'vectors', file), 'utf8'));
        expect(vectors.length).toBeGreaterThan(40);
        const failures: string[] = [];
        let unsafe = 0;
        for (const v of vectors) {
          const repo = (v.schema.startsWith('interop') ? test : hat).withIntegers(int);
          const converter = new VectorConverter(repo.schema);
          const target: Target = { label: `repository/${int}`, int, codec: (t) => repo.codec(t) };
          failures.push(...checkVector(target, converter, v).map(formatFailure));
          try {
            converter.toValue(converter.typeOf(v.type), v.value, int);
          } catch (e) {
            if (e instanceof UnsafeIntegerError) unsafe++;
          }
        }
        expect(failures).toEqual([]);
        if (file !== 'chatter.json' && int === 'number') expect(unsafe).toBeGreaterThan(0);
      });
    }
  }
});

describe('type names', () => {
  it('addresses builtins by bare name, like hat-sbs', () => {
    expect(hex(test.encode('Integer', 1234))).toBe('09d2');
    expect(test.decode('Integer', bytes('09d2'))).toBe(1234);
    expect(test.withIntegers('bigint').decode('Integer', bytes('09d2'))).toBe(1234n);
    expect(hex(test.encode('String', 'abc'))).toBe('83616263');
    expect(hex(test.encode('Bytes', bytes('616263')))).toBe('83616263');
    expect(hex(test.encode('Boolean', true))).toBe('01');
    expect(hex(test.encode('Float', 0.5))).toBe('3fe0000000000000');
    expect(hex(test.encode('None', null))).toBe('');
    expect(test.decode('None', new Uint8Array(0))).toBe(null);
  });

  it('throws SbsUnknownTypeError for unknown names and generic definitions', () => {
    const cases: [string, 'unknown' | 'generic', RegExp][] = [
      ['Array', 'unknown', /builtin/],
      ['Nope.T', 'unknown', /no module "Nope"/],
      ['Interop.Nope', 'unknown', /module Interop has no type "Nope"/],
      ['Interop.Pair', 'generic', /generic \(A, B\)/],
      ['Interop.Entry.x', 'unknown', /has no type/],
    ];
    for (const [name, kind, message] of cases) {
      const e = (() => {
        try {
          test.codec(name);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(SbsUnknownTypeError);
      expect((e as SbsUnknownTypeError).kind).toBe(kind);
      expect((e as SbsUnknownTypeError).typeName).toBe(name);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('caches codecs and shares the schema between integer modes', () => {
    expect(test.codec('Interop.R')).toBe(test.codec('Interop.R'));
    const big = test.withIntegers('bigint');
    expect(big.integers).toBe('bigint');
    expect(big.schema).toBe(test.schema);
    expect(big.withIntegers('number')).toBe(test);
    expect(test.withIntegers('number')).toBe(test);
    expect(() => new Repository(test.schema, { integers: 'float' as 'number' })).toThrow(TypeError);
  });

  it('compiles long chains of definitions without overflowing the stack', async () => {
    // Compiled in one descent, 2000 linked Records or 4000 aliases overflowed the stack.
    const n = 5000;
    const defs = (body: (i: number) => string): string =>
      `module M\n${Array.from({ length: n }, (_, i) => `A${i} = ${i + 1 < n ? body(i + 1) : 'Integer'}`).join('\n')}\n`;
    const records = repositoryFromText([defs((i) => `Record { x: A${i} }`)]);
    let value: unknown = -3;
    for (let i = n - 2; i >= 0; i--) value = { x: value };
    const encoded = records.encode('M.A0', value);
    expect(hex(encoded)).toBe('fd');
    // Walked rather than compared with toEqual, whose own recursion cannot go this deep.
    let decoded = records.decode('M.A0', encoded);
    let depth = 0;
    for (; typeof decoded === 'object' && decoded !== null; depth++)
      decoded = (decoded as { x: unknown }).x;
    expect([depth, decoded]).toEqual([n - 1, -3]);
    const aliases = repositoryFromText([defs((i) => `A${i}`)]);
    expect(aliases.decode('M.A0', aliases.encode('M.A0', 70))).toBe(70);
    expect(aliases.decode(`M.A${n - 1}`, bytes('fd'))).toBe(-3);
  });
});

describe('construction', () => {
  it('reads text with labels and reports schema errors', async () => {
    const repo = repositoryFromText([
      'module A\nT = Record { x: B.U }',
      {
        file: 'b.sbs',
        text: 'module B\nU = Integer',
      },
    ]);
    expect(hex(repo.encode('A.T', { x: 5 }))).toBe('85');
    let error: unknown;
    try {
      repositoryFromText(['module A\nT = Integer', 'module B\nU = Nope']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SbsSchemaError);
    expect((error as SbsSchemaError).diagnostics[0]?.file).toBe('<text 2>');
  });

  it('round-trips the Python repository JSON (hat-behavior §1.4 example)', async () => {
    const expected = [
      {
        name: 'M',
        type_defs: {
          E: {
            name: 'E',
            args: ['K', 'V'],
            type: {
              module: null,
              name: 'Record',
              entries: [
                { name: 'key', type: { module: null, name: 'K', entries: [], args: [] } },
                { name: 'value', type: { module: null, name: 'V', entries: [], args: [] } },
              ],
              args: [],
            },
          },
          T: {
            name: 'T',
            args: [],
            type: {
              module: null,
              name: 'Array',
              entries: [],
              args: [
                {
                  module: null,
                  name: 'Optional',
                  entries: [],
                  args: [
                    {
                      module: 'M',
                      name: 'E',
                      entries: [],
                      args: [
                        { module: null, name: 'String', entries: [], args: [] },
                        { module: null, name: 'Integer', entries: [], args: [] },
                      ],
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    ];
    const repo = repositoryFromText([
      'module M  E(K, V) = Record { key: K value: V }  T = Array(Optional(M.E(String, Integer)))',
    ]);
    expect(repo.toJson()).toEqual(expected);
    const back = Repository.fromJson(JSON.parse(JSON.stringify(expected)));
    expect(back.toJson()).toEqual(expected);
    // The docs example of hat-sbs, hat-behavior §2.1.
    const value = [null, { key: 'abc', value: 123 }];
    expect(hex(back.encode('M.T', value))).toBe('8280818361626300fb');
    expect(back.decode('M.T', bytes('8280818361626300fb'))).toEqual(value);
  });

  it('exports JSON that rebuilds an equivalent repository, also from a bare Schema', () => {
    for (const repo of [test, new Repository(test.schema)]) {
      const rebuilt = Repository.fromJson(JSON.parse(JSON.stringify(repo.toJson())));
      const value = {
        r: { x: 1 },
        c: { type: 'arr', value: ['a'] },
        p: { first: -5, second: true },
      };
      expect(hex(rebuilt.encode('InteropExt.UsesOther', value))).toBe(
        hex(test.encode('InteropExt.UsesOther', value)),
      );
      expect(
        rebuilt.decode(
          'InteropExt.Tree',
          test.encode('InteropExt.Tree', { label: 'a', children: [] }),
        ),
      ).toEqual({
        label: 'a',
        children: [],
      });
    }
  });

  it('rejects invalid repository JSON with SbsSchemaError', () => {
    expect(() =>
      Repository.fromJson([
        {
          name: 'M',
          type_defs: {
            T: { name: 'T', args: [], type: { module: null, name: 'Nope', entries: [], args: [] } },
          },
        },
      ]),
    ).toThrow(SbsSchemaError);
  });
});

describe('strict decoding', () => {
  const cases: [string, string, string, number, (string | number)[]][] = [
    // type, hex, code, offset, path
    ['Interop.R1', '', 'truncated', 0, ['Interop.R1', 'x']],
    ['Interop.P1', '81', 'truncated', 1, ['Interop.P1', 'second']],
    ['Interop.F', '3ff0', 'truncated', 0, ['Interop.F']],
    ['Interop.S', '8561', 'length', 0, ['Interop.S']],
    ['Interop.AY', '81ff', 'length', 1, ['Interop.AY', 0]],
    ['Interop.I', '8081', 'trailing', 1, ['Interop.I']],
    ['Interop.I', '0081', 'non-minimal', 0, ['Interop.I']],
    ['Interop.I', '7fc0', 'non-minimal', 0, ['Interop.I']],
    ['Interop.AI', '82810081', 'non-minimal', 2, ['Interop.AI', 1]],
    ['Interop.B', '02', 'boolean', 0, ['Interop.B']],
    ['Interop.R', '02', 'boolean', 0, ['Interop.R', 'b']],
    ['Interop.C', '88', 'choice', 0, ['Interop.C']],
    ['Interop.C', 'ff', 'choice', 0, ['Interop.C']],
    ['Interop.OI', '82', 'choice', 0, ['Interop.OI']],
    ['Interop.OOI', '8182', 'choice', 1, ['Interop.OOI', 'value']],
    ['InteropExt.Big', '00c2', 'choice', 0, ['InteropExt.Big']],
    ['Interop.AS', '8181ff', 'utf8', 2, ['Interop.AS', 0]],
    ['Interop.C', '8481c0', 'utf8', 2, ['Interop.C', 'str']],
    ['Interop.AI', '0100000000c0', 'length', 0, ['Interop.AI']],
    ['Interop.AN', '0100000000c0', 'length', 0, ['Interop.AN']],
    ['Interop.AAI', '818281', 'length', 1, ['Interop.AAI', 0]],
    ['Interop.AAI', '81820081', 'non-minimal', 2, ['Interop.AAI', 0, 0]],
    ['Interop.AI', '8281', 'length', 0, ['Interop.AI']],
    ['Interop.AI', '8100', 'truncated', 1, ['Interop.AI', 0]],
    ['Interop.I', '0100000000000000000080', 'range', 0, ['Interop.I']],
    ['InteropExt.UsesOther', '818485', 'length', 2, ['InteropExt.UsesOther', 'c', 'str']],
  ];
  it.each(cases)('%s %s -> %s at %i', (type, h, code, offset, path) => {
    const e = decodeError(test, type, h);
    expect({ code: e.code, offset: e.offset, path: e.path }).toEqual({ code, offset, path });
    expect(e.message).toContain(path[0] as string);
  });

  it('reports a length, count or choice index beyond 2^53 as such in both integer modes', () => {
    const huge = '01'.repeat(30) + '80';
    for (const repo of [test, test.withIntegers('bigint')]) {
      for (const [type, code] of [
        ['Interop.S', 'length'],
        ['Interop.Y', 'length'],
        ['Interop.AI', 'length'],
        ['Interop.AN', 'length'],
        ['Interop.C', 'choice'],
        ['Interop.OI', 'choice'],
      ]) {
        const e = decodeError(repo, type as string, huge);
        expect([type, e.code, e.offset]).toEqual([type, code, 0]);
        expect(decodeError(repo, type as string, '7f' + huge).code).toBe(code);
      }
    }
  });

  it('decodes a huge integer in bigint mode instead of the range error', () => {
    expect(test.withIntegers('bigint').decode('Interop.I', bytes('0100000000000000000080'))).toBe(
      2n ** 70n,
    );
  });

  it('accepts Array(None) counts up to maxEmptyItems', () => {
    expect(test.decode('Interop.AN', bytes('83'))).toEqual([null, null, null]);
    expect(decodeError(test, 'Interop.AN', '84', { maxEmptyItems: 3 }).code).toBe('length');
  });

  it('counts maxEmptyItems over the whole input, so nested arrays cannot multiply it', async () => {
    const repo = repositoryFromText([
      `module M
      AAN = Array(Array(None))
      AR = Array(Array(Record { n: None }))
    `,
    ]);
    // 3 bytes per inner count of 1,000,000: 302 bytes would decode to 10^8 items (about 1.7 GB).
    const million = '3d04c0';
    for (const type of ['M.AAN', 'M.AR']) {
      const e = decodeError(repo, type, '82' + million.repeat(2));
      expect({ code: e.code, offset: e.offset, path: e.path }).toEqual({
        code: 'length',
        offset: 4,
        path: [type, 1],
      });
    }
    expect(repo.decode('M.AAN', bytes('82' + '82' + '81'))).toEqual([[null, null], [null]]);
    expect(decodeError(repo, 'M.AAN', '82' + '82' + '82', { maxEmptyItems: 3 }).offset).toBe(2);
    // The budget starts afresh with each input.
    expect(repo.decode('M.AAN', bytes('81' + '83'), { maxEmptyItems: 3 })).toHaveLength(1);
  });

  it('limits nesting depth of InteropExt.Tree and InteropExt.Json', () => {
    const tree = (d: number): string => '8081'.repeat(d - 1) + '8080';
    expect(test.decode('InteropExt.Tree', bytes(tree(1000)))).toBeTruthy();
    const e = decodeError(test, 'InteropExt.Tree', tree(1001));
    expect([e.code, e.offset]).toEqual(['depth', 2000]);
    expect(e.path.slice(0, 5)).toEqual(['InteropExt.Tree', 'children', 0, 'children', 0]);
    expect(e.path.length).toBe(1 + 2 * 1000);
    expect(decodeError(test, 'InteropExt.Tree', tree(6), { maxDepth: 5 }).code).toBe('depth');
    expect(test.decode('InteropExt.Tree', bytes(tree(5)), { maxDepth: 5 })).toBeTruthy();

    // Json arrays: each level is entry 5 (array) with one item.
    const json = (d: number): string => '8581'.repeat(d) + '80';
    expect(test.decode('InteropExt.Json', bytes(json(999)))).toBeTruthy();
    const j = decodeError(test, 'InteropExt.Json', json(1000));
    expect([j.code, j.offset]).toEqual(['depth', 2000]);
    expect(j.path.slice(0, 4)).toEqual(['InteropExt.Json', 'array', 0, 'array']);
    // A deep input far beyond the limit fails the same way, without a stack overflow.
    expect(decodeError(test, 'InteropExt.Json', json(200_000)).code).toBe('depth');
  });

  it('refuses limits that would turn their check off', () => {
    const tree = { label: '', children: [] };
    for (const bad of [NaN, -1, '5', null]) {
      const limit = bad as number;
      expect(() => test.decode('InteropExt.Tree', bytes('8080'), { maxDepth: limit })).toThrow(
        /maxDepth must be a non-negative number/,
      );
      expect(() => test.decode('Interop.AN', bytes('80'), { maxEmptyItems: limit })).toThrow(
        TypeError,
      );
      expect(() => test.encode('InteropExt.Tree', tree, { maxDepth: limit })).toThrow(TypeError);
    }
  });

  it('caps maxDepth at 1000, the depth both codec kinds always reach', () => {
    const json = (d: number): string => '8581'.repeat(d) + '80';
    for (const maxDepth of [1001, 5000, Infinity]) {
      expect(test.decode('InteropExt.Json', bytes(json(999)), { maxDepth })).toBeTruthy();
      const e = decodeError(test, 'InteropExt.Json', json(1000), { maxDepth });
      expect([e.code, e.offset, e.reason]).toEqual(['depth', 2000, 'nesting deeper than 1000']);
    }
  });

  it('reports a stack overflow (a caller deep in its own stack) as a depth error', () => {
    const json = (d: number): string => '8581'.repeat(d) + '80';
    let value: unknown = { type: 'null' };
    for (let i = 0; i < 999; i++) value = { type: 'array', value: [value] };
    // Runs f under k frames of our own, to leave the codec less stack than it needs.
    const under = (k: number, f: () => unknown): unknown => (k === 0 ? f() : [under(k - 1, f)]);
    let lo = 0;
    let hi = 1 << 20;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        under(mid, () => 0);
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    let decodeOverflow: unknown;
    let encodeOverflow: unknown;
    for (let k = lo; k > 0 && !(decodeOverflow && encodeOverflow); k -= Math.ceil(lo / 500)) {
      try {
        under(k, () => test.decode('InteropExt.Json', bytes(json(999))));
      } catch (e) {
        if (e instanceof SbsDecodeError && /overflows the call stack/.test(e.reason))
          decodeOverflow ??= e;
      }
      try {
        under(k, () => test.encode('InteropExt.Json', value));
      } catch (e) {
        if (e instanceof SbsEncodeError && /overflows the call stack/.test(e.reason))
          encodeOverflow ??= e;
      }
    }
    expect(decodeOverflow).toMatchObject({ code: 'depth', path: ['InteropExt.Json'] });
    expect((decodeOverflow as SbsDecodeError).reason).toMatch(/^nesting of \d+ levels overflows/);
    expect(encodeOverflow).toBeInstanceOf(SbsEncodeError);
    // The shared writer and reader are clean afterwards.
    const one = { type: 'array', value: [{ type: 'int', value: 1 }] };
    expect(hex(test.encode('InteropExt.Json', one))).toBe('85818281');
    expect(test.decode('InteropExt.Json', bytes('85818281'))).toEqual(one);
  });
});

describe('encode errors', () => {
  const cases: [string, unknown, (string | number)[], RegExp][] = [
    ['Interop.R1', {}, ['Interop.R1', 'x'], /got undefined/],
    ['Interop.R', { b: true }, ['Interop.R', 'i'], /got undefined/],
    [
      'Interop.RN',
      { inner: {}, list: [], opt: null },
      ['Interop.RN', 'inner', 'x'],
      /got undefined/,
    ],
    ['Interop.R1', null, ['Interop.R1'], /expected an object/],
    ['Interop.R1', [1], ['Interop.R1'], /expected an object/],
    ['Interop.C', { type: 'nope', value: 1 }, ['Interop.C'], /unknown choice entry "nope"/],
    ['Interop.C', 'int', ['Interop.C'], /expected an object \{type, value\}/],
    ['Interop.OOI', { type: 'some', value: 1 }, ['Interop.OOI'], /unknown choice entry "some"/],
    ['Interop.C', { type: 'int', value: '1' }, ['Interop.C', 'int'], /expected an integer/],
    [
      'Interop.RN',
      { inner: { x: '1' }, list: [], opt: null },
      ['Interop.RN', 'inner', 'x'],
      /expected an integer/,
    ],
    ['Interop.AI', [1, 2.5], ['Interop.AI', 1], /expected an integer, got the number 2.5/],
    ['Interop.AI', [NaN], ['Interop.AI', 0], /NaN/],
    ['Interop.AI', { length: 1 }, ['Interop.AI'], /expected an array/],
    ['Interop.B', 1, ['Interop.B'], /expected a boolean/],
    ['Interop.Y', [1, 2], ['Interop.Y'], /expected a Uint8Array/],
    ['Interop.N', 0, ['Interop.N'], /expected null/],
    ['Interop.F', 1n, ['Interop.F'], /expected a number/],
    [
      'InteropExt.Json',
      { type: 'string', value: 'a\uD800' },
      ['InteropExt.Json', 'string'],
      /lone UTF-16 surrogate/,
    ],
    [
      'InteropExt.Json',
      { type: 'object', value: [{ key: 'k', value: { type: 'int', value: 0.1 } }] },
      ['InteropExt.Json', 'object', 0, 'value', 'int'],
      /expected an integer/,
    ],
    ['Interop.M1', [{ key: 1, value: 1 }], ['Interop.M1', 0, 'key'], /expected a string/],
  ];
  it.each(cases)('%s (case %#)', (type, value, path, message) => {
    const e = encodeError(test, type, value);
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(message);
  });

  it('rejects cyclic values of recursive types with a depth error', () => {
    const node: { label: string; children: unknown[] } = { label: 'x', children: [] };
    node.children.push(node);
    const e = encodeError(test, 'InteropExt.Tree', node);
    expect(e.message).toMatch(/nesting deeper than 1000/);
  });

  it('treats undefined as none only for nullable optionals and None', () => {
    expect(hex(test.encode('Interop.OI', undefined))).toBe('80');
    expect(hex(test.encode('Interop.RN', { inner: { x: 1 }, list: [], opt: undefined }))).toBe(
      '818080',
    );
    expect(hex(test.encode('Interop.C', { type: 'none' }))).toBe('80');
    expect(encodeError(test, 'Interop.OOI', undefined).path).toEqual(['Interop.OOI']);
  });
});

describe('value model', () => {
  it('decodes records with every entry, choices with type and value', () => {
    const v = test.decode(
      'Interop.R',
      test.encode('Interop.R', {
        n: null,
        b: true,
        i: 1,
        f: -0,
        s: 'ž',
        y: bytes('00'),
        a: [],
        o: null,
      }),
    );
    expect(v).toEqual({ n: null, b: true, i: 1, f: -0, s: 'ž', y: bytes('00'), a: [], o: null });
    expect(Object.keys(v as object)).toEqual(['n', 'b', 'i', 'f', 's', 'y', 'a', 'o']);
    expect(test.decode('Interop.C', bytes('80'))).toEqual({ type: 'none', value: null });
    expect(test.decode('Interop.OOI', bytes('8180'))).toEqual({ type: 'value', value: null });
    expect(test.decode('Interop.OOI', bytes('80'))).toEqual({ type: 'none', value: null });
    expect(test.decode('Interop.OOI', bytes('818185'))).toEqual({ type: 'value', value: 5 });
  });

  it('encodes integral numbers beyond 2^53 and bigints in number mode', () => {
    expect(hex(test.encode('Interop.I', 2 ** 63))).toBe('01000000000000000080');
    expect(hex(test.encode('Interop.I', 2n ** 63n))).toBe('01000000000000000080');
    expect(hex(test.withIntegers('bigint').encode('Interop.I', 5))).toBe('85');
  });

  it('keeps the Optional form of each use of a generic, whichever is compiled first', async () => {
    // G's body decides Optional(x) for any x ('choice'); B's Optional(String) is nullable.
    const schema = `module M
H(a) = Record { v: a }
G(x) = H(Optional(x))
A = G(String)
B = H(Optional(String))`;
    for (const order of [
      ['M.A', 'M.B'],
      ['M.B', 'M.A'],
    ]) {
      const repo = repositoryFromText([schema]);
      for (const name of order) {
        const value = name === 'M.A' ? { v: { type: 'value', value: 'hi' } } : { v: 'hi' };
        expect(hex(repo.encode(name, value)), name).toBe('81826869');
        expect(repo.decode(name, bytes('81826869')), name).toEqual(value);
      }
    }
  });

  it('offers write/read for framing several values into one buffer', async () => {
    const { SbsWriter, SbsReader } = await import('../../runtime/sbs/index.js');
    const c = hat.codec<{ s: number; us: number }>('HatEventer.Timestamp');
    const w = new SbsWriter();
    w.reset();
    c.write(w, { s: 1, us: 2 });
    c.write(w, { s: 3, us: 4 });
    const r = new SbsReader(w.finish());
    expect([c.read(r), c.read(r)]).toEqual([
      { s: 1, us: 2 },
      { s: 3, us: 4 },
    ]);
    r.end();
  });
});

describe('Record entries named like Object.prototype members', () => {
  it('encode an omitted None/Optional entry as absent, not from the inherited member', async () => {
    const text = repositoryFromText([
      `module M
      R = Record { constructor: Optional(String), toString: None, proto: Optional(Integer), x: Integer }
    `,
    ]);
    // `__proto__` cannot be written in .sbs text, but hat-sbs JSON can name an entry so.
    const json = JSON.parse(JSON.stringify(text.toJson()).replace('"proto"', '"__proto__"'));
    const repo = Repository.fromJson(json);
    expect(hex(repo.encode('M.R', { x: 1 }))).toBe('808081');
    expect(hex(repo.encode('M.R', Object.assign(Object.create(null), { x: 1 })))).toBe('808081');
    const own = JSON.parse('{"constructor": "c", "toString": null, "__proto__": 5, "x": 1}');
    expect(hex(repo.encode('M.R', own))).toBe('818163818581');
    const decoded = repo.decode('M.R', bytes('818163818581'));
    expect(Object.keys(decoded as object)).toEqual(['constructor', 'toString', '__proto__', 'x']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(hex(repo.encode('M.R', decoded))).toBe('818163818581');
    // A class's own member of that name is the value, not inherited from Object.prototype.
    class WithToString {
      x = 1;
      toString(): string {
        return 'a';
      }
    }
    expect(encodeError(repo, 'M.R', new WithToString()).path).toEqual(['M.R', 'toString']);
  });
});

describe('minimum item sizes', () => {
  it('rejects array counts that cannot fit, using exact minimum encoded sizes', async () => {
    const { SchemaIndex } = await import('hat-open-ts/schema');
    const repo = repositoryFromText([
      `module M
      T = Choice { rec: Record { t: T, f: Float }, f: Float }
      AT = Array(T)
      L = Record { v: Integer, next: Optional(L) }
      AL = Array(L)
      W = Choice { a: Record { x: Float, y: Float }, b: Record { x: Float, y: Float, z: Float } }
      AW = Array(W)
    `,
    ]);
    const index = new SchemaIndex(repo.schema);
    const ref = (name: string) => ({ kind: 'Ref', module: 'M', name, args: [] }) as const;
    expect(index.minSize(ref('T'))).toBe(9);
    expect(index.minSize(ref('L'))).toBe(2);
    expect(index.minSize(ref('W'))).toBe(17);
    expect(index.minSize({ kind: 'Array', element: ref('T') })).toBe(1);
    const test = await repositoryFromFiles([join(CONFORMANCE, 'schemas/test')]);
    const big = new SchemaIndex(test.schema);
    expect(big.minSize({ kind: 'Ref', module: 'InteropExt', name: 'Big', args: [] })).toBe(1);
    expect(big.minSize({ kind: 'Ref', module: 'InteropExt', name: 'Tree', args: [] })).toBe(2);
    expect(big.minSize({ kind: 'Ref', module: 'Interop', name: 'R', args: [] })).toBe(14);

    // Two items of at least 9 bytes cannot fit in 17 bytes: rejected at the count.
    const twoFloats = '82' + '81' + '3ff0000000000000' + '81' + '3ff00000000000';
    const e = decodeError(repo, 'M.AT', twoFloats);
    expect([e.code, e.offset]).toEqual(['length', 0]);
    expect(repo.decode('M.AT', bytes('81813ff0000000000000'))).toEqual([{ type: 'f', value: 1 }]);
    expect(
      decodeError(repo, 'M.AW', '82' + '80' + '00'.repeat(16) + '80' + '00'.repeat(15)).code,
    ).toBe('length');
  });
});
