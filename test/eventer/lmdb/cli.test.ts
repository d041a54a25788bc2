// hat-eventer server's store options: wrong combinations and config problems are one line each.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpDbDir } from './tmp-db.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'runtime/cli/eventer.ts', 'server', '--port', '0', ...args],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stderr })));
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('eventer-server store options', () => {
  it('refuses --config with --memory, and a config with problems, creating no database', async () => {
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    const memory = await run(['--memory', '--flush-period', '1']);
    expect(memory.code).toBe(2); // a usage error
    expect(memory.stderr).toBe(
      'hat-eventer: --config and --flush-period need a database, not --memory (see hat-eventer --help)\n',
    );
    const config = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      config,
      'cleanup_period: 0\ntimeseries: [{order_by: KEY, subscriptions: [[a]]}]\n',
    );
    const bad = await run(['--db', tmp.path, '--config', config]);
    expect(bad.code).toBe(1);
    // One line, each problem with its path.
    expect(bad.stderr).toBe(
      `hat-eventer: ${config}: 2 problems: cleanup_period: expected a number > 0, got 0 ` +
        'timeseries[0].order_by: expected TIMESTAMP or SOURCE_TIMESTAMP, got "KEY"\n',
    );
    expect(existsSync(tmp.path)).toBe(false);
  }, 30_000);
});
