// Eventer server on LMDB, durable mode (a response after its commit), server in a child
// process on a fresh database with a timestamp and a sourceTimestamp partition:
// - register with response: batches of 100 (8 and 32 in flight), single events (256 in flight),
//   also on the default config (one timestamp partition); each after a warm-up, with the
//   server's CPU per event and the same load on `--memory`;
// - query latency (timeseries page of 100 by either key, server query page, latest) at 10k
//   stored events and at STORED (default 1,000,000; `BENCH_LMDB_EVENTS=200000` for a quicker
//   run), and its growth between the two;
// - the server's RSS with STORED events, and the restart time on that database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../../runtime/eventer/index.js';
import { isMain } from '../../runtime/cli/args.js';
import type { ChildServer } from '../child-server.js';
import {
  buildLabel,
  benchClient,
  defaultBuild,
  mappedMb,
  rssMb,
  startServer,
} from './eventer-server-child.js';
import { FILL_LABEL, queryLatencies, TWO_PARTITIONS, Workload } from './eventer-workload.js';
import { printTable, type BenchResult } from './result.js';

const STORED = Number(process.env.BENCH_LMDB_EVENTS ?? 1_000_000);

/** A pause after a fill, so that queries are not measured against its last commits and GC. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2000));

const work = new Workload();

/** Register shapes: events per request, requests in flight. */
const SHAPES: readonly (readonly [number, number])[] = [
  [100, 8],
  [100, 32],
  [1, 256],
];

const shapeName = (size: number, inFlight: number): string =>
  size === 1
    ? `register 1 event, ${inFlight} in flight`
    : `register batches of ${size}, ${inFlight} in flight`;

/**
 * Register throughput per shape, on the bench's two-partition config (`server`, a fresh
 * database) and on the default config (one timestamp partition, its own fresh database).
 * Each measurement follows a second of the same load unmeasured (JIT warm-up and the first
 * pages of the database, which a cold start would add to the first shape only). The server's
 * CPU per event tells what a core would do, whatever else the machine runs; the same load on
 * `--memory` shows the protocol's share of it.
 */
async function registerRows(
  server: ChildServer,
  client: Client,
  config: string,
  db: string,
): Promise<BenchResult[]> {
  const cpuPerEvent = async (
    child: ChildServer,
    c: Client,
    size: number,
    inFlight: number,
  ): Promise<[number, number]> => {
    await work.rate(c, size, inFlight, 1000);
    return work.rateAndCpu(c, child, size, inFlight, 3000);
  };
  const memory = await startServer(null, config);
  const memoryClient = await benchClient(memory);
  const bareUs: number[] = [];
  for (const [size, inFlight] of SHAPES)
    bareUs.push((await cpuPerEvent(memory, memoryClient, size, inFlight))[1]);
  await memoryClient.close();
  await memory.stop();
  const rows: BenchResult[] = [];
  const measure = async (child: ChildServer, c: Client, label: string): Promise<void> => {
    for (const [i, [size, inFlight]] of SHAPES.entries()) {
      const [rate, us] = await cpuPerEvent(child, c, size, inFlight);
      rows.push({
        name: `${shapeName(size, inFlight)}${label}`,
        unit: 'events/s',
        value: rate,
        note: `durable, server in a child process; server CPU ${us.toFixed(1)} us/event = ${Math.round(1e6 / us).toLocaleString('en-US')} events/s per core (--memory: ${(bareUs[i] as number).toFixed(1)} us/event)`,
      });
    }
  };
  await measure(server, client, '');
  const defaultDb = `${db}-default`;
  const plain = await startServer(defaultDb, null);
  const plainClient = await benchClient(plain);
  try {
    await measure(plain, plainClient, ' (default config: one timestamp partition)');
  } finally {
    await plainClient.close();
    await plain.stop();
    rmSync(defaultDb, { force: true });
    rmSync(`${defaultDb}-lock`, { force: true });
  }
  return rows;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hat-lmdb-bench-'));
  const db = join(dir, 'events.lmdb');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ timeseries: TWO_PARTITIONS }));
  const results: BenchResult[] = [];
  let server = await startServer(db, config);
  try {
    let client = await benchClient(server);
    results.push(...(await registerRows(server, client, config, db)));
    // Measure at 10k stored: a new database.
    await client.close();
    await server.stop();
    rmSync(dir + '/events.lmdb', { force: true });
    rmSync(dir + '/events.lmdb-lock', { force: true });
    server = await startServer(db, config);
    client = await benchClient(server);
    work.reset();
    await work.fillTo(client, 10_000);
    await settle();
    const at10k = await queryLatencies(client, work);
    const fillStart = performance.now();
    await work.fillTo(client, STORED);
    const fillRate = ((STORED - 10_000) * 1000) / (performance.now() - fillStart);
    await settle();
    const atN = await queryLatencies(client, work);
    const label = STORED.toLocaleString('en-US');
    results.push({
      name: `fill to ${label} (${FILL_LABEL})`,
      unit: 'events/s',
      value: fillRate,
    });
    for (const [name, ms] of Object.entries(atN))
      results.push({
        name: `${name} at ${label} stored`,
        unit: 'ms',
        value: ms,
        note: `${(at10k[name] as number).toFixed(3)} ms at 10,000: x${(ms / (at10k[name] as number)).toFixed(2)}`,
      });
    const rss = rssMb(server.pid);
    const dbPages = mappedMb(server.pid, db);
    results.push({
      name: `server RSS with ${label} stored`,
      unit: 'MB',
      value: rss.total,
      note: `${rss.anon.toFixed(0)} MB private (heap, malloc), ${rss.file.toFixed(0)} MB mapped files: ${dbPages.toFixed(0)} MB database pages, the rest node's own code; ${buildLabel(defaultBuild())}`,
    });
    await client.close();
    await server.stop();
    const t0 = performance.now();
    server = await startServer(db, config);
    const restart = performance.now() - t0;
    client = await benchClient(server);
    const r = await client.query({ type: 'timeseries', maxResults: 1 });
    await client.close();
    // The same command on no database: what starting node and the server takes, for comparison.
    const t1 = performance.now();
    const bare = await startServer(null, config);
    const bareStart = performance.now() - t1;
    await bare.stop();
    results.push({
      name: `restart on ${label} events (spawn to READY)`,
      unit: 'ms',
      value: restart,
      note: `${Math.round(bareStart)} ms for --memory (node start); first query ${r.events.length === 1 ? 'answered' : 'EMPTY'}`,
    });
    return results;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  printTable('eventer-lmdb', await run());
}
