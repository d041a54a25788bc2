// Spawning the Python reference peers of scripts/python/ for the python-interop tests.
// HAT_PYTHON_PATH: a PYTHONPATH under which the hat packages import (tests skip without it);
// HAT_PYTHON: the interpreter (default `python3`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const pythonPath = process.env['HAT_PYTHON_PATH'];
const python = process.env['HAT_PYTHON'] ?? 'python3';
const scripts = fileURLToPath(new URL('../scripts/python/', import.meta.url));
const env = { ...process.env, PYTHONPATH: pythonPath ?? '' };

/** True when HAT_PYTHON_PATH is set and `import <module>` works under it. */
export function pythonAvailable(module: string): boolean {
  return (
    pythonPath !== undefined &&
    spawnSync(python, ['-c', `import ${module}`], { env, stdio: 'ignore', timeout: 20_000 })
      .status === 0
  );
}

export interface PythonPeer {
  readonly child: ChildProcess;
  /** Next stdout line (rejects after `timeoutMs` or when the process ends first). */
  line(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code; stderr so far in `stderr()`. */
  readonly exited: Promise<number | null>;
  stderr(): string;
  kill(): void;
}

/** Spawns `scripts/python/<script>`; killed after `lifetimeMs` at the latest. */
export function spawnPython(script: string, args: string[], lifetimeMs = 30_000): PythonPeer {
  const child = spawn(python, [`${scripts}${script}`, ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: lifetimeMs,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const waiters: ((l: string | null) => void)[] = [];
  let ended = false;
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  rl.on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      for (const w of waiters.splice(0)) w(null);
      resolve(code);
    }),
  );
  const line = (timeoutMs = 10_000): Promise<string> => {
    const buffered = lines.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    const fail = (): Error => new Error(`${script}: no output line\n${stderr}`);
    if (ended) return Promise.reject(fail());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(take);
        if (i >= 0) waiters.splice(i, 1);
        reject(fail());
      }, timeoutMs);
      const take = (l: string | null): void => {
        clearTimeout(timer);
        if (l === null) reject(fail());
        else resolve(l);
      };
      waiters.push(take);
    });
  };
  return { child, line, exited, stderr: () => stderr, kill: () => void child.kill() };
}

/** Spawns a Python server script and waits for its `READY <port>` line. */
export async function startPythonServer(
  script: string,
  args: string[],
): Promise<PythonPeer & { port: number }> {
  const peer = spawnPython(script, args);
  try {
    const ready = await peer.line();
    const m = /^READY (\d+)$/.exec(ready);
    if (!m) throw new Error(`${script}: unexpected ${JSON.stringify(ready)}\n${peer.stderr()}`);
    return { ...peer, port: Number(m[1]) };
  } catch (e) {
    peer.kill();
    throw e;
  }
}
