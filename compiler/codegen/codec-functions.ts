import {
  type ArrayNode,
  type ChoiceNode,
  CodecPlan,
  isIntegerArray,
  type NullableNode,
  type PlanNode,
  type RecordNode,
  type RefType,
  type SbsType,
  type SchemaIndex,
  typeKey,
  typeToString,
} from 'hat-open-ts/schema';
import { type Doc, flatText } from '../printer.js';
import { moduleAlias, safeName } from './names.js';
import {
  arrayLiteral,
  assign,
  block,
  call,
  declare,
  declareFluid,
  declareTyped,
  forStatement,
  ifElse,
  name as typeName,
  objectLiteral,
  type Param,
  returnStatement,
  switchStatement,
  ternary,
  throwStatement,
  tryCatch,
  type TypeNode,
  union,
} from './ts-print.js';
import type { IntMode, TsTypes } from './ts-type.js';

export interface FunctionDecl {
  readonly name: string;
  readonly params: readonly Param[];
  readonly returnType: TypeNode;
  readonly statements: readonly Doc[];
  readonly docs?: string;
}

/** An expression: its document and what kind of node it is (prettier's layouts differ). */
interface Expr {
  readonly doc: Doc;
  readonly kind: 'call' | 'plain';
}

type Compound = Extract<PlanNode, { kind: 'Array' | 'Record' | 'Choice' | 'Nullable' }>;

const PRIMITIVE_WRITE = {
  None: 'none',
  Boolean: 'boolean',
  Integer: 'integer',
  Float: 'float',
  String: 'string',
  Bytes: 'bytes',
} as const;

/**
 * Emits straight-line write/read functions from the codec plan (hat-open-ts' plan.ts), which
 * decides the wire rules; this back end only names functions and prints them. Every named type and every compound node
 * (Array, Record, Choice, Optional) gets its own `$w_`/`$r_` pair; generic instantiations
 * are specialised per distinct argument list. Errors gain their path segment in the catch
 * block of the function that knows it, so successful calls pay only for the try.
 */
export class CodecEmitter {
  readonly functions: FunctionDecl[] = [];
  private readonly names = new Set<string>();
  private readonly instances = new Map<string, string>();
  private readonly pending: (() => void)[] = [];
  private readonly perGeneric = new Map<string, number>();
  /** Write and read traversals meet the same node objects; each node gets one function pair. */
  private readonly emitted = new Map<SbsType, string>();
  private readonly shared = new Map<string, string>();
  private readonly plan: CodecPlan;
  /** Readers of anonymous compounds, and those some code calls: the rest are not printed. */
  private readonly anonymousReaders = new Set<string>();
  private readonly calledReaders = new Set<string>();

  constructor(
    private readonly module: string,
    private readonly ts: TsTypes,
    private readonly intMode: IntMode,
    /** Instantiated bodies, recursion and minimum sizes: the same answers the Repository uses. */
    private readonly index: SchemaIndex,
    private readonly useModule: (module: string) => void,
    readonly useRuntime: (name: string) => void,
  ) {
    this.plan = new CodecPlan(index);
  }

  /**
   * Whether function `name` is the reader of an anonymous compound that nothing calls (a
   * recursive Record reads its Array entries inline): known once the whole module is emitted.
   */
  unused(name: string): boolean {
    return this.anonymousReaders.has(name) && !this.calledReaders.has(name);
  }

  /** Functions for a non-generic definition of this module: `$w_<name>`, `$r_<name>`. */
  definition(name: string, body: SbsType): void {
    this.names.add(name);
    this.named(
      name,
      body,
      { k: 'ref', name: safeName(name), args: [] },
      this.plan.guarded({ module: this.module, name }),
    );
    // Instances are named where first used but emitted here, one after another: emitting each
    // inside its user recursed once per link of a generic chain (`G1(a) = Record { x: G2(a) }`
    // ...), and a chain of 1000 overflowed the stack.
    for (let job = this.pending.shift(); job !== undefined; job = this.pending.shift()) job();
  }

