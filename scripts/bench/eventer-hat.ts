// Our LMDB event server and hat-event 0.9's own server (`python -m hat.event.server` with its
// LMDB backend) side by side in one run, on the same workload and the same partitions (a
// timestamp and a sourceTimestamp partition of every event, latest of every type), both
// driven by our TypeScript client over TCP, each server in its own process:
// - register with response: batches of 100 (8 in flight), single events (256 in flight);
// - filled to STORED events (default 100,000; `BENCH_HAT_EVENTS`) in batches of 100;
// - query latency at STORED: a timeseries page of 100 by either key, a server query page
//   (lastEventId), latest;
// - the server's RSS at the end;
// and each figure's ratio ours / hat-event. Ours commits before it responds (durable);
// hat-event responds at once and writes every `flush_period` (1 s here), as it does by default.
// Needs HAT_PYTHON_PATH (a PYTHONPATH with hat.event) and HAT_PYTHON (default python3).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from '../../runtime/cli/args.js';
import { childServer, type ChildServer } from '../child-server.js';
import {
  benchClient,
  buildLabel,
  defaultBuild,
  mappedMb,
  rssMb,
  startServer,
} from './eventer-server-child.js';
import { FILL_LABEL, queryLatencies, TWO_PARTITIONS, Workload } from './eventer-workload.js';
import { printTable, type BenchResult } from './result.js';

const STORED = Number(process.env.BENCH_HAT_EVENTS ?? 100_000);
const pythonPath = process.env.HAT_PYTHON_PATH;
const python = process.env.HAT_PYTHON ?? 'python3';
/** Seconds each register rate is measured for. */
const REGISTER_MS = 3000;

interface Figures {
  /** [events/s, server CPU microseconds per event] */
  batched: [number, number];
  single: [number, number];
  fill: number;
  queries: Record<string, number>;
  rss: { total: number; anon: number; file: number };
  /** RSS of the database file's mappings, MB. */
  dbPages: number;
}

async function measure(server: ChildServer, db: string): Promise<Figures> {
  const pid = server.pid;
  const client = await benchClient(server);
  try {
    const work = new Workload();
    work.reset();
    const withCpu = (size: number, inFlight: number): Promise<[number, number]> =>
      work.rateAndCpu(client, server, size, inFlight, REGISTER_MS, Math.floor(STORED / 4));
    const batched = await withCpu(100, 8);
    const single = await withCpu(1, 256);
    const fillFrom = work.registered;
    const fillStart = performance.now();
    await work.fillTo(client, STORED);
    const fill = ((work.registered - fillFrom) * 1000) / (performance.now() - fillStart);
    // Past hat-event's flush period, and the last commits and GC out of the way.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const queries = await queryLatencies(client, work);
    return { batched, single, fill, queries, rss: rssMb(pid), dbPages: mappedMb(pid, db) };
  } finally {
    await client.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const hatDb = (dir: string): string => join(dir, 'hat-event.db');

/** hat-event's server (no monitor: it then runs its engine at once) on a fresh database. */
async function startHatServer(dir: string): Promise<ChildServer> {
  const port = await freePort();
  const conf = join(dir, 'hat-event.json');
  writeFileSync(
    conf,
    JSON.stringify({
      name: 'bench',
      server_id: 1,
      backend: {
        module: 'hat.event.backends.lmdb',
        db_path: hatDb(dir),
        identifier: null,
        flush_period: 1,
        cleanup_period: 5,
        conditions: [],
        latest: { subscriptions: [['*']] },
        timeseries: TWO_PARTITIONS,
      },
      modules: [],
      eventer_server: { host: '127.0.0.1', port },
    }),
  );
  const proc = spawn(python, ['-m', 'hat.event.server', '--conf', conf], {
    env: { ...process.env, PYTHONPATH: pythonPath ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const child = childServer(proc, port);
  // It prints nothing when listening: ready once a connection is accepted (20 s at most).
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) break;
    try {
      const c = await benchClient(child, 'probe');
      await c.close();
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await child.stop();
  throw new Error('hat-event server did not start');
}

function rows(ours: Figures, hat: Figures, ourBuild: string): BenchResult[] {
  const out: BenchResult[] = [];
  const label = STORED.toLocaleString('en-US');
  // Higher is better for rates, lower for times and memory: the ratio is always ours / hat.
  const pair = (
    name: string,
    unit: string,
    a: number,
    b: number,
    notes: [string, string],
  ): void => {
    out.push({ name: `${name}: ours`, unit, value: a, note: notes[0] });
    out.push({ name: `${name}: hat-event`, unit, value: b, note: notes[1] });
    out.push({ name: `${name}: ours / hat-event`, unit: 'x', value: a / b });
  };
  const cpu = (us: number): string => `server CPU ${us.toFixed(1)} us/event`;
  pair('register batches of 100, 8 in flight', 'events/s', ours.batched[0], hat.batched[0], [
    `durable; ${cpu(ours.batched[1])}`,
    `flush every 1 s; ${cpu(hat.batched[1])}`,
  ]);
  pair('register 1 event, 256 in flight', 'events/s', ours.single[0], hat.single[0], [
    cpu(ours.single[1]),
    cpu(hat.single[1]),
  ]);
  pair(`fill to ${label} (${FILL_LABEL})`, 'events/s', ours.fill, hat.fill, ['', '']);
  for (const name of Object.keys(ours.queries))
    pair(`${name} at ${label}`, 'ms', ours.queries[name] as number, hat.queries[name] as number, [
      'median',
      'median',
    ]);
  const mem = (f: Figures): string =>
    `${f.rss.anon.toFixed(0)} MB private, ${f.rss.file.toFixed(0)} MB mapped files (${f.dbPages.toFixed(0)} MB database pages)`;
  pair(`server RSS with ${label} stored`, 'MB', ours.rss.total, hat.rss.total, [
    `${mem(ours)}; ${ourBuild}`,
    mem(hat),
  ]);
  return out.map((r) => (r.note === '' ? { name: r.name, unit: r.unit, value: r.value } : r));
}

export async function run(): Promise<BenchResult[]> {
  const env = { ...process.env, PYTHONPATH: pythonPath ?? '' };
  if (
    pythonPath === undefined ||
    spawnSync(python, ['-c', 'import hat.event.server.main, hat.event.backends.lmdb'], {
      env,
      stdio: 'ignore',
      timeout: 20_000,
    }).status !== 0
  )
    return [
      {
        name: 'not run: set HAT_PYTHON_PATH=<a PYTHONPATH with hat.event 0.9> (HAT_PYTHON=python3)',
        unit: '',
        value: 0,
      },
    ];
  const dir = mkdtempSync(join(tmpdir(), 'hat-event-bench-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ timeseries: TWO_PARTITIONS }));
  const build = defaultBuild();
  try {
    const oursServer = await startServer(join(dir, 'events.lmdb'), config, build);
    let ours: Figures;
    try {
      ours = await measure(oursServer, join(dir, 'events.lmdb'));
    } finally {
      await oursServer.stop();
    }
    const hatServer = await startHatServer(dir);
    let hat: Figures;
    try {
      hat = await measure(hatServer, hatDb(dir));
    } finally {
      await hatServer.stop();
    }
    return rows(ours, hat, buildLabel(build));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  printTable('eventer-hat', await run());
}
