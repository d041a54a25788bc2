// Our export of each fixture, loaded by Debian's mdb_load (lmdb-utils 0.9) and opened by
// hat-event's own LMDB backend, gives hat's recorded answers. Needs `mdb_load` on PATH and
// HAT_PYTHON_PATH (see README "Development"); skipped with one line otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportHatDump,
  hatDatabaseFormat,
  mdbLoadArgs,
  readHatDatabase,
} from '../../runtime/eventer/lmdb/hat/index.js';
import { pythonAvailable } from '../python-peer.js';
import { fixture, FIXTURE_NAMES, idKey, type Answer, type Answers } from './hatdb-support.js';

const mdbLoad = spawnSync('mdb_load', ['-V'], { stdio: 'ignore' }).status === 0;
const hat = mdbLoad && pythonAvailable('hat.event.backends.lmdb.backend');
if (!hat)
  console.log(
    `hatdb-hat: skipped (${mdbLoad ? 'HAT_PYTHON_PATH with hat-event not set' : 'no mdb_load'})`,
  );

const python = process.env['HAT_PYTHON'] ?? 'python3';
const script = fileURLToPath(new URL('../../scripts/python/hat_lmdb_answers.py', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'hatdb-hat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function normalise(a: Answer, compare: 'ordered' | 'set'): unknown {
  const ids = (l: { server: number; session: number; instance: number }[]): string[] => {
    const k = l.map(idKey);
    return compare === 'set' ? k.sort() : k;
  };
  return a.pages === undefined
    ? { ids: ids(a.eventIds ?? []), moreFollows: a.moreFollows }
    : a.pages.map((p) => ({ last: p.lastEventId, ids: ids(p.eventIds), more: p.moreFollows }));
}

describe.skipIf(!hat).each(FIXTURE_NAMES)('export of %s opened by hat-event', (name) => {
  it("answers hat's query set as the original does", async () => {
    const f = fixture(name);
    const dump = join(tmp, `${name}.dump`);
    const out = join(tmp, `${name}.mdb`);
    {
      await using db = await readHatDatabase(f.db);
      await exportHatDump(db, dump);
    }
    const load = spawnSync('mdb_load', mdbLoadArgs(dump, out), { encoding: 'utf8' });
    expect(load.status, load.stderr).toBe(0);
    expect(await hatDatabaseFormat(out)).toBe('lmdb-format-1');
    const run = spawnSync(
      python,
      [
        script,
        '--db',
        out,
        '--conf',
        `${f.dir}hat-config.json`,
        '--queries',
        `${f.dir}queries.json`,
        '--servers',
        '1,2,3',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: process.env['HAT_PYTHON_PATH'] ?? '' },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(run.stdout) as Answers;
    expect(got.events).toEqual(f.answers.events);
    expect(got.system).toEqual(f.answers.system);
    for (const q of f.queries) {
      const a = got.answers.find((x) => x.name === q.name);
      const b = f.answers.answers.find((x) => x.name === q.name);
      if (a === undefined || b === undefined) throw new Error(`no answer for ${q.name}`);
      expect(normalise(a, q.compare), q.name).toEqual(normalise(b, q.compare));
    }
  }, 120_000);
});
