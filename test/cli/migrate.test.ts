// hat-eventer import/export: a database hat-event 0.9 wrote (fixture) moves into ours with every
// event, id, timestamp and payload kept and its servers' last ids; ours moves back out as a
// database hat-event opens (checked by reading it back with the hat-format reader when Debian's
// mdb_load is installed to build it). The commands run as a user runs them.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventEquals, type Event } from '../../runtime/eventer/index.js';
import { LmdbBackend } from '../../runtime/eventer/lmdb/index.js';
import { readHatDatabase } from '../../runtime/eventer/lmdb/hat/index.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/hat-event-db/mixed/data.mdb');
const dir = mkdtempSync(join(tmpdir(), 'hat-eventer-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function eventer(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'runtime/cli/eventer.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function hatEvents(path: string): Promise<{ events: Event[]; servers: unknown }> {
  await using db = await readHatDatabase(path);
  const events: Event[] = [];
  for await (const stored of db.events()) events.push(stored.event);
  return { events, servers: db.servers };
}

async function ourEvents(path: string): Promise<Event[]> {
  const backend = await LmdbBackend.open({ path, serverId: 1 });
  try {
    const events: Event[] = [];
    for await (const e of backend.exportEvents()) events.push(e);
    return events;
  } finally {
    await backend.close();
  }
}

const sameEvents = (a: readonly Event[], b: readonly Event[]): boolean =>
  a.length === b.length && a.every((e, i) => eventEquals(e, b[i]!));

describe('hat-eventer import / export', () => {
  const hatCopy = join(dir, 'hat.mdb');
  const ours = join(dir, 'ours.lmdb');

  it('imports every event of a hat-event database, ids and payloads kept', async () => {
    copyFileSync(FIXTURE, hatCopy);
    const original = await hatEvents(hatCopy);
    expect(original.events.length).toBeGreaterThan(100);
    const r = await eventer('import', '--from-hat', hatCopy, '--db', ours);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: original.events.length });
    expect(sameEvents(await ourEvents(ours), original.events)).toBe(true);
  });

  it('refuses what is not a hat-event database, writing nothing', async () => {
    const r = await eventer('import', '--from-hat', ours, '--db', join(dir, 'never.lmdb'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^hat-eventer: .*ours\.lmdb: not a hat-event database \(lmdb-format-2\)/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  const mdbLoad = spawnSync('mdb_load', ['-V']).error === undefined;
  if (!mdbLoad) console.log('export round trip through hat-event format skipped: no mdb_load');

  it.skipIf(!mdbLoad)('exports a database that reads back as the same events', async () => {
    const out = join(dir, 'back');
    const r = await eventer('export', '--db', ours, '--to-hat', out);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ db: join(out, 'event.db') });
    const back = await hatEvents(join(out, 'event.db'));
    expect(sameEvents(back.events, await ourEvents(ours))).toBe(true);
    expect(back.servers).toEqual((await hatEvents(hatCopy)).servers);
  });
});
