// A recursive Record's reader is one function per level, its Array entries read by a loop
// inline (codec-functions.ts, recursiveRecord): it must decode and fail exactly as the
// Repository does (code, offset, path, depth limit), and the array reader it no longer
// calls is not emitted unless something else calls it.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { generateFiles } from '../../compiler/generate.js';
import { compileSchema, repositoryFromText } from '../../compiler/index.js';
import type { Codec } from '../../runtime/sbs/index.js';

const RUNTIME = fileURLToPath(new URL('../../runtime/sbs/index.ts', import.meta.url));

async function generated(text: string): Promise<string> {
  const files = await generateFiles(compileSchema([{ file: 'm.sbs', text }]));
  const file = files.find((f) => f.path === 'M.ts');
  if (!file) throw new Error('no M.ts');
  return file.content;
}

/** The generated module, bundled with the runtime's source and imported. */
async function load(text: string): Promise<Record<string, Codec<unknown>>> {
  const out = await build({
    stdin: { contents: await generated(text), loader: 'ts', resolveDir: process.cwd() },
    alias: { 'hat-open-ts/sbs': RUNTIME },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const js = out.outputFiles[0]?.text ?? '';
  return (await import(
    `data:text/javascript;base64,${Buffer.from(js).toString('base64')}`
  )) as Record<string, Codec<unknown>>;
}

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof Error && 'code' in e && 'offset' in e && 'path' in e)
      return { code: e.code, offset: e.offset, path: e.path };
    throw e;
  }
}

const TWO_ARRAYS = `module M
Tree = Record {
    value: Integer
    left: Array(Tree)
    right: Array(Tree)
}
`;

interface Tree {
  value: number;
  left: Tree[];
  right: Tree[];
}

function spine(depth: number): Tree {
  let t: Tree = { value: 9000, left: [], right: [] };
  for (let d = 1; d < depth; d++)
    t = { value: d * 37 - 400, left: [{ value: -d, left: [], right: [] }], right: [t] };
  return t;
}

describe('recursive Record with its Array entries read inline', () => {
  it('decodes and fails like the Repository: every truncation, every corrupted byte', async () => {
    const gen = (await load(TWO_ARRAYS))['Tree'] as Codec<unknown>;
    const repo = repositoryFromText([TWO_ARRAYS]);
    const value = spine(12);
    const bytes = gen.encode(value);
    expect(Buffer.from(bytes).equals(Buffer.from(repo.encode('M.Tree', value)))).toBe(true);
    expect(gen.decode(bytes)).toEqual(value);
    let failures = 0;
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      const got = outcome(() => gen.decode(cut));
      expect(got).toEqual(outcome(() => repo.decode('M.Tree', cut)));
      if (!('ok' in (got as object))) failures++;
    }
    for (let i = 0; i < bytes.length; i++)
      for (const x of [0x00, 0x7f, 0x80, 0xbf, 0xff]) {
        const bad = Uint8Array.from(bytes);
        bad[i] = x;
        expect(outcome(() => gen.decode(bad))).toEqual(outcome(() => repo.decode('M.Tree', bad)));
      }
    expect(failures).toBe(bytes.length);
  });

  it('keeps the depth limit and reports its path', async () => {
    const gen = (await load(TWO_ARRAYS))['Tree'] as Codec<unknown>;
    const repo = repositoryFromText([TWO_ARRAYS]);
    const bytes = gen.encode(spine(30));
    const err = outcome(() => gen.decode(bytes, { maxDepth: 29 }));
    expect(err).toMatchObject({ code: 'depth' });
    expect(err).toEqual(outcome(() => repo.decode('M.Tree', bytes, { maxDepth: 29 })));
    expect((err as { path: unknown[] }).path.slice(0, 4)).toEqual(['M.Tree', 'right', 0, 'right']);
    expect(() => gen.decode(bytes, { maxDepth: 30 })).not.toThrow();
  });

  it('emits one reader per level and no array reader nothing calls', async () => {
    const alone = await generated(
      'module M\nTree = Record {\n    value: Integer\n    children: Array(Tree)\n}\n',
    );
    expect(alone).toContain('function $w__Array_Tree(');
    expect(alone).not.toContain('function $r__Array_Tree(');
    expect(alone).not.toContain('$r_Tree$$');
    expect(alone).toMatch(/function \$r_Tree\(r: \$Reader\): Tree \{\n {2}r\.enter\(\);/);
    const shared = await generated(
      'module M\nTree = Record {\n    value: Integer\n    children: Array(Tree)\n}\n' +
        'Holder = Record {\n    trees: Array(Tree)\n    n: Integer\n}\n',
    );
    expect(shared).toContain('function $r__Array_Tree(');
    expect(shared).toContain('$r__Array_Tree(r)');
  });
});
