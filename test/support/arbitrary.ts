// fast-check arbitraries for SBS values, directed by the schema model: any value of any
// concrete type in the JS value model (both integer modes). Recursion is bounded: each pass
// through a recursive definition spends one level, and at the last level only the entries
// and lengths that need no further nesting remain (empty arrays, none, leaf choices).
import fc from 'fast-check';
import { findTypeDef, instantiate, recursiveTypeDefs, typeToString } from '../../compiler/index.js';
import type { SbsType, Schema } from 'hat-open-ts/schema';
import { typeKey } from 'hat-open-ts/schema';

export type IntegerMode = 'number' | 'bigint';

export interface ArbitraryOptions {
  readonly int: IntegerMode;
  /** Levels of recursive definitions (Tree, Json) a value may nest; default 3. */
  readonly depth?: number;
  /** Longest generated array, string or byte array; default 5 (arrays), 20 (strings/bytes). */
  readonly maxLength?: number;
}

type Arb = fc.Arbitrary<unknown>;

const HUGE = 2n ** 200n;

function integer(int: IntegerMode): Arb {
  if (int === 'number')
    return fc.oneof(
      fc.integer({ min: -200, max: 200 }),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.constantFrom(
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        2 ** 31,
        -(2 ** 31),
        63,
        64,
        -64,
        -65,
      ),
    );
  return fc.oneof(
    fc.bigInt({ min: -300n, max: 300n }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
    fc.bigInt({ min: -HUGE, max: HUGE }),
  );
}

/** Builds arbitraries for the types of one schema; cached per type and remaining depth. */
export class SbsArbitraries {
  private readonly recursive: Set<string>;
  private readonly cache = new Map<string, Arb | null>();
  private readonly depth: number;
  private readonly maxLength: number;

  constructor(
    private readonly schema: Schema,
    private readonly options: ArbitraryOptions,
  ) {
    this.recursive = recursiveTypeDefs(schema);
    this.depth = options.depth ?? 3;
    this.maxLength = options.maxLength ?? 5;
  }

  /** Values of `Module.Type` (a concrete, non-generic type). */
  of(name: string): Arb {
    const dot = name.indexOf('.');
    const arb = this.type(
      { kind: 'Ref', module: name.slice(0, dot), name: name.slice(dot + 1), args: [] },
      this.depth,
    );
    if (!arb) throw new Error(`no finite values of ${name} within depth ${this.depth}`);
    return arb;
  }

  /** `undefined` when no value fits in the remaining depth. */
  type(t: SbsType, depth: number): Arb | undefined {
    switch (t.kind) {
      case 'None':
        return fc.constant(null);
      case 'Boolean':
        return fc.boolean();
      case 'Integer':
        return integer(this.options.int);
      case 'Float':
        return fc.double();
      case 'String':
        return fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));
      case 'Bytes':
        return fc.uint8Array({ maxLength: 20 });
      case 'Array': {
        const item = this.type(t.element, depth);
        return item ? fc.array(item, { maxLength: this.maxLength }) : fc.constant([]);
      }
      case 'Record': {
        const fields: Record<string, Arb> = {};
        for (const e of t.entries) {
          const a = this.type(e.type, depth);
          if (!a) return undefined;
          fields[e.name] = a;
        }
        return fc.record(fields);
      }
      case 'Choice': {
        const options: Arb[] = [];
        for (const e of t.entries) {
          const a = this.type(e.type, depth);
          if (a) options.push(a.map((value) => ({ type: e.name, value })));
        }
        return options.length > 0 ? fc.oneof(...options) : undefined;
      }
      case 'Optional': {
        const inner = this.type(t.value, depth);
        if (t.form === 'nullable')
          return inner ? fc.option(inner, { nil: null }) : fc.constant(null);
        const none = fc.constant({ type: 'none', value: null });
        return inner
          ? fc.oneof(
              none,
              inner.map((value) => ({ type: 'value', value })),
            )
          : none;
      }
      case 'Ref': {
        const recursive = this.recursive.has(`${t.module}.${t.name}`);
        const left = recursive ? depth - 1 : depth;
        if (left < 0) return undefined;
        // typeKey, not typeToString: an Optional's form is part of the type's values.
        const key = `${typeKey(t)}@${left}`;
        const cached = this.cache.get(key);
        if (cached !== undefined) return cached ?? undefined;
        const def = findTypeDef(this.schema, t.module, t.name);
        if (!def) throw new Error(`unknown type ${typeToString(t)}`);
        // Placeholder against non-recursive cycles through generics at the same depth.
        this.cache.set(key, null);
        const arb = this.type(instantiate(def, t.args), left);
        this.cache.set(key, arb ?? null);
        return arb;
      }
      case 'Param':
        throw new Error(`type parameter ${t.name} outside an instantiation`);
    }
  }
}

/** Every concrete (non-generic) type of the given modules, as `Module.Type`. */
export function concreteTypes(schema: Schema, modules?: readonly string[]): string[] {
  return schema.modules
    .filter((m) => !modules || modules.includes(m.name))
    .flatMap((m) => m.types.filter((d) => d.params.length === 0).map((d) => `${m.name}.${d.name}`));
}
