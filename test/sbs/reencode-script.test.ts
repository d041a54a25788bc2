// scripts/python/sbs_reencode.py must use hat-sbs's pure-Python serializer whatever the
// installed hat-sbs defaults to: the C serializer (the default when built) wraps integers
// beyond 64 bits. Runs the script against a stand-in hat.sbs whose default is the C one and
// which refuses any other serializer than PySerializer; needs only python3.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const python = process.env['HAT_PYTHON'] ?? 'python3';
const script = fileURLToPath(new URL('../../scripts/python/sbs_reencode.py', import.meta.url));
const stub = fileURLToPath(new URL('./fixtures/python-stub', import.meta.url));
const hasPython = spawnSync(python, ['-c', 'pass'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasPython)('sbs_reencode.py', () => {
  it('decodes and encodes with the pure-Python serializer', () => {
    const run = spawnSync(python, [script, 'unused-schema-dir'], {
      input: 'M.T 0a0b\nM.T 81\n',
      env: { ...process.env, PYTHONPATH: stub },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(['READY', 'ok 0a0b', 'ok 81', '']);
  });
});
