// Wire compatibility between two versions of the same schemas. SBS writes no tags and no names:
// a Record is its entries' bytes in order, a Choice an index then the entry's bytes, an Optional
// a Choice of None and the value. So two types are wire-compatible exactly when they flatten to
// the same sequence of primitives, arrays and choices (Record nesting and None entries leave
// no bytes), compared position by position; names only matter as evidence of what moved.
import {
  type AstEntry,
  type AstModule,
  type AstType,
  findTypeDef,
  forEachRef,
  resolveType,
  type SbsEntry,
  type SbsType,
  type SbsTypeDef,
  type Schema,
  type SourcePos,
  typeToString,
} from 'hat-open-ts/schema';

export type ChangeSeverity = 'breaking' | 'warning' | 'safe';

export type ChangeKind =
  | 'type-removed'
  | 'arity-changed'
  | 'entry-added'
  | 'entry-appended'
  | 'entry-removed'
  | 'entry-moved'
  | 'type-changed'
  | 'renamed'
  | 'same-bytes';

export interface SchemaChange {
  readonly severity: ChangeSeverity;
  readonly kind: ChangeKind;
  /** `Module.Type` then entry names (`[]` for array items, `?` for an Optional's value). */
  readonly path: string;
  readonly message: string;
  /** Where in NEW (or, for what NEW no longer has, in OLD). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One version of the schemas: the validated model and the AST it came from (for positions). */
export interface SchemaVersion {
  readonly schema: Schema;
  readonly modules: readonly AstModule[];
}

type Atom =
  | { readonly k: 'prim'; readonly kind: string }
  | { readonly k: 'array'; readonly element: SbsType }
  | { readonly k: 'choice'; readonly entries: readonly SbsType[] }
  | { readonly k: 'param'; readonly index: number };

/** Definitions nested deeper than this are not expanded (validated schemas stay far below). */
const MAX_FLATTEN_DEPTH = 10_000;

/** The generic parameters in scope on one side, so `a` in OLD can match `x` in NEW by position. */
type Params = readonly string[];

class WireShapes {
  private readonly assumed = new Set<string>();

  constructor(
    private readonly a: Schema,
    private readonly b: Schema,
  ) {}

  /** Whether bytes of `ta` (in OLD) and `tb` (in NEW) are the same set, read the same way. */
  equal(ta: SbsType, pa: Params, tb: SbsType, pb: Params): boolean {
    // Recursive types compare coinductively: a pair already being compared is assumed equal.
    const key = `${typeToString(ta)}\u0000${typeToString(tb)}`;
    if (this.assumed.has(key)) return true;
    this.assumed.add(key);
    const fa = flatten(this.a, ta, pa);
    const fb = flatten(this.b, tb, pb);
    const same =
      fa !== undefined &&
      fb !== undefined &&
      fa.length === fb.length &&
      fa.every((x, i) => this.atomEqual(x, pa, fb[i]!, pb));
    if (!same) this.assumed.delete(key);
    return same;
  }

