import {
  eventIdEquals,
  typeEquals,
  type Event,
  type EventId,
  type EventType,
} from '../../event.js';
import type { OrderBy } from '../../query.js';
import type { Timestamp } from '../../timestamp.js';
import { HatDatabaseError } from './errors.js';
import {
  asEventType,
  decodeEvent,
  decodeEventId,
  decodeJsonValue,
  decodeRefs,
  decodeTimestamp,
  decodeUint,
  encodeTimeseriesKey,
  encodeUint,
  SETTINGS_IDENTIFIER,
  SETTINGS_VERSION,
  type HatEventRef,
} from './hat-codec.js';
import { lmdbFileSource, type HatKvSource } from './kv-source.js';
import { LmdbFile, type LmdbFileOptions } from './lmdb-file.js';

/** The database layout this reads and writes (hat-event's `backends/lmdb` `version`). */
export const HAT_DB_VERSION = '0.9';

/** Per server id: the last event id and timestamp hat-event registered (session ids continue after them). */
export interface HatServerState {
  readonly serverId: number;
  /** `null` when hat stored none (hat then starts at session 0). */
  readonly lastEventId: EventId | null;
  /** `null` when hat stored none (hat then uses its `min_timestamp`). */
  readonly lastTimestamp: Timestamp | null;
}

/** A timeseries partition as stored (limits are configuration, not in the database). */
export interface HatPartition {
  readonly id: number;
  readonly orderBy: OrderBy;
  /** As hat stores them: sorted query types. */
  readonly subscriptions: readonly EventType[];
  /** hat's `TIMESERIES_COUNT` (entries it believes the partition holds); `null` when absent. */
  readonly count: number | null;
}

/** A latest entry: the newest event of `type`, under hat's numeric type reference. */
export interface HatLatestEntry {
  readonly typeRef: number;
  readonly type: EventType;
  readonly event: Event;
}

/** Where one event is kept: a key per partition it is in, and whether it is its type's latest. */
export interface HatPlacement {
  /** The latest entry's type ref when this event is its type's latest, else `null`. */
  readonly latest: number | null;
  readonly partitions: readonly { readonly partition: number; readonly key: Timestamp }[];
}

export interface HatStoredEvent extends HatPlacement {
  readonly event: Event;
}

/** Everything in a hat-event 0.9 database apart from the events themselves (which stream). */
export interface HatDatabaseSummary {
  readonly version: string;
  readonly identifier: string | null;
  readonly servers: readonly HatServerState[];
  readonly partitions: readonly HatPartition[];
  readonly latest: readonly HatLatestEntry[];
}

/**
 * An open hat-event 0.9 database (read-only). The summary is read on open; `events()`
 * streams the stored events in event-id order (as hat's server queries return them), so a
 * large database is never all in memory.
 */
export class HatDatabase implements HatDatabaseSummary, AsyncDisposable {
  private unresolvedCount = 0;

  private constructor(
    private readonly source: HatKvSource,
    readonly version: string,
    readonly identifier: string | null,
    readonly servers: readonly HatServerState[],
    readonly partitions: readonly HatPartition[],
    readonly latest: readonly HatLatestEntry[],
  ) {}

