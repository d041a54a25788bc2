import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, CONFIG_FILE, loadConfig, PACKAGE_KEY } from './config.js';
import { type Io, type RunOptions, runOnce } from './run.js';

export type { Io } from './run.js';

const USAGE = `Usage: sbs-gen [<schema files or directories>...] [-o <dir>] [options]
       sbs-gen breaking <old> <new> | <new>... --against <git-ref>   (see sbs-gen breaking --help)

Compiles .sbs schemas into typed TypeScript encoders/decoders: one file per SBS module plus
index.ts. Directories are searched recursively, skipping node_modules and dot-folders.
Inputs and options may come from ${CONFIG_FILE} or a "${PACKAGE_KEY}" key in package.json
(inputs, out, int, runtimeImport, json); flags override them.

Options:
  -o, --out <dir>           output directory (required unless only --json is given)
      --check               write nothing; exit 1 and show a diff of each file that would
                            change (missing, changed, or stale: no longer generated)
  -w, --watch               regenerate on every change to the inputs, until Ctrl-C
      --int number|bigint   TS type of SBS Integer (default: number)
      --json <file>         also write the Python hat-sbs repository JSON (Repository.to_json())
      --runtime-import <s>  module specifier of the runtime (default: hat-open-ts/sbs)
      --config <file>       read settings from this file (default: ${CONFIG_FILE} or
                            package.json "${PACKAGE_KEY}" in the working directory)
  -q, --quiet               no summary line
  -h, --help                show this help
  -v, --version             show the version`;

export interface CliIo extends Io {
  /** Where to look for the config file (default: the process's working directory). */
  readonly cwd?: string;
  /** Stops `--watch` (default: SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Runs the CLI; returns the exit code (0 ok, 1 schema errors or --check drift, 2 usage). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  // Subcommands (`sbs-gen <name> ...`) dispatch here, before generation parses its flags.
  if (argv[0] === 'breaking') {
    const { breakingMain } = await import('./breaking-cli.js');
    return breakingMain(argv.slice(1), io);
  }
  return generateCommand(argv, io);
}

/** `sbs-gen [inputs] -o dir`: the generator itself (once, `--check` or `--watch`). */
async function generateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        check: { type: 'boolean' },
        watch: { type: 'boolean', short: 'w' },
        int: { type: 'string' },
        json: { type: 'string' },
        'runtime-import': { type: 'string' },
        config: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    return usage(io, (e as Error).message);
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
  let loaded;
  try {
    loaded = await loadConfig(io.cwd ?? process.cwd(), values.config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) io.err(`sbs-gen: ${p}`);
    return 2;
  }
  const config = loaded?.config ?? {};
  const int = values.int ?? config.int ?? 'number';
  if (int !== 'number' && int !== 'bigint') {
    io.err(`sbs-gen: --int must be 'number' or 'bigint', not '${int}'`);
    return 2;
  }
  const inputs = positionals.length > 0 ? positionals : (config.inputs ?? []);
  const out = values.out ?? config.out;
  const json = values.json ?? config.json;
  const runtimeImport = values['runtime-import'] ?? config.runtimeImport;
  if (inputs.length === 0) return usage(io, 'no schema files given');
  if (out === undefined && json === undefined) return usage(io, 'no output: use -o <dir>');
  if (values.check && values.watch) return usage(io, '--check and --watch exclude each other');

  const options: RunOptions = {
    inputs,
    ...(out !== undefined ? { out } : {}),
    ...(json !== undefined ? { json } : {}),
    int,
    ...(runtimeImport !== undefined ? { runtimeImport } : {}),
    check: values.check ?? false,
    quiet: values.quiet ?? false,
  };
  if (!values.watch) return runOnce(options, io);
  return watchCommand(options, io);
}

/** `--watch`: a run now and after every change, each ending in one line stamped with its time. */
async function watchCommand(options: RunOptions, io: CliIo): Promise<number> {
  const { watchInputs } = await import('./watch.js');
  const stamped: Io = {
    // The run's last line (summary or error count) gets the time of day.
    out: (line) => io.out(`[${clock()}] ${line}`),
    err: (line) => io.err(line.startsWith('sbs-gen: ') ? `[${clock()}] ${line}` : line),
  };
  let signal = io.signal;
  let stopSignals = (): void => {};
  if (!signal) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopSignals = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    signal = controller.signal;
  }
  const run = async (): Promise<void> => {
    try {
      await runOnce(options, stamped);
    } catch (e) {
      // A failure of one run (a bug, an I/O error) must not end the watch.
      stamped.err(`sbs-gen: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    await run();
    await watchInputs({
      inputs: options.inputs,
      onChange: run,
      onReady: () => {
        if (!options.quiet)
          io.out(`sbs-gen: watching ${options.inputs.join(', ')} (Ctrl-C to stop)`);
      },
      onError: (message) => io.err(`sbs-gen: watch: ${message}`),
      signal,
    });
  } finally {
    stopSignals();
  }
  return 0;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function usage(io: Io, problem: string): number {
  io.err(`sbs-gen: ${problem}\n\n${USAGE}`);
  return 2;
}

async function version(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: string; version?: string };
      if (pkg.name === 'hat-open-ts-gen') return `sbs-gen ${pkg.version ?? 'unknown'}`;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'sbs-gen (unknown version)';
    dir = parent;
  }
}