  private named(
    base: string,
    body: SbsType,
    tsType: TypeNode,
    recursive: boolean,
    docs?: string,
  ): void {
    const node = this.plan.lower(body);
    if (!recursive && isCompound(node)) {
      this.compound(node, base, tsType, docs);
      return;
    }
    if (node.kind === 'Record' && !node.defineEntries) {
      this.recursiveRecord(base, node, tsType, docs);
      return;
    }
    const enter = recursive ? [stmt('w.enter()')] : [];
    const leave = recursive ? [stmt('w.leave()')] : [];
    this.fn(
      `$w_${base}`,
      writerParams(tsType),
      VOID,
      [...enter, this.write(node, 'v', `${base}$$`), ...leave],
      docs,
    );
    const value = this.read(node, `${base}$$`);
    const read = recursive
      ? [
          stmt('r.enter()'),
          value.kind === 'call'
            ? declare('const', 'v', value.doc)
            : declareFluid('const', 'v', value.doc),
          stmt('r.leave()'),
          'return v;',
        ]
      : [returnStatement(value.doc)];
    this.fn(`$r_${base}`, READER_PARAMS, tsType, read);
  }

  /**
   * A recursive Record (`Tree = Record { value: Integer, children: Array(Tree) }`): the writer
   * as for any recursive type, but one reader function per level, with the depth guard and
   * its Array entries' loops inside it. Split into the guard, the record and the array
   * function, the cycle was three functions that V8 inlined into each other differently
   * depending on which it optimised first: the bench tree decoded at 7k-40k/s from one process
   * to the next; as one self-recursive function, 53-55k/s (avsc: 45-50k/s). Error paths and
   * checks are those of the split functions.
   */
  private recursiveRecord(base: string, node: RecordNode, tsType: TypeNode, docs?: string): void {
    this.fn(
      `$w_${base}`,
      writerParams(tsType),
      VOID,
      [stmt('w.enter()'), ...this.recordWriter(base, node), stmt('w.leave()')],
      docs,
    );
    this.fn(`$r_${base}`, READER_PARAMS, tsType, [
      stmt('r.enter()'),
      ...this.recordReader(base, node, true),
    ]);
  }

  /** The statement writing `v` (an expression document) of type `t`. */
  private write(t: PlanNode, v: Doc, hint: string): Doc {
    switch (t.kind) {
      case 'Prim':
        return [call(`w.${PRIMITIVE_WRITE[t.prim]}`, [v]), ';'];
      case 'Ref':
        return [call(this.ref(t.ref, 'w'), ['w', v]), ';'];
      default:
        return [call(`$w_${this.compound(t, hint)}`, ['w', v]), ';'];
    }
  }

  private read(t: PlanNode, hint: string): Expr {
    switch (t.kind) {
      case 'Prim':
        if (t.prim === 'None') return { doc: 'null', kind: 'plain' };
        if (t.prim === 'Integer')
          return { doc: this.intMode === 'bigint' ? 'r.bigint()' : 'r.integer()', kind: 'call' };
        return { doc: `r.${PRIMITIVE_WRITE[t.prim]}()`, kind: 'call' };
      case 'Ref':
        return { doc: call(this.ref(t.ref, 'r'), ['r']), kind: 'call' };
      default: {
        const reader = `$r_${this.compound(t, hint)}`;
        this.calledReaders.add(reader);
        return { doc: call(reader, ['r']), kind: 'call' };
      }
    }
  }

  /** Function name (or codec member) that writes/reads a named type. */
  private ref(t: RefType, side: 'w' | 'r'): string {
    if (t.args.length > 0) return `$${side}_${this.instance(t)}`;
    if (t.module === this.module) return `$${side}_${t.name}`;
    this.useModule(t.module);
    return `${moduleAlias(t.module)}.${safeName(t.name)}.${side === 'w' ? 'write' : 'read'}`;
  }

  private instance(t: RefType): string {
    const key = this.index.key(t);
    const known = this.instances.get(key);
    if (known !== undefined) return known;
    const generic = `${t.module}.${t.name}`;
    const n = (this.perGeneric.get(generic) ?? 0) + 1;
    this.perGeneric.set(generic, n);
    const base = this.unique(`${t.name}$${n}`);
    this.instances.set(key, base);
    this.pending.push(() =>
      this.named(
        base,
        this.index.body(t, key),
        this.ts.expr(t),
        this.plan.guarded(t),
        typeToString(t),
      ),
    );
    return base;
  }

