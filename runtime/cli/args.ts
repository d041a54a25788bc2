// What the commands (hat-eventer, hat-juggler-demo, hat-chatter) and the benchmarks share:
// option tables that give both the parser and the --help text, usage errors (exit code 2),
// one-line failures, the READY line and the structured stderr logger.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger, LogFields } from '../logger.js';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
}

/**
 * One option of a command: what `parseArgs` needs, plus its help text. A command's options are
 * one table so that adding an option (e.g. a storage backend's) is adding one entry.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string | boolean;
  /** The value's placeholder in --help, e.g. `PORT`. */
  readonly arg?: string;
  readonly help: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Keeps the literal types of `table` so that `parseArgs` infers each value's type. */
export function optionTable<const T extends OptionTable>(table: T): T {
  return table;
}

/** A command's --help text: its usage lines, a description, then one line per option. */
export function formatHelp(
  usage: readonly string[],
  description: string,
  table: OptionTable,
): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const short = spec.short !== undefined ? `-${spec.short}, ` : '';
    const arg = spec.type === 'string' ? ` ${spec.arg ?? 'VALUE'}` : '';
    const suffix = spec.multiple ? ' (repeatable)' : '';
    const dflt =
      spec.type === 'string' && spec.default !== undefined
        ? ` (default ${spec.default === '' ? "''" : String(spec.default)})`
        : '';
    return [`  ${short}--${name}${arg}`, `${spec.help}${dflt}${suffix}`] as const;
  });
  rows.push(['  -h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => left.padEnd(width) + right);
  return [
    `usage: ${usage[0] ?? ''}`,
    ...usage.slice(1).map((u) => `       ${u}`),
    '',
    description,
    '',
    'options:',
    ...lines,
    '',
  ].join('\n');
}

export interface Parsed<T extends OptionTable> {
  readonly values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>['values'];
  readonly positionals: string[];
}

/**
 * Parses `argv` against `table` (strict: an unknown option or a missing value is a
 * `UsageError`). Returns null when --help / -h was given: the caller prints its help.
 */
export function parseCommand<const T extends OptionTable>(
  argv: readonly string[],
  table: T,
): Parsed<T> | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    // --help after `--` is a positional, not a request for help
    const end = argv.indexOf('--');
    const at = Math.max(argv.indexOf('--help'), argv.indexOf('-h'));
    if (end < 0 || at < end) return null;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: table,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals } as Parsed<T>;
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    // parseArgs appends a long hint on passing dash-prefixed positionals; the name is enough
    const option = /^Unknown option '([^']+)'/.exec(text);
    if (option !== null) throw new UsageError(`unknown option ${option[1]}`);
    throw new UsageError(text.split('\n')[0] ?? text);
  }
}

/** True when the module at `url` (its `import.meta.url`) is the script node was started with. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  // npm's .bin entries are symlinks: argv[1] is the link, the module URL is the real file
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** The numeric value of option `--<name>` in [min, max], or undefined when it was not given. */
export function numberOption(name: string, text: string, min: number, max?: number): number;
export function numberOption(
  name: string,
  text: string | undefined,
  min: number,
  max?: number,
): number | undefined;
export function numberOption(
  name: string,
  text: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const n = text.trim() === '' ? NaN : Number(text);
  if (!(n >= min && n <= max)) throw new UsageError(`invalid --${name} ${text}`);
  return n;
}

/** `numberOption` restricted to integers. */
export function intOption(name: string, text: string, min: number, max?: number): number;
export function intOption(
  name: string,
  text: string | undefined,
  min: number,
  max?: number,
): number | undefined;
export function intOption(
  name: string,
  text: string | undefined,
  min: number,
  max?: number,
): number | undefined {
  const n = numberOption(name, text, min, max);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`invalid --${name} ${text}`);
  return n;
}

/**
 * Prints `READY <port>` on stdout (the line tests, benchmarks and scripts wait for) and closes
 * the server on SIGINT or SIGTERM, then exits.
 */
export function serveUntilSignal(server: { close(): Promise<void> }, port: number): void {
  process.stdout.write(`READY ${port}\n`);
  const stop = (): void =>
    void server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // one line per error, whatever the message holds
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * Runs a command's `main` and exits with its code. A failure is one line `<name>: <message>`
 * on stderr and exit code 1, or 2 for a `UsageError` (with a pointer to --help).
 */
export function runMain(name: string, main: () => Promise<number | void>): void {
  // `hat-eventer subscribe | head -3`: a reader that stops reading ends the command quietly,
  // as other Unix tools do, instead of a stack trace for EPIPE
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`${name}: stdout: ${errorText(err)}\n`);
    process.exit(1);
  });
  // A failed promise nothing waits on (lmdb-js leaves one after a failed commit, e.g. on a
  // full disk): what state the process is in is unknown, so it stops (fail-stop), with one
  // line instead of Node's stack trace.
  process.on('unhandledRejection', (err: unknown) => {
    process.stderr.write(`${name}: fatal: ${errorText(err)}\n`);
    process.exit(1);
  });
  main().then(
    (code) => {
      // a server keeps running after main resolves; only a returned code ends the process, once
      // stdout has been written out (a pipe to a slow reader may still hold lines)
      if (typeof code === 'number') process.stdout.write('', () => process.exit(code));
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${name}: ${errorText(err)} (see ${name} --help)\n`);
        process.exit(2);
      }
      process.stderr.write(`${name}: ${errorText(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * The commands' logger: one JSON object per line on stderr (`time`, `level`, `msg`, fields).
 * `info` and above by default, `debug` too when verbose.
 */
export function stderrLogger(
  verbose: boolean,
  write = (line: string): void => void process.stderr.write(line),
): Logger {
  const log =
    (level: string) =>
    (msg: string, fields?: LogFields): void =>
      write(
        JSON.stringify(
          { time: new Date().toISOString(), level, msg, ...fields },
          (_k, v: unknown) =>
            v instanceof Error ? v.message : typeof v === 'bigint' ? v.toString() : v,
        ) + '\n',
      );
  return {
    debug: verbose ? log('debug') : () => {},
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}
