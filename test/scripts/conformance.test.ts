import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFORMANCE } from '../support/conformance.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemas = join(CONFORMANCE, 'schemas/test');
const dir = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'scripts/conformance.ts', ...args],
      { cwd: root },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('npm run conformance with bad vector files', () => {
  it.each([
    ['missing', null, /ENOENT/],
    ['garbage', 'garbage', /^JsonSyntaxError: invalid JSON at offset 0/],
    ['not an array', '{"a": 1}', /^VectorFormatError: a vector file is a JSON array/],
    // a stack overflow (RangeError) without the nesting limit
    ['nested 100000 deep', '['.repeat(100_000), /^JsonSyntaxError: .*nested deeper than/],
  ])('%s: one line on stderr, exit code 2', async (name, content, message) => {
    const path = join(dir, `${name}.json`);
    if (content !== null) writeFileSync(path, content);
    const { code, stdout, stderr } = await run([schemas, path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
