// Queries on a validated Schema, shared by code generation and the dynamic Repository.
import type { Schema, SbsType, SbsTypeDef } from './model.js';

const indexCache = new WeakMap<Schema, Map<string, SbsTypeDef>>();

function indexOf(schema: Schema): Map<string, SbsTypeDef> {
  let index = indexCache.get(schema);
  if (!index) {
    index = new Map();
    for (const m of schema.modules) for (const d of m.types) index.set(`${m.name}.${d.name}`, d);
    indexCache.set(schema, index);
  }
  return index;
}

export function findTypeDef(schema: Schema, module: string, name: string): SbsTypeDef | undefined {
  return indexOf(schema).get(`${module}.${name}`);
}

/** Replaces Params by `bindings`; Refs are rebuilt with substituted args but not expanded. */
export function substitute(t: SbsType, bindings: ReadonlyMap<string, SbsType>): SbsType {
  switch (t.kind) {
    case 'Param':
      return bindings.get(t.name) ?? t;
    case 'Array':
      return { kind: 'Array', element: substitute(t.element, bindings) };
    case 'Optional':
      return { kind: 'Optional', value: substitute(t.value, bindings), form: t.form };
    case 'Record':
    case 'Choice':
      return {
        kind: t.kind,
        entries: t.entries.map((e) => ({ name: e.name, type: substitute(e.type, bindings) })),
      };
    case 'Ref':
      return t.args.length === 0 ? t : { ...t, args: t.args.map((a) => substitute(a, bindings)) };
    default:
      return t;
  }
}

/** The body of `def` with its parameters replaced by `args` (Refs stay lazy). */
export function instantiate(def: SbsTypeDef, args: readonly SbsType[]): SbsType {
  if (args.length !== def.params.length) {
    throw new RangeError(
      `'${def.module}.${def.name}' takes ${def.params.length} type argument(s) but got ${args.length}`,
    );
  }
  if (args.length === 0) return def.type;
  return substitute(def.type, new Map(def.params.map((p, i) => [p, args[i] as SbsType])));
}

/** Follows Ref chains (instantiating generics) to the first non-Ref type. */
export function resolveType(schema: Schema, t: SbsType): SbsType {
  // A validated schema has no alias cycles, so a chain is at most one step per definition.
  const limit = indexOf(schema).size + 1;
  let current = t;
  for (let steps = 0; current.kind === 'Ref'; steps++) {
    const def = findTypeDef(schema, current.module, current.name);
    if (!def) throw new RangeError(`unknown type '${current.module}.${current.name}'`);
    if (steps > limit)
      throw new RangeError(`alias cycle through '${current.module}.${current.name}'`);
    current = instantiate(def, current.args);
  }
  return current;
}

/** Whether the JS value of `t` may be `null`. */
export function isNullable(schema: Schema, t: SbsType): boolean {
  const r = resolveType(schema, t);
  return (
    r.kind === 'None' || r.kind === 'Param' || (r.kind === 'Optional' && r.form === 'nullable')
  );
}

/** The types directly inside `t`: element, value, entry types or type arguments. */
export function childTypes(t: SbsType): readonly SbsType[] {
  switch (t.kind) {
    case 'Array':
      return [t.element];
    case 'Optional':
      return [t.value];
    case 'Record':
    case 'Choice':
      return t.entries.map((e) => e.type);
    case 'Ref':
      return t.args;
    default:
      return [];
  }
}

/** Calls `f` on `t` and every type nested in it, type arguments included, outermost first. */
export function forEachNode(t: SbsType, f: (t: SbsType) => void): void {
  f(t);
  for (const c of childTypes(t)) forEachNode(c, f);
}

/** Calls `f` on every Ref inside `t`, including Refs nested in type arguments. */
export function forEachRef(t: SbsType, f: (ref: Extract<SbsType, { kind: 'Ref' }>) => void): void {
  forEachNode(t, (n) => n.kind === 'Ref' && f(n));
}

/**
 * Tarjan's strongly connected components; `edges` may name nodes outside `nodes` (ignored).
 * Iterative, so a long chain of definitions (`A0 = A1`, ... 100k deep) cannot overflow the stack.
 */
function stronglyConnected(
  nodes: readonly string[],
  edges: (n: string) => Iterable<string>,
): string[][] {
  const known = new Set(nodes);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const start = (v: string): { v: string; next: Iterator<string> } => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    return { v, next: edges(v)[Symbol.iterator]() };
  };
  for (const root of nodes) {
    if (index.has(root)) continue;
    const frames = [start(root)];
    for (let frame = frames.at(-1); frame !== undefined; frame = frames.at(-1)) {
      const { v } = frame;
      const step = frame.next.next();
      if (!step.done) {
        const w = step.value;
        if (!known.has(w)) continue;
        if (!index.has(w)) frames.push(start(w));
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
        continue;
      }
      frames.pop();
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        out.push(scc);
      }
      const parent = frames.at(-1);
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(v) as number));
    }
  }
  return out;
}

function refTargets(def: SbsTypeDef): string[] {
  const out: string[] = [];
  forEachRef(def.type, (r) => out.push(`${r.module}.${r.name}`));
  return out;
}

/** Strongly connected components of the reference graph of `defs` (keyed "Module.Name"). */
export function referenceComponents(defs: ReadonlyMap<string, SbsTypeDef>): string[][] {
  return stronglyConnected([...defs.keys()], (n) => {
    const d = defs.get(n);
    return d ? refTargets(d) : [];
  });
}

/** "Module.Name" of every definition on a reference cycle (decoders need a depth guard there). */
export function recursiveTypeDefs(schema: Schema): Set<string> {
  const index = indexOf(schema);
  const result = new Set<string>();
  for (const scc of referenceComponents(index)) {
    const only = scc[0] as string;
    const def = index.get(only) as SbsTypeDef;
    if (scc.length > 1 || refTargets(def).includes(only)) for (const n of scc) result.add(n);
  }
  return result;
}

/** Human-readable SBS-like spelling, for messages: `Array(Optional(M.E(String Integer)))`. */
export function typeToString(t: SbsType): string {
  switch (t.kind) {
    case 'Array':
      return `Array(${typeToString(t.element)})`;
    case 'Optional':
      return `Optional(${typeToString(t.value)})`;
    case 'Record':
    case 'Choice':
      return `${t.kind} { ${t.entries.map((e) => `${e.name}: ${typeToString(e.type)}`).join(' ')} }`;
    case 'Ref': {
      const name = `${t.module}.${t.name}`;
      return t.args.length === 0 ? name : `${name}(${t.args.map(typeToString).join(' ')})`;
    }
    case 'Param':
      return t.name;
    default:
      return t.kind;
  }
}
