import { checkOption } from '../options.js';
import { EventerValueError } from './errors.js';
import {
  compareEventIds,
  compareEvents,
  eventBefore,
  eventIdEquals,
  type Event,
  type EventId,
  type EventType,
  type RegisterEvent,
} from './event.js';
import {
  resultLimit,
  type QueryLatestParams,
  type QueryParams,
  type QueryResult,
  type QueryServerParams,
  type QueryTimeseriesParams,
} from './query.js';
import { SortedList, type SortedListPosition } from './sorted-list.js';
import { Subscription } from './subscription.js';
import { compareTimestamps, now, type Timestamp } from './timestamp.js';

export interface MemoryBackendOptions {
  /** `id.server` of registered events. Default 1. */
  readonly serverId?: number;
  /** Server-side cap on `maxResults` (hat's lmdb default is 4096). */
  readonly maxResults?: number;
  /** Keep at most this many events (oldest dropped first); default unlimited. */
  readonly maxEvents?: number;
  /** Clock for event timestamps (tests), called once per session after `lastSession` moved on; default `now`. */
  readonly clock?: () => Timestamp;
}

/**
 * An in-memory event store with hat-event's register and query semantics: each non-empty
 * register call is a new session whose events get instances 1..n and one timestamp; queries
 * follow hat-event's eventer docs (latest, timeseries, server; `maxResults`, `lastEventId`,
 * `moreFollows`).
 */
export class MemoryBackend {
  readonly serverId: number;
  private readonly maxResults: number;
  private readonly maxEvents: number;
  private readonly clock: () => Timestamp;
  private session = 0;
  /** Registration order, which is ascending event id. */
  private events: Event[] = [];
  /** The timeseries streams: by `(timestamp, id)`, and by `(sourceTimestamp, id)` of events having one. */
  private readonly byTime = new SortedList<Event>(byTimestamp);
  private readonly bySource = new SortedList<Event>(bySourceTimestamp);
  /** Latest event per type, in the order types first appeared (like lmdb's type refs). */
  private readonly latest = new Map<string, Event>();

  /** `EventerValueError` for a `maxResults` or `maxEvents` that is not a count. */
  constructor(options: MemoryBackendOptions = {}) {
    this.serverId = options.serverId ?? 1;
    this.maxResults = count('maxResults', options.maxResults ?? 4096);
    this.maxEvents = count('maxEvents', options.maxEvents ?? Infinity);
    this.clock = options.clock ?? now;
  }

  /** Number of stored events. */
  get size(): number {
    return this.events.length;
  }

  /** Last session id used (0 before the first registration). */
  get lastSession(): number {
    return this.session;
  }

