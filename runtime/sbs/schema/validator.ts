// AST modules -> resolved, checked Schema (compiler/model.ts), or diagnostics.
//
// Unlike hat-sbs's evaluator, every definition is checked, generic or not, used or not, and
// every problem found is reported (not only the first). The work is a sequence of passes, each
// a function below, all reporting into one list:
//   1. names: duplicate modules, types and type parameters;
//   2. resolve: AST types -> model types (unknown names, arity, entries);
//   3. alias cycles (`A = B`, `B = A`);
//   4. generic recursion that would need infinitely many instantiations;
//   5. types with no finite value (skipped after 4, whose instances it could not bound);
//   6. optional forms, only for a schema without errors.
import type { AstModule, AstType, AstTypeDef, SourcePos } from './ast.js';
import { type Diagnostic, diagnosticAt } from './diagnostics.js';
import { uninhabitedDefs } from './inhabited.js';
import type { Schema, SbsEntry, SbsModule, SbsType, SbsTypeDef } from './model.js';
import { decideOptionalForms } from './optional-form.js';
import { childTypes, forEachRef, referenceComponents, typeToString } from './schema-utils.js';
import { Speller } from './spelling.js';

const SIMPLE = new Set(['None', 'Boolean', 'Integer', 'Float', 'String', 'Bytes']);
const BUILTINS = [...SIMPLE, 'Array', 'Optional', 'Record', 'Choice'];

export interface ValidateOptions {
  /** Modules whose source failed to parse: references into them are not reported as unknown. */
  readonly unavailableModules?: ReadonlySet<string>;
  /**
   * Definitions (`Module.Type`) dropped because of syntax errors in them: references to them
   * are not reported as unknown on top of the syntax error.
   */
  readonly unavailableTypes?: ReadonlySet<string>;
}

interface Scope {
  readonly module: string;
  readonly params: readonly string[];
  readonly file: string;
  /** `M.T`, prefixed to messages that have no source position (JSON input). */
  readonly label: string;
}

type Report = (
  pos: SourcePos | undefined,
  scope: { readonly file: string; readonly label: string },
  message: string,
) => void;

type Lookup = (module: string, name: string) => SbsTypeDef | undefined;

interface Located {
  readonly pos: SourcePos | undefined;
  readonly scope: Scope;
}

/** Pass 1's result: the first module / definition of each name wins. */
interface Names {
  readonly moduleByName: ReadonlyMap<string, AstModule>;
  readonly defsOf: ReadonlyMap<AstModule, ReadonlyMap<string, AstTypeDef>>;
}

/** Pass 2's result: the resolved model, with source positions for the later passes. */
interface Resolved {
  readonly modules: SbsModule[];
  /** Every winning definition, in input order. */
  readonly defs: SbsTypeDef[];
  readonly lookup: Lookup;
  readonly defIndex: ReadonlyMap<string, SbsTypeDef>;
  readonly defPos: ReadonlyMap<SbsTypeDef, Located>;
  readonly refPos: ReadonlyMap<SbsType, Located>;
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
  const report: Report = (pos, scope, message) => {
    diagnostics.push(
      diagnosticAt(pos, scope.file, pos ? message : `in ${scope.label}: ${message}`),
    );
  };
  const names = checkNames(modules, report);
  const resolved = resolveModules(modules, names, options, report);
  const inAliasCycle = checkAliasCycles(resolved, report);
  const unboundedGenerics = checkGenericRecursion(resolved, report);
  // With unbounded generics the instances to explore are unbounded too (and capped), so
  // "no finite value" could be a false verdict.
  if (!unboundedGenerics) checkInhabited(resolved, inAliasCycle, report);
  if (diagnostics.length > 0) return { diagnostics };
  decideOptionalForms(resolved.defs, resolved.lookup);
  return { schema: { modules: resolved.modules }, diagnostics };
}

export function validate(modules: readonly AstModule[]): {
  schema?: Schema;
  diagnostics: Diagnostic[];
} {
  return validateModules(modules);
}

