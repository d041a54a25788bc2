// Issue 11 item 1: the generated header names the schema file in a `//` comment, so a file
// name with a line terminator ended the comment and the rest of the name ran on import.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.js';
import { generateFiles } from '../../compiler/generate.js';
import { compileSchema, SbsSchemaError } from '../../compiler/index.js';

const root = join(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp/file-names-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The reproduction, and the other JavaScript line terminators.
const HOSTILE = [
  'a\nconsole.log("RAN");\nvoid ({a:1}.sbs',
  'a\rconsole.log("RAN");\rvoid ({a:1}.sbs',
  'a\u2028console.log("RAN");\u2029void ({a:1}.sbs',
];

describe('schema file names in generated code', () => {
  it.each(HOSTILE)('refuses %j with a diagnostic naming the file', async (name) => {
    const schema = compileSchema([{ file: join('schemas', name), text: 'module M\nT = Integer' }]);
    const error = await generateFiles(schema).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SbsSchemaError);
    const [d] = (error as SbsSchemaError).diagnostics;
    expect(d?.message).toContain(JSON.stringify(name));
    expect(d?.message).toContain('line break');
  });

  it('the CLI refuses such a file, one diagnostic, nothing written', async () => {
    const schemas = join(dir, 'schemas');
    mkdirSync(schemas);
    writeFileSync(join(schemas, HOSTILE[0] as string), 'module M\nT = Integer\n');
    const out = join(dir, 'out');
    const err: string[] = [];
    const code = await main([schemas, '-o', out], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('line break');
    expect(err.at(-1)).toBe('sbs-gen: 1 error');
    expect(() => readdirSync(out)).toThrow();
  });

  it('keeps ordinary names (spaces, quotes, non-ASCII) as they are', async () => {
    const schema = compileSchema([{ file: "my 'ünï' schema.sbs", text: 'module M\nT = Integer' }]);
    const [file] = await generateFiles(schema);
    expect(file?.content.split('\n')[1]).toBe("// SBS module M (my 'ünï' schema.sbs)");
  });

  it('refuses a runtime import that would end its string literal', async () => {
    const schema = compileSchema([{ file: 'a.sbs', text: 'module M\nT = Integer' }]);
    for (const runtimeImport of ["x';console.log(1);'", 'x\\', 'x\ny'])
      await expect(generateFiles(schema, { runtimeImport })).rejects.toThrow(TypeError);
  });
});
