import { describe, expect, it } from 'vitest';
import { CodecPlan, SchemaIndex, type PlanNode, type RefType } from 'hat-open-ts/schema';
import { Repository, SbsEncodeError } from '../../runtime/sbs/index.js';
import { generateFiles } from '../../compiler/generate.js';
import { repositoryFromText, SbsSchemaError } from '../../compiler/index.js';

const SCHEMA = `module M
  R = Record { toString: None, n: Integer, o: Optional(String), c: Optional(Array(L)) }
  L = Record { v: Integer, next: Optional(L) }
  C = Choice { nothing: None, some: Float }
  G(a) = Record { x: a, y: Optional(a) }
  U = G(Bytes)
`;

const ref = (name: string): RefType => ({ kind: 'Ref', module: 'M', name, args: [] });

function planOf(name: string): { plan: CodecPlan; node: PlanNode } {
  const repo = repositoryFromText([SCHEMA]);
  const plan = new CodecPlan(new SchemaIndex(repo.schema));
  const top = plan.lower(ref(name));
  if (top.kind !== 'Ref') throw new Error('expected a Ref');
  return { plan, node: plan.target(top) };
}

describe('codec plan', () => {
  it('lowers Records with inherited-name fields and both Optional forms', () => {
    const { node } = planOf('R');
    expect(node.kind).toBe('Record');
    if (node.kind !== 'Record') return;
    expect(node.defineEntries).toBe(false);
    expect(node.fields.map((f) => [f.name, f.inherited, f.node.kind])).toEqual([
      ['toString', true, 'Prim'],
      ['n', false, 'Prim'],
      ['o', false, 'Nullable'],
      ['c', false, 'Nullable'],
    ]);
    const c = node.fields[3]?.node;
    if (c?.kind !== 'Nullable' || c.inner.kind !== 'Array') throw new Error('expected Array');
    // Record { v: Integer, next: Optional(L) } is at least two bytes.
    expect(c.inner.minSize).toBe(2);
    expect(c.inner.item).toMatchObject({ kind: 'Ref', key: 'M.L', recursive: true });
  });

  it('marks None Choice entries, and the choice form of Optional is Choice { none, value }', () => {
    const { node } = planOf('C');
    expect(node).toMatchObject({
      kind: 'Choice',
      entries: [
        { name: 'nothing', none: true },
        { name: 'some', none: false, node: { kind: 'Prim', prim: 'Float' } },
      ],
    });
    const { node: g } = planOf('U');
    if (g.kind !== 'Ref') throw new Error('expected the generic instance');
    expect(g.key).toBe('M.G(Bytes)');
    expect(g.recursive).toBe(false);
  });

  it('gives one node per type object and one target per named type', () => {
    const repo = repositoryFromText([SCHEMA]);
    const plan = new CodecPlan(new SchemaIndex(repo.schema));
    const a = plan.lower(ref('L'));
    const b = plan.lower(ref('L'));
    if (a.kind !== 'Ref' || b.kind !== 'Ref') throw new Error('expected Refs');
    expect(plan.target(a)).toBe(plan.target(b));
    // The depth guard goes around a named type's body, for recursive definitions only.
    expect(plan.guarded({ module: 'M', name: 'L' })).toBe(true);
    expect(plan.guarded({ module: 'M', name: 'R' })).toBe(false);
    const t = { kind: 'Array', element: { kind: 'String' } } as const;
    expect(plan.lower(t)).toBe(plan.lower(t));
  });

  it('decides defineEntries for `__proto__`, which only the Python JSON can name', () => {
    const text = repositoryFromText(['module M\n R = Record { proto: Integer, x: Integer }']);
    const json = JSON.parse(JSON.stringify(text.toJson()).replace('"proto"', '"__proto__"'));
    const repo = Repository.fromJson(json);
    const plan = new CodecPlan(new SchemaIndex(repo.schema));
    const top = plan.lower(ref('R'));
    if (top.kind !== 'Ref') throw new Error('expected a Ref');
    expect(plan.target(top)).toMatchObject({ kind: 'Record', defineEntries: true });
    // The generator refuses the name before planning: it is not an SBS identifier.
    return expect(generateFiles(repo.schema)).rejects.toThrow(SbsSchemaError);
  });
});

describe('None entries of a Choice', () => {
  // Both back ends take a None entry as one plan step, `w.noneEntry`: the index, then the
  // check that the value is null or absent, failing with the entry name in the path.
  it('encode null or an absent value, and refuse anything else with the entry in the path', () => {
    const repo = repositoryFromText([SCHEMA]);
    expect(Array.from(repo.encode('M.C', { type: 'nothing', value: null }))).toEqual([0x80]);
    expect(Array.from(repo.encode('M.C', { type: 'nothing' }))).toEqual([0x80]);
    expect(repo.decode('M.C', Uint8Array.of(0x80))).toEqual({ type: 'nothing', value: null });
    let err: unknown;
    try {
      repo.encode('M.C', { type: 'nothing', value: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SbsEncodeError);
    expect((err as SbsEncodeError).path).toEqual(['M.C', 'nothing']);
  });
});
