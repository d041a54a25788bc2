import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { compareEventIds, type EventId } from '../../event.js';
import { compareTimestamps, type Timestamp } from '../../timestamp.js';
import type { HatLatestEntry, HatPartition, HatServerState, HatStoredEvent } from './database.js';
import { HAT_DB_VERSION } from './database.js';
import { HatDatabaseError } from './errors.js';
import {
  encodeEvent,
  encodeEventId,
  encodeJsonValue,
  encodeRefs,
  encodeTimeseriesKey,
  encodeTimestamp,
  encodeUint,
  SETTINGS_IDENTIFIER,
  SETTINGS_VERSION,
  type HatDbName,
  type HatEventRef,
} from './hat-codec.js';
import { MDB_DUMP_END, mdbDumpHeader, mdbDumpLine } from './mdb-dump.js';

/** What a hat-event 0.9 database holds; a `HatDatabase` is one. */
export interface HatDatabaseContent {
  /** hat's `identifier` setting (`null`: none; hat then accepts any). */
  readonly identifier: string | null;
  readonly servers: readonly HatServerState[];
  /** `count` is ignored: it is recounted from the events. */
  readonly partitions: readonly HatPartition[];
  readonly latest: readonly HatLatestEntry[];
  /** The events ascending by id, each with its placement. Called twice (two passes). */
  events(): AsyncIterable<HatStoredEvent> | Iterable<HatStoredEvent>;
}

export interface HatExportResult {
  /** Events written (with at least one placement). */
  readonly events: number;
}

/** The `mdb_load` arguments that turn the dump into hat-event's database file at `dbPath` (a new file). */
export function mdbLoadArgs(dumpPath: string, dbPath: string): string[] {
  return ['-n', '-f', dumpPath, dbPath];
}

/**
 * Writes `content` as `mdb_load` input (liblmdb 0.9's `mdb_dump` bytevalue text, every named
 * database in one stream) to `dumpPath`. Loaded into a new file with Debian's lmdb-utils,
 * `mdb_load -n -f DUMP DB`, it is a database hat-event 0.9 opens as `db_path: DB` (data
 * format 1, which the npm lmdb package cannot write).
 *
 * The last event id and timestamp per server are the larger of `servers` and the events', so
 * hat never reuses an exported id. `HatDatabaseError('invalid-value')` for events out of id
 * order, or placed in a partition or latest entry `content` does not have.
 */
export async function exportHatDump(
  content: HatDatabaseContent,
  dumpPath: string,
): Promise<HatExportResult> {
  // Written aside and renamed when complete: a failed export leaves no dump that mdb_load
  // would turn into a partial database.
  const partial = `${dumpPath}.partial`;
  const out = createWriteStream(partial);
  const closed = once(out, 'close');
  closed.catch(() => undefined);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  try {
    const n = await Promise.race([write(content, out), failed]);
    out.end();
    await Promise.race([closed, failed]);
    await rename(partial, dumpPath);
    return { events: n };
  } catch (e) {
    out.destroy();
    await closed.catch(() => undefined);
    await rm(partial, { force: true });
    throw e;
  }
}

