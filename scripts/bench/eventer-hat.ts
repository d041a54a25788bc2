// Our LMDB event server and hat-event 0.9's own server (`python -m hat.event.server` with its
// LMDB backend) side by side in one run, on the same workload and the same partitions (a
// timestamp and a sourceTimestamp partition of every event, latest of every type), both
// driven by our TypeScript client over TCP, each server in its own process:
// - register with response: batches of 100 (8 in flight), single events (256 in flight);
// - filled to STORED events (default 100,000; `BENCH_HAT_EVENTS`) in batches of 1000;
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
import {
  connect,
  jsonPayload,
  type Client,
  type EventId,
  type RegisterEvent,
} from '../../runtime/eventer/index.js';
import { isMain } from '../../runtime/cli/args.js';
import {
  childOf,
  cpuSeconds,
  buildLabel,
  defaultBuild,
  latency,
  mappedMb,
  rssMb,
  startServer,
  type Child,
} from './eventer-server-child.js';
import { printTable, type BenchResult } from './result.js';

const STORED = Number(process.env.BENCH_HAT_EVENTS ?? 100_000);
const pythonPath = process.env.HAT_PYTHON_PATH;
const python = process.env.HAT_PYTHON ?? 'python3';
/** Seconds each register rate is measured for. */
const REGISTER_MS = 3000;

const PARTITIONS = [
  { order_by: 'TIMESTAMP', subscriptions: [['*']] },
  { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
];

/** The workload's events: 16 types, source timestamps spread over 100,000 seconds. */
class Workload {
  private seq = 0;
  /** An id from half-way through the fill, for the server query's `lastEventId`. */
  midId: EventId | null = null;

  get registered(): number {
    return this.seq;
  }

  batch(n: number): RegisterEvent[] {
    const out: RegisterEvent[] = [];
    for (let i = 0; i < n; i++, this.seq++)
      out.push({
        type: ['bench', 'value', String(this.seq % 16)],
        sourceTimestamp: { s: 1_700_000_000 + (this.seq % 100_000), us: this.seq % 1000 },
        payload: jsonPayload({ seq: this.seq, value: 12.5 }),
      });
    return out;
  }

  async register(client: Client, n: number): Promise<void> {
    const before = this.seq;
    const r = await client.register(this.batch(n), { withResponse: true });
    if (r === null || r.length !== n) throw new Error('register failed');
    if (this.midId === null && before + n >= STORED / 2) this.midId = (r[0] as { id: EventId }).id;
  }

  /**
   * Events/s registering for REGISTER_MS, or until `maxEvents` more are stored: both servers
   * then hold the same events when the fill tops them up to STORED.
   */
  async rate(client: Client, size: number, inFlight: number, maxEvents: number): Promise<number> {
    const seq0 = this.seq;
    const start = performance.now();
    const until = start + REGISTER_MS;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until && this.seq - seq0 + size <= maxEvents)
          await this.register(client, size);
      }),
    );
    return ((this.seq - seq0) * 1000) / (performance.now() - start);
  }

  async fillTo(client: Client, total: number): Promise<void> {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (this.seq < total) await this.register(client, Math.min(1000, total - this.seq));
      }),
    );
  }
}

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

async function measure(server: Child, db: string): Promise<Figures> {
  const pid = server.proc.pid as number;
  const client = await connect(`127.0.0.1:${server.port}`, { clientName: 'bench', pingDelay: 0 });
  try {
    const work = new Workload();
    const withCpu = async (size: number, inFlight: number): Promise<[number, number]> => {
      const cpu0 = cpuSeconds(pid);
      const seq0 = work.registered;
      const rate = await work.rate(client, size, inFlight, Math.floor(STORED / 4));
      return [rate, ((cpuSeconds(pid) - cpu0) * 1e6) / (work.registered - seq0)];
    };
    const batched = await withCpu(100, 8);
    const single = await withCpu(1, 256);
    const fillFrom = work.registered;
    const fillStart = performance.now();
    await work.fillTo(client, STORED);
    const fill = ((work.registered - fillFrom) * 1000) / (performance.now() - fillStart);
    // Past hat-event's flush period, and the last commits and GC out of the way.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const mid = work.midId ?? { server: 1, session: 1, instance: 1 };
    const sourceMid = Math.floor(Math.min(work.registered, 100_000) / 2);
    const queries = {
      'timeseries page of 100 by timestamp': await latency(client, () => ({
        type: 'timeseries',
        maxResults: 100,
      })),
      'timeseries page of 100 by sourceTimestamp': await latency(client, () => ({
        type: 'timeseries',
        orderBy: 'sourceTimestamp',
        maxResults: 100,
        sourceTFrom: { s: 1_700_000_000 + sourceMid, us: 0 },
        order: 'ascending',
      })),
      'server query page of 100 (lastEventId)': await latency(client, () => ({
        type: 'server',
        serverId: 1,
        maxResults: 100,
        lastEventId: mid,
      })),
      'latest (all types)': await latency(client, () => ({ type: 'latest' })),
    };
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
async function startHatServer(dir: string): Promise<Child> {
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
        timeseries: PARTITIONS,
      },
      modules: [],
      eventer_server: { host: '127.0.0.1', port },
    }),
  );
  const proc = spawn(python, ['-m', 'hat.event.server', '--conf', conf], {
    env: { ...process.env, PYTHONPATH: pythonPath ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const child = childOf(proc, port);
  // It prints nothing when listening: ready once a connection is accepted (20 s at most).
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) break;
    try {
      const c = await connect(`127.0.0.1:${port}`, { clientName: 'probe', pingDelay: 0 });
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
  pair(`fill to ${label} (batches of 1000, 8 in flight)`, 'events/s', ours.fill, hat.fill, [
    '',
    '',
  ]);
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
  writeFileSync(config, JSON.stringify({ timeseries: PARTITIONS }));
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
