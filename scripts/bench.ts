// `npm run bench`: every area's benchmark in one run, so ratios compare figures measured
// side by side. Each area runs in a process of its own (its script prints its table): what
// an area leaves behind (a large heap, V8's feedback on shared code) would otherwise slow
// the areas after it, most visibly the event server benches, whose client shares the
// process (single-event registration measured 40,000 events/s after the other areas and
// 56,000 alone).
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
const unknown = only.filter((a) => !AREAS.includes(a));
if (unknown.length > 0) {
  console.error(`bench: unknown area ${unknown.join(', ')} (areas: ${AREAS.join(', ')})`);
  process.exit(2);
}

console.log(`# hat-open-ts benchmarks`);
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${new Date().toISOString()}`,
);
let failed = 0;
for (const area of AREAS) {
  if (only.length > 0 && !only.includes(area)) continue;
  const file = fileURLToPath(new URL(`./bench/${area}.ts`, import.meta.url));
  if (!existsSync(file)) continue;
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' }).on('exit', resolve),
  );
  if (code !== 0) {
    console.error(`bench: ${area} failed (exit code ${code})`);
    failed++;
  }
}
if (failed > 0) process.exitCode = 1;
