import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  compileSources,
  formatDiagnostic,
  fromPythonJson,
  SbsSchemaError,
  validate,
} from '../../compiler/index.js';

function errors(text: string): string[] {
  const r = compileSources([{ file: 'a.sbs', text }]);
  expect(r.schema).toBeUndefined();
  return r.diagnostics.map(formatDiagnostic);
}

const NO_VALUE = 'has no finite value and can never be encoded';

describe('syntax errors', () => {
  it.each([
    [
      'missing module directive',
      'M T = Integer',
      "a.sbs:1:1: expected 'module' directive at start of schema but found 'M'",
    ],
    [
      'empty file',
      '',
      "a.sbs:1:1: expected 'module' directive at start of schema but found end of file",
    ],
    [
      'missing module name',
      'module = Integer',
      "a.sbs:1:8: expected module name after 'module' but found '='",
    ],
    [
      'missing :',
      'module M\nT = Record { a Integer }',
      "a.sbs:2:16: expected ':' after entry name but found 'Integer'",
    ],
    [
      'missing =',
      'module M\nT Integer',
      "a.sbs:2:3: expected '=' after type name but found 'Integer'",
    ],
    [
      'unclosed args',
      'module M\nT = Array(Integer',
      "a.sbs:2:18: expected a type argument or ')' but found end of file",
    ],
    [
      'unclosed record',
      'module M\nT = Record { a: Integer',
      "a.sbs:2:24: expected an entry (name: Type) or '}' but found end of file",
    ],
    ['missing type', 'module M\nT = }', "a.sbs:2:5: expected a type but found '}'"],
    [
      'stray token',
      'module M\nT = Integer\n}',
      "a.sbs:3:1: expected a type definition (Name = Type), found '}'",
    ],
    [
      'bad parameter',
      'module M\nP(a:) = a',
      "a.sbs:2:4: expected a type parameter name or ')' but found ':'",
    ],
    [
      'name after dot',
      'module M\nT = A.(Integer)',
      "a.sbs:2:7: expected a type name after '.' but found '('",
    ],
    ['leading underscore', 'module M\nT = _x', 'a.sbs:2:5: unexpected character "_"'],
    ['non-ASCII identifier', 'module M\nT = Ž', 'a.sbs:2:5: unexpected character "Ž"'],
  ])('%s', (_name, text, expected) => {
    expect(errors(text)).toEqual([expected]);
  });

  it('whitespace around dot (the definition is still checked)', () => {
    expect(errors('module M\nT = A . B')).toEqual([
      "a.sbs:2:5: unknown module 'A'",
      "a.sbs:2:7: no whitespace allowed around '.' in 'A.B'",
    ]);
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    const deep = `module M\nT = ${'Array('.repeat(5000)}Integer${')'.repeat(5000)}`;
    expect(errors(deep)).toEqual(['a.sbs:2:1546: types nested deeper than 256 levels']);
    const ok = `module M\nT = ${'Array('.repeat(256)}Integer${')'.repeat(256)}`;
    expect(compileSources([{ file: 'a.sbs', text: ok }]).diagnostics).toEqual([]);
  });

  // Each error chevrotain recovers from inside a repetition nests its call stack deeper.
  it('stops after 100 syntax errors instead of overflowing the stack', () => {
    const errs = errors(`module M\n${'T = =\n'.repeat(20_000)}`);
    expect(errs).toHaveLength(101);
    expect(errs[0]).toBe("a.sbs:2:5: expected a type but found '='");
    expect(errs[100]).toMatch(/^a\.sbs:\d+:\d+: too many syntax errors; the rest of the file/);
    expect(errors(`module M\n${'T = Record { a: }\n'.repeat(20_000)}`)).toHaveLength(101);
  });

  it('reports syntax errors on several lines of one file', () => {
    expect(errors('module M\nA = Record { a Integer }\nB = Integer\nC Integer\n')).toEqual([
      "a.sbs:2:16: expected ':' after entry name but found 'Integer'",
      "a.sbs:4:3: expected '=' after type name but found 'Integer'",
    ]);
  });
});

