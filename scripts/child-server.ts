// One of this package's commands (runtime/cli/) as a server in a child process: benchmarks use
// it so client and server each have a core; tests use it to check the command lines. The
// commands print `READY <port>` once listening.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface ChildServer {
  readonly port: number;
  /** Its process id, for reading its CPU time from /proc. */
  readonly pid: number;
  /** SIGTERM, resolving once the process has exited (so it no longer competes for a core). */
  stop(): Promise<void>;
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

/**
 * Runs `runtime/cli/<script>` (e.g. `eventer.ts` with `['server', ...]`) under tsx with `args`;
 * rejects if it ends before `READY <port>`. Its warnings and errors go to our stderr.
 */
export async function startChildServer(
  script: string,
  args: readonly string[],
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', `runtime/cli/${script}`, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (shown(line)) process.stderr.write(line + '\n');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m)
      return {
        port: Number(m[1]),
        pid: child.pid as number,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
  }
  throw new Error(`${script} exited before READY`);
}
