import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  compileSources,
  formatDiagnostic,
  fromPythonJson,
  parseModule,
  readSources,
  SbsSchemaError,
  toPythonJson,
  validate,
} from '../../compiler/index.js';
import { generateFiles } from '../../compiler/generate.js';
import { CONFORMANCE } from '../support/conformance.js';

// hat-behavior.md §1.4, produced by hat.sbs.Repository.to_json() for EXAMPLE_SOURCE.
const EXAMPLE_SOURCE =
  'module M  E(K, V) = Record { key: K value: V }  T = Array(Optional(M.E(String, Integer)))  U = X.Y';
const EXAMPLE_JSON =
  '[{"name":"M","type_defs":{"E":{"name":"E","args":["K","V"],"type":{"module":null,"name":"Record","entries":[{"name":"key","type":{"module":null,"name":"K","entries":[],"args":[]}},{"name":"value","type":{"module":null,"name":"V","entries":[],"args":[]}}],"args":[]}},"T":{"name":"T","args":[],"type":{"module":null,"name":"Array","entries":[],"args":[{"module":null,"name":"Optional","entries":[],"args":[{"module":"M","name":"E","entries":[],"args":[{"module":null,"name":"String","entries":[],"args":[]},{"module":null,"name":"Integer","entries":[],"args":[]}]}]}]}},"U":{"name":"U","args":[],"type":{"module":"X","name":"Y","entries":[],"args":[]}}}}]';

function jsonError(json: unknown): string {
  try {
    fromPythonJson(json);
  } catch (e) {
    expect(e).toBeInstanceOf(SbsSchemaError);
    return (e as SbsSchemaError).message;
  }
  throw new Error('no error');
}

