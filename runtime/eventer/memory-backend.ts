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
import type {
  QueryLatestParams,
  QueryParams,
  QueryResult,
  QueryServerParams,
  QueryTimeseriesParams,
} from './query.js';
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
  /** True while registration order is also ascending `(timestamp, id)` (the clock never went back). */
  private timeOrdered = true;
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
    if (last !== undefined && compareTimestamps(timestamp, last.timestamp) < 0)
      this.timeOrdered = false;
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
      this.latest.set(typeKey(e.type), event);
    }
    // Loaded events of a higher server id sort after ours: keep the store ascending by id.
    if (last !== undefined && last.id.server > this.serverId) this.sortById();
    if (this.events.length > this.maxEvents * 2) this.trim();
    return out;
  }

  /**
   * Stores events registered elsewhere, as they are (an import, e.g. of hat-event's
   * database): ids, timestamps and payloads kept, any server id. Later registrations
   * continue after the highest session of `serverId` loaded. `EventerValueError` for an id
   * stored twice.
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
    this.sortById();
    for (const e of added) {
      if (e.id.server === this.serverId) this.session = Math.max(this.session, e.id.session);
      const key = typeKey(e.type);
      const prev = this.latest.get(key);
      if (prev === undefined || eventBefore(prev, e)) this.latest.set(key, e);
    }
    if (this.events.length > this.maxEvents * 2) this.trim();
  }

  private sortById(): void {
    this.events.sort((a, b) => compareEventIds(a.id, b.id));
    this.timeOrdered = this.events.every(
      (e, i) =>
        i === 0 || compareTimestamps((this.events[i - 1] as Event).timestamp, e.timestamp) <= 0,
    );
  }

  private trim(): void {
    const cut = this.events.length - this.maxEvents;
    const dropped = this.events.slice(0, cut);
    this.events = this.events.slice(cut); // not slice(-maxEvents): -0 would keep everything
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

  // hat's `max_results if max_results is not None and max_results < limit else limit`, which
  // also keeps a NaN from the API (not from the wire) from lifting the server's limit.
  private limit(maxResults: number | null): number {
    return maxResults !== null && maxResults < this.maxResults
      ? Math.max(0, maxResults)
      : this.maxResults;
  }

  private queryLatest(p: QueryLatestParams): QueryResult {
    const filter = typeFilter(p.eventTypes);
    const events: Event[] = [];
    for (const e of this.latest.values())
      if (filter === null || filter.matches(e.type)) events.push(e);
    return { events, moreFollows: false };
  }

  private queryTimeseries(p: QueryTimeseriesParams): QueryResult {
    const bySource = p.orderBy === 'sourceTimestamp';
    let stream: Event[];
    if (bySource) {
      stream = this.events.filter((e) => e.sourceTimestamp !== null);
      stream.sort(
        (a, b) =>
          compareTimestamps(a.sourceTimestamp as Timestamp, b.sourceTimestamp as Timestamp) ||
          compareEvents(a, b),
      );
    } else if (this.timeOrdered) {
      stream = this.events;
    } else {
      stream = [...this.events].sort(
        (a, b) => compareTimestamps(a.timestamp, b.timestamp) || compareEvents(a, b),
      );
    }
    const descending = p.order === 'descending';
    const n = stream.length;
    const at = (i: number): Event => stream[descending ? n - 1 - i : i] as Event;

    let start = 0;
    if (p.lastEventId !== null) {
      // hat: everything up to and including that event is skipped; an unknown id leaves nothing.
      const last = p.lastEventId;
      start = n;
      for (let i = 0; i < n; i++)
        if (eventIdEquals(at(i).id, last)) {
          start = i + 1;
          break;
        }
    }
    const filter = typeFilter(p.eventTypes);
    const max = this.limit(p.maxResults);
    const events: Event[] = [];
    for (let i = start; i < n; i++) {
      const e = at(i);
      if (filter !== null && !filter.matches(e.type)) continue;
      if (!inRange(e.timestamp, p.tFrom, p.tTo)) continue;
      if (
        (p.sourceTFrom !== null || p.sourceTTo !== null) &&
        (e.sourceTimestamp === null || !inRange(e.sourceTimestamp, p.sourceTFrom, p.sourceTTo))
      )
        continue;
      if (events.length >= max) return { events, moreFollows: true };
      events.push(e);
    }
    return { events, moreFollows: false };
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
    const max = this.limit(p.maxResults);
    const end = Math.min(stop, start + max);
    return { events: this.events.slice(start, end), moreFollows: end < stop };
  }
}

function count(name: string, n: number): number {
  // NaN would disable every limit check (comparisons with it are false).
  if (n !== Infinity) checkOption(name, n, 0, true, Infinity, EventerValueError);
  return n;
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