/** Pass 1: duplicate modules, types and type parameters. */
function checkNames(modules: readonly AstModule[], report: Report): Names {
  const moduleByName = new Map<string, AstModule>();
  const defsOf = new Map<AstModule, Map<string, AstTypeDef>>();
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
    defsOf.set(m, defs);
  }
  return { moduleByName, defsOf };
}

/** Pass 2: every definition resolved (duplicates too, so their own errors are reported). */
function resolveModules(
  modules: readonly AstModule[],
  names: Names,
  options: ValidateOptions,
  report: Report,
): Resolved {
  const resolver = new TypeResolver(names, options, report);
  const sbsModules: SbsModule[] = [];
  const defs: SbsTypeDef[] = [];
  const defPos = new Map<SbsTypeDef, Located>();
  for (const m of modules) {
    const winners = names.defsOf.get(m);
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
        type: resolver.resolve(d.type, scope),
      };
      if (winners?.get(d.name) === d) {
        types.push(def);
        defPos.set(def, { pos: d.pos, scope });
      }
    }
    if (names.moduleByName.get(m.name) === m) {
      sbsModules.push({ name: m.name, file: m.file, types });
      // Not `push(...types)`: spreading 100k+ arguments overflows the stack.
      for (const t of types) defs.push(t);
    }
  }
  const defIndex = new Map(defs.map((d) => [`${d.module}.${d.name}`, d]));
  return {
    modules: sbsModules,
    defs,
    lookup: (module, name) => defIndex.get(`${module}.${name}`),
    defIndex,
    defPos,
    refPos: resolver.refPos,
  };
}

/** AST type -> model type within one definition's scope (pass 2's recursion). */
class TypeResolver {
  /** Source positions of resolved Ref nodes, for the checks that run on the resolved model. */
  readonly refPos = new Map<SbsType, Located>();
  private readonly names: Names;
  private readonly unavailableModules: ReadonlySet<string>;
  private readonly unavailableTypes: ReadonlySet<string>;
  private readonly report: Report;
  private readonly speller = new Speller();

  constructor(names: Names, options: ValidateOptions, report: Report) {
    this.names = names;
    this.unavailableModules = options.unavailableModules ?? new Set();
    this.unavailableTypes = options.unavailableTypes ?? new Set();
    this.report = report;
  }

  resolve(t: AstType, scope: Scope): SbsType {
    const report = this.report;
    const args = t.args.map((a) => this.resolve(a, scope));
    const placeholder: SbsType = { kind: 'None' };
    if (t.module === null) {
      if (scope.params.includes(t.name)) {
        if (t.args.length > 0)
          report(t.pos, scope, `type parameter '${t.name}' does not take type arguments`);
        this.noEntries(t, scope, `type parameter '${t.name}'`);
        return { kind: 'Param', name: t.name };
      }
      if (SIMPLE.has(t.name)) {
        if (t.args.length > 0)
          report(t.pos, scope, `builtin type '${t.name}' does not take type arguments`);
        this.noEntries(t, scope, `builtin type '${t.name}'`);
        return { kind: t.name } as SbsType;
      }
      if (t.name === 'Optional' || t.name === 'Array') {
        this.noEntries(t, scope, `'${t.name}'`);
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
        return { kind: t.name, entries: this.entries(t, scope) };
      }
    }
    const module = t.module ?? scope.module;
    const display = t.module === null ? t.name : `${t.module}.${t.name}`;
    const m = this.names.moduleByName.get(module);
    if (!m) {
      if (!this.unavailableModules.has(module)) {
        const known = [...this.names.moduleByName.keys(), ...this.unavailableModules];
        report(t.pos, scope, `unknown module '${module}'${this.speller.hint(module, known)}`);
      }
      return placeholder;
    }
    const defs = this.names.defsOf.get(m);
    const def = defs?.get(t.name);
    if (!def) {
      if (
        !this.unavailableModules.has(module) &&
        !this.unavailableTypes.has(`${module}.${t.name}`)
      ) {
        const candidates = [...(defs?.keys() ?? [])];
        if (t.module === null) candidates.push(...scope.params, ...BUILTINS);
        report(
          t.pos,
          scope,
          `unknown type '${t.name}' in module '${module}'${this.speller.hint(t.name, candidates)}`,
        );
      }
      return placeholder;
    }
    // Only for a known type: for a misspelt `Recrd { ... }` the name is the one problem.
    this.noEntries(t, scope, `'${display}'`);
    if (def.args.length !== args.length) {
      const takes =
        def.args.length === 0 ? 'no type arguments' : plural(def.args.length, 'type argument');
      report(t.pos, scope, `'${module}.${t.name}' takes ${takes} but got ${args.length}`);
      return placeholder;
    }
    const ref: SbsType = { kind: 'Ref', module, name: t.name, args };
    this.refPos.set(ref, { pos: t.pos, scope });
    return ref;
  }

