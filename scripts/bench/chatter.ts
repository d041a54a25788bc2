// Chatter benchmark. The peer runs in a child process (scripts/chatter-echo-server.ts), so
// sender and receiver each have a core of their own:
// - one-way pipelined: N messages with last = true to a sink (it answers only requests),
//   then one request; the time until its reply covers the receipt of all N;
// - request/response round trips on one connection, one request at a time;
// - 100 concurrent connections, one request at a time each.
import { connect as netConnect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect, type Connection } from '../../runtime/chatter/index.js';
import { startEchoServer } from '../../runtime/cli/chatter-echo.js';
import { isMain } from '../../runtime/cli/args.js';
import { startChildServer } from '../child-server.js';
import { rawEchoRoundTrips } from './raw-echo.js';
import { printTable, type BenchResult } from './result.js';

const startPeer = (args: string[]) =>
  startChildServer('chatter.ts', ['echo', '127.0.0.1:0', '--ping-delay', '0', ...args]);

/** Messages/s sending `count` messages of `size` bytes pipelined, until the sink confirms. */
async function oneWay(
  conn: Connection,
  size: number,
  ms: number,
): Promise<{ rate: number; mbps: number }> {
  const data = { type: 'Bench.OneWay', data: new Uint8Array(size).fill(1) };
  const marker = { type: 'Bench.Marker', data: new Uint8Array(0) };
  // Warm-up.
  for (let i = 0; i < 20_000 && i * size < 200e6; i++) await conn.send(data);
  await conn.request(marker);
  let sent = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 1000; i++) await conn.send(data);
    sent += 1000;
  }
  await conn.request(marker);
  const elapsed = (performance.now() - start) / 1000;
  return { rate: sent / elapsed, mbps: (sent * size) / elapsed / 1e6 };
}

async function roundTrips(conns: Connection[], ms: number): Promise<number> {
  const data = { type: 'Bench.Echo', data: new Uint8Array(100).fill(2) };
  const loop = async (conn: Connection, until: number): Promise<number> => {
    let n = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 50; i++) await conn.request(data);
      n += 50;
    }
    return n;
  };
  await Promise.all(conns.map((c) => loop(c, performance.now() + 300)));
  const start = performance.now();
  const counts = await Promise.all(conns.map((c) => loop(c, start + ms)));
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - start) / 1000);
}

/** Round trips of `size` bytes each way on one connection, one at a time, for about `ms`. */
export async function sizedRoundTrips(
  conn: Connection,
  size: number,
  ms: number,
): Promise<RoundTripCost> {
  const data = { type: 'Bench.Echo', data: new Uint8Array(size).fill(120) };
  return measureRoundTrips(() => conn.request(data), ms);
}

export interface RoundTripCost {
  /** Round trips per second of wall time. */
  rate: number;
  /** CPU time of this process (both ends when the server runs here too) per round trip, in us. */
  cpuUs: number;
}

/** Runs `roundTrip` one at a time for about `ms` after a warm-up; wall rate and CPU cost. */
export async function measureRoundTrips(
  roundTrip: () => Promise<unknown>,
  ms: number,
): Promise<RoundTripCost> {
  const warm = performance.now() + Math.min(300, ms / 4);
  while (performance.now() < warm) await roundTrip();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i++) await roundTrip();
    n += 10;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  return { rate: (n * 1000) / (now - start), cpuUs: (cpu.user + cpu.system) / n };
}

/** Payload MB (10^6 bytes, one way) per second of CPU. */
export const mbPerCpuSecond = (size: number, cost: RoundTripCost): number => size / cost.cpuUs;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident memory after full collections, in bytes. */
function settledRss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

/** KiB of this process's memory per idle connection: `open` makes one, N times over. */
async function idleCost(n: number, open: () => Promise<{ close(): unknown }>): Promise<number> {
  const before = settledRss();
  const held = [];
  for (let i = 0; i < n; i++) held.push(await open());
  await new Promise((r) => setTimeout(r, 200));
  const cost = (settledRss() - before) / n / 1024;
  await Promise.all(held.map((c) => c.close()));
  return cost;
}

