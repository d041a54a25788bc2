// npm run conformance -- <schema dir or files...> <vectors.json>
//
// Checks every vector both ways through the Repository and through codecs generated into a
// temporary directory, each in number and bigint integer mode. Prints one line per failure;
// the last line is `N passed, M failed` (one check = one vector through one target, both
// directions). Exit code 1 if anything failed, 2 on bad usage or a broken schema.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSources, readSources, SbsSchemaError } from '../compiler/index.js';
import type { Schema } from '../compiler/model.js';
import { Repository } from '../runtime/sbs/index.js';
import { checkVector, formatFailure, type CodecLike, type Target } from './conformance/check.js';
import { readVectors, VectorConverter, type IntegerMode } from './conformance/vectors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface GenerateFn {
  (
    schema: Schema,
    options: { int: IntegerMode; runtimeImport?: string },
  ): Promise<{ path: string; content: string }[]>;
}

/** The code generator, if this checkout has it. */
async function loadGenerator(): Promise<
  { generate: GenerateFn; safeName: (n: string) => string } | string
> {
  try {
    // Specifiers in variables: a checkout without the generator still type-checks and runs.
    const generator = '../compiler/generate.js';
    const naming = '../compiler/codegen/names.js';
    const gen = (await import(generator)) as { generateFiles?: GenerateFn };
    const names = (await import(naming)) as {
      safeName?: (n: string) => string;
    };
    if (typeof gen.generateFiles !== 'function')
      return 'compiler/generate.ts has no generateFiles()';
    return { generate: gen.generateFiles, safeName: names.safeName ?? ((n) => n) };
  } catch (e) {
    return `cannot load the code generator (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

async function generatedTargets(schema: Schema, dir: string): Promise<Target[] | string> {
  const gen = await loadGenerator();
  if (typeof gen === 'string') return gen;
  const targets: Target[] = [];
  for (const int of ['number', 'bigint'] as const) {
    const out = join(dir, int);
    for (const f of await gen.generate(schema, { int })) {
      const path = join(out, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
    }
    // Inside the repo, `hat-open-ts/sbs` resolves to the runtime sources via the package
    // self-reference and the `source` condition.
    const mod = (await import(pathToFileURL(join(out, 'index.ts')).href)) as Record<
      string,
      unknown
    >;
    targets.push({
      label: `generated/${int}`,
      int,
      codec(type) {
        const dot = type.indexOf('.');
        const ns = mod[gen.safeName(type.slice(0, dot))] as Record<string, unknown> | undefined;
        const c = ns?.[gen.safeName(type.slice(dot + 1))] as CodecLike | undefined;
        if (dot < 0 || typeof c?.encode !== 'function')
          throw new Error(`no generated codec for ${type}`);
        return c;
      },
    });
  }
  return targets;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length < 2 || argv.includes('--help') || argv.includes('-h')) {
    console.error('usage: npm run conformance -- <schema dir or .sbs files...> <vectors.json>');
    return 2;
  }
  const schemaPaths = argv.slice(0, -1);
  const vectorsPath = argv[argv.length - 1] as string;

  let schema: Schema;
  let repo: Repository;
  try {
    const { modules, schema: s, diagnostics } = compileSources(await readSources(schemaPaths));
    if (!s || diagnostics.length > 0) throw new SbsSchemaError(diagnostics);
    schema = s;
    repo = new Repository(schema, { modules });
  } catch (e) {
    console.error(e instanceof SbsSchemaError ? e.message : String(e));
    return 2;
  }
  const vectors = await readVectors(vectorsPath);
  const converter = new VectorConverter(schema);

  const targets: Target[] = (['number', 'bigint'] as const).map((int) => {
    const r = repo.withIntegers(int);
    return { label: `repository/${int}`, int, codec: (type) => r.codec(type) };
  });

  const tmp = join(ROOT, '.tmp', `conformance-${randomBytes(6).toString('hex')}`);
  let passed = 0;
  let failed = 0;
  try {
    const generated = await generatedTargets(schema, tmp);
    if (typeof generated === 'string') console.log(`SKIP generated codecs: ${generated}`);
    else targets.push(...generated);

    for (const target of targets) {
      for (const vector of vectors) {
        const failures = checkVector(target, converter, vector);
        if (failures.length === 0) passed++;
        else {
          failed++;
          for (const f of failures) console.log(formatFailure(f));
        }
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exitCode = 2;
}
