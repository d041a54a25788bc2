// One of this package's commands (runtime/cli/) as a server in a child process: benchmarks use
// it so client and server each have a core; tests use it to check the command lines. The
// commands print `READY <port>` once listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface ChildServer {
  readonly port: number;
  /** Its process id, for reading its CPU time from /proc. */
  readonly pid: number;
  /**
   * SIGTERM (SIGKILL if it is still there 10 s later), resolving once the process has exited
   * (so it no longer competes for a core).
   */
  stop(): Promise<void>;
}

/**
 * How a command runs: `tsx` from the TypeScript sources (what a checkout has without a build),
 * `dist` compiled by `npm run build`, as users run it, without tsx's memory and start-up.
 */
export type CommandBuild = 'tsx' | 'dist';

/** A server process started by the caller, known to listen on `port`. */
export function childServer(proc: ChildProcess, port: number): ChildServer {
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return {
    port,
    pid: proc.pid as number,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** True for a stderr line worth showing: not one of the commands' info/debug JSON logs. */
function shown(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return level !== 'info' && level !== 'debug';
  } catch {
    return true;
  }
}

/** `runtime/dist/cli/<script>.js`, the compiled form of `runtime/cli/<script>.ts`. */
export function distCommand(script: string): string {
  return join(root, 'runtime/dist/cli', script.replace(/\.ts$/, '.js'));
}

/**
 * Runs `runtime/cli/<script>` (e.g. `eventer.ts` with `['server', ...]`) with `args`, under tsx
 * or compiled (`build`); rejects if it ends before `READY <port>`. Its warnings and errors go
 * to our stderr.
 */
export async function startChildServer(
  script: string,
  args: readonly string[],
  build: CommandBuild = 'tsx',
): Promise<ChildServer> {
  const entry =
    build === 'dist' ? [distCommand(script)] : ['--import', 'tsx', `runtime/cli/${script}`];
  if (build === 'dist' && !existsSync(entry[0] as string))
    throw new Error(`${entry[0]} missing: run npm run build`);
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (shown(line)) process.stderr.write(line + '\n');
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m) return childServer(child, Number(m[1]));
  }
  throw new Error(`${script} exited before READY`);
}