  private unique(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}$${i}`;
    this.names.add(name);
    return name;
  }

  private compound(node: Compound, hint: string, tsType?: TypeNode, docs?: string): string {
    const t = node.type;
    const done = this.emitted.get(t);
    if (done !== undefined) return done;
    // Anonymous nodes of the same structure (every `Optional(Timestamp)` field, say) share
    // one function pair; error path segments are added by callers, so sharing is safe.
    const key = tsType === undefined ? typeKey(t) : undefined;
    const shared = key === undefined ? undefined : this.shared.get(key);
    if (shared !== undefined) {
      this.emitted.set(t, shared);
      return shared;
    }
    const readable = key === undefined ? undefined : structureName(t, this.module);
    const base =
      readable !== undefined
        ? this.unique(`_${readable}`)
        : this.names.has(hint) && tsType === undefined
          ? this.unique(hint)
          : hint;
    this.names.add(base);
    this.emitted.set(t, base);
    if (tsType === undefined) this.anonymousReaders.add(`$r_${base}`);
    if (key !== undefined) this.shared.set(key, base);
    // Readers always set every entry (`value: null`, `v: null`), which is also what a generic's
    // declared type says once instantiated with None (`P<null>`: `value: x` with x = null);
    // the shorthand type (`value?: null`) is only for what writers accept.
    const type: Types = { write: tsType ?? this.ts.expr(t), read: tsType ?? this.ts.expr(t, true) };
    switch (node.kind) {
      case 'Record':
        this.record(base, type, node, docs);
        break;
      case 'Array':
        this.array(base, type, node, docs);
        break;
      case 'Choice':
        this.choice(base, type, node, docs);
        break;
      case 'Nullable':
        this.nullable(base, type, node, docs);
        break;
    }
    return base;
  }

  private record(base: string, type: Types, node: RecordNode, docs?: string): void {
    // Only the Python repository JSON can name an entry `__proto__` (`.sbs` identifiers cannot
    // start with '_'); an object literal would set the prototype with it, so it is refused.
    if (node.defineEntries)
      throw new Error(`cannot generate a Record with an entry named __proto__ (${base})`);
    this.fn(`$w_${base}`, writerParams(type.write), VOID, this.recordWriter(base, node), docs);
    this.fn(`$r_${base}`, READER_PARAMS, type.read, this.recordReader(base, node, false));
  }

  /** A Record writer's statements. */
  private recordWriter(base: string, node: RecordNode): Doc[] {
    const entries = node.fields;
    const { track, decl, rethrow } = this.entryPath(node);
    const writes: Doc[] = [];
    entries.forEach((e, i) => {
      if (track && i > 0) writes.push(assign('$field', `'${e.name}'`));
      writes.push(this.write(e.node, this.entry(e.name, e.inherited), `${base}$${e.name}`));
    });
    return [stmt('w.record(v)'), ...decl, tryCatch(writes, rethrow)];
  }

  /**
   * How a Record's codec names the entry in an error's path: a `$field` variable updated per
   * entry when there are several (`track`), its declaration, and the catch block's rethrow.
   */
  private entryPath(node: RecordNode): { track: boolean; decl: Doc[]; rethrow: Doc[] } {
    this.useRuntime('at');
    const track = node.fields.length > 1;
    const first = node.fields[0]?.name ?? '';
    const segment = track ? '$field' : `'${first}'`;
    return {
      track,
      decl: track ? [declare('let', '$field', `'${first}'`)] : [],
      rethrow: [throwStatement(call('$at', ['e', segment]))],
    };
  }

  /**
   * A Record reader's statements. `recursive`: the level of a recursive type, which calls
   * `r.leave()` before returning (its caller put `r.enter()` first) and reads Array entries
   * with their loop inline rather than through the array's function.
   */
  private recordReader(base: string, node: RecordNode, recursive: boolean): Doc[] {
    const entries = node.fields;
    const { track, decl, rethrow } = this.entryPath(node);
    const reads: Doc[] = [];
    entries.forEach((e, i) => {
      if (track && i > 0) reads.push(assign('$field', `'${e.name}'`));
      const hint = `${base}$${e.name}`;
      if (recursive && e.node.kind === 'Array') {
        const item = e.node;
        // The array's function pair is still emitted: the writer calls it.
        const arrayBase = this.compound(item, hint);
        const type = this.ts.expr(item.type, true);
        reads.push(
          ...this.arrayLoop(
            item,
            type,
            [`$v_${e.name}`, `$n_${e.name}`, `$i_${e.name}`],
            arrayBase,
          ),
        );
        return;
      }
      const value = this.read(e.node, hint);
      reads.push(
        value.kind === 'call'
          ? declare('const', `$v_${e.name}`, value.doc)
          : declareFluid('const', `$v_${e.name}`, value.doc),
      );
    });
    const fields = objectLiteral(entries.map((e) => [e.name, `$v_${e.name}`, 'plain']));
    const leave = recursive ? [stmt('r.leave()')] : [];
    return [...decl, tryCatch([...reads, ...leave, returnStatement(fields)], rethrow)];
  }

  /** Statements reading an array of type `type` into `a` (declared here): `n` items, index `i`. */
  private arrayLoop(
    node: ArrayNode,
    type: TypeNode,
    [a, n, i]: readonly [string, string, string],
    base: string,
  ): Doc[] {
    const count = call('r.count', [String(node.minSize)]);
    if (isIntegerArray(node) && this.intMode === 'number')
      return [declareTyped('const', a, type, call('r.integers', [count]))];
    const value = this.read(node.item, `${base}$item`);
    return [
      declare('const', n, count),
      // Sized once and written by index: ~1.9x faster than push for 100k items (measured), and
      // n is bounded by the input (r.count checks it against the bytes left or the empty-item
      // budget) before anything is allocated.
      declareTyped('const', a, type, call('new Array', [n])),
      `let ${i} = 0;`,
      tryCatch(
        [forStatement(`${i} < ${n}`, `${i}++`, assign(`${a}[${i}]`, value.doc), false)],
        [throwStatement(call('$at', ['e', i]))],
      ),
    ];
  }

  /**
   * The expression for entry `name` of the Record `v`. For names of Object.prototype members
   * (`toString`, `constructor`...), `v.name` on a value that omits the (None/Optional) entry
   * would be the inherited function; `entryValue` reads it as absent, as the Repository does.
   */
  private entry(name: string, inherited: boolean): Doc {
    if (!inherited) return `v.${name}`;
    this.useRuntime('entryValue');
    return [call('$entryValue', ['v', `'${name}'`]), ` as (typeof v)['${name}']`];
  }

  private array(base: string, type: Types, node: ArrayNode, docs?: string): void {
    this.useRuntime('at');
    const element = node.item;
    const rethrow = [throwStatement(call('$at', ['e', 'i']))];
    const item = this.write(element, 'x', `${base}$item`);
    this.fn(
      `$w_${base}`,
      writerParams(type.write),
      VOID,
      [
        declare('const', 'a', call('w.array', ['v'])),
        // By index, like the count written: an array with its own iterator would otherwise
        // write a count that does not match the items.
        declare('const', 'n', 'a.length'),
        'let i = 0;',
        tryCatch(
          [
            forStatement(
              'i < n',
              'i++',
              block([declareFluid('const', 'x', 'a[i] as (typeof a)[number]'), item]),
              true,
            ),
          ],
          rethrow,
        ),
      ],
      docs,
    );
    this.fn(`$r_${base}`, READER_PARAMS, type.read, [
      ...this.arrayLoop(node, type.read, ['a', 'n', 'i'], base),
      'return a;',
    ]);
  }

  private choice(base: string, type: Types, node: ChoiceNode, docs?: string): void {
    const entries = node.entries;
    this.useRuntime('at');
    this.useRuntime('unknownEntry');
    const rethrowAt = (name: string): Doc[] => [throwStatement(call('$at', ['e', `'${name}'`]))];
    const writeCases = entries.map((e, i): [Doc, Doc[]] =>
      e.none
        ? [
            `case '${e.name}':`,
            [[call('w.noneEntry', [String(i), 'v.value', `'${e.name}'`]), ';'], 'return;'],
          ]
        : [
            `case '${e.name}':`,
            [
              [call('w.count', [String(i)]), ';'],
              tryCatch([this.write(e.node, 'v.value', `${base}$${e.name}`)], rethrowAt(e.name)),
              'return;',
            ],
          ],
    );
    const names = arrayLiteral(entries.map((e) => `'${e.name}'`));
    this.fn(
      `$w_${base}`,
      writerParams(type.write),
      VOID,
      [
        stmt('w.choice(v)'),
        switchStatement('v.type', writeCases),
        throwStatement(call('$unknownEntry', ['(v as { type: unknown }).type', names], true)),
      ],
      docs,
    );
    const readCases = entries.map((e, i): [Doc, Doc[]] => {
      const label = i === entries.length - 1 ? 'default:' : `case ${i}:`;
      if (e.none)
        return [
          label,
          [
            returnStatement(
              objectLiteral([
                ['type', `'${e.name}'`, 'plain'],
                ['value', 'null', 'plain'],
              ]),
            ),
          ],
        ];
      const value = this.read(e.node, `${base}$${e.name}`);
      return [
        label,
        [
          tryCatch(
            [
              returnStatement(
                objectLiteral([
                  ['type', `'${e.name}'`, 'plain'],
                  ['value', value.doc, value.kind],
                ]),
              ),
            ],
            rethrowAt(e.name),
          ),
        ],
      ];
    });
    this.fn(`$r_${base}`, READER_PARAMS, type.read, [
      switchStatement(call('r.choice', [String(entries.length)]), readCases),
    ]);
  }

  private nullable(base: string, type: Types, node: NullableNode, docs?: string): void {
    const value = node.inner;
    this.fn(
      `$w_${base}`,
      writerParams(union([type.write, typeName('undefined')])),
      VOID,
      [
        ifElse(
          'v === null || v === undefined',
          [call('w.count', ['0']), ';'],
          [[call('w.count', ['1']), ';'], this.write(value, 'v', `${base}$value`)],
        ),
      ],
      docs,
    );
    const read = this.read(value, `${base}$value`);
    this.fn(`$r_${base}`, READER_PARAMS, type.read, [
      returnStatement(ternary('r.choice(2) === 0', 'null', read.doc)),
    ]);
  }

  private fn(
    name: string,
    params: FunctionDecl['params'],
    returnType: TypeNode,
    statements: Doc[],
    docs?: string,
  ): void {
    // A parameter the body never reads (None has no bytes) is marked unused for linters.
    const text = statements.map(flatText).join('\n');
    const used = (p: string): boolean => new RegExp(`\\b${p}\\b`).test(text);
    const named = params.map((p) => (used(p.name) ? p : { ...p, name: `_${p.name}` }));
    this.functions.push({ name, params: named, returnType, statements, ...(docs ? { docs } : {}) });
  }
}

/** TS types of a node: what its writer accepts and what its reader returns. */
interface Types {
  readonly write: TypeNode;
  readonly read: TypeNode;
}

const VOID = typeName('void');
const READER_PARAMS: readonly Param[] = [{ name: 'r', type: typeName('$Reader') }];

function writerParams(type: TypeNode): FunctionDecl['params'] {
  return [
    { name: 'w', type: typeName('$Writer') },
    { name: 'v', type },
  ];
}

/** An expression statement of text that never breaks. */
function stmt(text: string): Doc {
  return `${text};`;
}

function isCompound(node: PlanNode): node is Compound {
  return node.kind !== 'Prim' && node.kind !== 'Ref';
}

/**
 * A readable function name for Array/Optional nests of named or builtin types
 * (`Optional_Timestamp`, `Array_Array_String`); undefined for inline Records and Choices,
 * which keep the name of the place they first appear. Emitted as `$w__<name>`: SBS names
 * cannot start with `_`, so these never meet a definition's `$w_<name>`.
 */
function structureName(t: SbsType, module: string): string | undefined {
  switch (t.kind) {
    case 'Array':
    case 'Optional': {
      const inner = structureName(t.kind === 'Array' ? t.element : t.value, module);
      return inner === undefined ? undefined : `${t.kind}_${inner}`;
    }
    case 'Ref':
      if (t.args.length > 0) return undefined;
      return t.module === module ? t.name : `${t.module}_${t.name}`;
    case 'Record':
    case 'Choice':
    case 'Param':
      return undefined;
    default:
      return t.kind;
  }
}
