import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportHatDump,
  hatContentFromEvents,
  HatDatabase,
  hatDatabaseFormat,
  mdbDumpSource,
  parseMdbDump,
  readHatDatabase,
  type HatBackendConfig,
  type HatDatabaseSummary,
  type HatLatestEntry,
  type HatStoredEvent,
} from '../../runtime/eventer/lmdb/hat/index.js';
import {
  eventJson,
  fixture,
  FIXTURE_NAMES,
  hatSystem,
  HatScopes,
  replay,
  type Fixture,
} from './hatdb-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'hatdb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(db: HatDatabase): Promise<HatStoredEvent[]> {
  const out: HatStoredEvent[] = [];
  for await (const s of db.events()) out.push(s);
  return out;
}

function summaryOf(db: HatDatabase): HatDatabaseSummary {
  const { version, identifier, servers, partitions, latest } = db;
  return { version, identifier, servers, partitions, latest };
}

function checkAgainstHat(f: Fixture, summary: HatDatabaseSummary, events: HatStoredEvent[]): void {
  expect(events.map((s) => eventJson(s.event))).toEqual(f.answers.events);
  expect(hatSystem(summary, [1, 2, 3])).toEqual(f.answers.system);
  const scopes = new HatScopes(summary, events, f.config);
  for (const q of f.queries) {
    const recorded = f.answers.answers.find((a) => a.name === q.name);
    if (recorded === undefined) throw new Error(`no answer for ${q.name}`);
    const { got, want } = replay(scopes, q, recorded);
    expect(got, q.name).toEqual(want);
  }
}

describe.each(FIXTURE_NAMES)('hat-event database %s', (name) => {
  const f = fixture(name);

  it('is LMDB data format 1', async () => {
    expect(await hatDatabaseFormat(f.db)).toBe('lmdb-format-1');
  });

  it("reads hat's events and system data; our backend answers hat's query set alike", async () => {
    await using db = await readHatDatabase(f.db);
    expect(db.version).toBe('0.9');
    const events = await collect(db);
    expect(db.unresolved).toBe(0);
    checkAgainstHat(f, summaryOf(db), events);
    // Placement matches what hat's configuration implies: every event in a partition is in
    // one whose subscription matches its type.
    for (const s of events)
      for (const p of s.partitions) {
        const part = db.partitions.find((x) => x.id === p.partition);
        expect(part, `partition ${p.partition}`).toBeDefined();
        expect(p.key).toEqual(
          part?.orderBy === 'timestamp' ? s.event.timestamp : s.event.sourceTimestamp,
        );
      }
    // Streaming: each page at most once per walk plus lookups, nowhere near a page per byte.
    expect(db.pagesRead).toBeLessThan(events.length * 4 + 64);
  });

  it('exports to mdb_load text that reads back to the same database', async () => {
    await using db = await readHatDatabase(f.db);
    const events = await collect(db);
    const dump = join(tmp, `${name}.dump`);
    const result = await exportHatDump(db, dump);
    expect(result.events).toBe(events.length);
    const back = await HatDatabase.load(mdbDumpSource(parseMdbDump(readFileSync(dump, 'utf8'))));
    const again = await collect(back);
    expect(again).toEqual(events);
    expect(back.identifier).toBe(db.identifier);
    expect(back.latest).toEqual(db.latest);
    expect(back.partitions.map((p) => ({ ...p, count: null }))).toEqual(
      db.partitions.map((p) => ({ ...p, count: null })),
    );
    // Recounted from the events: what the partition holds.
    for (const p of back.partitions)
      expect(p.count).toBe(
        events.filter((s) => s.partitions.some((x) => x.partition === p.id)).length,
      );
    checkAgainstHat(f, summaryOf(back), again);
  });
});

describe('hatContentFromEvents', () => {
  it('places events where hat-event put them (default fixture: no limits, nothing cleaned)', async () => {
    const f = fixture('default');
    await using db = await readHatDatabase(f.db);
    const stored = await collect(db);
    const content = await hatContentFromEvents(
      () => stored.map((s) => s.event),
      f.config as HatBackendConfig,
    );
    expect(content.partitions).toEqual(db.partitions.map((p) => ({ ...p, count: null })));
    expect(content.latest).toEqual(db.latest);
    const placed: HatStoredEvent[] = [];
    for await (const s of content.events()) placed.push(s);
    expect(placed).toEqual(stored);
  });

  it('mixed fixture: the same partitions and latest; placements cover what hat kept after its cleanup', async () => {
    const f = fixture('mixed');
    await using db = await readHatDatabase(f.db);
    const stored = await collect(db);
    const content = await hatContentFromEvents(
      () => stored.map((s) => s.event),
      f.config as HatBackendConfig,
    );
    expect(content.partitions).toEqual(db.partitions.map((p) => ({ ...p, count: null })));
    // Type refs differ: hat numbered types as it first saw them, among events since gone.
    const byType = (l: readonly HatLatestEntry[]): unknown =>
      Object.fromEntries(l.map((x) => [x.type.join('.'), x.event]));
    expect(byType(content.latest)).toEqual(byType(db.latest));
    let i = 0;
    for await (const s of content.events()) {
      const kept = stored[i++] as HatStoredEvent;
      expect(s.latest !== null).toBe(kept.latest !== null);
      expect(s.partitions).toEqual(expect.arrayContaining([...kept.partitions]));
    }
    expect(i).toBe(stored.length);
  });
});

