import { eventBefore, eventIdEquals, type Event, type EventType } from '../../event.js';
import type { OrderBy } from '../../query.js';
import { Subscription } from '../../subscription.js';
import type {
  HatLatestEntry,
  HatPartition,
  HatPlacement,
  HatServerState,
  HatStoredEvent,
} from './database.js';
import type { HatDatabaseContent } from './export.js';

/**
 * The parts of hat-event's LMDB backend configuration that decide where events are kept
 * (its YAML/JSON field names). `conditions` are not applied; limits are hat's business when
 * it opens the database (its cleanup runs then).
 */
export interface HatBackendConfig {
  readonly identifier?: string | null;
  readonly latest?: { readonly subscriptions: readonly EventType[] };
  readonly timeseries?: readonly {
    readonly order_by: 'TIMESTAMP' | 'SOURCE_TIMESTAMP';
    readonly subscriptions: readonly EventType[];
  }[];
}

/** hat-event's usual configuration: latest of everything, one timestamp partition of everything. */
export const HAT_DEFAULT_CONFIG: HatBackendConfig = {
  identifier: null,
  latest: { subscriptions: [['*']] },
  timeseries: [{ order_by: 'TIMESTAMP', subscriptions: [['*']] }],
};

/**
 * The partitions hat creates for `config` in a new database: ids 1.. in configuration order,
 * stored with the sorted merged query types (hat finds them again by exactly that).
 */
export function hatPartitions(config: HatBackendConfig): HatPartition[] {
  return (config.timeseries ?? []).map((p, i) => ({
    id: i + 1,
    orderBy: (p.order_by === 'TIMESTAMP' ? 'timestamp' : 'sourceTimestamp') as OrderBy,
    subscriptions: Subscription.of(p.subscriptions).queryTypes().sort(compareTypes),
    count: null,
  }));
}

/**
 * The database hat-event would hold had it registered `events` (ascending by id) under
 * `config`, without its cleanup: ready for `exportHatDump`. `events` is called three times
 * (latest first, then the export's two passes), so it may stream from a store.
 */
export async function hatContentFromEvents(
  events: () => AsyncIterable<Event> | Iterable<Event>,
  config: HatBackendConfig = HAT_DEFAULT_CONFIG,
  servers: readonly HatServerState[] = [],
): Promise<HatDatabaseContent> {
  const latestSubscription = Subscription.of(config.latest?.subscriptions ?? []);
  const partitions = hatPartitions(config).map((p, i) => ({
    ...p,
    match: Subscription.of(config.timeseries?.[i]?.subscriptions ?? []),
  }));
  // As hat's LatestDb: a type gets its ref when first seen, its entry follows the newest event.
  const latest = new Map<string, { typeRef: number; type: EventType; event: Event }>();
  for await (const e of events()) {
    if (!latestSubscription.matches(e.type)) continue;
    const key = JSON.stringify(e.type);
    const entry = latest.get(key);
    if (entry === undefined) latest.set(key, { typeRef: latest.size + 1, type: e.type, event: e });
    else if (!eventBefore(e, entry.event)) entry.event = e;
  }
  const entries: HatLatestEntry[] = [...latest.values()];
  const place = (e: Event): HatPlacement => {
    const entry = latest.get(JSON.stringify(e.type));
    const isLatest = entry !== undefined && eventIdEquals(entry.event.id, e.id);
    const parts: { partition: number; key: Event['timestamp'] }[] = [];
    for (const p of partitions) {
      if (!p.match.matches(e.type)) continue;
      const key = p.orderBy === 'timestamp' ? e.timestamp : e.sourceTimestamp;
      if (key !== null) parts.push({ partition: p.id, key });
    }
    return { latest: isLatest ? (entry?.typeRef ?? null) : null, partitions: parts };
  };
  return {
    identifier: config.identifier ?? null,
    servers,
    partitions: partitions.map(({ match: _, ...p }) => p),
    latest: entries,
    async *events(): AsyncGenerator<HatStoredEvent> {
      for await (const e of events()) yield { event: e, ...place(e) };
    },
  };
}

/** Python's order of tuples of strings (hat sorts the stored query types so). */
function compareTypes(a: EventType, b: EventType): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    // UTF-8 byte order is code point order, as Python compares str.
    const c = Buffer.compare(Buffer.from(a[i] as string), Buffer.from(b[i] as string));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
