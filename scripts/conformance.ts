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
import { generateFiles } from '../compiler/generate.js';
import type { Schema } from 'hat-open-ts/schema';
import { Repository } from '../runtime/sbs/index.js';
import { checkVector, formatFailure, generatedTarget, type Target } from './conformance/check.js';
import { readVectors, VectorConverter } from './conformance/vectors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Codecs generated into `dir` from `schema`, one target per integer mode. */
async function generatedTargets(schema: Schema, dir: string): Promise<Target[]> {
  const targets: Target[] = [];
  for (const int of ['number', 'bigint'] as const) {
    const out = join(dir, int);
    for (const f of await generateFiles(schema, { int })) {
      const path = join(out, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content);
    }
    // Inside the repo, `hat-open-ts/sbs` resolves to the runtime sources via the package
    // self-reference and the `source` condition.
    const modules = (await import(pathToFileURL(join(out, 'index.ts')).href)) as object;
    targets.push(generatedTarget(int, modules));
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
    targets.push(...(await generatedTargets(schema, tmp)));

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
