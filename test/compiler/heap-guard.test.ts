// Issue 11 item 12: a schema too large for the heap ends with a one-line error, not V8's
// out-of-memory abort. The heap is reported nearly full here (node:v8 mocked), as it would be
// for a schema whose generated code does not fit.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('node:v8', () => ({
  getHeapStatistics: () => ({ used_heap_size: 900 * 2 ** 20, heap_size_limit: 1000 * 2 ** 20 }),
}));

const { main } = await import('../../compiler/cli.js');
const { generateFiles } = await import('../../compiler/generate.js');
const { compileSchema, SbsSchemaError } = await import('../../compiler/index.js');

const root = join(import.meta.dirname, '../..');
let dir: string;
beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp/heap-guard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Enough definitions to reach the generator's periodic heap check.
const TEXT = `module M\n${Array.from({ length: 2048 }, (_, i) => `T${i} = Integer\n`).join('')}`;

describe('heap guard', () => {
  it('generateFiles throws a schema error naming the heap size', async () => {
    const schema = compileSchema([{ file: 'm.sbs', text: TEXT }]);
    const error = await generateFiles(schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbsSchemaError);
    expect((error as Error).message).toContain(
      'schema too large: the generated code does not fit in the 1000 MiB JavaScript heap',
    );
  });

  it('the CLI prints one line, exits 1 and writes nothing', async () => {
    const src = join(dir, 'm.sbs');
    writeFileSync(src, TEXT);
    const out = join(dir, 'out');
    const err: string[] = [];
    const code = await main([src, '-o', out], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(1);
    // One line for the error (no position: it is not at a place in the schema), then the count.
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^.*m\.sbs: schema too large: /);
    expect(err[1]).toBe('sbs-gen: 1 error');
    expect(() => readdirSync(out)).toThrow();
  });

  it('a schema below the check interval is generated', async () => {
    const schema = compileSchema([{ file: 'm.sbs', text: 'module M\nT = Integer' }]);
    await expect(generateFiles(schema)).resolves.toHaveLength(2);
  });
});
