import { join } from 'node:path';
// Generated output for the conformance test schemas is committed under test/golden/ and
// compared byte for byte, so every codegen change shows up as a reviewable diff. The golden
// files are also type-checked by `npm run typecheck` and linted, i.e. the output passes
// tsc --strict, eslint and prettier. Refresh with: UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSchema, readSources } from '../../compiler/index.js';
import { generateFiles } from '../../compiler/generate.js';
import { CONFORMANCE } from '../support/conformance.js';

const SCHEMAS = [join(CONFORMANCE, 'schemas/hat'), join(CONFORMANCE, 'schemas/test')];
const GOLDEN = new URL('../golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(['number', 'bigint'] as const)('generated code, --int %s', (int) => {
  it('matches the committed golden files', async () => {
    const schema = compileSchema(await readSources(SCHEMAS));
    const files = await generateFiles(schema, {
      int,
      runtimeImport: '../../../runtime/sbs/index.js',
    });
    const dir = new URL(`${int}/`, GOLDEN);
    if (update) {
      mkdirSync(dir, { recursive: true });
      for (const f of files) writeFileSync(new URL(f.path, dir), f.content);
    }
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files)
      expect(f.content, f.path).toBe(readFileSync(new URL(f.path, dir), 'utf8'));
  });

  it('is deterministic', async () => {
    const schema = compileSchema(await readSources(SCHEMAS));
    const a = await generateFiles(schema, { int });
    const b = await generateFiles(compileSchema(await readSources(SCHEMAS)), { int });
    expect(a).toEqual(b);
  });
});

describe('generateFiles on a large schema', () => {
  // Prettier's JSX sniffing regex (skipped for a `.ts` filepath) is quadratic in the number of
  // lines without a quote: 6000 aliases took 45 s, now about 5 s.
  // Formatting used to be quadratic here (45 s); no wall-clock bound is asserted (shared machines
  // are noisy): this checks that such a schema is generated at all, within the test timeout.
  it('generates 6000 chained aliases', { timeout: 90_000 }, async () => {
    const n = 6000;
    const aliases = Array.from({ length: n }, (_, i) => `A${i} = A${i + 1}\n`).join('');
    const schema = compileSchema([{ file: 'a.sbs', text: `module M\n${aliases}A${n} = Integer` }]);
    const [file] = await generateFiles(schema);
    expect(file?.content).toContain(`export type A${n - 1} = A${n};`);
  });

  // Each instance used to be emitted inside the function of its user, one recursion per link.
  it('emits a chain of 2000 generic definitions without overflowing the stack', async () => {
    const n = 2000;
    const chain = Array.from({ length: n }, (_, i) => `G${i}(a) = Record { x: G${i + 1}(a) }\n`);
    const text = `module M\n${chain.join('')}G${n}(a) = a\nT = G0(Integer)`;
    const [file] = await generateFiles(compileSchema([{ file: 'a.sbs', text }]));
    expect(file?.content).toContain(`function $w_G${n}$1(w: $Writer, v: G${n}<number>): void`);
  });
});
