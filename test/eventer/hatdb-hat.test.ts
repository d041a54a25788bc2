// Our export of each fixture, loaded by Debian's mdb_load (lmdb-utils 0.9) and opened by
// hat-event's own LMDB backend, gives hat's recorded answers. Needs `mdb_load` on PATH and
// HAT_PYTHON_PATH (see README "Development"); skipped with one line otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { Event } from '../../runtime/eventer/event.js';
import {
  exportHatDump,
  hatContentFromEvents,
  hatDatabaseFormat,
  mdbLoadArgs,
  readHatDatabase,
  type HatBackendConfig,
  type HatDatabaseContent,
  type HatStoredEvent,
} from '../../runtime/eventer/lmdb/hat/index.js';
import { pythonAvailable } from '../python-peer.js';
import {
  eventJson,
  fixture,
  FIXTURE_NAMES,
  HatScopes,
  idKey,
  replay,
  type Answer,
  type Answers,
} from './hatdb-support.js';

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

/** Loads the dump with mdb_load into a new file and has hat-event answer the query set there. */
async function hatAnswers(dump: string, conf: string, queries: string): Promise<Answers> {
  const out = `${dump}.mdb`;
  const load = spawnSync('mdb_load', mdbLoadArgs(dump, out), { encoding: 'utf8' });
  expect(load.status, load.stderr).toBe(0);
  expect(await hatDatabaseFormat(out)).toBe('lmdb-format-1');
  const run = spawnSync(
    python,
    [script, '--db', out, '--conf', conf, '--queries', queries, '--servers', '1,2,3'],
    {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: process.env['HAT_PYTHON_PATH'] ?? '' },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Answers;
}

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
    {
      await using db = await readHatDatabase(f.db);
      await exportHatDump(db, dump);
    }
    const got = await hatAnswers(dump, `${f.dir}hat-config.json`, `${f.dir}queries.json`);
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

/** Events as our server registers them: two server ids, sessions of 1-3, some source timestamps. */
function ourEvents(): Event[] {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >>> 8) % n; // the low bits of this generator cycle quickly
  };
  const types = [['a', 'x', '1'], ['a', 'y'], ['b', 'y'], ['c', 'k', 'x'], ['e', '1'], ['f']];
  const sessions = [0, 0];
  const clock = [0, 0];
  const out: Event[] = [];
  for (let i = 0; i < 120; i++) {
    const server = 1 + rnd(2);
    const session = ++sessions[server - 1]!;
    clock[server - 1]! += rnd(3_000_000);
    const t = 1704067200_000_000 + clock[server - 1]!;
    const timestamp = { s: Math.floor(t / 1e6), us: t % 1e6 };
    for (let instance = 1; instance <= 1 + rnd(3); instance++)
      out.push({
        id: { server, session, instance },
        type: types[rnd(types.length)]!,
        timestamp,
        sourceTimestamp: rnd(2) ? { s: 1704067200 + rnd(400), us: rnd(1e6) } : null,
        payload: rnd(2)
          ? { kind: 'json', data: { i, s: 'ž'.repeat(rnd(3)) } }
          : { kind: 'binary', type: 't', data: new Uint8Array(rnd(50)).fill(i & 0xff) },
      });
  }
  return out.sort(
    (a, b) =>
      a.id.server - b.id.server || a.id.session - b.id.session || a.id.instance - b.id.instance,
  );
}

describe.skipIf(!hat)('export of our own events opened by hat-event', () => {
  it('hat-event answers the query set as our backend does on the same events', async () => {
    const config: HatBackendConfig = {
      identifier: 'ours',
      latest: {
        subscriptions: [
          ['a', '*'],
          ['c', '*'],
          ['e', '?'],
        ],
      },
      timeseries: [
        {
          order_by: 'TIMESTAMP',
          subscriptions: [
            ['a', '*'],
            ['b', '*'],
          ],
        },
        { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
        {
          order_by: 'TIMESTAMP',
          subscriptions: [
            ['c', '*'],
            ['e', '*'],
          ],
        },
      ],
    };
    const events = ourEvents();
    const content: HatDatabaseContent = await hatContentFromEvents(() => events, config);
    const dump = join(tmp, 'ours.dump');
    await exportHatDump(content, dump);
    const conf = join(tmp, 'ours-config.json');
    writeFileSync(
      conf,
      JSON.stringify({ ...config, flush_period: 1, cleanup_period: 1, conditions: [] }),
    );
    const queries = fixture('mixed').queries;
    const got = await hatAnswers(dump, conf, `${fixture('mixed').dir}queries.json`);

    const placed: HatStoredEvent[] = [];
    for await (const s of content.events())
      if (s.latest !== null || s.partitions.length) placed.push(s);
    expect(placed.length).toBeGreaterThan(150);
    expect(got.events).toEqual(placed.map((s) => eventJson(s.event)));
    // hat continues each server after our last ids.
    for (const s of got.system.filter((x) => x.serverId < 3))
      expect(s.lastEventId).toEqual(
        [...events].reverse().find((e) => e.id.server === s.serverId)?.id,
      );
    const scopes = new HatScopes({ version: '0.9', ...content }, placed, {
      latest: { subscriptions: config.latest!.subscriptions.map((t) => [...t]) },
      timeseries: config.timeseries!.map((p) => ({
        ...p,
        subscriptions: p.subscriptions.map((t) => [...t]),
      })),
    });
    for (const q of queries) {
      const recorded = got.answers.find((a) => a.name === q.name);
      if (recorded === undefined) throw new Error(`no answer for ${q.name}`);
      const { got: ours, want } = replay(scopes, q, recorded);
      expect(ours, q.name).toEqual(want);
    }
  }, 120_000);
});
