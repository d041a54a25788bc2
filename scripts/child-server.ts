// One of this repo's server scripts in a child process: benchmarks use it so client and
// server each have a core; tests use it to check the scripts' command lines. The scripts
// print `READY <port>` once listening.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface ChildServer {
  readonly port: number;
  /** SIGTERM, resolving once the process has exited (so it no longer competes for a core). */
  stop(): Promise<void>;
}

/** Runs `runtime/cli/<script>` under tsx with `args`; rejects if it ends before `READY <port>`. */
export async function startChildServer(
  script: string,
  args: readonly string[],
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', `runtime/cli/${script}`, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m)
      return {
        port: Number(m[1]),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
  }
  throw new Error(`${script} exited before READY`);
}
