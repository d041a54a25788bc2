// The generator prints its code with its own printer in prettier's style (compiler/printer.ts,
// compiler/codegen/ts-print.ts), not through prettier. This runs prettier (a devDependency)
// over generated code of schemas made to exercise every line-breaking layout, so the printer
// cannot drift from prettier: long names, long unions, many entries, generics with many
// arguments, deep nesting, inline Records and Choices, inherited entry names, both int modes.
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { generateFiles } from '../../compiler/generate.js';
import { compileSchema } from '../../compiler/index.js';

const OPTIONS = { parser: 'typescript', singleQuote: true, printWidth: 100 } as const;

/** mulberry32: a small seeded generator, so every run checks the same schemas. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

/** A random module of `count` definitions referring to each other and to module `other`. */
function randomSchema(seed: number, count: number, other: string): string {
  const rnd = random(seed);
  const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const ident = (): string => {
    const len = [2, 3, 5, 8, 12, 20, 30, 45, 60][rnd(9)] as number;
    let s = LETTERS[26 + rnd(26)] as string;
    while (s.length < len) s += (LETTERS + '0123456789_')[rnd(63)];
    return s;
  };
  const names = Array.from({ length: count }, (_, i) => `${ident()}${i}`);
  const arity = names.map(() => (rnd(4) === 0 ? 1 + rnd(3) : 0));
  const plain = names.filter((_, i) => arity[i] === 0);
  const generic = names.flatMap((n, i) => (arity[i] ? [[n, arity[i] as number] as const] : []));
  const type = (depth: number, params: readonly string[]): string => {
    const k = rnd(depth > 4 ? 7 : 12);
    switch (k) {
      case 0:
        return 'Integer';
      case 1:
        return 'String';
      case 2:
        return ['None', 'Boolean', 'Float', 'Bytes'][rnd(4)] as string;
      case 3:
        return params.length ? (params[rnd(params.length)] as string) : 'Integer';
      case 4:
        return plain.length ? (plain[rnd(plain.length)] as string) : 'Integer';
      case 5:
        return `${other}.T${rnd(3)}`;
      case 6: {
        if (generic.length === 0) return 'Integer';
        const [g, n] = generic[rnd(generic.length)] as readonly [string, number];
        return `${g}(${Array.from({ length: n }, () => type(depth + 2, params)).join(', ')})`;
      }
      case 7:
        return `Array(${type(depth + 1, params)})`;
      case 8:
        return `Optional(${type(depth + 1, params)})`;
      case 9:
      case 10: {
        const entries = new Set<string>();
        const n = 1 + rnd(k === 9 ? 8 : 12);
        while (entries.size < n)
          entries.add(
            rnd(10) === 0
              ? (['toString', 'constructor', 'valueOf'][rnd(3)] as string)
              : ident().replace(/^./, (c) => c.toLowerCase()),
          );
        const body = [...entries].map((e) => `${e}: ${type(depth + 1, params)}`).join(' ');
        return `${k === 9 ? 'Record' : 'Choice'} { ${body} }`;
      }
      default:
        return `Array(Optional(${type(depth + 1, params)}))`;
    }
  };
  const lines = [`module M${seed}`];
  names.forEach((n, i) => {
    const params = Array.from({ length: arity[i] as number }, (_, j) => `P${ident()}${j}`);
    lines.push(`${n}${params.length ? `(${params.join(', ')})` : ''} = ${type(0, params)}`);
  });
  return lines.join('\n') + '\n';
}

const OTHER = `module Other
T0 = Record { a: Integer b: String }
T1 = Choice { x: None y: Array(Integer) }
T2 = Optional(String)
`;

const long = (s: string, n: number): string => s + 'x'.repeat(n);

// Shapes at the edges of each layout, written out so a failure names what broke.
const HANDMADE = `module Shapes
${long('Union', 40)} = Choice { ${Array.from({ length: 12 }, (_, i) => `entry${i}: ${['None', 'Integer', 'String', 'Array(Float)'][i % 4]}`).join(' ')} }
${long('Rec', 50)} = Record { ${long('field', 60)}: Choice { a: Integer b: String c: None } ${long('other', 70)}: Optional(Array(Choice { p: Integer q: ${long('Rec', 50)} })) }
Pair(${long('First', 40)}, ${long('Second', 40)}) = Record { first: ${long('First', 40)} second: ${long('Second', 40)} }
${long('Inst', 30)} = Pair(Pair(Optional(Integer), Array(String)), Pair(${long('Rec', 50)}, Optional(Record { x: Integer })))
Deep = Array(Array(Optional(Array(Optional(Record { ${long('v', 80)}: Array(Optional(Choice { ${long('a', 40)}: None ${long('b', 40)}: Integer })) })))))
Names = Choice { ${Array.from({ length: 9 }, (_, i) => `${long('n', 10)}${i}: None`).join(' ')} }
Inherited = Record { toString: Optional(Integer) constructor: None valueOf: Choice { a: None } }
${long('Opt', 90)} = Optional(Record { ${long('x', 40)}: Integer ${long('y', 40)}: String })
Empty = Record { only: None }
`;

async function expectPrettierStyle(texts: { file: string; text: string }[]): Promise<number> {
  let bytes = 0;
  const schema = compileSchema(texts);
  for (const int of ['number', 'bigint'] as const)
    for (const f of await generateFiles(schema, { int })) {
      bytes += f.content.length;
      expect(f.content, f.path).toBe(
        await prettier.format(f.content, { ...OPTIONS, filepath: f.path }),
      );
    }
  return bytes;
}

describe('generated code is already in prettier style', () => {
  it('for hand-made shapes at the edge of every layout', { timeout: 60_000 }, async () => {
    await expectPrettierStyle([
      { file: 'other.sbs', text: OTHER },
      { file: 'shapes.sbs', text: HANDMADE },
    ]);
  });

  // Seeds in order, skipping schemas the validator rejects (a random type can contain itself
  // with no way out); the same ones every run.
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < 6; seed++) {
    try {
      compileSchema([
        { file: 'other.sbs', text: OTHER },
        { file: 'm.sbs', text: randomSchema(seed, 10, 'Other') },
      ]);
      seeds.push(seed);
    } catch {
      continue;
    }
  }

  it.each(seeds)('for random schema %i', { timeout: 60_000 }, async (seed) => {
    const bytes = await expectPrettierStyle([
      { file: 'other.sbs', text: OTHER },
      { file: 'm.sbs', text: randomSchema(seed, 10, 'Other') },
    ]);
    expect(bytes).toBeGreaterThan(5000);
  });
});
