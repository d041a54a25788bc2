// Which types have at least one finite value (and so can ever be encoded), as a least fixed
// point: primitives, Array and Optional always; Record iff all entries; Choice iff any entry;
// a Ref iff its (instantiated) definition.
import type { SbsType, SbsTypeDef } from './model.js';
import { instantiate, typeToString } from './schema-utils.js';

type Lookup = (module: string, name: string) => SbsTypeDef | undefined;
type RefNode = Extract<SbsType, { kind: 'Ref' }>;

/**
 * Bounds the work on schemas with (separately reported) unbounded generic recursion: at most
 * this many instances beyond the definitions themselves, which always get one each (a bound
 * on the total would leave definitions past it unproven, i.e. falsely uninhabited).
 */
const MAX_INSTANCES = 10_000;

/**
 * Returns the definitions in `defs` that are not inhabited. A generic definition is checked
 * with its parameters assumed inhabited (if even that has no finite value, no instantiation
 * has one); the concrete instantiations its inhabitedness depends on are checked with it.
 */
export function uninhabitedDefs(defs: readonly SbsTypeDef[], lookup: Lookup): SbsTypeDef[] {
  const bodies = new Map<string, SbsType>();
  /** Instance -> the instances whose bodies mention it where inhabitedness looks. */
  const users = new Map<string, string[]>();
  const proven = new Set<string>();
  const unexplored: string[] = [];
  const newlyProven: string[] = [];

  const limit = defs.length + MAX_INSTANCES;
  const node = (r: RefNode): string => {
    const key = typeToString(r);
    if (!bodies.has(key) && bodies.size < limit) {
      const def = lookup(r.module, r.name);
      // Unknown targets and arity mismatches are reported elsewhere; treat them as inhabited.
      bodies.set(
        key,
        !def || def.params.length !== r.args.length ? { kind: 'None' } : instantiate(def, r.args),
      );
      users.set(key, []);
      unexplored.push(key);
    }
    return key;
  };

  // Instances past the bound count as inhabited: no false errors, only missed ones.
  const inhabited = (t: SbsType): boolean => {
    switch (t.kind) {
      case 'Record':
        return t.entries.every((e) => inhabited(e.type));
      case 'Choice':
        return t.entries.some((e) => inhabited(e.type));
      case 'Ref': {
        const key = typeToString(t);
        return proven.has(key) || !bodies.has(key);
      }
      default:
        return true;
    }
  };

  // The Refs `inhabited` may look at (not those under Array or Optional, nor type arguments).
  const dependencies = (t: SbsType, user: string): void => {
    if (t.kind === 'Record' || t.kind === 'Choice')
      for (const e of t.entries) dependencies(e.type, user);
    else if (t.kind === 'Ref') users.get(node(t))?.push(user);
  };

  const check = (key: string): void => {
    if (!proven.has(key) && inhabited(bodies.get(key) as SbsType)) {
      proven.add(key);
      newlyProven.push(key);
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
  // Explore everything reachable first, so every dependency edge exists before the worklist
  // below re-checks an instance only when something it depends on was proven.
  for (let key = unexplored.pop(); key !== undefined; key = unexplored.pop())
    dependencies(bodies.get(key) as SbsType, key);
  for (const key of bodies.keys()) check(key);
  for (let key = newlyProven.pop(); key !== undefined; key = newlyProven.pop())
    for (const user of users.get(key) as string[]) check(user);
  return defs.filter((_, i) => !proven.has(seeds[i] as string));
}