describe('validation errors', () => {
  it.each([
    [
      'unknown type',
      'module M\nT = Record { a: Foo }',
      ["a.sbs:2:17: unknown type 'Foo' in module 'M'"],
    ],
    [
      'unknown qualified type',
      'module M\nT = M.Foo',
      ["a.sbs:2:5: unknown type 'Foo' in module 'M'"],
    ],
    ['unknown module', 'module M\nT = X.Y', ["a.sbs:2:5: unknown module 'X'"]],
    ['unknown generic', 'module M\nT = X(Integer)', ["a.sbs:2:5: unknown type 'X' in module 'M'"]],
    [
      'wrong argument count',
      'module M\nP(a b) = Record { x: a y: b }\nT = P(Integer)',
      ["a.sbs:3:5: 'M.P' takes 2 type arguments but got 1"],
    ],
    [
      'generic without arguments',
      'module M\nP(a) = a\nT = P',
      ["a.sbs:3:5: 'M.P' takes 1 type argument but got 0"],
    ],
    [
      'arguments to a plain type',
      'module M\nT = Integer\nU = T(String)',
      ["a.sbs:3:5: 'M.T' takes no type arguments but got 1"],
    ],
    [
      'Array with two arguments',
      'module M\nT = Array(Integer String)',
      ["a.sbs:2:5: 'Array' takes exactly 1 type argument but got 2"],
    ],
    [
      'bare Array',
      'module M\nT = Array',
      ["a.sbs:2:5: 'Array' takes exactly 1 type argument but got 0"],
    ],
    [
      'Optional()',
      'module M\nT = Optional()',
      ["a.sbs:2:5: 'Optional' takes exactly 1 type argument but got 0"],
    ],
    [
      'duplicate type',
      'module M\nT = Integer\nT = String',
      ["a.sbs:3:1: duplicate type 'T' in module 'M' (first defined at a.sbs:2:1)"],
    ],
    [
      'duplicate entries',
      'module M\nT = Record { a: Integer a: String }\nC = Choice { x: None\n  x: None }',
      ["a.sbs:2:25: duplicate entry 'a' in Record", "a.sbs:4:3: duplicate entry 'x' in Choice"],
    ],
    [
      'parameter with arguments',
      'module M\nP(a) = a(Integer)',
      ["a.sbs:2:8: type parameter 'a' does not take type arguments"],
    ],
    [
      'builtin with arguments',
      'module M\nT = Integer(String)',
      ["a.sbs:2:5: builtin type 'Integer' does not take type arguments"],
    ],
    [
      'None with arguments',
      'module M\nT = None(String)',
      ["a.sbs:2:5: builtin type 'None' does not take type arguments"],
    ],
    [
      'empty Record and Choice',
      'module M\nT = Record {}\nU = Choice { }\nV = Record\nW = Choice',
      [
        'a.sbs:2:5: empty Record: a Record needs at least one entry (Record { name: Type })',
        'a.sbs:3:5: empty Choice: a Choice needs at least one entry (Choice { name: Type })',
        'a.sbs:4:5: empty Record: a Record needs at least one entry (Record { name: Type })',
        'a.sbs:5:5: empty Choice: a Choice needs at least one entry (Choice { name: Type })',
      ],
    ],
    [
      'Record with arguments',
      'module M\nT = Record(Integer) { a: None }',
      ["a.sbs:2:5: 'Record' does not take type arguments"],
    ],
    [
      'entries on a non-Record type',
      'module M\nT = Foo { a: Integer }\nFoo = Integer',
      ["a.sbs:2:5: 'Foo' does not take entries (only Record and Choice do)"],
    ],
    [
      'duplicate parameter',
      'module M\nP(a a) = a',
      ["a.sbs:2:1: duplicate type parameter 'a' in 'P'"],
    ],
    [
      'alias cycle',
      'module M\nA = B\nB = A',
      ['a.sbs:2:1: alias cycle M.A -> M.B -> M.A: the type has no value and can never be encoded'],
    ],
    [
      'self alias',
      'module M\nA = A',
      ['a.sbs:2:1: alias cycle M.A -> M.A: the type has no value and can never be encoded'],
    ],
    [
      'aliases leading into a cycle',
      'module M\nX = C\nB = C\nC = D\nD = C\nY = D',
      [
        `a.sbs:2:1: type 'M.X' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
        `a.sbs:3:1: type 'M.B' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
        'a.sbs:4:1: alias cycle M.C -> M.D -> M.C: the type has no value and can never be encoded',
        `a.sbs:6:1: type 'M.Y' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'generic alias cycle',
      'module M\nP(a) = Q(a)\nQ(b) = P(b)',
      ['a.sbs:2:1: alias cycle M.P -> M.Q -> M.P: the type has no value and can never be encoded'],
    ],
    [
      'record containing itself',
      'module M\nT = Record { x: T }',
      [
        `a.sbs:2:1: type 'M.T' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'choice whose only entry is itself',
      'module M\nT = Choice { a: Record { b: T } }',
      [
        `a.sbs:2:1: type 'M.T' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'mutual recursion without exit',
      'module M\nA = Record { b: B }\nB = Record { a: A, n: Integer }',
      [
        `a.sbs:2:1: type 'M.A' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
        `a.sbs:3:1: type 'M.B' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'generic applied to itself',
      'module M\nP(a) = Record { x: a }\nT = P(T)',
      [
        `a.sbs:3:1: type 'M.T' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'generic with no value',
      'module M\nP(a) = Record { x: a, self: P(a) }',
      [
        `a.sbs:2:1: type 'M.P' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      ],
    ],
    [
      'growing generic recursion',
      'module M\nL(a) = Record { x: Optional(L(Array(a))) }',
      [
        "a.sbs:2:29: recursive generic 'M.L' is applied to 'Array(a)', which grows on every expansion (would need infinitely many instantiations)",
      ],
    ],
    [
      'growing mutual generic recursion',
      'module M\nA(x) = Array(B(x))\nB(y) = Optional(A(Record { v: y }))',
      [
        "a.sbs:3:17: recursive generic 'M.A' is applied to 'Record { v: y }', which grows on every expansion (would need infinitely many instantiations)",
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(errors(text)).toEqual(expected);
  });

  it('reports errors inside unused generic definitions', () => {
    expect(errors('module M\nP(a) = Unknown(a)')).toEqual([
      "a.sbs:2:8: unknown type 'Unknown' in module 'M'",
    ]);
  });

  it('reports a duplicate module across files', () => {
    const r = compileSources([
      { file: 'a.sbs', text: 'module A\nT = Integer' },
      { file: 'b.sbs', text: '# other\nmodule A\nU = Integer' },
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "b.sbs:2:8: duplicate module 'A' (first defined at a.sbs:1:8)",
    ]);
  });

  it('reports all errors of a run, over several files, in file and position order', () => {
    const r = compileSources([
      { file: 'a.sbs', text: 'module A\nT = B.X\nU = Q\nV = Record { x: V }' },
      { file: 'b.sbs', text: 'module B\nX = Record { a Integer }' },
      { file: 'c.sbs', text: 'module C\nT = Array()\nT = Integer(None)' },
    ]);
    // No "unknown module 'B'": B failed to parse, its syntax error is the one to fix.
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "a.sbs:3:5: unknown type 'Q' in module 'A'",
      `a.sbs:4:1: type 'A.V' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
      "b.sbs:2:16: expected ':' after entry name but found 'Integer'",
      "c.sbs:2:5: 'Array' takes exactly 1 type argument but got 0",
      "c.sbs:3:1: duplicate type 'T' in module 'C' (first defined at c.sbs:2:1)",
      "c.sbs:3:5: builtin type 'Integer' does not take type arguments",
    ]);
    // B is kept with the definitions its syntax error left intact (none here).
    expect(r.modules.map((m) => [m.name, m.typeDefs.length])).toEqual([
      ['A', 3],
      ['B', 0],
      ['C', 2],
    ]);
  });

  it('throws SbsSchemaError with one formatted line per diagnostic', () => {
    let caught: unknown;
    try {
      compileSchema([{ file: 's/a.sbs', text: 'module M\nT = Foo\nU = Bar' }]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SbsSchemaError);
    const err = caught as SbsSchemaError;
    expect(err.message).toBe(
      "s/a.sbs:2:5: unknown type 'Foo' in module 'M'\ns/a.sbs:3:5: unknown type 'Bar' in module 'M'",
    );
    expect(err.diagnostics).toEqual([
      { file: 's/a.sbs', line: 2, column: 5, message: "unknown type 'Foo' in module 'M'" },
      { file: 's/a.sbs', line: 3, column: 5, message: "unknown type 'Bar' in module 'M'" },
    ]);
  });

  it('names the definition in errors about JSON-imported modules (no positions)', () => {
    const modules = fromPythonJson([
      {
        name: 'M',
        type_defs: {
          T: { name: 'T', args: [], type: { module: null, name: 'Foo', entries: [], args: [] } },
        },
      },
    ]);
    expect(validate(modules).diagnostics.map(formatDiagnostic)).toEqual([
      "<json>: in M.T: unknown type 'Foo' in module 'M'",
    ]);
  });

  // Each link can only be proven after the next one. The check used to take one pass over all
  // definitions per link (quadratic); now a definition is re-checked only when one it depends
  // on is proven.
  it('follows long alias chains once', () => {
    const n = 3000;
    const chain = (last: string): string =>
      `module M\n${Array.from({ length: n }, (_, i) => `A${i} = A${i + 1}\n`).join('')}A${n} = ${last}`;
    expect(compileSources([{ file: 'a.sbs', text: chain('Integer') }]).diagnostics).toEqual([]);
    const names = Array.from({ length: n + 2 }, (_, i) => `M.A${i % (n + 1)}`).join(' -> ');
    expect(errors(chain('A0'))).toEqual([
      `a.sbs:2:1: alias cycle ${names}: the type has no value and can never be encoded`,
    ]);
  });

  it('checks long definition chains in one pass', () => {
    const n = 3000;
    const chain = (last: string): string =>
      `module M\n${Array.from({ length: n }, (_, i) => `A${i} = Record { a: A${i + 1} }\n`).join('')}A${n} = ${last}`;
    expect(compileSources([{ file: 'a.sbs', text: chain('Integer') }]).diagnostics).toEqual([]);
    const errs = errors(chain('Choice { a: A0 }'));
    expect(errs).toHaveLength(n + 1);
    expect(errs[n]).toBe(
      `a.sbs:${n + 2}:1: type 'M.A${n}' ${NO_VALUE} (it contains itself with no way out through Optional, Array or another Choice entry)`,
    );
  });
});

describe('large schemas', () => {
  const accepted = (text: string): void =>
    expect(compileSources([{ file: 'a.sbs', text }]).diagnostics).toEqual([]);
  const lines = (n: number, line: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => line(i)).join('\n');

  // The reference-graph walk and the Optional form decision recursed once per link.
  it(
    'follows reference chains of 50 000 definitions without overflowing the stack',
    { timeout: 120_000 },
    () => {
      const n = 50_000;
      accepted(`module M\n${lines(n, (i) => `A${i} = A${i + 1}`)}\nA${n} = Integer`);
      accepted(`module M\n${lines(n, (i) => `A${i} = Optional(A${i + 1})`)}\nA${n} = Integer`);
      accepted(`module M\n${lines(n, (i) => `A${i} = Record { x: Optional(A${(i + 1) % n}) }`)}`);
    },
  );

  it('checks definitions past the 10 000th like every other', () => {
    accepted(`module M\n${lines(10_005, (i) => `T${i} = Record { a: Integer }`)}`);
  });

  it('handles 150 000 definitions (no argument-spreading of large arrays)', () => {
    accepted(`module M\n${lines(150_000, (i) => `T${i} = Integer`)}`);
  });
});

describe('accepted recursion', () => {
  it.each([
    ['Array recursion', 'module M\nT = Array(T)'],
    ['linked list', 'module M\nLinked = Record { value: Integer, next: Optional(Linked) }'],
    ['tree', 'module M\nTree = Record { label: String, children: Array(Tree) }'],
    [
      'choice with exit',
      'module M\nT = Choice { nil: None, cons: Record { head: Integer, tail: T } }',
    ],
    ['mutual recursion', 'module M\nA = Record { b: Optional(B) }\nB = Record { a: A }'],
    [
      'recursive generic',
      'module M\nL(a) = Choice { nil: None, cons: Record { head: a, tail: L(a) } }\nT = L(Integer)',
    ],
    [
      'generic through a recursive type',
      'module M\nP(x) = Record { v: x, n: Optional(T) }\nT = P(Integer)',
    ],
    ['permuted parameters', 'module M\nP(a b) = Choice { x: a, y: Record { r: P(b a) } }'],
    ['self-referencing Optional', 'module M\nT = Optional(T)'],
  ])('%s', (_name, text) => {
    const r = compileSources([{ file: 'a.sbs', text }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.schema).toBeDefined();
  });
});

describe('syntax and semantic errors in one run', () => {
  it('checks every definition a syntax error did not break', () => {
    expect(
      errors(
        'module N\nA = Integer\nB = Record { x: A y: }\nC = Record { x: Strin }\nD = Record { z: Missing }',
      ),
    ).toEqual([
      "a.sbs:3:22: expected a type but found '}'",
      "a.sbs:4:17: unknown type 'Strin' in module 'N'; did you mean 'String'?",
      "a.sbs:5:17: unknown type 'Missing' in module 'N'",
    ]);
  });

  it('reports an unclosed { or ( once and checks the definitions after it', () => {
    expect(
      errors(
        'module Q\nA = Record { x: Integer\nB = Strin\nC = Array(Integr\nD = Boolean\nF = Intger',
      ),
    ).toEqual([
      "a.sbs:3:1: expected an entry (name: Type) or '}' but found 'B'",
      "a.sbs:3:5: unknown type 'Strin' in module 'Q'; did you mean 'String'?",
      "a.sbs:5:1: expected a type argument or ')' but found 'D'",
      "a.sbs:6:5: unknown type 'Intger' in module 'Q'; did you mean 'Integer'?",
    ]);
  });

  it('does not report references to a definition its syntax error dropped', () => {
    expect(errors('module M\nA = Record { x: }\nB = Array(A)\nC = M.A')).toEqual([
      "a.sbs:2:17: expected a type but found '}'",
    ]);
  });

  it('recovers from a misspelt module line without cascading, keeping its name', () => {
    const r = compileSources([
      { file: 'a.sbs', text: 'modul M\nA = Integer\nB = Recrd { x: A }' },
      { file: 'b.sbs', text: 'module N\nT = M.A\nU = M.Missing' },
    ]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "a.sbs:1:1: expected 'module' directive at start of schema but found 'modul'",
      "a.sbs:3:5: unknown type 'Recrd' in module 'M'; did you mean 'Record'?",
      "b.sbs:3:5: unknown type 'Missing' in module 'M'",
    ]);
  });

  it('recovers from a missing module line or module name with one error', () => {
    expect(errors('A = Integer\nB = Record { x: A }')).toEqual([
      "a.sbs:1:1: expected 'module' directive at start of schema but found 'A'",
    ]);
    expect(errors('module\nA = Integer\nB = Record { x: A }')).toEqual([
      "a.sbs:1:1: expected module name after 'module'",
    ]);
  });
});

describe('did you mean', () => {
  it.each([
    [
      'a builtin',
      'module M\nT = Recrd { a: Integer }',
      "unknown type 'Recrd' in module 'M'; did you mean 'Record'?",
    ],
    [
      'a builtin, case aside',
      'module M\nT = integer',
      "unknown type 'integer' in module 'M'; did you mean 'Integer'?",
    ],
    [
      'a type',
      'module M\nPoint = Integer\nT = Array(Piont)',
      "unknown type 'Piont' in module 'M'; did you mean 'Point'?",
    ],
    [
      'a type parameter',
      'module M\nP(value) = Array(valeu)',
      "unknown type 'valeu' in module 'M'; did you mean 'value'?",
    ],
    [
      'a qualified type',
      'module M\nPoint = Integer\nT = M.Pont',
      "unknown type 'Pont' in module 'M'; did you mean 'Point'?",
    ],
    [
      'a module',
      'module Geometry\nPoint = Integer\nT = Geometyr.Point',
      "unknown module 'Geometyr'; did you mean 'Geometry'?",
    ],
    [
      'nothing close',
      'module M\nPoint = Integer\nT = Banana',
      "unknown type 'Banana' in module 'M'",
    ],
    ['nothing for one letter', 'module M\nA = Integer\nT = B', "unknown type 'B' in module 'M'"],
  ])('%s', (_name, text, message) => {
    const [line] = errors(text);
    expect(line?.replace(/^a\.sbs:\d+:\d+: /, '')).toBe(message);
  });

  it('stops suggesting after a budget, so many unknown names against many types stay linear', () => {
    const defs = Array.from({ length: 2000 }, (_, i) => `Type${i} = Integer`).join('\n');
    const refs = Array.from({ length: 2000 }, (_, i) => `U${i} = Typo${i}`).join('\n');
    const lines = errors(`module M\n${defs}\n${refs}`);
    expect(lines).toHaveLength(2000);
    const hinted = lines.filter((l) => l.includes('did you mean')).length;
    expect(hinted).toBeGreaterThan(0);
    expect(hinted).toBeLessThanOrEqual(200);
  });
});