async function write(content: HatDatabaseContent, out: WriteStream): Promise<number> {
  const put = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const section = async (
    db: HatDbName,
    entries:
      | Iterable<readonly [Uint8Array, Uint8Array]>
      | AsyncIterable<readonly [Uint8Array, Uint8Array]>,
  ): Promise<void> => {
    await put(mdbDumpHeader(db));
    for await (const [k, v] of entries) await put(mdbDumpLine(k) + mdbDumpLine(v));
    await put(MDB_DUMP_END);
  };

  const partitions = new Map(content.partitions.map((p) => [p.id, p]));
  const latest = new Map(content.latest.map((l) => [l.typeRef, l]));
  const servers = new Map<number, { id: EventId | null; ts: Timestamp | null }>();
  for (const s of content.servers)
    servers.set(s.serverId, { id: s.lastEventId, ts: s.lastTimestamp });
  const counts = new Map<number, number>();

  const settings: [Uint8Array, Uint8Array][] = [
    [encodeUint(SETTINGS_VERSION), encodeJsonValue(HAT_DB_VERSION)],
  ];
  if (content.identifier !== null)
    settings.push([encodeUint(SETTINGS_IDENTIFIER), encodeJsonValue(content.identifier)]);
  await section('SYSTEM_SETTINGS', settings);
  await section(
    'TIMESERIES_PARTITION',
    content.partitions.map((p) => [
      encodeUint(p.id),
      encodeJsonValue({
        order: p.orderBy,
        subscriptions: p.subscriptions.map((t) => [...t]),
      }),
    ]),
  );
  await section(
    'LATEST_TYPE',
    content.latest.map((l) => [encodeUint(l.typeRef), encodeJsonValue([...l.type])]),
  );
  await section(
    'LATEST_DATA',
    content.latest.map((l) => [encodeUint(l.typeRef), encodeEvent(l.event)]),
  );

  let written = 0;
  let previous: EventId | null = null;
  // Pass 1: references by event id, checking what pass 2 relies on.
  async function* refs(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const s of content.events()) {
      const { event } = s;
      if (previous !== null && compareEventIds(previous, event.id) >= 0)
        throw new HatDatabaseError('invalid-value', 'export: events not ascending by id');
      previous = event.id;
      const r: HatEventRef[] = [];
      if (s.latest !== null) {
        const l = latest.get(s.latest);
        if (l === undefined || compareEventIds(l.event.id, event.id) !== 0)
          throw new HatDatabaseError(
            'invalid-value',
            `export: event ${idText(event.id)} placed in latest entry ${s.latest} which holds another event`,
          );
        r.push({ kind: 'latest', typeRef: s.latest });
      }
      for (const p of s.partitions) {
        if (!partitions.has(p.partition))
          throw new HatDatabaseError(
            'invalid-value',
            `export: event ${idText(event.id)} placed in unknown partition ${p.partition}`,
          );
        r.push({ kind: 'timeseries', partition: p.partition, timestamp: p.key, id: event.id });
      }
      // hat stores no event without a placement.
      if (r.length === 0) continue;
      written++;
      const server = servers.get(event.id.server) ?? { id: null, ts: null };
      servers.set(event.id.server, {
        id: server.id === null || compareEventIds(server.id, event.id) < 0 ? event.id : server.id,
        ts:
          server.ts === null || compareTimestamps(server.ts, event.timestamp) < 0
            ? event.timestamp
            : server.ts,
      });
      yield [encodeEventId(event.id), encodeRefs(r)];
    }
  }
  await section('REF', refs());

  // Pass 2: the events under their partition keys.
  async function* timeseries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const s of content.events()) {
      if (s.partitions.length === 0) continue;
      const bytes = encodeEvent(s.event);
      for (const p of s.partitions) {
        counts.set(p.partition, (counts.get(p.partition) ?? 0) + 1);
        yield [encodeTimeseriesKey(p.partition, p.key, s.event.id), bytes];
      }
    }
  }
  await section('TIMESERIES_DATA', timeseries());
  await section(
    'TIMESERIES_COUNT',
    content.partitions.map((p) => [encodeUint(p.id), encodeUint(counts.get(p.id) ?? 0)]),
  );

  const sorted = [...servers].sort((a, b) => a[0] - b[0]);
  await section(
    'SYSTEM_LAST_EVENT_ID',
    sorted.flatMap(([n, s]) => (s.id === null ? [] : [[encodeUint(n), encodeEventId(s.id)]])),
  );
  await section(
    'SYSTEM_LAST_TIMESTAMP',
    sorted.flatMap(([n, s]) => (s.ts === null ? [] : [[encodeUint(n), encodeTimestamp(s.ts)]])),
  );
  return written;
}

function idText(id: EventId): string {
  return `${id.server}.${id.session}.${id.instance}`;
}
