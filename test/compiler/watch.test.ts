import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp/watch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of a child's stream, with a bounded wait for the next one that matches. */
class Lines {
  readonly all: string[] = [];
  #seen = 0;
  #waiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      this.all.push(...parts);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** The next line (after those already matched) that matches; fails after `ms`. */
  async next(re: RegExp, ms = 90_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#seen < this.all.length) {
        const line = this.all[this.#seen++] as string;
        if (re.test(line)) return line;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} in:\n${this.all.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('sbs-gen --watch', () => {
  it('regenerates on each change, survives schema errors and stops cleanly on SIGINT', async () => {
    const schemas = join(dir, 'schemas');
    const out = join(dir, 'gen');
    mkdirSync(join(schemas, 'node_modules'), { recursive: true });
    const file = join(schemas, 'a.sbs');
    writeFileSync(file, 'module A\nT = Integer\n');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'test/compiler/support/sbs-gen.ts'),
        schemas,
        '-o',
        out,
        '--watch',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout = new Lines(child.stdout);
    const stderr = new Lines(child.stderr);
    const exit = exited(child);
    try {
      const stamp = String.raw`^\[\d\d:\d\d:\d\d\] sbs-gen: `;
      await stdout.next(new RegExp(`${stamp}1 module, 1 type -> 2 files in .* in \\d+ ms$`));
      await stdout.next(/^sbs-gen: watching .* \(Ctrl-C to stop\)$/);

      writeFileSync(file, 'module A\nT = Integer\nU = String\n');
      await stdout.next(new RegExp(`${stamp}1 module, 2 types -> 2 files`));
      expect(readFileSync(join(out, 'A.ts'), 'utf8')).toContain('export type U = string;');

      // A schema error is reported and watching goes on.
      writeFileSync(file, 'module A\nT = Integr\n');
      await stderr.next(
        /a\.sbs:2:5: unknown type 'Integr' in module 'A'; did you mean 'Integer'\?$/,
      );
      await stderr.next(new RegExp(`${stamp}1 error$`));
      expect(child.exitCode).toBeNull();

      writeFileSync(file, 'module A\nT = Boolean\n');
      await stdout.next(new RegExp(`${stamp}1 module, 1 type -> 2 files`));
      expect(readFileSync(join(out, 'A.ts'), 'utf8')).toContain('export type T = boolean;');
      expect(existsSync(join(out, 'X.ts'))).toBe(false);

      // Files under node_modules and other files do not trigger a run (the count of run lines
      // below would show one); the pause lets a wrong run start on its own.
      writeFileSync(join(schemas, 'node_modules', 'x.sbs'), 'module X\nT = Integer\n');
      writeFileSync(join(schemas, 'notes.txt'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 1000));

      child.kill('SIGINT');
      expect(await exit).toEqual({ code: 0, signal: null });
      // One line per run: the first, two successful rebuilds; the error went to stderr.
      expect(stdout.all.filter((l) => /^\[/.test(l))).toHaveLength(3);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
