// An event server in a child process for the eventer benches, and what they measure of it:
// resident memory from /proc, and query latency through our client.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, type Client, type QueryParamsInit } from '../../runtime/eventer/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * How our server is started: `tsx` runs the TypeScript sources (what `npm run bench` has
 * without a build), `dist` the compiled `hat-eventer` of `npm run build`, which leaves the
 * TypeScript loader out of the server's memory.
 */
export type ServerBuild = 'tsx' | 'dist';

/** The compiled server when `npm run build` made it: what a user runs, without tsx's memory. */
export function defaultBuild(): ServerBuild {
  return existsSync(DIST_SERVER) ? 'dist' : 'tsx';
}

export function buildLabel(build: ServerBuild): string {
  return build === 'dist' ? 'compiled runtime/dist server' : 'run by tsx (no runtime/dist build)';
}

/** The compiled server, if `npm run build` has made it. */
export const DIST_SERVER = fileURLToPath(
  new URL('../../runtime/dist/cli/eventer.js', import.meta.url),
);

/** Stops the child with SIGTERM (SIGKILL if it is still there 10 s later) and waits for it. */
function stopper(proc: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return async () => {
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/** `hat-eventer server` on port 0 with `db` (or `--memory`), once it printed `READY <port>`. */
export async function startServer(
  db: string | null,
  config: string | null,
  build: ServerBuild = defaultBuild(),
): Promise<Child> {
  const store =
    db === null ? ['--memory'] : ['--db', db, ...(config === null ? [] : ['--config', config])];
  if (build === 'dist' && !existsSync(DIST_SERVER))
    throw new Error(`${DIST_SERVER} missing: run npm run build`);
  const entry = build === 'dist' ? [DIST_SERVER] : ['--import', 'tsx', 'runtime/cli/eventer.ts'];
  const proc = spawn(process.execPath, [...entry, 'server', '--port', '0', ...store], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = stopper(proc);
  for await (const line of createInterface({ input: proc.stdout as NodeJS.ReadableStream })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m) return { proc, port: Number(m[1]), stop };
  }
  throw new Error('eventer-server exited before READY');
}

/** The benches' client of a server child: no pings, whose timers would only add noise. */
export function benchClient(child: Child, clientName = 'bench'): Promise<Client> {
  return connect(`127.0.0.1:${child.port}`, { clientName, pingDelay: 0 });
}

/** A child started by the caller, known to listen on `port`. */
export function childOf(proc: ChildProcess, port: number): Child {
  return { proc, port, stop: stopper(proc) };
}

/** VmRSS, RssAnon (heap and other private memory) and RssFile (mapped file pages), MB. */
export function rssMb(pid: number): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  };
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** Resident MB of the process's mappings of the file `path` (its share of RssFile). */
export function mappedMb(pid: number, path: string): number {
  let kb = 0;
  let inFile = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    // A mapping's header: address range, perms, offset, device, inode, pathname.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) inFile = header[1] === path;
    else if (inFile && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
  }
  return kb / 1024;
}

/**
 * Median milliseconds per query over `n` sequential queries, after a warm-up: the median,
 * because other processes on a shared machine add long outliers.
 */
export async function latency(
  client: Client,
  params: () => QueryParamsInit,
  n = 300,
): Promise<number> {
  for (let i = 0; i < 100; i++) await client.query(params());
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await client.query(params());
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] as number;
}
