// AST modules -> resolved, checked Schema (compiler/model.ts), or diagnostics.
//
// Unlike hat-sbs's evaluator, every definition is checked, generic or not, used or not, and
// every problem found is reported (not only the first).
import type { AstModule, AstType, AstTypeDef, SourcePos } from './ast.js';
import { type Diagnostic, diagnosticAt } from './diagnostics.js';
import { uninhabitedDefs } from './inhabited.js';
import type { Schema, SbsEntry, SbsModule, SbsType, SbsTypeDef } from './model.js';
import { decideOptionalForms } from './optional-form.js';
import { childTypes, forEachRef, referenceComponents, typeToString } from './schema-utils.js';

const SIMPLE = new Set(['None', 'Boolean', 'Integer', 'Float', 'String', 'Bytes']);

export interface ValidateOptions {
  /** Modules whose source failed to parse: references into them are not reported as unknown. */
  readonly unavailableModules?: ReadonlySet<string>;
}

interface Scope {
  readonly module: string;
  readonly params: readonly string[];
  readonly file: string;
  /** `M.T`, prefixed to messages that have no source position (JSON input). */
  readonly label: string;
}

function where(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.column}` : 'the same input';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function containsParam(t: SbsType): boolean {
  return t.kind === 'Param' || childTypes(t).some(containsParam);
}

export function validateModules(
  modules: readonly AstModule[],
  options: ValidateOptions = {},
): { schema?: Schema; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const unavailable = options.unavailableModules ?? new Set<string>();
  const report = (
    pos: SourcePos | undefined,
    scope: { file: string; label: string },
    message: string,
  ): void => {
    diagnostics.push(
      diagnosticAt(pos, scope.file, pos ? message : `in ${scope.label}: ${message}`),
    );
  };

  // Names: first module / definition wins; later duplicates are errors.
  const moduleByName = new Map<string, AstModule>();
  const winners = new Map<AstModule, Map<string, AstTypeDef>>();
  for (const m of modules) {
    const first = moduleByName.get(m.name);
    if (first) {
      report(
        m.pos,
        { file: m.file, label: `module '${m.name}'` },
        `duplicate module '${m.name}' (first defined at ${where(first.pos)})`,
      );
    } else {
      moduleByName.set(m.name, m);
    }
    const defs = new Map<string, AstTypeDef>();
    for (const d of m.typeDefs) {
      const scope = { file: m.file, label: `${m.name}.${d.name}` };
      const firstDef = defs.get(d.name);
      if (firstDef) {
        report(
          d.pos,
          scope,
          `duplicate type '${d.name}' in module '${m.name}' (first defined at ${where(firstDef.pos)})`,
        );
      } else {
        defs.set(d.name, d);
      }
      const seen = new Set<string>();
      for (const p of d.args) {
        if (seen.has(p)) report(d.pos, scope, `duplicate type parameter '${p}' in '${d.name}'`);
        seen.add(p);
      }
    }
    winners.set(m, defs);
  }
  const lookupAst = (module: string, name: string): AstTypeDef | undefined => {
    const m = moduleByName.get(module);
    return m ? winners.get(m)?.get(name) : undefined;
  };

  // Source positions of resolved Ref nodes, for the checks that run on the resolved model.
  const refPos = new Map<SbsType, { pos: SourcePos | undefined; scope: Scope }>();

  const resolveEntries = (t: AstType, scope: Scope): SbsEntry[] => {
    const seen = new Set<string>();
    const out: SbsEntry[] = [];
    for (const e of t.entries) {
      if (seen.has(e.name))
        report(e.pos ?? t.pos, scope, `duplicate entry '${e.name}' in ${t.name}`);
      seen.add(e.name);
      out.push({ name: e.name, type: resolve(e.type, scope) });
    }
    return out;
  };

  const noEntries = (t: AstType, scope: Scope, what: string): void => {
    if (t.entries.length > 0)
      report(t.pos, scope, `${what} does not take entries (only Record and Choice do)`);
  };

  const resolve = (t: AstType, scope: Scope): SbsType => {
    const args = t.args.map((a) => resolve(a, scope));
    const placeholder: SbsType = { kind: 'None' };
    if (t.module === null) {
      if (scope.params.includes(t.name)) {
        if (t.args.length > 0)
          report(t.pos, scope, `type parameter '${t.name}' does not take type arguments`);
        noEntries(t, scope, `type parameter '${t.name}'`);
        return { kind: 'Param', name: t.name };
      }
      if (SIMPLE.has(t.name)) {
        if (t.args.length > 0)
          report(t.pos, scope, `builtin type '${t.name}' does not take type arguments`);
        noEntries(t, scope, `builtin type '${t.name}'`);
        return { kind: t.name } as SbsType;
      }
      if (t.name === 'Optional' || t.name === 'Array') {
        noEntries(t, scope, `'${t.name}'`);
        const arg = args[0];
        if (args.length !== 1 || arg === undefined) {
          report(t.pos, scope, `'${t.name}' takes exactly 1 type argument but got ${args.length}`);
          return placeholder;
        }
        // `form` is provisional until decideOptionalForms runs.
        return t.name === 'Array'
          ? { kind: 'Array', element: arg }
          : { kind: 'Optional', value: arg, form: 'choice' };
      }
      if (t.name === 'Record' || t.name === 'Choice') {
        if (t.args.length > 0) report(t.pos, scope, `'${t.name}' does not take type arguments`);
        if (t.entries.length === 0) {
          report(
            t.pos,
            scope,
            `empty ${t.name}: a ${t.name} needs at least one entry (${t.name} { name: Type })`,
          );
          return placeholder;
        }
        return { kind: t.name, entries: resolveEntries(t, scope) };
      }
    }
    const module = t.module ?? scope.module;
    const display = t.module === null ? t.name : `${t.module}.${t.name}`;
    noEntries(t, scope, `'${display}'`);
    if (!moduleByName.has(module)) {
      if (!unavailable.has(module)) report(t.pos, scope, `unknown module '${module}'`);
      return placeholder;
    }
    const def = lookupAst(module, t.name);
    if (!def) {
      report(t.pos, scope, `unknown type '${t.name}' in module '${module}'`);
      return placeholder;
    }
    if (def.args.length !== args.length) {
      const takes =
        def.args.length === 0 ? 'no type arguments' : plural(def.args.length, 'type argument');
      report(t.pos, scope, `'${module}.${t.name}' takes ${takes} but got ${args.length}`);
      return placeholder;
    }
    const ref: SbsType = { kind: 'Ref', module, name: t.name, args };
    refPos.set(ref, { pos: t.pos, scope });
    return ref;
  };

  // Resolve every definition (duplicates too, so their own errors are reported).
  const sbsModules: SbsModule[] = [];
  const allDefs: SbsTypeDef[] = [];
  const defPos = new Map<SbsTypeDef, { pos: SourcePos | undefined; scope: Scope }>();
  for (const m of modules) {
    const defs = winners.get(m) as Map<string, AstTypeDef>;
    const types: SbsTypeDef[] = [];
    for (const d of m.typeDefs) {
      const scope: Scope = {
        module: m.name,
        params: d.args,
        file: m.file,
        label: `${m.name}.${d.name}`,
      };
      const def: SbsTypeDef = {
        module: m.name,
        name: d.name,
        params: [...d.args],
        type: resolve(d.type, scope),
      };
      if (defs.get(d.name) === d) {
        types.push(def);
        defPos.set(def, { pos: d.pos, scope });
      }
    }
    if (moduleByName.get(m.name) === m) {
      sbsModules.push({ name: m.name, file: m.file, types });
      // Not `push(...types)`: spreading 100k+ arguments overflows the stack.
      for (const t of types) allDefs.push(t);
    }
  }
  const defIndex = new Map(allDefs.map((d) => [`${d.module}.${d.name}`, d]));
  const lookup = (module: string, name: string): SbsTypeDef | undefined =>
    defIndex.get(`${module}.${name}`);

  // Alias cycles (`A = B`, `B = A`, `A = A`): reported once per cycle, at its first definition.
  // A definition aliases at most one other, so walks that stop where an earlier walk went
  // visit each definition once.
  const inAliasCycle = new Set<SbsTypeDef>();
  const walkOf = new Map<SbsTypeDef, number>();
  const order = new Map(allDefs.map((d, i) => [d, i]));
  allDefs.forEach((d, walk) => {
    const path: SbsTypeDef[] = [];
    let next: SbsTypeDef | undefined = d;
    while (next && !walkOf.has(next)) {
      walkOf.set(next, walk);
      path.push(next);
      next = next.type.kind === 'Ref' ? lookup(next.type.module, next.type.name) : undefined;
    }
    if (!next || walkOf.get(next) !== walk) return;
    const cycle = path.slice(path.indexOf(next));
    for (const c of cycle) inAliasCycle.add(c);
    const first = cycle.reduce((a, b) =>
      (order.get(a) as number) < (order.get(b) as number) ? a : b,
    );
    const i = cycle.indexOf(first);
    const names = [...cycle.slice(i), ...cycle.slice(0, i), first]
      .map((c) => `${c.module}.${c.name}`)
      .join(' -> ');
    const at = defPos.get(first);
    if (at)
      report(
        at.pos,
        at.scope,
        `alias cycle ${names}: the type has no value and can never be encoded`,
      );
  });

  // Generic recursion that would need infinitely many instantiations.
  const sccOf = new Map<string, Set<string>>();
  for (const scc of referenceComponents(defIndex)) {
    const set = new Set(scc);
    for (const n of scc) sccOf.set(n, set);
  }
  let unboundedGenerics = false;
  for (const d of allDefs) {
    if (d.params.length === 0) continue;
    const scc = sccOf.get(`${d.module}.${d.name}`);
    forEachRef(d.type, (r) => {
      const target = lookup(r.module, r.name);
      if (!target || target.params.length === 0 || !scc?.has(`${r.module}.${r.name}`)) return;
      const growing = r.args.find((a) => a.kind !== 'Param' && containsParam(a));
      if (growing) {
        unboundedGenerics = true;
        const at = refPos.get(r);
        if (at) {
          report(
            at.pos,
            at.scope,
            `recursive generic '${r.module}.${r.name}' is applied to '${typeToString(growing)}', which grows on every expansion (would need infinitely many instantiations)`,
          );
        }
      }
    });
  }

  // Types with no finite value (`T = Record { x: T }`).
  if (!unboundedGenerics) {
    for (const d of uninhabitedDefs(allDefs, lookup)) {
      if (inAliasCycle.has(d)) continue;
      const at = defPos.get(d);
      if (at) {
        report(
          at.pos,
          at.scope,
          `type '${d.module}.${d.name}' has no finite value and can never be encoded (it contains itself with no way out through Optional, Array or another Choice entry)`,
        );
      }
    }
  }

  if (diagnostics.length > 0) return { diagnostics };
  decideOptionalForms(allDefs, lookup);
  return { schema: { modules: sbsModules }, diagnostics };
}

export function validate(modules: readonly AstModule[]): {
  schema?: Schema;
  diagnostics: Diagnostic[];
} {
  return validateModules(modules);
}
