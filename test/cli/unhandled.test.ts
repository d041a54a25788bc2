import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const child = fileURLToPath(new URL('./unhandled-child.ts', import.meta.url));

it('a command stops with one line and exit 1 on a rejection nothing handles', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.stderr).toBe('demo: fatal: MDB_DISK_FULL: no space left\n');
  expect(r.status).toBe(1);
});
