// sbs-gen cost as a user pays it: CPU time (user + system) and peak RSS of whole cold
// processes of the built CLI (compiler/bin/sbs-gen.js, so `npm run build` first), for --help,
// for the project's schemas/ and for synthetic schemas of 2,000 and 8,000 types (the second
// shows how the cost grows). Each figure is the median of a few runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from '../../runtime/cli/args.js';
import { printTable, type BenchResult } from './result.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'compiler/bin/sbs-gen.js');

/**
 * A schema of `n` type definitions in the shapes real schemas use: Records of builtins,
 * Optionals and Arrays of earlier types, Choices with None entries, generic instances.
 */
export function syntheticSchema(n: number): string {
  const lines = ['module Bench', 'Pair(a, b) = Record { first: a second: b }'];
  for (let i = 1; i < n; i++) {
    const prev = `T${Math.max(1, i - 1)}`;
    switch (i % 5) {
      case 0:
        lines.push(
          `T${i} = Record { id: Integer name: String flag: Boolean score: Float data: Bytes }`,
        );
        break;
      case 1:
        lines.push(`T${i} = Record { parent: Optional(${prev}) children: Array(${prev}) }`);
        break;
      case 2:
        lines.push(`T${i} = Choice { none: None value: ${prev} list: Array(String) }`);
        break;
      case 3:
        lines.push(`T${i} = Pair(Integer, ${prev})`);
        break;
      default:
        lines.push(`T${i} = Array(Optional(${prev}))`);
    }
  }
  return lines.join('\n') + '\n';
}

interface Usage {
  cpuSeconds: number;
  maxRssMb: number;
}

// Loaded into the measured process with --import: at exit it reports the whole process's CPU
// time (process.cpuUsage counts from process start) and peak RSS to the file named by the env.
const REPORTER =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { readFileSync, writeFileSync } from 'node:fs';
     process.on('exit', () => {
       const { user, system } = process.cpuUsage();
       // VmHWM: this process's own peak. resourceUsage().maxRSS is inherited across fork and
       // exec on Linux, so it reported the bench process's peak (~240 MB) for every child.
       let kb = process.resourceUsage().maxRSS;
       try {
         const m = /VmHWM:\\s*(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
         if (m) kb = Number(m[1]);
       } catch {}
       writeFileSync(process.env.SBS_GEN_BENCH_REPORT, JSON.stringify({
         cpuSeconds: (user + system) / 1e6,
         maxRssMb: kb / 1024,
       }));
     });`,
  );

/** One cold process of the CLI. */
function measure(args: readonly string[], report: string): Usage {
  const r = spawnSync(process.execPath, ['--import', REPORTER, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SBS_GEN_BENCH_REPORT: report },
  });
  if (r.status !== 0) throw new Error(`sbs-gen ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(readFileSync(report, 'utf8')) as Usage;
}

function median(runs: number, args: readonly string[], report: string): Usage {
  const all = Array.from({ length: runs }, () => measure(args, report));
  const mid = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    cpuSeconds: mid(all.map((u) => u.cpuSeconds)),
    maxRssMb: mid(all.map((u) => u.maxRssMb)),
  };
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sbs-gen-bench-'));
  try {
    const report = join(dir, 'report.json');
    const results: BenchResult[] = [];
    const add = (name: string, u: Usage, note: string): void => {
      results.push({ name: `${name} CPU`, unit: 's', value: u.cpuSeconds, note });
      results.push({ name: `${name} max RSS`, unit: 'MB', value: u.maxRssMb });
    };
    add('sbs-gen --help', median(5, ['--help'], report), 'target <= 0.15 s');
    add('sbs-gen --version', median(5, ['--version'], report), 'target <= 0.15 s');
    add(
      'sbs-gen schemas/ (29 types)',
      median(5, [join(root, 'schemas'), '-o', join(dir, 'schemas-out'), '-q'], report),
      'target <= 0.6 s',
    );
    const perType: number[] = [];
    for (const n of [2000, 8000]) {
      const src = join(dir, `synthetic-${n}`);
      mkdirSync(src);
      writeFileSync(join(src, 'bench.sbs'), syntheticSchema(n));
      const u = median(3, [src, '-o', join(dir, `out-${n}`), '-q'], report);
      perType.push(u.cpuSeconds / n);
      add(`sbs-gen ${n} types`, u, n === 2000 ? 'target <= 3 s, <= 300 MB' : 'growth check');
    }
    results.push({
      name: 'CPU per type, 8000 vs 2000 types',
      unit: 'x',
      value: perType[1]! / perType[0]!,
      note: 'about 1 (or below: startup is shared) when the cost grows linearly',
    });
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printTable('sbs-gen', await run());
