import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  note?: string;
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns calls/s. */
export function opsPerSecond(fn: () => void, ms = 1000): number {
  const warmUntil = performance.now() + Math.min(200, ms / 4);
  while (performance.now() < warmUntil) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

let gc: (() => void) | undefined;
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Calls per second of this process's CPU time (all threads, so a peer's garbage collection
 * counts against it), over about `ms` ms of CPU after a warm-up. CPU time, not wall time:
 * the machine is shared, and time spent descheduled is nobody's cost. Slow calls are
 * timed one by one, fast ones in growing batches.
 */
export function opsPerCpuSecond(fn: () => void, ms = 250): number {
  // Garbage left by whatever ran before (building a 4 MiB message, another peer) is
  // collected now, not on this function's CPU time by the GC's background threads.
  collectGarbage();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const warmUntil = cpu() + Math.min(100, ms / 4);
  while (cpu() < warmUntil) fn();
  let calls = 0;
  let batch = 1;
  const start = cpu();
  let now = start;
  while (now - start < ms) {
    const before = now;
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    now = cpu();
    if (now - before < 2 && batch < 1 << 16) batch *= 2;
  }
  return (calls * 1000) / (now - start);
}

/** The median of `rounds` interleaved measurements: each round times every function once. */
export function interleavedMedians(fns: readonly (() => void)[], rounds = 3, ms = 250): number[] {
  const samples = fns.map((): number[] => []);
  // An untimed round first: V8 settles its optimised code for every peer before any is timed
  // (a codec timed right after its first calls was measured at a seventh of its speed).
  for (const fn of fns) opsPerCpuSecond(fn, ms / 2);
  for (let r = 0; r < rounds; r++)
    fns.forEach((fn, i) => samples[i]?.push(opsPerCpuSecond(fn, ms)));
  return samples.map((s) => {
    const sorted = s.sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  });
}

export function printTable(title: string, results: readonly BenchResult[]): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...results.map((r) => r.name.length), 10);
  for (const r of results) {
    const value = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2);
    console.log(
      `${r.name.padEnd(width)}  ${value.padStart(14)} ${r.unit}${r.note ? `  (${r.note})` : ''}`,
    );
  }
}
