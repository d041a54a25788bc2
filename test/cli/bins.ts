// Runs the package's compiled commands (runtime/dist/cli/*.js, built by `npm run build -w
// runtime`) as a user would: plain node, no tsx.
import { spawn } from 'node:child_process';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const runtime = fileURLToPath(new URL('../../runtime/', import.meta.url));
const dist = join(runtime, 'dist/cli');

export type Bin = 'eventer' | 'juggler-demo' | 'chatter';

/** The compiled entry point of `hat-<bin>`. */
export const binPath = (bin: Bin): string => join(dist, `${bin}.js`);

/**
 * Throws unless dist/cli is built and newer than every runtime/cli source, so a stale build
 * fails with what to do instead of testing old code.
 */
export function checkBuilt(): void {
  const sources = readdirSync(join(runtime, 'cli')).filter((f) => f.endsWith('.ts'));
  for (const f of sources) {
    const js = join(dist, f.replace(/\.ts$/, '.js'));
    let built: number;
    try {
      built = statSync(js).mtimeMs;
    } catch {
      throw new Error(`${js} is missing: run \`npm run build -w runtime\` first`);
    }
    if (built < statSync(join(runtime, 'cli', f)).mtimeMs)
      throw new Error(`${js} is older than its source: run \`npm run build -w runtime\``);
  }
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; `input` is written to its stdin (else stdin is /dev/null). */
export function runBin(
  bin: Bin,
  args: readonly string[],
  input?: string | Buffer,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath(bin), ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface Running {
  readonly port: number;
  /** Stdout lines after `READY`, as they come. */
  readonly stdout: string[];
  /** Stderr lines, as they come. */
  readonly stderr: string[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a command that prints `READY <port>`; rejects if it exits first. */
export async function startBin(bin: Bin, args: readonly string[]): Promise<Running> {
  const child = spawn(process.execPath, [binPath(bin), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /^READY (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
      else stdout.push(l);
    });
    void exited.then((code) =>
      reject(new Error(`${bin} exited (${code}) before READY: ${stderr.join('\n')}`)),
    );
  });
  return {
    port,
    stdout,
    stderr,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Starts a command that runs until it ends by itself (e.g. `subscribe --count`). */
export function spawnBin(
  bin: Bin,
  args: readonly string[],
): { stdout: string[]; stderr: string[]; exited: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, [binPath(bin), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  return { stdout, stderr, exited, kill: () => child.kill('SIGTERM') };
}
