// Schema facts the dynamic codecs need, computed once per schema and shared by both
// integer modes: instantiated bodies of named types, which definitions are recursive,
// and the minimum encoded size of a type (for the hostile-array-count check).
import { findTypeDef, instantiate, recursiveTypeDefs } from './schema-utils.js';
import type { SbsEntry, SbsType, SbsTypeDef, Schema } from './model.js';
import { integerSize } from '../integer.js';

export type RefType = Extract<SbsType, { kind: 'Ref' }>;

/** Guards against generic definitions that expand forever (`L(x) = ... L(Array(x))`). */
const MAX_INSTANTIATIONS = 100_000;

export class SchemaIndex {
  private readonly bodies = new Map<string, SbsType>();
  private readonly sizes = new Map<string, number>();
  private readonly recursive: Set<string>;

  constructor(readonly schema: Schema) {
    this.recursive = recursiveTypeDefs(schema);
  }

  /** Stable key of a named type applied to its arguments, e.g. `Interop.Entry(String,InteropExt.Json)`. */
  key(ref: RefType): string {
    return typeKey(ref);
  }

  def(ref: RefType): SbsTypeDef {
    const def = findTypeDef(this.schema, ref.module, ref.name);
    if (!def)
      throw new Error(`internal: unresolved type ${ref.module}.${ref.name} in a validated schema`);
    return def;
  }

  /** The definition's body with the reference's arguments substituted for its parameters. */
  body(ref: RefType, key: string = this.key(ref)): SbsType {
    let body = this.bodies.get(key);
    if (body === undefined) {
      if (this.bodies.size >= MAX_INSTANTIATIONS)
        throw new Error(`schema expands to more than ${MAX_INSTANTIATIONS} generic instantiations`);
      body = instantiate(this.def(ref), ref.args);
      this.bodies.set(key, body);
    }
    return body;
  }

  /** Whether values of this named type can nest inside themselves, so decoding needs a depth guard. */
  isRecursive(ref: Pick<RefType, 'module' | 'name'>): boolean {
    return this.recursive.has(`${ref.module}.${ref.name}`);
  }

  /**
   * The fewest bytes any value of `t` encodes to. Used as `SbsReader.count(minItemSize)` so an
   * array count that cannot fit in the remaining input fails before anything is allocated.
   * Named types are solved together as a least fixpoint over everything reachable, which is
   * exact for recursive types too.
   */
  minSize(t: SbsType): number {
    const pending = new Map<string, RefType>();
    this.collectUnsized(t, pending);
    if (pending.size > 0) {
      const cur = new Map<string, number>();
      for (const k of pending.keys()) cur.set(k, Infinity);
      const lookup = (key: string): number => this.sizes.get(key) ?? cur.get(key) ?? Infinity;
      for (let changed = true; changed;) {
        changed = false;
        for (const [k, ref] of pending) {
          const s = sizeOf(this.body(ref, k), lookup, this);
          if (s < (cur.get(k) as number)) {
            cur.set(k, s);
            changed = true;
          }
        }
      }
      for (const [k, s] of cur) this.sizes.set(k, s);
    }
    return sizeOf(t, (key) => this.sizes.get(key) ?? Infinity, this);
  }

  private collectUnsized(t: SbsType, out: Map<string, RefType>): void {
    const stack: SbsType[] = [t];
    for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
      switch (x.kind) {
        case 'Array':
          stack.push(x.element);
          break;
        case 'Optional':
          stack.push(x.value);
          break;
        case 'Record':
        case 'Choice':
          for (const e of x.entries) stack.push(e.type);
          break;
        case 'Ref': {
          const k = this.key(x);
          if (this.sizes.has(k) || out.has(k)) break;
          out.set(k, x);
          stack.push(this.body(x, k));
          break;
        }
        default:
          break;
      }
    }
  }
}

/** The `Optional(T)` 'choice' form is exactly `Choice { none: None, value: T }`. */
export function optionalEntries(value: SbsType): SbsEntry[] {
  return [
    { name: 'none', type: { kind: 'None' } },
    { name: 'value', type: value },
  ];
}

/**
 * Identity of a type's structure, for sharing one codec between equal types. Unlike
 * `typeToString` it includes each Optional's form: `Optional(String)` written in a generic
 * body is a tagged union ('choice'), written at a concrete use it is `string | null`, so
 * `H(Optional(String))` from those two places are different types.
 */
export function typeKey(t: SbsType): string {
  switch (t.kind) {
    case 'Array':
      return `Array(${typeKey(t.element)})`;
    case 'Optional':
      return `Optional:${t.form}(${typeKey(t.value)})`;
    case 'Record':
    case 'Choice':
      return `${t.kind}{${t.entries.map((e) => `${e.name}:${typeKey(e.type)}`).join(',')}}`;
    case 'Ref':
      return t.args.length === 0
        ? `${t.module}.${t.name}`
        : `${t.module}.${t.name}(${t.args.map(typeKey).join(',')})`;
    case 'Param':
      // '$' cannot start an SBS name, so a parameter never meets a builtin or definition.
      return `$${t.name}`;
    default:
      return t.kind;
  }
}

function sizeOf(t: SbsType, lookup: (key: string) => number, index: SchemaIndex): number {
  switch (t.kind) {
    case 'None':
      return 0;
    case 'Float':
      return 8;
    case 'Boolean':
    case 'Integer':
    case 'String':
    case 'Bytes':
    case 'Array':
    case 'Optional':
      return 1;
    case 'Record': {
      let s = 0;
      for (const e of t.entries) s += sizeOf(e.type, lookup, index);
      return s;
    }
    case 'Choice': {
      // Entries from index 64 on need a longer index prefix.
      let s = Infinity;
      t.entries.forEach(
        (e, i) => (s = Math.min(s, integerSize(i) + sizeOf(e.type, lookup, index))),
      );
      return s;
    }
    case 'Ref':
      return lookup(index.key(t));
    case 'Param':
      return 0;
  }
}
