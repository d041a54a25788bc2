// Which types have at least one finite value (and so can ever be encoded), as a least fixed
// point: primitives, Array and Optional always; Record iff all entries; Choice iff any entry;
// a Ref iff its (instantiated) definition.
import type { SbsType, SbsTypeDef } from './model.js';
import { instantiate, typeToString } from './schema-utils.js';

type Lookup = (module: string, name: string) => SbsTypeDef | undefined;
type RefNode = Extract<SbsType, { kind: 'Ref' }>;

/** Bounds the work on schemas with (separately reported) unbounded generic recursion. */
const MAX_INSTANCES = 10_000;

/**
 * Returns the definitions in `defs` that are not inhabited. A generic definition is checked
 * with its parameters assumed inhabited (if even that has no finite value, no instantiation
 * has one); concrete instantiations are explored as the fixed point needs them.
 */
export function uninhabitedDefs(defs: readonly SbsTypeDef[], lookup: Lookup): SbsTypeDef[] {
  const bodies = new Map<string, SbsType>();
  const proven = new Set<string>();
  const pending: string[] = [];

  const node = (r: RefNode): string => {
    const key = typeToString(r);
    if (!bodies.has(key) && bodies.size < MAX_INSTANCES) {
      const def = lookup(r.module, r.name);
      // Unknown targets and arity mismatches are reported elsewhere; treat them as inhabited.
      if (!def || def.params.length !== r.args.length) {
        proven.add(key);
        bodies.set(key, { kind: 'None' });
      } else {
        bodies.set(key, instantiate(def, r.args));
        pending.push(key);
      }
    }
    return key;
  };

  const inhabited = (t: SbsType): boolean => {
    switch (t.kind) {
      case 'Record':
        return t.entries.every((e) => inhabited(e.type));
      case 'Choice':
        return t.entries.some((e) => inhabited(e.type));
      case 'Ref': {
        const key = node(t);
        return proven.has(key) || !bodies.has(key);
      }
      default:
        return true;
    }
  };

  const seeds = defs.map((d) =>
    node({
      kind: 'Ref',
      module: d.module,
      name: d.name,
      args: d.params.map((p) => ({ kind: 'Param', name: p })),
    }),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const [key, body] of [...bodies]) {
      if (!proven.has(key) && inhabited(body)) {
        proven.add(key);
        changed = true;
      }
    }
    if (pending.length > 0) {
      pending.length = 0;
      changed = true;
    }
  }
  return defs.filter((_, i) => !proven.has(seeds[i] as string));
}
