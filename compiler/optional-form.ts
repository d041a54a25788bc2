// Decides, once per Optional occurrence, how its JS value is represented (see model.ts):
// 'nullable' (`T | null`) when the value type can never be null itself, else 'choice'.
import type { SbsType, SbsTypeDef } from './model.js';
import { childTypes } from './schema-utils.js';

type OptionalNode = Extract<SbsType, { kind: 'Optional' }>;
type Lookup = (module: string, name: string) => SbsTypeDef | undefined;

/** A Param's binding, with the environment its argument was written in. */
interface Env {
  readonly bindings: ReadonlyMap<string, { readonly type: SbsType; readonly env: Env | null }>;
}

function forEachOptional(t: SbsType, f: (o: OptionalNode) => void): void {
  if (t.kind === 'Optional') f(t);
  for (const c of childTypes(t)) forEachOptional(c, f);
}

/**
 * Sets `form` on every Optional node in `defs` (mutating the freshly built, not yet published
 * model). Definitions are processed in order so the outcome is deterministic. A generic body
 * is decided with its parameters treated as possibly null, so one decision fits every
 * instantiation. An Optional whose answer depends on itself (`T = Optional(T)`) counts as
 * possibly null while in progress, so the dependent Optional gets 'choice'.
 */
export function decideOptionalForms(defs: readonly SbsTypeDef[], lookup: Lookup): void {
  const state = new Map<OptionalNode, 'pending' | 'done'>();

  const decide = (o: OptionalNode): void => {
    if (state.has(o)) return;
    state.set(o, 'pending');
    (o as { form: 'nullable' | 'choice' }).form = canBeNull(o.value, null, new Set())
      ? 'choice'
      : 'nullable';
    state.set(o, 'done');
  };

  // Only follows the top of the type (Refs, Params), so `visiting` is bounded by the number
  // of definitions; revisiting a definition means an alias cycle, which the validator reports.
  const canBeNull = (t: SbsType, env: Env | null, visiting: Set<SbsTypeDef>): boolean => {
    switch (t.kind) {
      case 'None':
        return true;
      case 'Param': {
        const b = env?.bindings.get(t.name);
        return b ? canBeNull(b.type, b.env, visiting) : true;
      }
      case 'Optional':
        if (state.get(t) === 'pending') return true;
        decide(t);
        return t.form === 'nullable';
      case 'Ref': {
        const def = lookup(t.module, t.name);
        if (!def || visiting.has(def)) return true;
        const bindings = new Map(def.params.map((p, i) => [p, { type: t.args[i] ?? t, env }]));
        visiting.add(def);
        const r = canBeNull(def.type, { bindings }, visiting);
        visiting.delete(def);
        return r;
      }
      default:
        return false;
    }
  };

  for (const d of defs) forEachOptional(d.type, decide);
}