function plainSocket(port: number): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const s: Socket = netConnect(port, '127.0.0.1', () => resolve({ close: () => s.destroy() }));
    s.once('error', reject);
  });
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const sink = await startPeer(['--sink']);
  try {
    const conn = await connect(`127.0.0.1:${sink.port}`, { pingDelay: null });
    const small = await oneWay(conn, 100, 3000);
    results.push({
      name: 'one-way pipelined, 100 B',
      unit: 'msg/s',
      value: small.rate,
      note: `${small.mbps.toFixed(0)} MB/s payload`,
    });
    const large = await oneWay(conn, 100 * 1024, 3000);
    results.push({
      name: 'one-way pipelined, 100 KiB',
      unit: 'msg/s',
      value: large.rate,
      note: `${large.mbps.toFixed(0)} MB/s payload`,
    });
    await conn.close();
  } finally {
    await sink.stop();
  }
  // Same process: client and echo server share one event loop, no cross-process wake-ups.
  const local = await startEchoServer('127.0.0.1:0', { pingDelay: null });
  try {
    const conn = await connect(local.address, { pingDelay: null });
    const rt = await roundTrips([conn], 3000);
    const raw = await rawEchoRoundTrips('in-process');
    results.push({
      name: 'round trips, 1 connection, 100 B, in-process',
      unit: 'rt/s',
      value: rt,
      note: `echo server in this process; x${(rt / raw).toFixed(2)} of raw net echo`,
    });
    results.push({ name: 'baseline: raw net echo, in-process', unit: 'rt/s', value: raw });
    for (const [label, size] of [
      ['1 KiB', 1024],
      ['64 KiB', 64 * 1024],
    ] as const) {
      const cost = await sizedRoundTrips(conn, size, 2000);
      results.push({
        name: `round trips, 1 connection, ${label}, in-process`,
        unit: 'rt/s',
        value: cost.rate,
        note: `${cost.cpuUs.toFixed(1)} us CPU each (both ends), ${mbPerCpuSecond(size, cost).toFixed(0)} MB payload per CPU-second`,
      });
    }
  } finally {
    await local.close();
  }
  const echo = await startPeer([]);
  try {
    const one = await connect(`127.0.0.1:${echo.port}`, { pingDelay: null });
    const rt = await roundTrips([one], 3000);
    const raw = await rawEchoRoundTrips('child process');
    results.push({
      name: 'round trips, 1 connection, 100 B',
      unit: 'rt/s',
      value: rt,
      note: `echo server in a child process; x${(rt / raw).toFixed(2)} of raw net echo`,
    });
    results.push({ name: 'baseline: raw net echo, child process', unit: 'rt/s', value: raw });
    await one.close();
    const many = await Promise.all(
      Array.from({ length: 100 }, () => connect(`127.0.0.1:${echo.port}`, { pingDelay: null })),
    );
    results.push({
      name: 'round trips, 100 connections, 100 B',
      unit: 'rt/s',
      value: await roundTrips(many, 3000),
      note: 'total, 1 in flight per connection',
    });
    await Promise.all(many.map((c) => c.close()));
    // Client side only (the server is the child process); plain first, so the chatter figure
    // does not benefit from a heap the plain sockets grew.
    const plain = await idleCost(1000, () => plainSocket(echo.port));
    const idle = await idleCost(1000, () => connect(`127.0.0.1:${echo.port}`, { pingDelay: null }));
    results.push({
      name: '1,000 idle connections, memory each',
      unit: 'KiB',
      value: idle,
      note: `a plain net socket: ${plain.toFixed(1)} KiB`,
    });
  } finally {
    await echo.stop();
  }
  return results;
}

if (isMain(import.meta.url)) printTable('chatter', await run());
