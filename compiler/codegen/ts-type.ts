import {
  optionalEntries,
  resolveType,
  type SbsEntry,
  type SbsType,
  type Schema,
} from 'hat-open-ts/schema';
import { moduleAlias, safeName } from './names.js';
import { type Member, name, type TypeNode, union } from './ts-print.js';

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
  expr(t: SbsType, exact = false): TypeNode {
    switch (t.kind) {
      case 'None':
        return name('null');
      case 'Boolean':
        return name('boolean');
      case 'Integer':
        return name(this.intMode);
      case 'Float':
        return name('number');
      case 'String':
        return name('string');
      case 'Bytes':
        return { k: 'ref', name: this.bytesType, args: [] };
      case 'Array':
        return { k: 'array', element: this.expr(t.element, exact) };
      case 'Record':
        return { k: 'object', members: this.fields(t.entries, exact) };
      case 'Choice':
        return this.union(t.entries, exact);
      case 'Optional':
        return t.form === 'nullable'
          ? union([this.expr(t.value, exact), name('null')])
          : this.union(optionalEntries(t.value), exact);
      case 'Param':
        return { k: 'ref', name: safeName(t.name), args: [] };
      case 'Ref': {
        let ref = safeName(t.name);
        if (t.module !== this.module) {
          this.useModule(t.module);
          ref = `${moduleAlias(t.module)}.${ref}`;
        }
        return { k: 'ref', name: ref, args: t.args.map((a) => this.expr(a)) };
      }
    }
  }

  /** Record body: entries that may be null (None, nullable Optional) are optional properties. */
  fields(entries: readonly SbsEntry[], exact = false): Member[] {
    return entries.map((e) =>
      !exact && this.isNullish(e.type)
        ? { name: e.name, optional: true, type: this.expr(e.type) }
        : { name: e.name, optional: false, type: this.expr(e.type, exact) },
    );
  }

  union(entries: readonly SbsEntry[], exact = false): TypeNode {
    return union(
      entries.map((e): TypeNode => ({
        k: 'object',
        members: [
          { name: 'type', optional: false, type: name(`'${e.name}'`) },
          this.isNone(e.type)
            ? { name: 'value', optional: !exact, type: name('null') }
            : { name: 'value', optional: false, type: this.expr(e.type, exact) },
        ],
      })),
    );
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
