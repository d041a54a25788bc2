// Decides, once per Optional occurrence, how its JS value is represented (see model.ts):
// 'nullable' (`T | null`) when the value type can never be null itself, else 'choice'.
import type { SbsType, SbsTypeDef } from './model.js';
import { forEachNode } from './schema-utils.js';

type OptionalNode = Extract<SbsType, { kind: 'Optional' }>;
type Lookup = (module: string, name: string) => SbsTypeDef | undefined;

/** A Param's binding, with the environment its argument was written in. */
interface Binding {
  readonly type: SbsType;
  readonly env: Env | null;
}
interface Env {
  readonly bindings: ReadonlyMap<string, Binding>;
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

  // Deciding one Optional can need another decided first (`A = Optional(B)`,
  // `B = Optional(C)`, ...); an explicit stack instead of recursion keeps a chain of 100k such
  // definitions from overflowing the call stack. The order of decisions is that of the
  // obvious recursive version.
  const decide = (root: OptionalNode): void => {
    if (state.has(root)) return;
    state.set(root, 'pending');
    const stack = [root];
    for (let o = stack.pop(); o !== undefined; o = stack.pop()) {
      const r = canBeNull(o.value);
      if (typeof r === 'boolean') {
        (o as { form: 'nullable' | 'choice' }).form = r ? 'choice' : 'nullable';
        state.set(o, 'done');
      } else {
        // `o` is answered by `r`'s form: decide `r`, then walk `o` again.
        state.set(r, 'pending');
        stack.push(o, r);
      }
    }
  };

  // Follows only the top of the type (Refs, Params) to the first Optional, which answers for
  // the whole walk; returns that Optional if it is still undecided. `visiting` is bounded by
  // the number of definitions; revisiting one means an alias cycle, which the validator reports.
  const canBeNull = (type: SbsType): boolean | OptionalNode => {
    const visiting = new Set<SbsTypeDef>();
    let t = type;
    let env = null as Env | null;
    for (;;) {
      switch (t.kind) {
        case 'None':
          return true;
        case 'Param': {
          const b: Binding | undefined = env?.bindings.get(t.name);
          if (!b) return true;
          t = b.type;
          env = b.env;
          continue;
        }
        case 'Optional': {
          const s = state.get(t);
          if (s === 'pending') return true;
          return s === 'done' ? t.form === 'nullable' : t;
        }
        case 'Ref': {
          const def = lookup(t.module, t.name);
          if (!def || visiting.has(def)) return true;
          const ref = t;
          const outer: Env | null = env;
          env = {
            bindings: new Map(
              def.params.map((p, i): [string, Binding] => [
                p,
                { type: ref.args[i] ?? ref, env: outer },
              ]),
            ),
          };
          visiting.add(def);
          t = def.type;
          continue;
        }
        default:
          return false;
      }
    }
  };

  for (const d of defs) forEachNode(d.type, (t) => t.kind === 'Optional' && decide(t));
}