  private entries(t: AstType, scope: Scope): SbsEntry[] {
    const seen = new Set<string>();
    const out: SbsEntry[] = [];
    for (const e of t.entries) {
      if (seen.has(e.name))
        this.report(e.pos ?? t.pos, scope, `duplicate entry '${e.name}' in ${t.name}`);
      seen.add(e.name);
      out.push({ name: e.name, type: this.resolve(e.type, scope) });
    }
    return out;
  }

  private noEntries(t: AstType, scope: Scope, what: string): void {
    if (t.entries.length > 0)
      this.report(t.pos, scope, `${what} does not take entries (only Record and Choice do)`);
  }
}

/**
 * Pass 3: alias cycles (`A = B`, `B = A`, `A = A`), reported once per cycle at its first
 * definition. Returns the definitions on a cycle. A definition aliases at most one other, so
 * walks that stop where an earlier walk went visit each definition once.
 */
function checkAliasCycles(resolved: Resolved, report: Report): Set<SbsTypeDef> {
  const { defs, lookup, defPos } = resolved;
  const inAliasCycle = new Set<SbsTypeDef>();
  const walkOf = new Map<SbsTypeDef, number>();
  const order = new Map(defs.map((d, i) => [d, i]));
  defs.forEach((d, walk) => {
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
  return inAliasCycle;
}

/**
 * Pass 4: a recursive generic applied to an argument that grows on every expansion
 * (`T(a) = Record { x: Optional(T(Array(a))) }`). Returns whether any was found.
 */
function checkGenericRecursion(resolved: Resolved, report: Report): boolean {
  const { defs, lookup, defIndex, refPos } = resolved;
  const sccOf = new Map<string, Set<string>>();
  for (const scc of referenceComponents(defIndex)) {
    const set = new Set(scc);
    for (const n of scc) sccOf.set(n, set);
  }
  let found = false;
  for (const d of defs) {
    if (d.params.length === 0) continue;
    const scc = sccOf.get(`${d.module}.${d.name}`);
    forEachRef(d.type, (r) => {
      const target = lookup(r.module, r.name);
      if (!target || target.params.length === 0 || !scc?.has(`${r.module}.${r.name}`)) return;
      const growing = r.args.find((a) => a.kind !== 'Param' && containsParam(a));
      if (!growing) return;
      found = true;
      const at = refPos.get(r);
      if (at)
        report(
          at.pos,
          at.scope,
          `recursive generic '${r.module}.${r.name}' is applied to '${typeToString(growing)}', which grows on every expansion (would need infinitely many instantiations)`,
        );
    });
  }
  return found;
}

/** Pass 5: types with no finite value (`T = Record { x: T }`), alias cycles excepted. */
function checkInhabited(
  resolved: Resolved,
  inAliasCycle: ReadonlySet<SbsTypeDef>,
  report: Report,
): void {
  for (const d of uninhabitedDefs(resolved.defs, resolved.lookup)) {
    if (inAliasCycle.has(d)) continue;
    const at = resolved.defPos.get(d);
    if (at)
      report(
        at.pos,
        at.scope,
        `type '${d.module}.${d.name}' has no finite value and can never be encoded (it contains itself with no way out through Optional, Array or another Choice entry)`,
      );
  }
}
