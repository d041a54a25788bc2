import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.js';
import { ConfigError, loadConfig, validateConfig } from '../../compiler/config.js';

const root = join(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp/config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const p = join(dir, name);
  mkdirSync(join(p, 'schemas'), { recursive: true });
  writeFileSync(join(p, 'schemas/a.sbs'), 'module A\nT = Record { n: Integer }\n');
  for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
  return p;
}

async function run(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sbs-gen config', () => {
  it('takes inputs, out, int and runtime import from sbs-gen.config.json', async () => {
    const p = project('file', {
      'sbs-gen.config.json': JSON.stringify({
        inputs: ['schemas'],
        out: 'gen',
        int: 'bigint',
        runtimeImport: 'my-runtime',
      }),
    });
    const r = await run(p);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Paths are relative to the config file, shown relative to the working directory.
    expect(r.out).toContain(`-> 2 files in ${relative(process.cwd(), join(p, 'gen'))} in`);
    const a = readFileSync(join(p, 'gen/A.ts'), 'utf8');
    expect(a).toContain('n: bigint;');
    expect(a).toContain("from 'my-runtime'");
  });

  it('lets flags override the config', async () => {
    const p = project('override', {
      'sbs-gen.config.json': JSON.stringify({ inputs: ['nowhere'], out: 'gen', int: 'bigint' }),
    });
    const r = await run(p, join(p, 'schemas'), '-o', join(p, 'other'), '--int', 'number', '-q');
    expect(r.err).toBe('');
    expect(readFileSync(join(p, 'other/A.ts'), 'utf8')).toContain('n: number;');
  });

  it('reads the sbsGen key of package.json', async () => {
    const p = project('pkg', {
      'package.json': JSON.stringify({ name: 'x', sbsGen: { inputs: ['schemas'], out: 'gen' } }),
    });
    expect((await run(p, '-q')).code).toBe(0);
    expect(readFileSync(join(p, 'gen/A.ts'), 'utf8')).toContain('n: number;');
  });

  it('reads a file named with --config, relative to its folder', async () => {
    const p = project('explicit', {
      'gen.json': JSON.stringify({ inputs: ['schemas'], out: 'out' }),
    });
    expect((await run(dir, '--config', join(p, 'gen.json'), '-q')).code).toBe(0);
    expect(readFileSync(join(p, 'out/A.ts'), 'utf8')).toContain('n: number;');
  });

  it('reports each problem of a bad config on its own line, exit 2', async () => {
    const p = project('bad', {
      'sbs-gen.config.json': JSON.stringify({ inputs: 'schemas', int: 'long', outDir: 'x' }),
    });
    const r = await run(p);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      'sbs-gen: sbs-gen.config.json: "inputs": expected a non-empty array of paths, got "schemas"',
      'sbs-gen: sbs-gen.config.json: "int": expected "number" or "bigint", got "long"',
      'sbs-gen: sbs-gen.config.json: "outDir": unknown setting (known: inputs, out, int, runtimeImport, json)',
    ]);
  });

  it('refuses invalid JSON, two configs, and a config that is not an object', async () => {
    const broken = project('broken', { 'sbs-gen.config.json': '{ "out": ' });
    expect((await run(broken)).err).toMatch(/^sbs-gen: sbs-gen\.config\.json: not valid JSON \(/);
    const both = project('both', {
      'sbs-gen.config.json': '{}',
      'package.json': JSON.stringify({ sbsGen: {} }),
    });
    const r = await run(both);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'sbs-gen: both sbs-gen.config.json and package.json "sbsGen" configure sbs-gen; keep one',
    );
    expect(() => validateConfig([], 'x.json', dir)).toThrow(
      new ConfigError(['x.json: expected an object, got an array']),
    );
  });

  it('is absent without a config file or key', async () => {
    const p = project('none', { 'package.json': JSON.stringify({ name: 'x' }) });
    expect(await loadConfig(p)).toBeUndefined();
    expect((await run(p)).code).toBe(2); // no inputs: usage
  });
});
