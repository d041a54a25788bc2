// `sbs-gen breaking`: verdicts on pairs of schema versions, and proof of each verdict against
// the codecs themselves: for every "safe" pair, bytes of random values written by either
// version decode under the other and re-encode to the same bytes; for every "breaking" pair a
// value exists (found by fast-check) whose bytes fail to decode, or decode to something else.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compareSchemas, type SchemaChange, type SchemaVersion } from '../../compiler/breaking.js';
import { main } from '../../compiler/cli.js';
import { compileSources } from '../../compiler/compile.js';
import { Repository } from '../../runtime/sbs/index.js';
import { sameValue } from '../../scripts/conformance/vectors.js';
import { SbsArbitraries } from '../support/arbitrary.js';

function version(text: string, file = 'new.sbs', more: Record<string, string> = {}): SchemaVersion {
  const sources = [{ file, text }, ...Object.entries(more).map(([f, t]) => ({ file: f, text: t }))];
  const { schema, modules, diagnostics } = compileSources(sources);
  if (!schema) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { schema, modules };
}

function compare(older: string, newer: string): SchemaChange[] {
  return compareSchemas(version(older, 'old.sbs'), version(newer, 'new.sbs'));
}

const summary = (changes: readonly SchemaChange[]): string[] =>
  changes.map((c) => `${c.severity} ${c.kind} ${c.path}`);

interface Pair {
  readonly name: string;
  readonly older: string;
  readonly newer: string;
  /** `severity kind path` of each change, in order. */
  readonly expected: readonly string[];
}

const M = (body: string): string => `module M\n${body}\n`;

const PAIRS: readonly Pair[] = [
  {
    name: 'unchanged (recursive types included)',
    older: M('T = Record { a: Integer b: Array(T) }\nJ = Choice { n: None a: Array(J) s: String }'),
    newer: M('T = Record { a: Integer b: Array(T) }\nJ = Choice { n: None a: Array(J) s: String }'),
    expected: [],
  },
  {
    name: 'a Record entry renamed in place',
    older: M('T = Record { a: Integer b: String }'),
    newer: M('T = Record { a: Integer label: String }'),
    expected: ['safe renamed M.T.label'],
  },
  {
    name: 'a Record entry appended',
    older: M('T = Record { a: Integer }'),
    newer: M('T = Record { a: Integer b: String }'),
    expected: ['breaking entry-added M.T.b'],
  },
  {
    name: 'a Record entry inserted in the middle',
    older: M('T = Record { a: Integer c: String }'),
    newer: M('T = Record { a: Integer b: Boolean c: String }'),
    expected: ['breaking entry-added M.T.b'],
  },
  {
    name: 'a Record entry removed',
    older: M('T = Record { a: Integer b: String c: Float }'),
    newer: M('T = Record { a: Integer c: Float }'),
    expected: ['breaking entry-removed M.T.b'],
  },
  {
    name: 'two Record entries of the same type swapped (bytes decode, values are misread)',
    older: M('T = Record { a: Integer b: Integer }'),
    newer: M('T = Record { b: Integer a: Integer }'),
    expected: ['breaking entry-moved M.T.b', 'breaking entry-moved M.T.a'],
  },
  {
    name: 'a Choice entry appended',
    older: M('T = Choice { a: Integer b: String }'),
    newer: M('T = Choice { a: Integer b: String c: Boolean }'),
    expected: ['breaking entry-appended M.T.c'],
  },
  {
    name: 'a Choice entry inserted in the middle',
    older: M('T = Choice { a: Integer c: String }'),
    newer: M('T = Choice { a: Integer b: Boolean c: String }'),
    expected: ['breaking entry-added M.T.b'],
  },
  {
    name: 'the last Choice entry removed',
    older: M('T = Choice { a: Integer b: String }'),
    newer: M('T = Choice { a: Integer }'),
    expected: ['breaking entry-removed M.T.b'],
  },
  {
    name: 'an entry type changed',
    older: M('T = Record { a: Integer b: String }'),
    newer: M('T = Record { a: Integer b: Float }'),
    expected: ['breaking type-changed M.T.b'],
  },
  {
    name: 'String to Bytes (same layout, but not every Bytes is UTF-8)',
    older: M('T = Record { s: String }'),
    newer: M('T = Record { s: Bytes }'),
    expected: ['breaking type-changed M.T.s'],
  },
  {
    name: 'a nested change inside array items',
    older: M('T = Record { xs: Array(Record { a: Integer b: Integer }) }'),
    newer: M('T = Record { xs: Array(Record { a: Integer b: String }) }'),
    expected: ['breaking type-changed M.T.xs[].b'],
  },
  {
    name: 'a one-entry Record replaced by its entry (no bytes for the Record itself)',
    older: M('T = Record { p: Record { x: Integer } n: None }'),
    newer: M('T = Record { p: Integer n: None }'),
    expected: ['safe same-bytes M.T.p'],
  },
  {
    name: 'Optional(T) spelled as the Choice it is',
    older: M('T = Record { o: Optional(Integer) }'),
    newer: M('T = Record { o: Choice { none: None value: Integer } }'),
    expected: ['safe same-bytes M.T.o'],
  },
  {
    name: 'a change inside a recursive type',
    older: M('Tree = Record { v: Integer kids: Array(Tree) }'),
    newer: M('Tree = Record { v: String kids: Array(Tree) }'),
    expected: ['breaking type-changed M.Tree.v'],
  },
];

function repositories(pair: Pair): { older: Repository; newer: Repository } {
  return {
    older: new Repository(version(pair.older).schema),
    newer: new Repository(version(pair.newer).schema),
  };
}

