// `sbs-gen breaking`: compares two versions of the same schemas for wire compatibility.
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { formatDiagnostic, SbsSchemaError } from 'hat-open-ts/schema';
import { compareSchemas, type SchemaChange, type SchemaVersion } from './breaking.js';
import { compileSources } from './compile.js';
import { type Io, plural } from './run.js';
import { readSources, type SourceText } from './sources.js';

const USAGE = `Usage: sbs-gen breaking <old> <new> [--json]
       sbs-gen breaking <new>... --against <git-ref> [--json]

Reports every change from OLD to NEW that makes bytes written by one version unreadable
or misread by the other (SBS has no tags or field numbers: order is the format).
OLD and NEW are .sbs files or directories; with --against, OLD is the same paths as
they are in the given git commit (e.g. HEAD~1, main).

Options:
      --against <ref>   read OLD from this git ref instead of from a path
      --json            one JSON report on stdout instead of lines
  -h, --help            show this help

Exit status: 0 no breaking change, 1 breaking changes, 2 usage or schema errors.`;

const run = promisify(execFile);

/** The `.sbs` files under `paths` as they are in git commit `ref` (paths relative to the cwd). */
async function gitSources(ref: string, paths: readonly string[]): Promise<SourceText[]> {
  const { stdout } = await run('git', ['ls-tree', '-r', '--name-only', ref, '--', ...paths], {
    maxBuffer: 64 << 20,
  });
  const files = stdout.split('\n').filter((f) => f.endsWith('.sbs'));
  if (files.length === 0) throw new Error(`no .sbs files under ${paths.join(', ')} at ${ref}`);
  const sources: SourceText[] = [];
  for (const file of files.sort()) {
    // ls-tree prints paths relative to the cwd, and `ref:./x` reads them the same way.
    const { stdout: text } = await run('git', ['show', `${ref}:./${file}`], {
      maxBuffer: 64 << 20,
    });
    sources.push({ file: `${ref}:${file}`, text });
  }
  return sources;
}

function compile(sources: readonly SourceText[]): SchemaVersion {
  const { modules, schema, diagnostics } = compileSources(sources);
  if (!schema || diagnostics.length > 0) throw new SbsSchemaError(diagnostics);
  return { schema, modules };
}

function line(c: SchemaChange): string {
  return `${c.file}:${c.line}:${c.column}: ${c.severity}: ${c.path}: ${c.message}`;
}

export async function breakingMain(argv: readonly string[], io: Io): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        against: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`sbs-gen breaking: ${(e as Error).message} (see --help)`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const against = values.against;
  if (against === undefined ? positionals.length !== 2 : positionals.length === 0) {
    io.err(
      against === undefined
        ? 'sbs-gen breaking: give OLD and NEW (files or directories), or NEW... --against <git-ref> (see --help)'
        : 'sbs-gen breaking: give the schema files or directories to compare with --against (see --help)',
    );
    return 2;
  }
  let older: SchemaVersion;
  let newer: SchemaVersion;
  try {
    const oldSources =
      against === undefined
        ? await readSources([positionals[0]!])
        : await gitSources(against, positionals);
    older = compile(oldSources);
    newer = compile(await readSources(against === undefined ? [positionals[1]!] : positionals));
  } catch (e) {
    if (e instanceof SbsSchemaError) for (const d of e.diagnostics) io.err(formatDiagnostic(d));
    else io.err(`sbs-gen breaking: ${oneLine(e)}`);
    return 2;
  }
  const changes = compareSchemas(older, newer);
  const broken = changes.filter((c) => c.severity === 'breaking').length;
  if (values.json) {
    io.out(JSON.stringify({ breaking: broken > 0, changes }, null, 2));
  } else {
    for (const c of changes) io.out(line(c));
    const safe = changes.filter((c) => c.severity === 'safe').length;
    const warnings = changes.length - broken - safe;
    io.err(
      `sbs-gen breaking: ${plural(broken, 'breaking change')}, ${plural(warnings, 'warning')}, ${safe} safe`,
    );
  }
  return broken > 0 ? 1 : 0;
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? (e as { stderr?: string }).stderr || e.message : String(e);
  return text.trim().split('\n')[0] ?? '';
}