describe('readHatDatabase streaming', () => {
  it('reads pages as events are taken, not the whole file up front', async () => {
    await using db = await readHatDatabase(fixture('default').db);
    const opened = db.pagesRead;
    const it = db.events()[Symbol.asyncIterator]();
    await it.next();
    const first = db.pagesRead;
    for (let r = await it.next(); r.done !== true; r = await it.next());
    const all = db.pagesRead;
    // The summary and the first event cost a handful of pages; the rest come with the events.
    expect(first - opened).toBeLessThan(8);
    expect(all).toBeGreaterThan(first * 3);
  });
});

describe('exportHatDump refuses inconsistent content', () => {
  const event = (session: number): HatStoredEvent['event'] => ({
    id: { server: 1, session, instance: 1 },
    type: ['a'],
    timestamp: { s: session, us: 0 },
    sourceTimestamp: null,
    payload: null,
  });
  const base = {
    identifier: null,
    servers: [],
    partitions: [{ id: 1, orderBy: 'timestamp' as const, subscriptions: [['*']], count: null }],
    latest: [],
  };

  // Enough events before the bad one that the dump file is open and written to.
  const many = Array.from({ length: 400 }, (_, i) => i + 1);
  it.each([
    ['events out of id order', [...many, 5], 1],
    ['an unknown partition', [1, 2], 9],
  ])('%s: a typed error and no dump file', async (_, sessions, partition) => {
    const dump = join(tmp, `bad-${partition}.dump`);
    const content = {
      ...base,
      events: () =>
        sessions.map((s) => ({
          event: event(s),
          latest: null,
          partitions: [{ partition, key: event(s).timestamp }],
        })),
    };
    await expect(exportHatDump(content, dump)).rejects.toMatchObject({ code: 'invalid-value' });
    expect(existsSync(dump)).toBe(false);
    expect(existsSync(`${dump}.partial`)).toBe(false);
  });

  it('a latest placement whose entry holds another event', async () => {
    const content = {
      ...base,
      latest: [{ typeRef: 1, type: ['a'], event: event(2) }],
      events: () => [{ event: event(1), latest: 1, partitions: [] }],
    };
    await expect(exportHatDump(content, join(tmp, 'bad-latest.dump'))).rejects.toMatchObject({
      code: 'invalid-value',
    });
  });
});

const mdbDump = spawnSync('mdb_dump', ['-V'], { stdio: 'ignore' }).status === 0;
if (!mdbDump) console.log('hatdb-fixtures: mdb_dump check skipped (no mdb_dump)');

describe('mdb_dump text', () => {
  it.skipIf(!mdbDump)("Debian mdb_dump's text of a fixture reads as the file does", async () => {
    const f = fixture('mixed');
    // A copy: liblmdb creates a lock file beside the database it opens.
    const copy = join(tmp, 'mixed-for-mdb_dump.mdb');
    copyFileSync(f.db, copy);
    const text = spawnSync('mdb_dump', ['-n', '-a', copy], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).stdout;
    const fromDump = await HatDatabase.load(mdbDumpSource(parseMdbDump(text)));
    await using fromFile = await readHatDatabase(f.db);
    expect(await collect(fromDump)).toEqual(await collect(fromFile));
    expect(summaryOf(fromDump)).toEqual(summaryOf(fromFile));
  });

  it.each([
    ['no header end', 'VERSION=3\nformat=bytevalue\n'],
    ['another version', 'VERSION=2\nformat=bytevalue\nHEADER=END\nDATA=END\n'],
    ['print format', 'VERSION=3\nformat=print\nHEADER=END\nDATA=END\n'],
    ['odd hex', 'VERSION=3\nformat=bytevalue\nHEADER=END\n abc\n 00\nDATA=END\n'],
    ['a key without value', 'VERSION=3\nformat=bytevalue\nHEADER=END\n 00\nDATA=END\n'],
    ['no data end', 'VERSION=3\nformat=bytevalue\nHEADER=END\n 00\n 01\n'],
    ['duplicates', 'VERSION=3\nformat=bytevalue\nduplicates=1\nHEADER=END\nDATA=END\n'],
  ])('%s: invalid-dump', (_, text) => {
    expect(() => parseMdbDump(text)).toThrow(
      expect.objectContaining({ code: 'invalid-dump' }) as Error,
    );
  });
});
