// One generation run: read the schemas, compile, generate, then write or (`--check`) compare.
// Reports through `io` and returns the exit code; the CLI runs it once, `--watch` once per change.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatDiagnostic, SbsSchemaError, toPythonJson } from 'hat-open-ts/schema';
import { readOptional, writeErrorText, writeOutput } from './output.js';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface RunOptions {
  readonly inputs: readonly string[];
  readonly out?: string;
  readonly json?: string;
  readonly int: 'number' | 'bigint';
  readonly runtimeImport?: string;
  readonly check: boolean;
  readonly quiet: boolean;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Exit code: 0 ok, 1 schema errors, unwritable output or (`check`) files out of date. */
export async function runOnce(options: RunOptions, io: Io): Promise<number> {
  const started = performance.now();
  const { inputs, out, json } = options;
  let compiled;
  try {
    // The parser loads only for a run that compiles, not for --help, --version or usage errors.
    const { compileSources, readSources } = await import('./index.js');
    const sources = await readSources(inputs);
    if (sources.length === 0) {
      // Most likely a wrong path; generating nothing would also remove every generated file
      // already in the output directory as stale.
      io.err(`sbs-gen: no .sbs files found in ${inputs.join(', ')}`);
      return 1;
    }
    compiled = compileSources(sources);
  } catch (e) {
    if (!(e instanceof SbsSchemaError)) throw e;
    for (const d of e.diagnostics) io.err(formatDiagnostic(d));
    io.err(`sbs-gen: ${plural(e.diagnostics.length, 'error')}`);
    return 1;
  }
  // Loaded only for a run that generates: `--help`, usage errors and config errors stay fast.
  const { generateFiles, HEADER, outputFileClashes, unsafeFileNames } =
    await import('./generate.js');
  const { modules, schema } = compiled;
  // A compiled schema has no diagnostics, but its modules may give clashing output files
  // (generateFiles checks too, but only the AST has the source positions for the messages).
  const diagnostics =
    schema && out !== undefined
      ? [...unsafeFileNames(modules), ...outputFileClashes(modules)]
      : compiled.diagnostics;
  for (const d of diagnostics) io.err(formatDiagnostic(d));
  if (!schema || diagnostics.length > 0) {
    io.err(`sbs-gen: ${plural(diagnostics.length, 'error')}`);
    return 1;
  }

  // Built only when asked for: for a large schema it is as big as the schema model.
  const jsonText = json === undefined ? '' : JSON.stringify(toPythonJson(modules)) + '\n';
  let files: Awaited<ReturnType<typeof generateFiles>> = [];
  if (out !== undefined) {
    try {
      files = await generateFiles(schema, {
        int: options.int,
        ...(options.runtimeImport ? { runtimeImport: options.runtimeImport } : {}),
      });
    } catch (e) {
      // A schema too large to generate: one line, not V8's out-of-memory abort.
      if (!(e instanceof SbsSchemaError)) throw e;
      for (const d of e.diagnostics) io.err(formatDiagnostic(d));
      io.err(`sbs-gen: ${plural(e.diagnostics.length, 'error')}`);
      return 1;
    }
  }

  if (options.check) {
    const { fileDrift, formatDrift, outputDrift } = await import('./check.js');
    const drift = out !== undefined ? await outputDrift(out, files, HEADER) : [];
    const jsonDrift =
      json === undefined ? undefined : fileDrift(json, await readOptional(json), jsonText);
    if (jsonDrift) drift.push(jsonDrift);
    for (const d of drift) for (const line of formatDrift(d)) io.err(line);
    if (drift.length > 0) {
      io.err(`sbs-gen: ${plural(drift.length, 'file')} out of date; run without --check`);
      return 1;
    }
  } else {
    try {
      if (out !== undefined) await writeOutput(out, files, HEADER);
      if (json !== undefined) {
        await mkdir(dirname(json), { recursive: true });
        await writeFile(json, jsonText);
      }
    } catch (e) {
      // `-o` naming a file, an unwritable directory, a full disk: a message, not a stack trace.
      io.err(`sbs-gen: cannot write output: ${writeErrorText(e)}`);
      return 1;
    }
  }

  if (!options.quiet) {
    const types = schema.modules.reduce((n, m) => n + m.types.length, 0);
    const ms = Math.round(performance.now() - started);
    const target = out !== undefined ? `${plural(files.length, 'file')} in ${out}` : json;
    io.out(
      `sbs-gen: ${plural(schema.modules.length, 'module')}, ${plural(types, 'type')} -> ${target}${options.check ? ' (up to date)' : ''} in ${ms} ms`,
    );
  }
  return 0;
}
