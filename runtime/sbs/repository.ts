// The dynamic Repository: SBS schemas loaded at run time (text, files, or the Python
// `Repository.to_json()` format), with codecs built on first use and kept.
// `.sbs` text and files are read by the generator package (`repositoryFromFiles` in
// `hat-open-ts-gen`): the runtime holds no parser and no file system access, so importing
// `hat-open-ts/sbs` (which generated code does) stays small and bundles for browsers.
import { SbsSchemaError } from './schema/diagnostics.js';
import { fromPythonJson, toPythonJson } from './schema/python-json.js';
import { findTypeDef } from './schema/schema-utils.js';
import { validate } from './schema/validator.js';
import type { AstModule } from './schema/ast.js';
import type { Schema, SbsType } from './schema/model.js';
import { codec as makeCodec, type Codec } from './codec.js';
import { CodecCompiler, type IntegerMode } from './closure-codecs.js';
import type { DecodeOptions } from './reader.js';
import { SchemaIndex } from './schema/schema-index.js';
import type { EncodeOptions } from './writer.js';
import { schemaToAst } from './schema/schema-ast.js';

export type { IntegerMode } from './closure-codecs.js';

export interface RepositoryOptions {
  /** How Integer values decode: `number` (default; beyond ±(2^53-1) is an error) or `bigint`. */
  readonly integers?: IntegerMode;
}

/** A type name that the Repository cannot give a codec for. */
export class SbsUnknownTypeError extends Error {
  override readonly name = 'SbsUnknownTypeError';

  constructor(
    /** The name as asked for. */
    readonly typeName: string,
    /** `unknown`: no such type; `generic`: a generic definition, which needs type arguments. */
    readonly kind: 'unknown' | 'generic',
    message: string,
  ) {
    super(message);
  }
}

const BUILTINS: ReadonlyMap<string, SbsType> = new Map(
  (['None', 'Boolean', 'Integer', 'Float', 'String', 'Bytes'] as const).map((kind) => [
    kind,
    { kind },
  ]),
);

/** Schema facts are shared by every Repository over the same Schema object (e.g. both integer modes). */
const indexes = new WeakMap<Schema, SchemaIndex>();

export class Repository {
  /** Integer mode of this instance's codecs. */
  readonly integers: IntegerMode;
  readonly schema: Schema;
  private readonly modules: readonly AstModule[] | undefined;
  private readonly compiler: CodecCompiler;
  private readonly codecs = new Map<string, Codec<unknown>>();
  private sibling: Repository | undefined;

  /**
   * Wraps an already validated schema. `modules` (the AST it came from) is only used by
   * `toJson()`; without it the JSON is derived from the schema.
   */
  constructor(
    schema: Schema,
    options: RepositoryOptions & { readonly modules?: readonly AstModule[] } = {},
  ) {
    const integers = options.integers ?? 'number';
    if (integers !== 'number' && integers !== 'bigint')
      throw new TypeError(`integers must be 'number' or 'bigint', got ${String(integers)}`);
    this.integers = integers;
    this.schema = schema;
    this.modules = options.modules;
    let index = indexes.get(schema);
    if (!index) {
      index = new SchemaIndex(schema);
      indexes.set(schema, index);
    }
    this.compiler = new CodecCompiler(index, integers);
  }

  /** From the Python `hat.sbs.Repository.to_json()` format (e.g. a hat package's `sbs_repo.json`). */
  static fromJson(json: unknown, options?: RepositoryOptions): Repository {
    const modules = fromPythonJson(json);
    const { schema, diagnostics } = validate(modules);
    if (!schema || diagnostics.length > 0) throw new SbsSchemaError(diagnostics);
    return new Repository(schema, { ...options, modules });
  }

  /** The same schema in the given integer mode; shares the parsed schema; cached. */
  withIntegers(integers: IntegerMode): Repository {
    if (integers === this.integers) return this;
    if (!this.sibling) {
      this.sibling = new Repository(this.schema, { integers, modules: this.modules });
      this.sibling.sibling = this;
    }
    return this.sibling;
  }

  /** The Python `Repository.to_json()` format, which `fromJson` and hat-sbs read back. */
  toJson(): unknown {
    return toPythonJson(this.modules ?? schemaToAst(this.schema));
  }

  /**
   * The codec of a type: `'Module.Type'`, or a builtin by bare name (`'Integer'`). Built on
   * first use, then cached. Throws `SbsUnknownTypeError` for an unknown name or a generic
   * definition (which needs type arguments).
   */
  codec<T = unknown>(name: string): Codec<T> {
    let c = this.codecs.get(name);
    if (!c) {
      const compiled = this.compiler.compileRoot(this.lookup(name));
      c = makeCodec(name, compiled.write, compiled.read);
      this.codecs.set(name, c);
    }
    return c as Codec<T>;
  }

  encode(name: string, value: unknown, options?: EncodeOptions): Uint8Array {
    return this.codec(name).encode(value, options);
  }

  decode(name: string, bytes: Uint8Array, options?: DecodeOptions): unknown {
    return this.codec(name).decode(bytes, options);
  }

  private lookup(name: string): SbsType {
    if (typeof name !== 'string') throw new TypeError('type name must be a string');
    // Like hat-sbs: split on the first dot; a bare name is a builtin.
    const dot = name.indexOf('.');
    if (dot < 0) {
      const builtin = BUILTINS.get(name);
      if (builtin) return builtin;
      throw new SbsUnknownTypeError(
        name,
        'unknown',
        `unknown SBS type ${JSON.stringify(name)}: use 'Module.Type', or a builtin (${[...BUILTINS.keys()].join(', ')})`,
      );
    }
    const module = name.slice(0, dot);
    const type = name.slice(dot + 1);
    const def = findTypeDef(this.schema, module, type);
    if (!def) {
      const known = this.schema.modules.some((m) => m.name === module);
      throw new SbsUnknownTypeError(
        name,
        'unknown',
        known
          ? `unknown SBS type ${JSON.stringify(name)}: module ${module} has no type ${JSON.stringify(type)}`
          : `unknown SBS type ${JSON.stringify(name)}: no module ${JSON.stringify(module)}`,
      );
    }
    if (def.params.length > 0)
      throw new SbsUnknownTypeError(
        name,
        'generic',
        `SBS type ${name} is generic (${def.params.join(', ')}): only concrete types have codecs; define an alias such as X = ${name}(...)`,
      );
    return { kind: 'Ref', module, name: type, args: [] };
  }
}
