import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  findTypeDef,
  instantiate,
  isNullable,
  readSources,
  recursiveTypeDefs,
  resolveType,
  type SbsType,
  type Schema,
  typeToString,
} from '../../compiler/index.js';
import { CONFORMANCE } from '../support/conformance.js';

const SCHEMAS = join(CONFORMANCE, 'schemas');

function schemaOf(text: string): Schema {
  return compileSchema([{ file: 'a.sbs', text }]);
}

function def(schema: Schema, qualified: string) {
  const [module, name] = qualified.split('.') as [string, string];
  const d = findTypeDef(schema, module, name);
  if (!d) throw new Error(`no ${qualified}`);
  return d;
}

/** Forms of the Optionals in `t`, outermost first. */
function forms(t: SbsType): string[] {
  switch (t.kind) {
    case 'Optional':
      return [t.form, ...forms(t.value)];
    case 'Array':
      return forms(t.element);
    case 'Record':
    case 'Choice':
      return t.entries.flatMap((e) => forms(e.type));
    case 'Ref':
      return t.args.flatMap(forms);
    default:
      return [];
  }
}

describe('conformance schemas', async () => {
  const schema = compileSchema(await readSources([SCHEMAS]));

  it('compiles every module in sorted file order', () => {
    expect(schema.modules.map((m) => [m.name, m.file])).toEqual([
      ['HatChatter', `${SCHEMAS}/hat/chatter.sbs`],
      ['HatEventer', `${SCHEMAS}/hat/eventer.sbs`],
      ['Interop', `${SCHEMAS}/test/interop.sbs`],
      ['InteropExt', `${SCHEMAS}/test/interop_ext.sbs`],
    ]);
    expect(schema.modules.map((m) => m.types.length)).toEqual([4, 25, 33, 4]);
  });

  it('produces the expected resolved model', () => {
    expect(def(schema, 'HatChatter.Msg').type).toEqual({
      kind: 'Record',
      entries: [
        { name: 'id', type: { kind: 'Integer' } },
        { name: 'first', type: { kind: 'Integer' } },
        { name: 'owner', type: { kind: 'Boolean' } },
        { name: 'token', type: { kind: 'Boolean' } },
        { name: 'last', type: { kind: 'Boolean' } },
        { name: 'data', type: { kind: 'Ref', module: 'HatChatter', name: 'Data', args: [] } },
      ],
    });
    expect(def(schema, 'HatChatter.Ping').type).toEqual({ kind: 'None' });
    expect(typeToString(def(schema, 'HatEventer.Event').type)).toBe(
      'Record { id: HatEventer.EventId type: HatEventer.EventType timestamp: HatEventer.Timestamp sourceTimestamp: Optional(HatEventer.Timestamp) payload: Optional(HatEventer.EventPayload) }',
    );
    expect(typeToString(def(schema, 'HatEventer.Status').type)).toBe(
      'Choice { standby: None starting: None operational: None stopping: None }',
    );
    expect(def(schema, 'Interop.Map')).toEqual({
      module: 'Interop',
      name: 'Map',
      params: ['K', 'V'],
      type: {
        kind: 'Array',
        element: {
          kind: 'Ref',
          module: 'Interop',
          name: 'Entry',
          args: [
            { kind: 'Param', name: 'K' },
            { kind: 'Param', name: 'V' },
          ],
        },
      },
    });
    expect(typeToString(def(schema, 'InteropExt.Json').type)).toBe(
      'Choice { null: None boolean: Boolean int: Integer float: Float string: String array: Array(InteropExt.Json) object: Array(Interop.Entry(String InteropExt.Json)) }',
    );
    expect(typeToString(def(schema, 'InteropExt.UsesOther').type)).toBe(
      'Record { r: Interop.R1 c: Interop.C p: Interop.Pair(Interop.I Boolean) }',
    );
  });

  it('decides Optional forms', () => {
    expect(forms(def(schema, 'Interop.OI').type)).toEqual(['nullable']);
    expect(forms(def(schema, 'Interop.OOI').type)).toEqual(['choice', 'nullable']);
    expect(forms(def(schema, 'Interop.Nested').type)).toEqual(['nullable']);
    expect(forms(def(schema, 'HatEventer.Event').type)).toEqual(['nullable', 'nullable']);
  });

  it('finds the recursive definitions', () => {
    expect(recursiveTypeDefs(schema)).toEqual(new Set(['InteropExt.Tree', 'InteropExt.Json']));
  });

  it('resolves alias chains and generic instantiations', () => {
    expect(resolveType(schema, { kind: 'Ref', module: 'Interop', name: 'A2', args: [] })).toEqual({
      kind: 'Integer',
    });
    expect(typeToString(resolveType(schema, def(schema, 'Interop.M1').type))).toBe(
      'Array(Interop.Entry(String Integer))',
    );
    expect(typeToString(resolveType(schema, def(schema, 'Interop.NI').type))).toBe(
      'Optional(Array(Integer))',
    );
  });
});