  private atomEqual(x: Atom, pa: Params, y: Atom, pb: Params): boolean {
    switch (x.k) {
      case 'prim':
        return y.k === 'prim' && x.kind === y.kind;
      case 'param':
        return y.k === 'param' && x.index === y.index;
      case 'array':
        return y.k === 'array' && this.equal(x.element, pa, y.element, pb);
      case 'choice':
        return (
          y.k === 'choice' &&
          x.entries.length === y.entries.length &&
          x.entries.every((e, i) => this.equal(e, pa, y.entries[i]!, pb))
        );
    }
  }
}

/** The wire layout of `t` one choice/array level deep; undefined if too deep to expand. */
function flatten(schema: Schema, t: SbsType, params: Params): Atom[] | undefined {
  const out: Atom[] = [];
  const stack: { t: SbsType; depth: number }[] = [{ t, depth: 0 }];
  while (stack.length > 0) {
    const { t: next, depth } = stack.pop()!;
    if (depth > MAX_FLATTEN_DEPTH) return undefined;
    const r = resolveType(schema, next);
    switch (r.kind) {
      case 'None':
        break;
      case 'Record':
        for (let i = r.entries.length - 1; i >= 0; i--)
          stack.push({ t: r.entries[i]!.type, depth: depth + 1 });
        break;
      case 'Array':
        out.push({ k: 'array', element: r.element });
        break;
      case 'Choice':
        out.push({ k: 'choice', entries: r.entries.map((e) => e.type) });
        break;
      case 'Optional':
        out.push({ k: 'choice', entries: [{ kind: 'None' }, r.value] });
        break;
      case 'Param':
        out.push({ k: 'param', index: params.indexOf(r.name) });
        break;
      case 'Ref':
        throw new Error('unreachable: resolveType returned a Ref');
      default:
        out.push({ k: 'prim', kind: r.kind });
    }
  }
  return out;
}

function entryPos(ast: AstType | undefined, index: number): SourcePos | undefined {
  const entry: AstEntry | undefined = ast?.entries[index];
  return entry?.pos ?? entry?.type.pos ?? ast?.pos;
}

const LAYOUT: Record<'Record' | 'Choice', string> = {
  Record: 'SBS Records carry no tags, so the two versions read later entries from the wrong bytes',
  Choice:
    'a Choice is sent as its entry index, so the two versions disagree on what an index means',
};

class SchemaDiff {
  readonly changes: SchemaChange[] = [];
  private readonly shapes: WireShapes;

  constructor(
    private readonly older: SchemaVersion,
    private readonly newer: SchemaVersion,
  ) {
    this.shapes = new WireShapes(older.schema, newer.schema);
  }

  run(): SchemaChange[] {
    const referrers = crossModuleReferrers(this.older.schema);
    for (const m of this.older.schema.modules) {
      for (const d of m.types) {
        const path = `${m.name}.${d.name}`;
        const nd = findTypeDef(this.newer.schema, m.name, d.name);
        if (!nd) {
          this.typeRemoved(d, path, referrers.get(path) ?? []);
        } else if (nd.params.length !== d.params.length) {
          this.add(
            'breaking',
            'arity-changed',
            path,
            this.defPos(nd),
            `generic '${path}' takes ${nd.params.length} type argument(s), it took ${d.params.length}: every use of it changes`,
          );
        } else {
          this.diff(
            d.type,
            d.params,
            nd.type,
            nd.params,
            this.defAst(nd)?.type,
            path,
            this.defPos(nd),
          );
        }
      }
    }
    return this.changes;
  }

  private typeRemoved(d: SbsTypeDef, path: string, users: readonly string[]): void {
    const oldDef = astDef(this.older.modules, d.module, d.name);
    const newModule = this.newer.modules.find((m) => m.name === d.module);
    const pos = newModule?.pos ?? oldDef?.pos;
    if (users.length > 0)
      this.add(
        'breaking',
        'type-removed',
        path,
        pos,
        `type '${path}' removed, but ${users.join(', ')} in another module referred to it`,
      );
    else
      this.add(
        'warning',
        'type-removed',
        path,
        pos,
        `type '${path}' removed (no other module referred to it; peers that still send it lose it)`,
      );
  }

  private diff(
    a: SbsType,
    pa: Params,
    b: SbsType,
    pb: Params,
    ast: AstType | undefined,
    path: string,
    pos: SourcePos | undefined,
  ): void {
    const here = ast?.pos ?? pos;
    if (a.kind === 'Ref' && b.kind === 'Ref' && a.module === b.module && a.name === b.name) {
      // A change inside the definition is reported at the definition; here only its arguments.
      a.args.forEach((arg, i) => {
        const nb = b.args[i];
        if (nb !== undefined) this.diff(arg, pa, nb, pb, ast?.args[i], `${path}<${i + 1}>`, here);
      });
      return;
    }
    if (a.kind === 'Ref' || b.kind === 'Ref' || a.kind !== b.kind) {
      this.replaced(a, pa, b, pb, path, here);
      return;
    }
    switch (a.kind) {
      case 'Record':
      case 'Choice':
        this.entries(a.kind, a.entries, pa, (b as typeof a).entries, pb, ast, path, here);
        return;
      case 'Array':
        this.diff(a.element, pa, (b as typeof a).element, pb, ast?.args[0], `${path}[]`, here);
        return;
      case 'Optional':
        this.diff(a.value, pa, (b as typeof a).value, pb, ast?.args[0], `${path}?`, here);
        return;
      case 'Param':
        if (pa.indexOf(a.name) !== pb.indexOf((b as typeof a).name))
          this.add(
            'breaking',
            'type-changed',
            path,
            here,
            `type parameter '${a.name}' became '${(b as typeof a).name}', a different parameter`,
          );
        return;
      default:
        return; // the same primitive
    }
  }

