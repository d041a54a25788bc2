import { describe, expect, it } from 'vitest';
import type { AstType } from 'hat-open-ts/schema';
import { compileSchema, parseModule, typeToString } from '../../compiler/index.js';

function parseOk(text: string) {
  const r = parseModule({ file: 'a.sbs', text });
  expect(r.diagnostics).toEqual([]);
  if (!r.module) throw new Error('no module');
  return r.module;
}

/** AST type without positions, as `{ module, name, entries, args }`. */
function shape(t: AstType): unknown {
  return {
    module: t.module,
    name: t.name,
    entries: t.entries.map((e) => ({ name: e.name, type: shape(e.type) })),
    args: t.args.map(shape),
  };
}

function bodies(text: string): Record<string, string> {
  const schema = compileSchema([{ file: 'a.sbs', text }]);
  const out: Record<string, string> = {};
  for (const m of schema.modules)
    for (const d of m.types) out[`${m.name}.${d.name}`] = typeToString(d.type);
  return out;
}

describe('grammar', () => {
  it('parses the module directive and definitions with positions', () => {
    const m = parseOk('module M\n\nT = Integer\n  U = Array(T)\n');
    expect(m.name).toBe('M');
    expect(m.pos).toEqual({ file: 'a.sbs', line: 1, column: 8 });
    expect(m.typeDefs.map((d) => [d.name, d.pos?.line, d.pos?.column])).toEqual([
      ['T', 3, 1],
      ['U', 4, 3],
    ]);
    const u = m.typeDefs[1]?.type;
    expect(u?.pos).toEqual({ file: 'a.sbs', line: 4, column: 7 });
    expect(u?.args[0]?.pos).toEqual({ file: 'a.sbs', line: 4, column: 13 });
  });

  it('accepts a module with no definitions', () => {
    expect(parseOk('module Empty').typeDefs).toEqual([]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('counts lines with %s line endings', (_name, eol) => {
    const m = parseOk(
      [
        '# header',
        'module M',
        'A = Integer',
        '',
        'B = Record {',
        '  x: Foo',
        '}',
        'Foo = None',
      ].join(eol),
    );
    expect(m.typeDefs.map((d) => d.pos?.line)).toEqual([3, 5, 8]);
    expect(m.typeDefs[1]?.type.entries[0]?.type.pos).toEqual({ file: 'a.sbs', line: 6, column: 6 });
  });

  it('accepts comments anywhere, including a last line without newline', () => {
    const m = parseOk(
      '# c1\nmodule M # c2\nT = Record { # c3\n a: Integer # c4\n} # no newline at end',
    );
    expect(m.typeDefs).toHaveLength(1);
    expect(m.typeDefs[0]?.type.entries.map((e) => e.name)).toEqual(['a']);
  });

  it('treats commas as whitespace', () => {
    const m = parseOk(',,module,M,T,=,Record{a:Integer,b:String,},U=Array(Integer,),P(a,b,)=a,');
    expect(m.typeDefs.map((d) => d.name)).toEqual(['T', 'U', 'P']);
    expect(m.typeDefs[0]?.type.entries.map((e) => e.name)).toEqual(['a', 'b']);
    expect(m.typeDefs[2]?.args).toEqual(['a', 'b']);
  });

  it('parses type parameters, empty parameter lists and whitespace before (', () => {
    const m = parseOk(
      'module M P (a b) = Record { x: a y: b } Q() = Integer T = P (Integer Q) U = Array ( Integer )',
    );
    expect(m.typeDefs.map((d) => [d.name, d.args])).toEqual([
      ['P', ['a', 'b']],
      ['Q', []],
      ['T', []],
      ['U', []],
    ]);
    expect(shape(m.typeDefs[2]!.type)).toEqual({
      module: null,
      name: 'P',
      entries: [],
      args: [
        { module: null, name: 'Integer', entries: [], args: [] },
        { module: null, name: 'Q', entries: [], args: [] },
      ],
    });
  });

  it('parses qualified references with and without arguments', () => {
    const m = parseOk('module M T = Other.X U = Other.P(Integer Other.X)');
    expect(shape(m.typeDefs[1]!.type)).toEqual({
      module: 'Other',
      name: 'P',
      entries: [],
      args: [
        { module: null, name: 'Integer', entries: [], args: [] },
        { module: 'Other', name: 'X', entries: [], args: [] },
      ],
    });
  });

  it('nests Array, Record, Choice and Optional inline', () => {
    expect(
      bodies(
        'module M T = Choice { a: Record { b: Array(Choice { c: None d: Optional(Record { e: Bytes }) }) } f: Float }',
      ),
    ).toEqual({
      'M.T':
        'Choice { a: Record { b: Array(Choice { c: None d: Optional(Record { e: Bytes }) }) } f: Float }',
    });
  });

  it('treats identifiers that start with a builtin name as ordinary names', () => {
    const text = [
      'module StringUtils',
      'StringList = Array(String)',
      'NoneX = None',
      'IntegerPair = Record { a: Integer b: Integer }',
      'ArrayOf(T) = Array(T)',
      'RecordLike = Record { x: StringList, y: NoneX, z: IntegerPair, w: ArrayOf(Bytes) }',
      'Q = StringUtils.StringList',
    ].join('\n');
    expect(bodies(text)).toEqual({
      'StringUtils.StringList': 'Array(String)',
      'StringUtils.NoneX': 'None',
      'StringUtils.IntegerPair': 'Record { a: Integer b: Integer }',
      'StringUtils.ArrayOf': 'Array(T)',
      'StringUtils.RecordLike':
        'Record { x: StringUtils.StringList y: StringUtils.NoneX z: StringUtils.IntegerPair w: StringUtils.ArrayOf(Bytes) }',
      'StringUtils.Q': 'StringUtils.StringList',
    });
  });

  it('accepts keywords and builtin names as entry, type and module names', () => {
    const text =
      'module module module = Record { module: Integer Record: None None: String Array: Bytes Choice: Boolean Optional: Float }';
    const m = parseOk(text);
    expect(m.name).toBe('module');
    expect(m.typeDefs[0]?.name).toBe('module');
    expect(m.typeDefs[0]?.type.entries.map((e) => e.name)).toEqual([
      'module',
      'Record',
      'None',
      'Array',
      'Choice',
      'Optional',
    ]);
    expect(bodies(text)['module.module']).toBe(
      'Record { module: Integer Record: None None: String Array: Bytes Choice: Boolean Optional: Float }',
    );
    // `modules`/`moduleX` are plain identifiers, not the keyword.
    expect(bodies('module modules moduleX = Integer T = moduleX')).toEqual({
      'modules.moduleX': 'Integer',
      'modules.T': 'modules.moduleX',
    });
  });

  it('resolves forward references and cross-module references in any file order', () => {
    const schema = compileSchema([
      { file: 'a.sbs', text: 'module A T = Record { b: B.U, l: Later } Later = Integer' },
      { file: 'b.sbs', text: 'module B U = Array(A.Later)' },
    ]);
    expect(schema.modules.map((m) => m.name)).toEqual(['A', 'B']);
    expect(typeToString(schema.modules[0]!.types[0]!.type)).toBe('Record { b: B.U l: A.Later }');
  });

  it('resolves names in Python order: parameter, builtin, Optional/Array, Record/Choice, module type', () => {
    const text = [
      'module M',
      'Integer = String', // shadowed by the builtin for unqualified references
      'Optional(x) = Array(x)',
      'P(Integer) = Integer', // the parameter shadows the builtin
      'T = Record { a: Integer, b: Optional(Bytes), c: M.Optional(Bytes), d: M.Integer, e: P(Float) }',
    ].join('\n');
    const schema = compileSchema([{ file: 'a.sbs', text }]);
    const types = schema.modules[0]!.types;
    expect(types.find((d) => d.name === 'P')?.type).toEqual({ kind: 'Param', name: 'Integer' });
    expect(typeToString(types.find((d) => d.name === 'T')!.type)).toBe(
      'Record { a: Integer b: Optional(Bytes) c: M.Optional(Bytes) d: M.Integer e: M.P(Float) }',
    );
  });

  it('resolves a generic body in its defining module and the arguments in the caller module', () => {
    const schema = compileSchema([
      { file: 'a.sbs', text: 'module A P(x) = Record { v: x, w: L } L = Integer' },
      { file: 'b.sbs', text: 'module B L = String T = A.P(L)' },
    ]);
    const p = schema.modules[0]!.types[0]!;
    expect(typeToString(p.type)).toBe('Record { v: x w: A.L }');
    expect(schema.modules[1]!.types[1]!.type).toEqual({
      kind: 'Ref',
      module: 'A',
      name: 'P',
      args: [{ kind: 'Ref', module: 'B', name: 'L', args: [] }],
    });
  });

  it('keeps P() in a type position equal to P', () => {
    expect(bodies('module M Q() = Integer T = Q()')).toEqual({ 'M.Q': 'Integer', 'M.T': 'M.Q' });
  });

  it('maps every builtin to its model kind', () => {
    const schema = compileSchema([
      {
        file: 'a.sbs',
        text: 'module M T = Record { a: None b: Boolean c: Integer d: Float e: String f: Bytes g: Array(None) h: Optional(Integer) i: Choice { x: None } }',
      },
    ]);
    const t = schema.modules[0]!.types[0]!.type;
    expect(t.kind).toBe('Record');
    if (t.kind !== 'Record') return;
    expect(t.entries.map((e) => e.type.kind)).toEqual([
      'None',
      'Boolean',
      'Integer',
      'Float',
      'String',
      'Bytes',
      'Array',
      'Optional',
      'Choice',
    ]);
  });
});
