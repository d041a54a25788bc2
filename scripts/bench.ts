// `npm run bench`: every area's benchmark in one run, so ratios compare figures measured
// side by side. Each area module exports `run(): Promise<BenchResult[]>`.
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { printTable, type BenchResult } from './bench/result.js';

const AREAS = [
  'sbs',
  'sbs-gen',
  'chatter',
  'juggler',
  'eventer',
  'eventer-lmdb',
  'eventer-hat',
  'python',
];
const only = process.argv.slice(2);

console.log(`# hat-open-ts benchmarks`);
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${new Date().toISOString()}`,
);
for (const area of AREAS) {
  if (only.length > 0 && !only.includes(area)) continue;
  const file = new URL(`./bench/${area}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  const mod = (await import(file.href)) as { run: () => Promise<BenchResult[]> };
  printTable(area, await mod.run());
}