  /** One type written where another was: fine only if the bytes are the same. */
  private replaced(
    a: SbsType,
    pa: Params,
    b: SbsType,
    pb: Params,
    path: string,
    pos: SourcePos | undefined,
  ): void {
    const from = typeToString(a);
    const to = typeToString(b);
    if (this.shapes.equal(a, pa, b, pb)) {
      this.add('safe', 'same-bytes', path, pos, `${from} -> ${to}: the same bytes on the wire`);
      return;
    }
    const kinds = new Set([
      resolveType(this.older.schema, a).kind,
      resolveType(this.newer.schema, b).kind,
    ]);
    const note =
      kinds.has('String') && kinds.has('Bytes') && kinds.size === 2
        ? ' (same layout, but Bytes need not be valid UTF-8, which String readers require)'
        : '';
    this.add('breaking', 'type-changed', path, pos, `type changed from ${from} to ${to}${note}`);
  }

  private entries(
    kind: 'Record' | 'Choice',
    older: readonly SbsEntry[],
    pa: Params,
    newer: readonly SbsEntry[],
    pb: Params,
    ast: AstType | undefined,
    path: string,
    pos: SourcePos | undefined,
  ): void {
    const oldIndex = new Map(older.map((e, i) => [e.name, i]));
    const newIndex = new Map(newer.map((e, i) => [e.name, i]));
    const label = kind === 'Record' ? 'position' : 'index';
    const number = (i: number): number => (kind === 'Record' ? i + 1 : i);
    // An entry whose name vanished where a new name appeared at the same place is a rename.
    const renamed = new Set<number>();
    for (let i = 0; i < Math.min(older.length, newer.length); i++) {
      const o = older[i]!;
      const n = newer[i]!;
      if (o.name === n.name || newIndex.has(o.name) || oldIndex.has(n.name)) continue;
      renamed.add(i);
      const at = entryPos(ast, i) ?? pos;
      if (this.shapes.equal(o.type, pa, n.type, pb))
        this.add(
          'safe',
          'renamed',
          `${path}.${n.name}`,
          at,
          `entry '${o.name}' renamed to '${n.name}' (names are not on the wire)`,
        );
      else
        this.add(
          'breaking',
          'type-changed',
          `${path}.${n.name}`,
          at,
          `entry '${o.name}' replaced by '${n.name}' of another type: ${typeToString(o.type)} -> ${typeToString(n.type)}`,
        );
    }
    newer.forEach((n, j) => {
      if (renamed.has(j) || oldIndex.has(n.name)) return;
      const at = entryPos(ast, j) ?? pos;
      if (kind === 'Choice' && j >= older.length && this.prefixKept(older, newer))
        this.add(
          'breaking',
          'entry-appended',
          `${path}.${n.name}`,
          at,
          `entry '${n.name}' appended as index ${j}: readers of the old version fail on every message that uses it`,
        );
      else
        this.add(
          'breaking',
          'entry-added',
          `${path}.${n.name}`,
          at,
          `entry '${n.name}' added at ${label} ${number(j)}: ${LAYOUT[kind]}`,
        );
    });
    older.forEach((o, i) => {
      if (renamed.has(i) || newIndex.has(o.name)) return;
      const tail =
        kind === 'Choice' && i >= newer.length
          ? `: messages of the old version with index ${i} fail to decode`
          : `: ${LAYOUT[kind]}`;
      this.add(
        'breaking',
        'entry-removed',
        `${path}.${o.name}`,
        pos,
        `entry '${o.name}' (${label} ${number(i)}) removed${tail}`,
      );
    });
    newer.forEach((n, j) => {
      const i = oldIndex.get(n.name);
      if (i === undefined || renamed.has(j)) return;
      const at = entryPos(ast, j) ?? pos;
      if (i !== j && !this.shiftedOnly(older, newer, n.name))
        this.add(
          'breaking',
          'entry-moved',
          `${path}.${n.name}`,
          at,
          `entry '${n.name}' moved from ${label} ${number(i)} to ${number(j)}: ${LAYOUT[kind]}`,
        );
      this.diff(older[i]!.type, pa, n.type, pb, ast?.entries[j]?.type, `${path}.${n.name}`, at);
    });
  }

