// What the command-line scripts (demo servers, clients, benchmarks) share.
import { pathToFileURL } from 'node:url';

/** True when the module at `url` (its `import.meta.url`) is the script node was started with. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  return script !== undefined && url === pathToFileURL(script).href;
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
  if (!(n >= min && n <= max)) throw new Error(`invalid --${name} ${text}`);
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
  if (n !== undefined && !Number.isInteger(n)) throw new Error(`invalid --${name} ${text}`);
  return n;
}

/**
 * Prints `READY <port>` (the line tests and benchmarks wait for) and closes the server on
 * SIGINT or SIGTERM, then exits.
 */
export function serveUntilSignal(server: { close(): Promise<void> }, port: number): void {
  process.stdout.write(`READY ${port}\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs a script's `main`; a failure is one line `<name>: <message>` on stderr and exit code 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
