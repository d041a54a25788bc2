// The codec plan: the wire rules for every type kind, decided once. A resolved SbsType is
// lowered here to a small tree of steps; the Repository (closure-codecs.ts) turns the tree
// into closures and sbs-gen (compiler/codegen/codec-functions.ts) into TypeScript text, so
// neither back end decides how a Record, Choice or Optional goes on the wire.
//
// Rules every back end follows, stated once:
// - Array: a count (checked with `r.count(minSize)` so a hostile count fails before any
//   allocation), then the items by index; an error gains the item index as path segment.
// - Record: the fields in order, no prefix; an error gains the field name. A field whose
//   name is an Object.prototype member (`inherited`) is read from the value with
//   `entryValue`, so an omitted None/Optional entry is not taken for the inherited member.
//   When `defineEntries` is set (an entry named `__proto__`, reachable only through the
//   Python repository JSON), the decoded object gets its entries by defineProperty, since
//   assigning `o.__proto__` would replace the prototype.
// - Choice: the entry index, then the entry's value; an error gains the entry name. A None
//   entry (`none`) is one step, `w.noneEntry(i, value, name)`: the index, then the check that
//   the value is null/undefined; it reads back as `{ type, value: null }`.
// - Optional: the 'choice' form is exactly `Choice { none: None, value: T }`; the 'nullable'
//   form is `Nullable`: index 0 for null/undefined, index 1 then the value. No path segment.
// - Ref: a named type (or generic instantiation, identified by `key`). When `recursive`, the
//   definition's whole body is wrapped in the depth guard (`enter()` before, `leave()` after),
//   once per named type, never per use, so deep or cyclic values fail with a typed error.
import type { SbsType } from './schema/model.js';
import { optionalEntries, type RefType, type SchemaIndex } from './schema/schema-index.js';
import { isInheritedName } from './writer.js';

export type PrimKind = 'None' | 'Boolean' | 'Integer' | 'Float' | 'String' | 'Bytes';

export interface PrimNode {
  readonly kind: 'Prim';
  readonly prim: PrimKind;
}

/** Where a compound node came from: the generator names functions and TS types after it. */
interface FromType {
  readonly type: SbsType;
}

export interface ArrayNode extends FromType {
  readonly kind: 'Array';
  readonly item: PlanNode;
  /** The fewest bytes an item encodes to: the argument of `r.count`. */
  readonly minSize: number;
}

/**
 * An `Array(Integer)`: with Integers as numbers, both back ends read its items in the
 * reader's own loop (`r.integers`), with no call per item.
 */
export function isIntegerArray(node: ArrayNode): boolean {
  return node.item.kind === 'Prim' && node.item.prim === 'Integer';
}

export interface RecordField {
  readonly name: string;
  /** Read with `entryValue` when writing: the name is an Object.prototype member. */
  readonly inherited: boolean;
  readonly node: PlanNode;
}

export interface RecordNode extends FromType {
  readonly kind: 'Record';
  readonly fields: readonly RecordField[];
  /** Decoded entries must be defined, not assigned (an entry is named `__proto__`). */
  readonly defineEntries: boolean;
}

export interface ChoiceEntry {
  readonly name: string;
  /** A None entry: written as `w.noneEntry(index, value, name)`, read as null. */
  readonly none: boolean;
  readonly node: PlanNode;
}

export interface ChoiceNode extends FromType {
  readonly kind: 'Choice';
  readonly entries: readonly ChoiceEntry[];
}

export interface NullableNode extends FromType {
  readonly kind: 'Nullable';
  readonly inner: PlanNode;
}

export interface RefNode {
  readonly kind: 'Ref';
  /** Identity of the named type with its arguments (`SchemaIndex.key`). */
  readonly key: string;
  /** The definition's body is wrapped in the depth guard. */
  readonly recursive: boolean;
  readonly ref: RefType;
}

export type PlanNode = PrimNode | ArrayNode | RecordNode | ChoiceNode | NullableNode | RefNode;

const PRIMS: { readonly [K in PrimKind]: PrimNode } = {
  None: { kind: 'Prim', prim: 'None' },
  Boolean: { kind: 'Prim', prim: 'Boolean' },
  Integer: { kind: 'Prim', prim: 'Integer' },
  Float: { kind: 'Prim', prim: 'Float' },
  String: { kind: 'Prim', prim: 'String' },
  Bytes: { kind: 'Prim', prim: 'Bytes' },
};

/**
 * Lowers resolved types of one schema to plan nodes. Named types are not expanded in place:
 * a `Ref` node names them and `target` lowers the (instantiated) body on demand, once per key,
 * so recursive types and long definition chains stay finite and back ends choose their order.
 */
export class CodecPlan {
  private readonly nodes = new WeakMap<object, PlanNode>();
  private readonly targets = new Map<string, PlanNode>();

  constructor(readonly index: SchemaIndex) {}

  /** The plan of `t`; the same type object always gives the same node. */
  lower(t: SbsType): PlanNode {
    switch (t.kind) {
      case 'None':
      case 'Boolean':
      case 'Integer':
      case 'Float':
      case 'String':
      case 'Bytes':
        return PRIMS[t.kind];
      case 'Param':
        throw new Error(`internal: type parameter ${t.name} outside a generic instantiation`);
      default:
        break;
    }
    const known = this.nodes.get(t);
    if (known !== undefined) return known;
    const node = this.lowerCompound(t);
    this.nodes.set(t, node);
    return node;
  }

  /**
   * Whether the named type's body is wrapped in the depth guard: for definitions whose values
   * can nest inside themselves. The generator asks this for the definitions it emits by name.
   */
  guarded(def: Pick<RefType, 'module' | 'name'>): boolean {
    return this.index.isRecursive(def);
  }

  /** The plan of a named type's body (its arguments substituted). */
  target(ref: RefNode): PlanNode {
    let node = this.targets.get(ref.key);
    if (node === undefined) {
      node = this.lower(this.index.body(ref.ref, ref.key));
      this.targets.set(ref.key, node);
    }
    return node;
  }

  private lowerCompound(
    t: Extract<SbsType, { kind: 'Array' | 'Record' | 'Choice' | 'Optional' | 'Ref' }>,
  ): PlanNode {
    switch (t.kind) {
      case 'Array':
        return {
          kind: 'Array',
          type: t,
          item: this.lower(t.element),
          minSize: this.index.minSize(t.element),
        };
      case 'Record':
        return {
          kind: 'Record',
          type: t,
          fields: t.entries.map((e) => ({
            name: e.name,
            inherited: isInheritedName(e.name),
            node: this.lower(e.type),
          })),
          defineEntries: t.entries.some((e) => e.name === '__proto__'),
        };
      case 'Choice':
        return this.choice(t, t.entries);
      case 'Optional':
        return t.form === 'nullable'
          ? { kind: 'Nullable', type: t, inner: this.lower(t.value) }
          : this.choice(t, optionalEntries(t.value));
      case 'Ref':
        return {
          kind: 'Ref',
          key: this.index.key(t),
          recursive: this.guarded(t),
          ref: t,
        };
    }
  }

  private choice(type: SbsType, entries: readonly { name: string; type: SbsType }[]): ChoiceNode {
    return {
      kind: 'Choice',
      type,
      entries: entries.map((e) => ({
        name: e.name,
        none: e.type.kind === 'None',
        node: this.lower(e.type),
      })),
    };
  }
}