  /** Registers events as one session; an empty list uses no session and returns `[]`. */
  register(events: readonly RegisterEvent[]): Event[] {
    if (events.length === 0) return [];
    const session = ++this.session;
    const timestamp = this.clock();
    const last = this.events[this.events.length - 1];
    const out: Event[] = new Array<Event>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RegisterEvent;
      const event: Event = {
        id: { server: this.serverId, session, instance: i + 1 },
        type: e.type,
        timestamp,
        sourceTimestamp: e.sourceTimestamp ?? null,
        payload: e.payload ?? null,
      };
      out[i] = event;
      this.events.push(event);
      this.byTime.insert(event);
      if (event.sourceTimestamp !== null) this.bySource.insert(event);
      this.latest.set(typeKey(e.type), event);
    }
    // Loaded events of a higher server id sort after ours: keep the store ascending by id.
    if (last !== undefined && last.id.server > this.serverId)
      this.events.sort((a, b) => compareEventIds(a.id, b.id));
    if (this.events.length > this.maxEvents * 2) this.trim();
    return out;
  }

  /**
   * Stores events registered elsewhere, as they are (an import, e.g. of hat-event's
   * database): ids, timestamps and payloads kept, any server id. Later registrations
   * continue after the highest session of `serverId` loaded. `EventerValueError` for an id
   * stored twice (nothing is stored then).
   */
  load(events: Iterable<Event>): void {
    const added = [...events];
    if (added.length === 0) return;
    const all = [...this.events, ...added].sort((a, b) => compareEventIds(a.id, b.id));
    for (let i = 1; i < all.length; i++) {
      const id = (all[i] as Event).id;
      if (eventIdEquals((all[i - 1] as Event).id, id))
        throw new EventerValueError(
          `event id ${id.server}.${id.session}.${id.instance} loaded twice`,
        );
    }
    this.events = all;
    this.rebuildIndexes();
    for (const e of added) {
      if (e.id.server === this.serverId) this.session = Math.max(this.session, e.id.session);
      const key = typeKey(e.type);
      const prev = this.latest.get(key);
      if (prev === undefined || eventBefore(prev, e)) this.latest.set(key, e);
    }
    if (this.events.length > this.maxEvents * 2) this.trim();
  }

  private rebuildIndexes(): void {
    this.byTime.reset([...this.events].sort(byTimestamp));
    this.bySource.reset(
      this.events.filter((e) => e.sourceTimestamp !== null).sort(bySourceTimestamp),
    );
  }

  private trim(): void {
    const cut = this.events.length - this.maxEvents;
    const dropped = this.events.slice(0, cut);
    this.events = this.events.slice(cut); // not slice(-maxEvents): -0 would keep everything
    // Rebuilt rather than deleted from one by one: a trim drops maxEvents at once.
    this.rebuildIndexes();
    for (const e of dropped) {
      const key = typeKey(e.type);
      if (this.latest.get(key) === e) this.latest.delete(key);
    }
  }

  /** Throws `Error('invalid server id')` for a server query whose `lastEventId` names another server (as hat's lmdb backend). */
  query(params: QueryParams): QueryResult {
    switch (params.type) {
      case 'latest':
        return this.queryLatest(params);
      case 'timeseries':
        return this.queryTimeseries(params);
      case 'server':
        return this.queryServer(params);
    }
  }

  private queryLatest(p: QueryLatestParams): QueryResult {
    const filter = typeFilter(p.eventTypes);
    const events: Event[] = [];
    for (const e of this.latest.values())
      if (filter === null || filter.matches(e.type)) events.push(e);
    return { events, moreFollows: false };
  }

  /**
   * Seeks the ordered stream to the bound of its key (and past `lastEventId`), then reads one
   * page; the other bounds and the types filter what it reads.
   */
  private queryTimeseries(p: QueryTimeseriesParams): QueryResult {
    const bySource = p.orderBy === 'sourceTimestamp';
    const stream = bySource ? this.bySource : this.byTime;
    const cmp = bySource ? bySourceTimestamp : byTimestamp;
    const keyOf = bySource
      ? (e: Event): Timestamp => e.sourceTimestamp as Timestamp
      : (e: Event): Timestamp => e.timestamp;
    const from = bySource ? p.sourceTFrom : p.tFrom;
    const to = bySource ? p.sourceTTo : p.tTo;
    const descending = p.order === 'descending';
    let start: SortedListPosition;
    if (descending) start = stream.seek((e) => to === null || compareTimestamps(keyOf(e), to) <= 0);
    else start = stream.seek((e) => from !== null && compareTimestamps(keyOf(e), from) < 0);
    if (p.lastEventId !== null) {
      // hat: everything up to and including that event is skipped; an unknown id (or one not
      // in this stream) leaves nothing.
      const last = this.byId(p.lastEventId);
      if (last === null || (bySource && last.sourceTimestamp === null))
        return { events: [], moreFollows: false };
      const at = descending
        ? stream.seek((e) => cmp(e, last) < 0)
        : stream.seek((e) => cmp(e, last) <= 0);
      if (descending ? before(at, start) : before(start, at)) start = at;
    }
    const filter = typeFilter(p.eventTypes);
    const max = resultLimit(p.maxResults, this.maxResults);
    const events: Event[] = [];
    const otherFrom = bySource ? p.tFrom : p.sourceTFrom;
    const otherTo = bySource ? p.tTo : p.sourceTTo;
    const otherOf = bySource ? (e: Event) => e.timestamp : (e: Event) => e.sourceTimestamp;
    const stop = descending ? from : to;
    for (const e of descending ? stream.backward(start) : stream.forward(start)) {
      if (stop !== null) {
        const c = compareTimestamps(keyOf(e), stop);
        if (descending ? c < 0 : c > 0) break;
      }
      if (filter !== null && !filter.matches(e.type)) continue;
      if (otherFrom !== null || otherTo !== null) {
        const t = otherOf(e);
        if (t === null || !inRange(t, otherFrom, otherTo)) continue;
      }
      if (events.length >= max) return { events, moreFollows: true };
      events.push(e);
    }
    return { events, moreFollows: false };
  }

  /** The stored event with this id, or null. */
  private byId(id: EventId): Event | null {
    const i = firstAfter(this.events, id) - 1;
    const e = this.events[i];
    return e !== undefined && eventIdEquals(e.id, id) ? e : null;
  }

  private queryServer(p: QueryServerParams): QueryResult {
    if (p.lastEventId !== null && p.lastEventId.server !== p.serverId)
      throw new Error('invalid server id');
    // The store may hold loaded events of other servers: this server's are one id range.
    const start = firstAfter(
      this.events,
      p.lastEventId ?? { server: p.serverId, session: 0, instance: 0 },
    );
    const stop = firstAfter(this.events, { server: p.serverId, session: Infinity, instance: 0 });
    const max = resultLimit(p.maxResults, this.maxResults);
    const end = Math.min(stop, start + max);
    return { events: this.events.slice(start, end), moreFollows: end < stop };
  }
}

function count(name: string, n: number): number {
  // NaN would disable every limit check (comparisons with it are false).
  if (n !== Infinity) checkOption(name, n, 0, true, Infinity, EventerValueError);
  return n;
}

function byTimestamp(a: Event, b: Event): number {
  return compareTimestamps(a.timestamp, b.timestamp) || compareEvents(a, b);
}

function bySourceTimestamp(a: Event, b: Event): number {
  return (
    compareTimestamps(a.sourceTimestamp as Timestamp, b.sourceTimestamp as Timestamp) ||
    compareEvents(a, b)
  );
}

function before(a: SortedListPosition, b: SortedListPosition): boolean {
  return a.chunk < b.chunk || (a.chunk === b.chunk && a.index < b.index);
}

function typeKey(type: EventType): string {
  // A separator that cannot appear unescaped in JSON strings keeps distinct types distinct.
  return JSON.stringify(type);
}

function typeFilter(types: readonly EventType[] | null): Subscription | null {
  if (types === null) return null;
  const s = Subscription.of(types);
  return s.matchesAll ? null : s;
}

function inRange(t: Timestamp, from: Timestamp | null, to: Timestamp | null): boolean {
  return (
    (from === null || compareTimestamps(t, from) >= 0) &&
    (to === null || compareTimestamps(t, to) <= 0)
  );
}

/** Index of the first event with an id greater than `id` (events ascending by id). */
function firstAfter(events: readonly Event[], id: EventId): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEventIds((events[mid] as Event).id, id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