/**
 * A value of the first type of `from` whose bytes `to` cannot read, or reads into a value that
 * encodes differently; with `misread`, also one that reads back with the same entry names
 * holding other values (two swapped Integers decode fine, into the wrong places).
 */
function counterexample(from: Repository, to: Repository, misread: boolean): unknown {
  const name = `M.${from.schema.modules[0]!.types[0]!.name}`;
  const arb = new SbsArbitraries(from.schema, { int: 'number', depth: 2 }).of(name);
  const result = fc.check(
    fc.property(arb, (v) => {
      const bytes = from.encode(name, v);
      let decoded: unknown;
      try {
        decoded = to.decode(name, bytes);
      } catch {
        return false;
      }
      if (!sameBytes(to.encode(name, decoded), bytes)) return false;
      return !misread || !sameKeys(v, decoded) || sameValue(v, decoded);
    }),
    { numRuns: 300, seed: 42 },
  );
  return result.failed ? result.counterexample : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameKeys(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return true;
  const ka = Object.keys(a).sort().join();
  return ka === Object.keys(b).sort().join();
}

describe('sbs-gen breaking: verdicts', () => {
  it.each(PAIRS.map((p) => [p.name, p] as const))('%s', (_, pair) => {
    expect(summary(compare(pair.older, pair.newer))).toEqual(pair.expected);
  });

  it('reports positions in NEW, file:line:column of the entry', () => {
    const [change] = compare(
      M('T = Record {\n  a: Integer\n}'),
      M('T = Record {\n  a: Integer\n  b: String\n}'),
    );
    expect(change).toMatchObject({ file: 'new.sbs', line: 4, column: 3, severity: 'breaking' });
  });

  it('a removed type another module used is breaking; an unused one a warning', () => {
    const older = version('module A\nUsed = Integer\nUnused = String\n', 'a.sbs', {
      'b.sbs': 'module B\nT = Record { x: A.Used }\n',
    });
    const newer = version('module A\nOther = Integer\n', 'a.sbs', {
      'b.sbs': 'module B\nT = Record { x: Integer }\n',
    });
    expect(summary(compareSchemas(older, newer))).toEqual([
      'warning type-removed A.Unused',
      'breaking type-removed A.Used',
      'safe same-bytes B.T.x',
    ]);
  });

  it("a generic's arity changed is breaking", () => {
    expect(
      summary(compare(M('P(a) = Record { x: a }'), M('P(a b) = Record { x: a y: b }'))),
    ).toEqual(['breaking arity-changed M.P']);
  });
});

describe('sbs-gen breaking: verdicts proven against the codecs', () => {
  it.each(PAIRS.map((p) => [p.name, p] as const))('%s', (_, pair) => {
    const { older, newer } = repositories(pair);
    const breaking = pair.expected.some((e) => e.startsWith('breaking'));
    // Safe changes may change the JS shape (same bytes, other names): only bytes count there.
    const found = counterexample(older, newer, breaking) ?? counterexample(newer, older, breaking);
    if (breaking) expect(found, 'no value shows the break').toBeDefined();
    else expect(found, 'a value breaks a safe change').toBeUndefined();
  });
});

describe('sbs-gen breaking: command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sbs-breaking-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) };
  const write = (path: string, text: string): string => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    return join(dir, path);
  };

  it('compares two folders: exit 1, one line per change, a summary', async () => {
    const older = write('old/m.sbs', M('T = Record { a: Integer b: String }'));
    const newer = write('new/m.sbs', M('T = Record { b: String a: Integer }'));
    out.length = err.length = 0;
    expect(await main(['breaking', join(older, '..'), join(newer, '..')], io)).toBe(1);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /new\/m\.sbs:2:\d+: breaking: M\.T\.b: entry 'b' moved from position 2 to 1/,
    );
    expect(err).toEqual(['sbs-gen breaking: 2 breaking changes, 0 warnings, 0 safe']);
  });

  it('exit 0 and a JSON report for safe changes', async () => {
    const older = write('old2.sbs', M('T = Record { a: Integer }'));
    const newer = write('new2.sbs', M('T = Record { renamed: Integer }'));
    out.length = 0;
    expect(await main(['breaking', older, newer, '--json'], io)).toBe(0);
    const report = JSON.parse(out.join('\n')) as { breaking: boolean; changes: SchemaChange[] };
    expect(report.breaking).toBe(false);
    expect(report.changes.map((c) => c.kind)).toEqual(['renamed']);
  });

  it('reads OLD from a git ref', async () => {
    const git = promisify(execFile);
    const repo = join(dir, 'repo');
    write('repo/schemas/m.sbs', M('T = Choice { a: Integer b: String }'));
    const opts = { cwd: repo };
    await git('git', ['init', '-q'], opts);
    await git('git', ['add', '.'], opts);
    await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'v1'], opts);
    write('repo/schemas/m.sbs', M('T = Choice { a: Integer c: Boolean b: String }'));
    out.length = err.length = 0;
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect(await main(['breaking', 'schemas', '--against', 'HEAD'], io)).toBe(1);
    } finally {
      process.chdir(cwd);
    }
    expect(out).toEqual([
      expect.stringMatching(
        /^schemas\/m\.sbs:2:\d+: breaking: M\.T\.c: entry 'c' added at index 1/,
      ),
    ]);
  });

  it('usage and schema errors exit 2 with one line', async () => {
    err.length = 0;
    expect(await main(['breaking', join(dir, 'old2.sbs')], io)).toBe(2);
    expect(err).toHaveLength(1);
    const bad = write('bad.sbs', 'module M\nT = Nope\n');
    err.length = 0;
    expect(await main(['breaking', bad, bad], io)).toBe(2);
    expect(err[0]).toMatch(/bad\.sbs:2:5: .*Nope/);
  });
});
