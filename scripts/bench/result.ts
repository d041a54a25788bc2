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
