import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDiagnostic, SbsSchemaError, toPythonJson } from 'hat-open-ts/schema';
import {
  generateFiles,
  HEADER,
  outputFileClashes,
  type GeneratedFile,
  unsafeFileNames,
} from './generate.js';

const USAGE = `Usage: sbs-gen <schema files or directories>... -o <dir> [options]

Compiles .sbs schemas (directories are searched recursively) into typed TypeScript
encoders/decoders: one file per SBS module plus index.ts.

Options:
  -o, --out <dir>           output directory (required unless only --json is given)
      --check               write nothing; exit 1 and list the files that would change
      --int number|bigint   TS type of SBS Integer (default: number)
      --json <file>         also write the Python hat-sbs repository JSON (Repository.to_json())
      --runtime-import <s>  module specifier of the runtime (default: hat-open-ts/sbs)
  -q, --quiet               no summary line
  -h, --help                show this help
  -v, --version             show the version`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Runs the CLI; returns the exit code (0 ok, 1 schema errors or --check drift, 2 usage). */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        check: { type: 'boolean' },
        int: { type: 'string' },
        json: { type: 'string' },
        'runtime-import': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    io.err(`sbs-gen: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(await version());
    return 0;
  }
  const int = values.int ?? 'number';
  if (int !== 'number' && int !== 'bigint') {
    io.err(`sbs-gen: --int must be 'number' or 'bigint', not '${int}'`);
    return 2;
  }
  if (positionals.length === 0 || (values.out === undefined && values.json === undefined)) {
    io.err(
      `sbs-gen: ${positionals.length === 0 ? 'no schema files given' : 'no output: use -o <dir>'}\n\n${USAGE}`,
    );
    return 2;
  }

  const started = performance.now();
  let compiled;
  try {
    // The parser loads only for a run that compiles, not for --help, --version or usage errors.
    const { compileSources, readSources } = await import('./index.js');
    const sources = await readSources(positionals);
    if (sources.length === 0) {
      // Most likely a wrong path; generating nothing would also remove every generated file
      // already in the output directory as stale.
      io.err(`sbs-gen: no .sbs files found in ${positionals.join(', ')}`);
      return 1;
    }
    compiled = compileSources(sources);
  } catch (e) {
    if (!(e instanceof SbsSchemaError)) throw e;
    for (const d of e.diagnostics) io.err(formatDiagnostic(d));
    return 1;
  }
  const { modules, schema } = compiled;
  // A compiled schema has no diagnostics, but its modules may give clashing output files
  // (generateFiles checks too, but only the AST has the source positions for the messages).
  const diagnostics =
    schema && values.out !== undefined
      ? [...unsafeFileNames(modules), ...outputFileClashes(modules)]
      : compiled.diagnostics;
  for (const d of diagnostics) io.err(formatDiagnostic(d));
  if (!schema || diagnostics.length > 0) {
    io.err(`sbs-gen: ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`);
    return 1;
  }

  // Built only when asked for: for a large schema it is as big as the schema model.
  const jsonText = values.json === undefined ? '' : JSON.stringify(toPythonJson(modules)) + '\n';
  let files: GeneratedFile[] = [];
  if (values.out !== undefined) {
    try {
      files = await generateFiles(schema, {
        int,
        ...(values['runtime-import'] ? { runtimeImport: values['runtime-import'] } : {}),
      });
    } catch (e) {
      // A schema too large to generate: one line, not V8's out-of-memory abort.
      if (!(e instanceof SbsSchemaError)) throw e;
      for (const d of e.diagnostics) io.err(formatDiagnostic(d));
      return 1;
    }
  }

  if (values.check) {
    const drift = values.out !== undefined ? await diffOutput(values.out, files) : [];
    if (values.json !== undefined && (await readOptional(values.json)) !== jsonText)
      drift.push(values.json);
    for (const line of drift) io.err(`would change: ${line}`);
    if (drift.length > 0) {
      io.err(
        `sbs-gen: ${drift.length} file${drift.length === 1 ? '' : 's'} out of date; run without --check`,
      );
      return 1;
    }
  } else {
    try {
      if (values.out !== undefined) await writeOutput(values.out, files);
      if (values.json !== undefined) {
        await mkdir(dirname(values.json), { recursive: true });
        await writeFile(values.json, jsonText);
      }
    } catch (e) {
      // `-o` naming a file, an unwritable directory, a full disk: a message, not a stack trace.
      io.err(`sbs-gen: cannot write output: ${writeErrorText(e)}`);
      return 1;
    }
  }

  if (!values.quiet) {
    const types = schema.modules.reduce((n, m) => n + m.types.length, 0);
    const ms = Math.round(performance.now() - started);
    const target =
      values.out !== undefined ? `${files.length} files in ${values.out}` : values.json;
    io.out(
      `sbs-gen: ${schema.modules.length} modules, ${types} types -> ${target}${values.check ? ' (up to date)' : ''} in ${ms} ms`,
    );
  }
  return 0;
}

/** Paths (relative to the output dir) that differ, are missing, or are stale generated files. */
async function diffOutput(dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const drift: string[] = [];
  for (const f of files)
    if ((await readOptional(join(dir, f.path))) !== f.content) drift.push(join(dir, f.path));
  for (const stale of await staleFiles(dir, files))
    drift.push(`${join(dir, stale)} (to be removed)`);
  return drift;
}

async function writeOutput(dir: string, files: readonly GeneratedFile[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const stale of await staleFiles(dir, files)) await rm(join(dir, stale));
  for (const f of files) {
    const path = join(dir, f.path);
    if ((await readOptional(path)) !== f.content) await writeFile(path, f.content);
  }
}

/** Files we generated earlier (recognised by the header) that this run no longer produces. */
async function staleFiles(dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const wanted = new Set(files.map((f) => f.path));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.ts') || wanted.has(name)) continue;
    if ((await readOptional(join(dir, name)))?.startsWith(HEADER)) stale.push(name);
  }
  return stale;
}

const WRITE_ERRORS = new Map([
  ['EEXIST', 'a file is in the way of a directory'],
  ['ENOTDIR', 'a file is in the way of a directory'],
  ['EISDIR', 'is a directory'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'read-only file system'],
  ['ENOSPC', 'no space left on device'],
]);

function writeErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, path } = e as NodeJS.ErrnoException;
  const reason = WRITE_ERRORS.get(code ?? '') ?? code ?? e.message;
  return path === undefined ? reason : `${path}: ${reason}`;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function version(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const text = await readOptional(join(dir, 'package.json'));
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: string; version?: string };
      if (pkg.name === 'hat-open-ts-gen') return `sbs-gen ${pkg.version ?? 'unknown'}`;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'sbs-gen (unknown version)';
    dir = parent;
  }
}
