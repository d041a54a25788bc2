// The packages as a user gets them: `npm pack` of both workspaces, installed from the tarballs
// into a new project outside the repository, then used the ways the README promises (ESM
// TypeScript with nodenext, CommonJS require, a browser bundle). Needs `npm run build` first
// (`npm test` runs it); installs only from the npm cache or registry, never system-wide.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const ENTRIES = ['sbs', 'schema', 'chatter', 'juggler', 'eventer', 'eventer/hat-db'] as const;

let work: string;
let runtimeTgz: string;
let genTgz: string;

async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, maxBuffer: 16 << 20 });
  return stdout;
}

function newProject(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module' }, null, 2),
  );
  return dir;
}

function treeSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

beforeAll(async () => {
  for (const pkg of ['runtime', 'compiler'])
    if (!existsSync(join(ROOT, pkg, 'dist/index.js')) && !existsSync(join(ROOT, pkg, 'dist/sbs')))
      throw new Error(`${pkg}/dist is missing: run \`npm run build\` first (npm test does)`);
  work = mkdtempSync(join(tmpdir(), 'hat-open-ts-consumer-'));
  const packs = join(work, 'packs');
  mkdirSync(packs);
  // --ignore-scripts: the packages' prepack would rebuild dist/ while other test files use it.
  await npm(
    ROOT,
    'pack',
    '-w',
    'runtime',
    '-w',
    'compiler',
    '--ignore-scripts',
    '--pack-destination',
    packs,
  );
  const tarballs = readdirSync(packs);
  runtimeTgz = join(
    packs,
    tarballs.find((f) => /^hat-open-ts-\d/.test(f))!,
  );
  genTgz = join(
    packs,
    tarballs.find((f) => f.startsWith('hat-open-ts-gen-'))!,
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('published tarballs', () => {
  it('ship compiled code and the license, no TypeScript sources or source condition', async () => {
    const listing = await run('tar', ['-tzf', runtimeTgz]);
    const files = listing.stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/dist/sbs/index.js');
    expect(files).toContain('package/dist/eventer/gen/HatEventer.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const manifest = (await run('tar', ['-xzOf', runtimeTgz, 'package/package.json'])).stdout;
    expect(manifest).not.toContain('"source"');
    expect(JSON.parse(manifest)).toMatchObject({ sideEffects: false });
  });

  it('the runtime alone installs under 5 MB with no typescript, ts-morph, prettier or chevrotain', async () => {
    const dir = newProject('runtime-only');
    await npm(dir, 'install', ...NPM_FLAGS, runtimeTgz);
    const modules = join(dir, 'node_modules');
    const names = readdirSync(modules);
    for (const heavy of ['typescript', 'ts-morph', 'prettier', 'chevrotain'])
      expect(names).not.toContain(heavy);
    expect(treeSize(modules)).toBeLessThan(5 * 1024 * 1024);
  }, 120_000);

  describe('in a TypeScript ESM project (nodenext, strict)', () => {
    let dir: string;

    beforeAll(async () => {
      dir = newProject('esm-app');
      await npm(dir, 'install', ...NPM_FLAGS, runtimeTgz, genTgz);
      mkdirSync(join(dir, 'schemas'));
      writeFileSync(
        join(dir, 'schemas/demo.sbs'),
        'module Demo\n\nPoint = Record {\n    x: Integer\n    y: Integer\n    label: Optional(String)\n}\n',
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            strict: true,
            outDir: 'dist',
            // The app's own @types/node, as any Node project has; borrowed from the repo.
            typeRoots: [join(ROOT, 'node_modules/@types')],
            types: ['node'],
          },
          include: ['src'],
        }),
      );
      mkdirSync(join(dir, 'src'));
      writeFileSync(
        join(dir, 'src/main.ts'),
        [
          "import { Demo } from './gen/index.js';",
          "import { connect, HatChatter } from 'hat-open-ts/chatter';",
          "import { HatEventer, type Event } from 'hat-open-ts/eventer';",
          "import { Repository } from 'hat-open-ts/sbs';",
          '',
          "const point: Demo.Point = { x: 1, y: -2, label: 'a' };",
          'const back = Demo.Point.decode(Demo.Point.encode(point));',
          'const msg = HatChatter.Msg.decode(',
          "  HatChatter.Msg.encode({ id: 1, first: 1, owner: true, token: true, last: true, data: { type: 'T', data: new Uint8Array([7]) } }),",
          ');',
          'const events: Event[] = [];',
          'console.log(JSON.stringify({ back, msgId: msg.id, connect: typeof connect, repo: typeof Repository, ev: typeof HatEventer.Event.encode, n: events.length }));',
        ].join('\n'),
      );
    }, 180_000);

    it('generates codecs with npx sbs-gen', async () => {
      const { stdout, stderr } = await run(
        'npx',
        ['--no-install', 'sbs-gen', 'schemas', '-o', 'src/gen'],
        {
          cwd: dir,
        },
      );
      expect(stdout + stderr).toMatch(/-> 2 files in src\/gen/);
      expect(readFileSync(join(dir, 'src/gen/Demo.ts'), 'utf8')).toContain(
        "from 'hat-open-ts/sbs'",
      );
    });

    it("runs the runtime's commands through npx", async () => {
      for (const command of ['hat-eventer', 'hat-chatter', 'hat-juggler-demo']) {
        const { stdout } = await run('npx', ['--no-install', command, '--help'], { cwd: dir });
        expect(stdout).toContain(`usage: ${command} `);
      }
    });

    it('type-checks and runs', async () => {
      await run(process.execPath, [TSC, '-p', '.'], { cwd: dir }).catch((e: { stdout: string }) => {
        throw new Error(`tsc failed:\n${e.stdout}`);
      });
      const { stdout } = await run(process.execPath, ['dist/main.js'], { cwd: dir });
      expect(JSON.parse(stdout)).toEqual({
        back: { x: 1, y: -2, label: 'a' },
        msgId: 1,
        connect: 'function',
        repo: 'function',
        ev: 'function',
        n: 0,
      });
    });

    it('require()s every runtime entry from CommonJS', async () => {
      writeFileSync(
        join(dir, 'require.cjs'),
        `for (const e of ${JSON.stringify(ENTRIES)}) console.log(e, Object.keys(require('hat-open-ts/' + e)).length);`,
      );
      const { stdout } = await run(process.execPath, ['--no-warnings', 'require.cjs'], {
        cwd: dir,
      });
      const counts = new Map(
        stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' ') as [string, string]),
      );
      for (const e of ENTRIES) expect(Number(counts.get(e))).toBeGreaterThan(3);
    });

    it('bundles a generated codec and the Juggler client for browsers with no node: import', async () => {
      const sizes: Record<string, number> = {};
      for (const [name, source] of [
        [
          'codec',
          "import { Demo } from './src/gen/index.js'; console.log(Demo.Point.encode({ x: 1, y: 2 }));",
        ],
        ['juggler', "import { connect } from 'hat-open-ts/juggler'; console.log(connect);"],
      ] as const) {
        const result = await build({
          stdin: { contents: source, resolveDir: dir, loader: 'ts' },
          bundle: true,
          platform: 'browser',
          format: 'esm',
          minify: true,
          write: false,
          logLevel: 'silent',
        });
        const text = result.outputFiles[0]!.text;
        expect(text).not.toMatch(/["']node:/);
        sizes[name] = text.length;
      }
      // The generated codec pulls in only the SBS primitives it uses.
      expect(sizes['codec']).toBeLessThan(40_000);
    });
  });
});