describe('Python repository JSON', () => {
  it('exports exactly what hat.sbs.Repository.to_json() does', () => {
    const { module } = parseModule({ file: 'm.sbs', text: EXAMPLE_SOURCE });
    expect(JSON.stringify(toPythonJson([module!]))).toBe(EXAMPLE_JSON);
  });

  it('round-trips JSON -> AST -> JSON unchanged', () => {
    expect(JSON.stringify(toPythonJson(fromPythonJson(JSON.parse(EXAMPLE_JSON))))).toBe(
      EXAMPLE_JSON,
    );
  });

  it('exports T() = ... with empty args and keeps unqualified refs unqualified', () => {
    const { module } = parseModule({ file: 'm.sbs', text: 'module M T() = L L = Integer' });
    expect(JSON.stringify(toPythonJson([module!]))).toBe(
      '[{"name":"M","type_defs":{"T":{"name":"T","args":[],"type":{"module":null,"name":"L","entries":[],"args":[]}},"L":{"name":"L","args":[],"type":{"module":null,"name":"Integer","entries":[],"args":[]}}}}]',
    );
  });

  it('keeps the first position but the last value of a duplicate name, like a Python dict', () => {
    const { module } = parseModule({
      file: 'm.sbs',
      text: 'module M T = Integer U = None T = String',
    });
    expect(JSON.stringify(toPythonJson([module!]))).toBe(
      '[{"name":"M","type_defs":{"T":{"name":"T","args":[],"type":{"module":null,"name":"String","entries":[],"args":[]}},"U":{"name":"U","args":[],"type":{"module":null,"name":"None","entries":[],"args":[]}}}}]',
    );
  });

  it('round-trips the conformance schemas and compiles the import to the same model', async () => {
    const sources = await readSources([join(CONFORMANCE, 'schemas')]);
    const { modules, schema } = compileSources(sources);
    const json = JSON.stringify(toPythonJson(modules));
    const imported = fromPythonJson(JSON.parse(json));
    expect(JSON.stringify(toPythonJson(imported))).toBe(json);
    expect(imported.every((m) => m.file === '<json>')).toBe(true);
    const fromJson = validate(imported);
    expect(fromJson.diagnostics).toEqual([]);
    expect(fromJson.schema?.modules.map((m) => m.types)).toEqual(
      schema?.modules.map((m) => m.types),
    );
  });

  it('ignores unknown keys', () => {
    const json = JSON.parse(EXAMPLE_JSON) as Record<string, unknown>[];
    (json[0] as Record<string, unknown>)['extra'] = 1;
    expect(JSON.stringify(toPythonJson(fromPythonJson(json)))).toBe(EXAMPLE_JSON);
  });

  it.each([
    ['not an array', { name: 'M' }, '<json>: $: expected an array, got an object'],
    ['module not an object', [1], '<json>: $[0]: expected an object, got number 1'],
    ['missing name', [{ type_defs: {} }], "<json>: $[0]: missing key 'name'"],
    [
      'type_defs as array',
      [{ name: 'M', type_defs: [] }],
      '<json>: $[0].type_defs: expected an object, got an array',
    ],
    [
      'bad args',
      [{ name: 'M', type_defs: { T: { name: 'T', args: [1], type: {} } } }],
      '<json>: $[0].type_defs.T.args[0]: expected a string, got number 1',
    ],
    [
      'missing type key',
      [
        {
          name: 'M',
          type_defs: { T: { name: 'T', args: [], type: { module: null, name: 'X', args: [] } } },
        },
      ],
      "<json>: $[0].type_defs.T.type: missing key 'entries'",
    ],
    [
      'bad module',
      [
        {
          name: 'M',
          type_defs: {
            T: { name: 'T', args: [], type: { module: 3, name: 'X', entries: [], args: [] } },
          },
        },
      ],
      '<json>: $[0].type_defs.T.type.module: expected a string or null, got number 3',
    ],
    [
      'bad nested entry',
      [
        {
          name: 'M',
          type_defs: {
            T: {
              name: 'T',
              args: [],
              type: { module: null, name: 'Record', entries: [{ name: 'a' }], args: [] },
            },
          },
        },
      ],
      "<json>: $[0].type_defs.T.type.entries[0]: missing key 'type'",
    ],
    [
      'key differs from name',
      [{ name: 'M', type_defs: { T: { name: 'U', args: [], type: {} } } }],
      "<json>: $[0].type_defs.T.name: name 'U' differs from its key 'T'",
    ],
  ])('rejects a malformed structure: %s', (_name, json, message) => {
    expect(jsonError(json)).toBe(message);
  });

  it('rejects absurdly deep nesting without overflowing the stack', () => {
    let t: unknown = { module: null, name: 'Integer', entries: [], args: [] };
    for (let i = 0; i < 5000; i++) t = { module: null, name: 'Array', entries: [], args: [t] };
    expect(jsonError([{ name: 'M', type_defs: { T: { name: 'T', args: [], type: t } } }])).toMatch(
      /type nesting deeper than 256$/,
    );
  });

  it('validates imported modules like parsed ones', () => {
    const modules = fromPythonJson(JSON.parse(EXAMPLE_JSON));
    expect(validate(modules).diagnostics.map(formatDiagnostic)).toEqual([
      "<json>: in M.U: unknown module 'X'",
    ]);
    const ok = fromPythonJson(
      JSON.parse(EXAMPLE_JSON.replace('"module":"X","name":"Y"', '"module":null,"name":"T"')),
    );
    const schema = validate(ok).schema;
    expect(schema).toEqual(
      compileSchema([{ file: '<json>', text: EXAMPLE_SOURCE.replace('X.Y', 'T') }]),
    );
  });

  // hat-sbs JSON may name anything (the Repository copes), but generated code must not carry
  // a name that is not an identifier: it could break the file or inject code.
  it('refuses to generate code for imported names that are not SBS names', async () => {
    const type = { module: null, name: 'Integer', entries: [], args: [] };
    const record = (entry: string) => ({
      module: null,
      name: 'Record',
      entries: [{ name: entry, type }],
      args: [],
    });
    const evil = "X = 1; console.log('pwned'); type Y";
    const { schema } = validate(
      fromPythonJson([
        {
          name: 'M',
          type_defs: {
            [evil]: { name: evil, args: [], type },
            R: { name: 'R', args: [], type: record("a'); x('") },
          },
        },
      ]),
    );
    if (!schema) throw new Error('expected the JSON to validate');
    const error = await generateFiles(schema).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SbsSchemaError);
    expect((error as SbsSchemaError).diagnostics.map(formatDiagnostic)).toEqual([
      `<json>: cannot generate code for type ${JSON.stringify(evil)}: not an SBS name ([A-Za-z][A-Za-z0-9_]*)`,
      `<json>: cannot generate code for entry "a'); x('": not an SBS name ([A-Za-z][A-Za-z0-9_]*)`,
    ]);
  });
});
