import {
  optionalEntries,
  resolveType,
  type SbsEntry,
  type SbsType,
  type Schema,
} from 'hat-open-ts/schema';
import { moduleAlias, safeName } from './names.js';

export type IntMode = 'number' | 'bigint';

/** Maps SBS types to TypeScript type expressions (the value model in README.md). */
export class TsTypes {
  constructor(
    private readonly schema: Schema,
    private readonly module: string,
    private readonly intMode: IntMode,
    private readonly useModule: (module: string) => void,
    private readonly bytesType: string,
  ) {}

  /**
   * `exact`: the type decoders produce, with every Record entry and every None Choice value
   * present (assignable to the default form, which leaves those optional for encoding).
   */
  expr(t: SbsType, exact = false): string {
    switch (t.kind) {
      case 'None':
        return 'null';
      case 'Boolean':
        return 'boolean';
      case 'Integer':
        return this.intMode;
      case 'Float':
        return 'number';
      case 'String':
        return 'string';
      case 'Bytes':
        return this.bytesType;
      case 'Array': {
        const item = this.expr(t.element, exact);
        return /^[\w$.<>, ]+$/.test(item) && !item.includes(' | ') ? `${item}[]` : `(${item})[]`;
      }
      case 'Record':
        return `{ ${this.fields(t.entries, exact)} }`;
      case 'Choice':
        return this.union(t.entries, exact);
      case 'Optional':
        return t.form === 'nullable'
          ? `${this.expr(t.value, exact)} | null`
          : this.union(optionalEntries(t.value), exact);
      case 'Param':
        return safeName(t.name);
      case 'Ref': {
        let name = safeName(t.name);
        if (t.module !== this.module) {
          this.useModule(t.module);
          name = `${moduleAlias(t.module)}.${name}`;
        }
        return t.args.length ? `${name}<${t.args.map((a) => this.expr(a)).join(', ')}>` : name;
      }
    }
  }

  /** Record body: entries that may be null (None, nullable Optional) are optional properties. */
  fields(entries: readonly SbsEntry[], exact = false): string {
    return entries
      .map((e) =>
        !exact && this.isNullish(e.type)
          ? `${e.name}?: ${this.expr(e.type)}`
          : `${e.name}: ${this.expr(e.type, exact)}`,
      )
      .join('; ');
  }

  union(entries: readonly SbsEntry[], exact = false): string {
    return entries
      .map((e) =>
        this.isNone(e.type)
          ? `{ type: '${e.name}'; value${exact ? '' : '?'}: null }`
          : `{ type: '${e.name}'; value: ${this.expr(e.type, exact)} }`,
      )
      .join(' | ');
  }

  isNone(t: SbsType): boolean {
    return t.kind !== 'Param' && resolveType(this.schema, t).kind === 'None';
  }

  /**
   * Whether a Record entry may be left out. Unlike `isNullable` (could a value be null, for
   * choosing an Optional's form), a type parameter is not: the TS property keeps its `T`.
   */
  isNullish(t: SbsType): boolean {
    if (t.kind === 'Param') return false;
    const r = resolveType(this.schema, t);
    return r.kind === 'None' || (r.kind === 'Optional' && r.form === 'nullable');
  }
}