describe('Optional forms', () => {
  it.each([
    ['value never null', 'T = Optional(Integer)', ['nullable']],
    ['None value', 'T = Optional(None)', ['choice']],
    ['nested Optional', 'T = Optional(Optional(String))', ['choice', 'nullable']],
    [
      'triple Optional',
      'T = Optional(Optional(Optional(String)))',
      ['nullable', 'choice', 'nullable'],
    ],
    ['alias to None', 'T = Optional(N) N = None', ['choice']],
    ['alias to a nullable Optional', 'T = Optional(O) O = Optional(Integer)', ['choice']],
    ['forward alias decided on demand', 'T = Optional(A) A = B B = Optional(Integer)', ['choice']],
    ['alias to a choice-form Optional', 'T = Optional(O) O = Optional(None)', ['nullable']],
    ['type parameter', 'P(x) = Optional(x) T = P(Integer)', ['choice']],
    ['parameter under Array', 'P(x) = Optional(Array(x)) T = P(None)', ['nullable']],
    ['generic resolving to its parameter', 'T = Optional(Id(Integer)) Id(x) = x', ['nullable']],
    ['generic resolving to None', 'T = Optional(Id(None)) Id(x) = x', ['choice']],
    ['self-dependent Optional', 'T = Optional(T)', ['choice']],
    [
      'Record and Choice values',
      'T = Optional(Record { a: None }) U = Optional(Choice { a: None })',
      ['nullable'],
    ],
  ])('%s', (_name, defs, expected) => {
    const schema = schemaOf(`module M ${defs}`);
    expect(forms(schema.modules[0]!.types[0]!.type)).toEqual(expected);
  });

  it('decides mutually dependent Optionals deterministically, in definition order', () => {
    const schema = schemaOf('module M A = Optional(B) B = Optional(A)');
    // A is decided first: while it is in progress it counts as nullable, so B gets 'choice',
    // and then A (whose value B can never be null) gets 'nullable'.
    expect(forms(def(schema, 'M.A').type)).toEqual(['nullable']);
    expect(forms(def(schema, 'M.B').type)).toEqual(['choice']);
  });
});

describe('schema utilities', () => {
  const schema = schemaOf(
    'module M P(a b) = Record { x: a, y: Optional(b), z: L } L = Array(Integer) Id(t) = t N = Id(None) O = Id(Optional(Integer)) Linked = Record { v: Integer, next: Optional(Linked) } A = Record { b: Optional(B) } B = Array(A)',
  );

  it('instantiates generics, keeping Refs lazy', () => {
    expect(
      typeToString(
        instantiate(def(schema, 'M.P'), [
          { kind: 'String' },
          { kind: 'Ref', module: 'M', name: 'L', args: [] },
        ]),
      ),
    ).toBe('Record { x: String y: Optional(M.L) z: M.L }');
    expect(() => instantiate(def(schema, 'M.P'), [])).toThrow(RangeError);
  });

  it('tells which types may be null in JS', () => {
    const ref = (name: string): SbsType => ({ kind: 'Ref', module: 'M', name, args: [] });
    expect(isNullable(schema, { kind: 'None' })).toBe(true);
    expect(isNullable(schema, { kind: 'Param', name: 'x' })).toBe(true);
    expect(isNullable(schema, ref('N'))).toBe(true);
    expect(isNullable(schema, ref('O'))).toBe(true);
    expect(isNullable(schema, ref('L'))).toBe(false);
    expect(isNullable(schema, { kind: 'Optional', value: { kind: 'None' }, form: 'choice' })).toBe(
      false,
    );
  });

  it('finds recursive definitions, including mutual recursion', () => {
    expect(recursiveTypeDefs(schema)).toEqual(new Set(['M.Linked', 'M.A', 'M.B']));
  });

  it('returns undefined for unknown definitions', () => {
    expect(findTypeDef(schema, 'M', 'Nope')).toBeUndefined();
    expect(findTypeDef(schema, 'X', 'P')).toBeUndefined();
  });
});
