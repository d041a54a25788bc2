// The repository JSON of hat-sbs (`Repository.to_json()` / `from_json`), the format of the
// `sbs_repo.json` files hat packages ship.
import type { AstEntry, AstModule, AstType, AstTypeDef } from './ast.js';
import { SbsSchemaError } from './diagnostics.js';

export interface PythonAstType {
  module: string | null;
  name: string;
  entries: PythonAstEntry[];
  args: PythonAstType[];
}
export interface PythonAstEntry {
  name: string;
  type: PythonAstType;
}
export interface PythonAstTypeDef {
  name: string;
  args: string[];
  type: PythonAstType;
}
export interface PythonAstModule {
  name: string;
  type_defs: Record<string, PythonAstTypeDef>;
}
export type PythonRepositoryJson = PythonAstModule[];

/** Label of modules imported from JSON (they have no source positions). */
export const JSON_FILE = '<json>';

function typeToJson(t: AstType): PythonAstType {
  // Key order matters: it is the byte layout of Python's json output.
  return {
    module: t.module,
    name: t.name,
    entries: t.entries.map((e) => ({ name: e.name, type: typeToJson(e.type) })),
    args: t.args.map(typeToJson),
  };
}

/** Exactly `hat.sbs.Repository.to_json()` for the same modules. */
export function toPythonJson(modules: readonly AstModule[]): PythonRepositoryJson {
  return modules.map((m) => {
    // Python builds a dict: a duplicate name keeps its first position but the last value.
    const typeDefs: Record<string, PythonAstTypeDef> = Object.create(null) as Record<
      string,
      PythonAstTypeDef
    >;
    for (const d of m.typeDefs)
      typeDefs[d.name] = { name: d.name, args: [...d.args], type: typeToJson(d.type) };
    // A null-prototype object serialises like a plain one; return a plain one for callers.
    return { name: m.name, type_defs: { ...typeDefs } };
  });
}

function fail(path: string, message: string): never {
  throw new SbsSchemaError([
    { file: JSON_FILE, line: 0, column: 0, message: `${path}: ${message}` },
  ]);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function field(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) fail(path, `missing key '${key}'`);
  return obj[key];
}

function str(x: unknown, path: string): string {
  if (typeof x !== 'string') fail(path, `expected a string, got ${describe(x)}`);
  return x;
}

function arr(x: unknown, path: string): unknown[] {
  if (!Array.isArray(x)) fail(path, `expected an array, got ${describe(x)}`);
  return x;
}

function obj(x: unknown, path: string): Record<string, unknown> {
  if (!isObject(x)) fail(path, `expected an object, got ${describe(x)}`);
  return x;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${JSON.stringify(x)}`;
}

// JSON nesting is bounded by the input's own size, but a hostile document could still nest
// deeply enough to overflow the stack; refuse beyond any plausible schema.
const MAX_DEPTH = 256;

function typeFromJson(x: unknown, path: string, depth: number): AstType {
  if (depth > MAX_DEPTH) fail(path, `type nesting deeper than ${MAX_DEPTH}`);
  const o = obj(x, path);
  const module = field(o, 'module', path);
  if (module !== null && typeof module !== 'string')
    fail(`${path}.module`, `expected a string or null, got ${describe(module)}`);
  const entries = arr(field(o, 'entries', path), `${path}.entries`).map((e, i): AstEntry => {
    const p = `${path}.entries[${i}]`;
    const eo = obj(e, p);
    return {
      name: str(field(eo, 'name', p), `${p}.name`),
      type: typeFromJson(field(eo, 'type', p), `${p}.type`, depth + 1),
    };
  });
  const args = arr(field(o, 'args', path), `${path}.args`).map((a, i) =>
    typeFromJson(a, `${path}.args[${i}]`, depth + 1),
  );
  return { module, name: str(field(o, 'name', path), `${path}.name`), entries, args };
}

/** Modules from a parsed repository JSON document; throws SbsSchemaError on a malformed structure. */
export function fromPythonJson(json: unknown): AstModule[] {
  return arr(json, '$').map((m, i) => {
    const path = `$[${i}]`;
    const mo = obj(m, path);
    const name = str(field(mo, 'name', path), `${path}.name`);
    const defsObj = obj(field(mo, 'type_defs', path), `${path}.type_defs`);
    const typeDefs = Object.entries(defsObj).map(([key, d]): AstTypeDef => {
      const p = `${path}.type_defs.${key}`;
      const dobj = obj(d, p);
      const defName = str(field(dobj, 'name', p), `${p}.name`);
      if (defName !== key) fail(`${p}.name`, `name '${defName}' differs from its key '${key}'`);
      const args = arr(field(dobj, 'args', p), `${p}.args`).map((a, j) =>
        str(a, `${p}.args[${j}]`),
      );
      return { name: defName, args, type: typeFromJson(field(dobj, 'type', p), `${p}.type`, 0) };
    });
    return { name, typeDefs, file: JSON_FILE };
  });
}