  /** Whether every old entry keeps its place (so new entries were only appended). */
  private prefixKept(older: readonly SbsEntry[], newer: readonly SbsEntry[]): boolean {
    return older.every((o, i) => newer[i]?.name === o.name);
  }

  /**
   * Whether `name` changed place only because entries were added or removed before it, with the
   * common entries still in the same relative order: that is reported as the add/remove itself.
   */
  private shiftedOnly(
    older: readonly SbsEntry[],
    newer: readonly SbsEntry[],
    name: string,
  ): boolean {
    const newNames = new Set(newer.map((e) => e.name));
    const oldNames = new Set(older.map((e) => e.name));
    const a = older.map((e) => e.name).filter((n) => newNames.has(n));
    const b = newer.map((e) => e.name).filter((n) => oldNames.has(n));
    return a.indexOf(name) === b.indexOf(name);
  }

  private defAst(d: SbsTypeDef): { type: AstType; pos?: SourcePos } | undefined {
    return astDef(this.newer.modules, d.module, d.name);
  }

  private defPos(d: SbsTypeDef): SourcePos | undefined {
    return this.defAst(d)?.pos;
  }

  private add(
    severity: ChangeSeverity,
    kind: ChangeKind,
    path: string,
    pos: SourcePos | undefined,
    message: string,
  ): void {
    this.changes.push({
      severity,
      kind,
      path,
      message,
      file: pos?.file ?? '<unknown>',
      line: pos?.line ?? 0,
      column: pos?.column ?? 0,
    });
  }
}

function astDef(
  modules: readonly AstModule[],
  module: string,
  name: string,
): { type: AstType; pos?: SourcePos } | undefined {
  const m = modules.find((x) => x.name === module);
  const d = m?.typeDefs.find((x) => x.name === name);
  return d === undefined ? undefined : { type: d.type, ...(d.pos ? { pos: d.pos } : {}) };
}

/** `Module.Type` -> the definitions of other modules that refer to it. */
function crossModuleReferrers(schema: Schema): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const m of schema.modules)
    for (const d of m.types)
      forEachRef(d.type, (ref) => {
        if (ref.module === m.name) return;
        const key = `${ref.module}.${ref.name}`;
        const list = users.get(key) ?? [];
        const user = `${m.name}.${d.name}`;
        if (!list.includes(user)) list.push(user);
        users.set(key, list);
      });
  return users;
}

/**
 * Every change from `older` to `newer` that makes bytes written by one unreadable or misread by
 * the other (`breaking`), plus changes that keep the bytes (`safe`: renames, same layout) and
 * removals no other module depended on (`warning`). Sorted by position in NEW.
 */
export function compareSchemas(older: SchemaVersion, newer: SchemaVersion): SchemaChange[] {
  const changes = new SchemaDiff(older, newer).run();
  return changes.sort(
    (x, y) =>
      x.file.localeCompare(y.file) ||
      x.line - y.line ||
      x.column - y.column ||
      x.path.localeCompare(y.path),
  );
}