  /** Reads the summary from `source`; `HatDatabaseError` when it is not hat-event 0.9's layout. */
  static async load(source: HatKvSource): Promise<HatDatabase> {
    const settings = new Map<number, unknown>();
    for await (const [k, v] of source.entries('SYSTEM_SETTINGS'))
      settings.set(decodeUint(k, 'settings key'), decodeJsonValue(v, 'setting'));
    const version = settings.get(SETTINGS_VERSION);
    if (version === undefined)
      throw new HatDatabaseError(
        'unsupported-version',
        'not a hat-event database (no SYSTEM_SETTINGS version)',
      );
    if (version !== HAT_DB_VERSION)
      throw new HatDatabaseError(
        'unsupported-version',
        `hat-event database version ${JSON.stringify(version)}; this reads ${HAT_DB_VERSION} ` +
          '(older ones: convert with hat-event-lmdb-convert first)',
      );
    const identifier = settings.get(SETTINGS_IDENTIFIER);
    if (identifier !== undefined && identifier !== null && typeof identifier !== 'string')
      throw new HatDatabaseError('invalid-value', 'identifier setting is not a string');

    const servers = new Map<number, { id: EventId | null; ts: Timestamp | null }>();
    const server = (n: number): { id: EventId | null; ts: Timestamp | null } => {
      let s = servers.get(n);
      if (s === undefined) servers.set(n, (s = { id: null, ts: null }));
      return s;
    };
    for await (const [k, v] of source.entries('SYSTEM_LAST_EVENT_ID'))
      server(decodeUint(k, 'server id')).id = decodeEventId(v, 'last event id');
    for await (const [k, v] of source.entries('SYSTEM_LAST_TIMESTAMP'))
      server(decodeUint(k, 'server id')).ts = decodeTimestamp(v, 'last timestamp');

    const counts = new Map<number, number>();
    for await (const [k, v] of source.entries('TIMESERIES_COUNT'))
      counts.set(decodeUint(k, 'partition id'), decodeUint(v, 'partition count'));
    const partitions: HatPartition[] = [];
    for await (const [k, v] of source.entries('TIMESERIES_PARTITION')) {
      const id = decodeUint(k, 'partition id');
      partitions.push({
        id,
        ...partitionData(decodeJsonValue(v, 'partition')),
        count: counts.get(id) ?? null,
      });
    }

    const types = new Map<number, EventType>();
    for await (const [k, v] of source.entries('LATEST_TYPE'))
      types.set(
        decodeUint(k, 'type ref'),
        asEventType(decodeJsonValue(v, 'latest type'), 'latest type'),
      );
    const latest: HatLatestEntry[] = [];
    for await (const [k, v] of source.entries('LATEST_DATA')) {
      const typeRef = decodeUint(k, 'type ref');
      const event = decodeEvent(v);
      const type = types.get(typeRef);
      // hat loads an entry only when its type still maps to this ref.
      if (type !== undefined && typeEquals(type, event.type)) latest.push({ typeRef, type, event });
    }

    return new HatDatabase(
      source,
      version,
      identifier ?? null,
      [...servers].map(([serverId, s]) => ({ serverId, lastEventId: s.id, lastTimestamp: s.ts })),
      partitions,
      latest,
    );
  }

  /**
   * The stored events, ascending by id, each with where it is kept. An event is found
   * through its references; references whose data is gone (hat leaves some behind) are
   * dropped, and an id none of whose references leads to it is skipped, as hat's server
   * query skips it.
   */
  async *events(): AsyncGenerator<HatStoredEvent> {
    for await (const [k, v] of this.source.entries('REF')) {
      const id = decodeEventId(k, 'REF key');
      let event: Event | null = null;
      let latest: number | null = null;
      const partitions: { partition: number; key: Timestamp }[] = [];
      for (const ref of decodeRefs(v)) {
        // A timeseries key names the event id: its data need not be decoded to check it.
        if (ref.kind === 'timeseries' && !eventIdEquals(ref.id, id)) continue;
        const bytes = await this.source.get(...refKey(ref));
        if (bytes === null) continue;
        if (event === null || ref.kind === 'latest') {
          const found = decodeEvent(bytes);
          if (!eventIdEquals(found.id, id)) continue;
          event ??= found;
        }
        if (ref.kind === 'latest') latest = ref.typeRef;
        else partitions.push({ partition: ref.partition, key: ref.timestamp });
      }
      if (event !== null) yield { event, latest, partitions };
      else this.unresolvedCount++;
    }
  }

  /**
   * References found so far by `events()` that led to no event with their id (hat's server
   * queries skip those too; many of them mean a damaged file).
   */
  get unresolved(): number {
    return this.unresolvedCount;
  }

  /** Pages read so far (a work count). */
  get pagesRead(): number {
    return this.source.pagesRead;
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function refKey(ref: HatEventRef): ['LATEST_DATA' | 'TIMESERIES_DATA', Uint8Array] {
  return ref.kind === 'latest'
    ? ['LATEST_DATA', encodeUint(ref.typeRef)]
    : ['TIMESERIES_DATA', encodeTimeseriesKey(ref.partition, ref.timestamp, ref.id)];
}

function partitionData(v: unknown): { orderBy: OrderBy; subscriptions: EventType[] } {
  const o = v as { order?: unknown; subscriptions?: unknown } | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    (o.order !== 'timestamp' && o.order !== 'sourceTimestamp') ||
    !Array.isArray(o.subscriptions)
  )
    throw new HatDatabaseError('invalid-value', 'partition: expected {order, subscriptions}');
  return {
    orderBy: o.order,
    subscriptions: o.subscriptions.map((t: unknown) =>
      asEventType(t as never, 'partition subscription'),
    ),
  };
}

/**
 * Opens the hat-event 0.9 database file at `path` (hat's `db_path`, a file) read-only.
 * `HatDatabaseError` for a missing, foreign, damaged or other-version file.
 */
export async function readHatDatabase(
  path: string,
  options: LmdbFileOptions = {},
): Promise<HatDatabase> {
  const file = await LmdbFile.open(path, options);
  try {
    return await HatDatabase.load(lmdbFileSource(file));
  } catch (e) {
    await file.close();
    throw e;
  }
}
