// An event server in a child process for the eventer benches, and what they measure of it:
// resident memory from /proc, and query latency through our client.
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Client, type QueryParamsInit } from '../../runtime/eventer/index.js';
import {
  distCommand,
  startChildServer,
  type ChildServer,
  type CommandBuild,
} from '../child-server.js';

/** The compiled server when `npm run build` made it: what a user runs, without tsx's memory. */
export function defaultBuild(): CommandBuild {
  return existsSync(distCommand('eventer.ts')) ? 'dist' : 'tsx';
}

export function buildLabel(build: CommandBuild): string {
  return build === 'dist' ? 'compiled runtime/dist server' : 'run by tsx (no runtime/dist build)';
}

/** `hat-eventer server` on port 0 with `db` (or `--memory`), once it printed `READY <port>`. */
export function startServer(
  db: string | null,
  config: string | null,
  build: CommandBuild = defaultBuild(),
): Promise<ChildServer> {
  const store =
    db === null ? ['--memory'] : ['--db', db, ...(config === null ? [] : ['--config', config])];
  return startChildServer('eventer.ts', ['server', '--port', '0', ...store], build);
}

/** The benches' client of a server child: no pings, whose timers would only add noise. */
export function benchClient(child: ChildServer, clientName = 'bench'): Promise<Client> {
  return connect(`127.0.0.1:${child.port}`, { clientName, pingDelay: 0 });
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
