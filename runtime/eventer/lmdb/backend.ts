// hat-event's LMDB storage model (latest, timeseries partitions, references by id, last ids
// per server) on the `lmdb` package, with one difference: by default `register` resolves only
// after its events are committed, and registrations queued meanwhile share the next commit.
import { open, type Database, type RootDatabase } from 'lmdb';
import * as HatEventer from '../gen/HatEventer.js';
import { noopLogger, type Logger } from '../../chatter/index.js';
import type { EventerBackend } from '../backend.js';
import { eventFromSbs, eventToSbs } from '../convert.js';
import {
  compareEventIds,
  eventBefore,
  eventIdEquals,
  type Event,
  type EventId,
  type EventType,
  type RegisterEvent,
} from '../event.js';
import {
  resultLimit,
  type QueryLatestParams,
  type QueryParams,
  type QueryResult,
  type QueryServerParams,
  type QueryTimeseriesParams,
} from '../query.js';
import { Subscription } from '../subscription.js';
import {
  addSeconds,
  compareTimestamps,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  now,
  type Timestamp,
} from '../timestamp.js';
import {
  DEFAULT_CONFIG,
  partitionIdentity,
  type LmdbConfig,
  type PartitionConfig,
} from './config.js';
import { decodeWide } from '../wide-integers.js';
import { LmdbBackendError } from './errors.js';
import { checkDbFile } from './header.js';
import {
  entryEventId,
  entryKey,
  entryLowerBound,
  entryUpperBound,
  EVENT_ID_SIZE,
  eventIdKey,
  latestKey,
  readEventId,
  readServerKey,
  readTimestamp,
  seekEventIdKey,
  serverKey,
  TIMESTAMP_SIZE,
  typeKey,
  writeEventId,
  writeTimestamp,
} from './keys.js';
import { decodeRef, encodeRef, type EventRef } from './ref-value.js';

/** Marks a database as ours; another value (or none, in a non-empty file) is refused. */
const FORMAT = 'hat-open-ts eventer lmdb 1';
const KEY_FORMAT = Buffer.from([1]);
const PREFIX_LAST = 2;
const PREFIX_PARTITION = 3;
/** Entries removed per cleanup transaction (hat's `cleanup_max_results`); more go next turn. */
const CLEANUP_BATCH = 1024;
/** Events per transaction when importing. */
const IMPORT_BATCH = 10_000;

export interface LmdbBackendOptions {
  /** The data file (its lock file is `<path>-lock`). */
  readonly path: string;
  /** `id.server` of registered events. Default 1. */
  readonly serverId?: number;
  readonly config?: LmdbConfig;
  /** Clock for event timestamps (tests). */
  readonly clock?: () => Timestamp;
  readonly logger?: Logger;
}

/** The last id and timestamp a server registered, kept so its sessions are never reused. */
export interface LastId {
  readonly serverId: number;
  readonly eventId: EventId;
  readonly timestamp: Timestamp;
}

interface Partition {
  readonly id: number;
  readonly orderBy: PartitionConfig['orderBy'];
  readonly subscription: Subscription;
  readonly config: PartitionConfig | null;
  readonly db: Database<Buffer, Buffer>;
  /** Entries, committed or queued. */
  count: number;
}

interface LatestEntry {
  readonly event: Event;
  /** Its encoding when registered here (null: loaded), what the batch's latest write puts. */
  readonly bytes: Buffer | null;
  /** Its reference points at the latest table (no partition holds it). */
  latestOnly: boolean;
}

type Db = Database<Buffer, Buffer>;

interface Route {
  readonly partitions: readonly Partition[];
  /** The latest table takes this type. */
  readonly latest: boolean;
  latestKey: Buffer | null;
}

/** What `store` queued: the commit to wait for, and the latest events it replaced, by type. */
interface Stored {
  readonly written: Promise<unknown>;
  readonly latest: ReadonlyMap<string, Event>;
}

function encodeEvent(e: Event): Buffer {
  const bytes = HatEventer.Event.encode(eventToSbs(e));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeEvent(bytes: Uint8Array): Event {
  // Timestamps at hat's extremes (seconds beyond ±(2^53-1)) are stored as they came.
  return eventFromSbs(decodeWide(HatEventer.Event, bytes));
}

function idString(id: EventId): string {
  return `${id.server}/${id.session}/${id.instance}`;
}

/** The last-id key of each server seen: built once, as every registration writes it. */
const lastKeys = new Map<number, Buffer>();

function lastKey(server: number): Buffer {
  let key = lastKeys.get(server);
  if (key === undefined) {
    key = Buffer.concat([Buffer.from([PREFIX_LAST]), serverKey(server)]);
    if (lastKeys.size >= 1024) lastKeys.clear();
    lastKeys.set(server, key);
  }
  return key;
}

function encodeLast(id: EventId, t: Timestamp): Buffer {
  const buf = Buffer.allocUnsafe(EVENT_ID_SIZE + TIMESTAMP_SIZE);
  writeEventId(buf, 0, id);
  writeTimestamp(buf, EVENT_ID_SIZE, t);
  return buf;
}

function isOurDbName(name: string): boolean {
  return name === 'system' || name === 'latest' || name === 'ref' || /^ts-\d+$/.test(name);
}

/**
 * An event store in one LMDB file. `LmdbBackend.open` checks the file's header first and
 * refuses (`LmdbBackendError` `ERR_LMDB_FORMAT`) anything that is not a database of ours.
 */
export class LmdbBackend implements EventerBackend, AsyncDisposable {
  readonly serverId: number;
  readonly config: LmdbConfig;
  private readonly clock: () => Timestamp;
  private readonly logger: Logger;
  private readonly latestSubscription: Subscription;
  /** Latest events as queries see them (committed, or registered in flush-period mode). */
  private readonly latest = new Map<string, Event>();
  /** Latest events including queued writes: what the next write replaces. */
  private readonly latestWrite = new Map<string, LatestEntry>();
  private readonly lastIdMap = new Map<number, LastId>();
  private readonly routes = new Map<string, Route>();
  /** Writes of which only the last per id counts, put when lmdb closes the turn's batch. */
  private lastQueue = new Map<string, [Db, Buffer, Buffer]>();
  /** The commit promise of the write batch lmdb is collecting this turn (null: none open). */
  private batch: Promise<unknown> | null = null;
  /** The last write queued; resolves when it is committed. */
  private pending: Promise<unknown> = Promise.resolve();
  private cleanupTimer: NodeJS.Timeout | null = null;
  /** Flush-period mode: registered events not yet written, and who waits for their flush. */
  private unflushed: Event[] = [];
  /** Events of the flush under way: queries still take them from memory until it committed. */
  private flushing: Event[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private nextFlush: { readonly promise: Promise<void>; readonly resolve: () => void } | null =
    null;
  private cleaning: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly env: RootDatabase<Buffer, Buffer>,
    private readonly system: Db,
    private readonly latestDb: Db,
    private readonly refDb: Db,
    /** Configured partitions, in query order. */
    private readonly partitions: readonly Partition[],
    /** Every partition on disk, configured or left from an earlier config. */
    private readonly allPartitions: ReadonlyMap<number, Partition>,
    options: LmdbBackendOptions,
    config: LmdbConfig,
  ) {
    this.serverId = options.serverId ?? 1;
    this.config = config;
    this.clock = options.clock ?? now;
    this.logger = options.logger ?? noopLogger;
    this.latestSubscription = Subscription.of(config.latest);
    env.on('beforecommit', () => this.endBatch());
  }

  /** Opens (or creates) the database at `options.path`. */
  static async open(options: LmdbBackendOptions): Promise<LmdbBackend> {
    const config = options.config ?? DEFAULT_CONFIG;
    const serverId = options.serverId ?? 1;
    if (!Number.isSafeInteger(serverId) || serverId < 0)
      throw new LmdbBackendError('ERR_LMDB_VALUE', `invalid server id ${serverId}`);
    checkDbFile(options.path);
    const env = open<Buffer, Buffer>({
      path: options.path,
      noSubdir: true,
      maxDbs: 1100,
      encoding: 'binary',
      keyEncoding: 'binary',
      compression: false,
      cache: false,
      // Maps the file in chunks of 16 pages that it can unmap, keeping up to 8191 chunks
      // mapped (liblmdb's MDB_ERPAGE_SIZE / 2) before it unmaps the unused ones: the database
      // pages in RSS are bounded by 16 * 8191 * pageSize, not by the file size.
      remapChunks: true,
      // 1 KiB pages bound them to 128 MiB (512 MiB at 4 KiB), which writes scattered all over
      // a tree (sourceTimestamps out of order) reach: 125 MB instead of 375 MB at 1M events.
      // Measured at 1M: time-ordered writes cost the same CPU, scattered ones up to 1.8x (more
      // chunks to map); queries the same. New databases only: a file keeps its page size.
      pageSize: 1024,
    });
    try {
      const names: string[] = [];
      for (const key of env.getKeys())
        names.push(Buffer.from(key).toString('latin1').replace(/\0+$/, ''));
      if (names.length > 0 && (!names.includes('system') || !names.every(isOurDbName)))
        throw new LmdbBackendError(
          'ERR_LMDB_FORMAT',
          `${options.path}: is an LMDB database of another program (tables ${names.slice(0, 5).join(', ')})`,
        );
      const db = (name: string): Db =>
        env.openDB<Buffer, Buffer>({
          name,
          encoding: 'binary',
          keyEncoding: 'binary',
          cache: false,
        });
      const system = db('system');
      const format = system.get(KEY_FORMAT);
      if (names.length > 0 && (format === undefined || Buffer.from(format).toString() !== FORMAT))
        throw new LmdbBackendError(
          'ERR_LMDB_FORMAT',
          `${options.path}: is an LMDB database of another program or version (format ${format === undefined ? 'unmarked' : JSON.stringify(Buffer.from(format).toString())})`,
        );
      const all = new Map<number, Partition>();
      const byIdentity = new Map<string, number>();
      for (const { key, value } of system.getRange({
        start: Buffer.from([PREFIX_PARTITION]),
        end: Buffer.from([PREFIX_PARTITION + 1]),
      })) {
        const id = Buffer.from(key).readUInt16BE(1);
        const identity = Buffer.from(value).toString();
        const desc = JSON.parse(identity) as {
          orderBy: PartitionConfig['orderBy'];
          subscriptions: EventType[];
        };
        byIdentity.set(identity, id);
        const pdb = db(`ts-${id}`);
        all.set(id, {
          id,
          orderBy: desc.orderBy,
          subscription: Subscription.of(desc.subscriptions),
          config: null,
          db: pdb,
          count: (pdb.getStats() as { entryCount: number }).entryCount,
        });
      }
      const configured: Partition[] = [];
      const writes: [Buffer, Buffer][] = [];
      if (format === undefined) writes.push([KEY_FORMAT, Buffer.from(FORMAT)]);
      for (const p of config.timeseries) {
        const identity = partitionIdentity(p);
        let id = byIdentity.get(identity);
        if (id === undefined) {
          id = Math.max(0, ...all.keys()) + 1;
          if (id > 0xffff)
            throw new LmdbBackendError('ERR_LMDB_VALUE', 'too many timeseries partitions');
          byIdentity.set(identity, id);
          writes.push([Buffer.from([PREFIX_PARTITION, id >> 8, id & 0xff]), Buffer.from(identity)]);
          all.set(id, {
            id,
            orderBy: p.orderBy,
            subscription: Subscription.of(p.subscriptions),
            config: null,
            db: db(`ts-${id}`),
            count: 0,
          });
        }
        const known = all.get(id) as Partition;
        const part: Partition = { ...known, config: p };
        all.set(id, part);
        configured.push(part);
      }
      const latestDb = db('latest');
      const refDb = db('ref');
      if (writes.length > 0)
        await env.transaction(() => {
          for (const [k, v] of writes) system.putSync(k, v);
        });
      const backend = new LmdbBackend(
        env,
        system,
        latestDb,
        refDb,
        configured,
        all,
        options,
        config,
      );
      backend.load();
      backend.scheduleCleanup();
      return backend;
    } catch (e) {
      await env.close();
      throw e;
    }
  }

  private load(): void {
    for (const { key, value } of this.system.getRange({
      start: Buffer.from([PREFIX_LAST]),
      end: Buffer.from([PREFIX_LAST + 1]),
    })) {
      const serverId = readServerKey(Buffer.from(key).subarray(1));
      this.lastIdMap.set(serverId, {
        serverId,
        eventId: readEventId(value, 0),
        timestamp: readTimestamp(value, EVENT_ID_SIZE),
      });
    }
    for (const { value } of this.latestDb.getRange()) {
      const event = decodeEvent(value);
      if (!this.latestSubscription.matches(event.type)) continue;
      const key = typeKey(event.type);
      this.latest.set(key, event);
      const ref = this.refDb.get(eventIdKey(event.id));
      const latestOnly = ref !== undefined && decodeRef(ref).latestKey !== null;
      this.latestWrite.set(key, { event, bytes: null, latestOnly });
    }
  }

  /** Last id and timestamp of every server that registered here (or was imported). */
  lastIds(): LastId[] {
    return [...this.lastIdMap.values()];
  }

  /** Last session used by this server (0 before the first registration). */
  get lastSession(): number {
    return this.lastIdMap.get(this.serverId)?.eventId.session ?? 0;
  }

  private check(): void {
    if (this.closing !== null) throw new LmdbBackendError('ERR_LMDB_CLOSED', 'backend is closed');
  }

  /**
   * Queues a write on lmdb's write thread. lmdb collects the writes of one event turn into one
   * batch, which its write thread runs in one transaction (a failure aborts all of it, so a
   * registration, written in one turn, is stored whole or not at all), committed with whatever
   * else queued meanwhile: the group commit. The promise resolves once that transaction is
   * committed and synced to disk (with `overlappingSync` the next one runs during the sync).
   */
  private put(db: Db, key: Buffer, value: Buffer): Promise<unknown> {
    return this.track(db.put(key, value));
  }

  private remove(db: Db, key: Buffer): Promise<unknown> {
    return this.track(db.remove(key));
  }

  /**
   * The writes of a batch share one commit promise (lmdb returns the same object for them);
   * the ones not awaited must not count as unhandled if the commit fails, nor must lmdb's
   * `commitError` (the cause, logged here; the registrations get the commit's error).
   */
  private track(p: Promise<unknown>): Promise<unknown> {
    if (p !== this.batch) {
      this.batch = p;
      p.catch((e: unknown) => {
        const cause = (e as { commitError?: unknown } | null)?.commitError;
        if (cause instanceof Promise)
          cause.catch((error: unknown) =>
            this.logger.error('eventer lmdb: commit failed', { error }),
          );
      });
    }
    return p;
  }

  /**
   * Queues a write of which only the last value per `id` in a batch matters (latest event of
   * a type, last id of a server): written once per batch, not per registration, at its end
   * (`beforecommit`). The first write of a batch goes at once, so that the batch exists.
   */
  private putLast(db: Db, id: string, key: Buffer, value: Buffer): Promise<unknown> {
    this.lastQueue.set(`${db === this.system ? 's' : 'l'} ${id}`, [db, key, value]);
    return this.batch ?? this.put(db, key, value);
  }

  /** lmdb's `beforecommit`: the batch of this turn is about to close. */
  private endBatch(): void {
    if (this.lastQueue.size > 0) {
      const q = this.lastQueue;
      this.lastQueue = new Map();
      for (const [db, key, value] of q.values()) this.track(db.put(key, value));
    }
    this.batch = null;
  }

  /** Where events of a type go, matched once per type (the subscriptions are not cheap). */
  private routeOf(type: EventType, key: string): Route {
    let r = this.routes.get(key);
    if (r === undefined) {
      r = {
        partitions: this.partitions.filter((p) => p.subscription.matches(type)),
        latest: this.latestSubscription.matches(type),
        latestKey: null,
      };
      if (this.routes.size >= 100_000) this.routes.clear();
      this.routes.set(key, r);
    }
    return r;
  }

  private latestKeyOf(type: EventType, key: string): Buffer {
    const r = this.routeOf(type, key);
    return (r.latestKey ??= latestKey(type));
  }

  /**
   * Queues the writes storing `events` (partitions, latest, references); everything queued in
   * one turn is committed in one transaction.
   */
  private store(events: readonly Event[], visibleNow: boolean): Stored {
    // Per type, only the newest of the batch is written to the latest table.
    const latestPuts = new Map<string, Event>();
    let last: Promise<unknown> | null = null;
    // Everything that can throw (a value the keys or SBS cannot hold) before anything is
    // queued or changed: a registration is stored whole or not at all.
    const prepared = events.map((e) => {
      const tk = typeKey(e.type);
      const route = this.routeOf(e.type, tk);
      const entries: [Partition, Buffer][] = [];
      for (const p of route.partitions) {
        const t = p.orderBy === 'timestamp' ? e.timestamp : e.sourceTimestamp;
        if (t !== null) entries.push([p, entryKey(t, e.id)]);
      }
      const ref = encodeRef({
        partitions: entries.map(([p]) => p.id),
        timestamp: e.timestamp,
        sourceTimestamp: e.sourceTimestamp,
        latestKey: null,
      });
      return { e, tk, route, bytes: encodeEvent(e), entries, idKey: eventIdKey(e.id), ref };
    });
    for (const { e, tk, route, bytes, entries, idKey, ref } of prepared) {
      for (const [p, key] of entries) {
        last = this.put(p.db, key, bytes);
        p.count++;
      }
      let inLatest = false;
      if (route.latest) {
        const prev = this.latestWrite.get(tk);
        if (prev === undefined || !eventBefore(e, prev.event)) {
          inLatest = true;
          if (prev?.latestOnly === true) last = this.remove(this.refDb, eventIdKey(prev.event.id));
          latestPuts.set(tk, e);
          this.latestWrite.set(tk, { event: e, bytes, latestOnly: entries.length === 0 });
          if (visibleNow) this.latest.set(tk, e);
        }
      }
      if (entries.length > 0) last = this.put(this.refDb, idKey, ref);
      else if (inLatest)
        last = this.put(
          this.refDb,
          idKey,
          encodeRef({
            partitions: [],
            timestamp: e.timestamp,
            sourceTimestamp: e.sourceTimestamp,
            latestKey: this.latestKeyOf(e.type, tk),
          }),
        );
    }
    for (const [tk, e] of latestPuts)
      last = this.putLast(
        this.latestDb,
        tk,
        this.latestKeyOf(e.type, tk),
        (this.latestWrite.get(tk) as LatestEntry).bytes as Buffer,
      );
    return { written: last ?? Promise.resolve(), latest: latestPuts };
  }

  private setLastId(id: EventId, timestamp: Timestamp): Promise<unknown> {
    const prev = this.lastIdMap.get(id.server);
    if (prev !== undefined && compareEventIds(prev.eventId, id) >= 0) return Promise.resolve();
    const key = lastKey(id.server);
    const value = encodeLast(id, timestamp); // throws on values the store cannot hold
    this.lastIdMap.set(id.server, { serverId: id.server, eventId: id, timestamp });
    return this.putLast(this.system, `last ${id.server}`, key, value);
  }

  /**
   * Registers events as one session of `serverId`. Ids and timestamp are assigned at the call
   * (in call order); by default resolves once the events are committed to disk, with a
   * flush period at once. The timestamp never goes back from the server's last one (after a
   * clock step back, events keep the last timestamp), so time order and id order agree.
   */
  register(events: readonly RegisterEvent[]): Promise<Event[]> {
    try {
      return this.registerNow(events);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private registerNow(events: readonly RegisterEvent[]): Promise<Event[]> {
    this.check();
    if (events.length === 0) return Promise.resolve([]);
    const last = this.lastIdMap.get(this.serverId);
    const session = (last?.eventId.session ?? 0) + 1;
    let timestamp = this.clock();
    if (last !== undefined && compareTimestamps(timestamp, last.timestamp) < 0)
      timestamp = last.timestamp;
    const out: Event[] = new Array<Event>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RegisterEvent;
      out[i] = {
        id: { server: this.serverId, session, instance: i + 1 },
        type: e.type,
        timestamp,
        sourceTimestamp: e.sourceTimestamp ?? null,
        payload: e.payload ?? null,
      };
    }
    if (this.config.flushPeriod !== null) {
      // hat-event's behaviour: kept in memory (latest answers at once) until the next flush.
      // Checked now, so that a value the store cannot hold fails this call, not the flush.
      for (const e of out)
        encodeRef({
          partitions: [],
          timestamp,
          sourceTimestamp: e.sourceTimestamp,
          latestKey: null,
        });
      this.unflushed.push(...out);
      for (const e of out) this.showLatestNow(e);
      this.lastIdMap.set(this.serverId, {
        serverId: this.serverId,
        eventId: (out[out.length - 1] as Event).id,
        timestamp,
      });
      this.scheduleFlush();
      return Promise.resolve(out);
    }
    const { latest } = this.store(out, false);
    const written = this.setLastId((out[out.length - 1] as Event).id, timestamp);
    const committed = written.then(() => {
      for (const [tk, e] of latest) this.showLatest(tk, e);
    });
    this.pending = committed;
    return committed.then(() => out);
  }

  private showLatestNow(e: Event): void {
    if (!this.latestSubscription.matches(e.type)) return;
    const tk = typeKey(e.type);
    const prev = this.latest.get(tk);
    if (prev === undefined || !eventBefore(e, prev)) this.latest.set(tk, e);
  }

  private scheduleFlush(): void {
    if (this.nextFlush === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.nextFlush = { promise, resolve };
    }
    if (this.flushTimer !== null || this.config.flushPeriod === null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, this.config.flushPeriod * 1000);
  }

  /** Writes what registrations kept in memory (flush-period mode) in one transaction. */
  private flush(): Promise<void> {
    const batch = this.unflushed;
    const waiting = this.nextFlush;
    this.nextFlush = null;
    // A failed commit has told its registrations; what waits here only waits for the turn.
    if (batch.length === 0)
      return this.pending.then(
        () => waiting?.resolve(),
        () => waiting?.resolve(),
      );
    this.unflushed = [];
    this.flushing = batch;
    this.store(batch, true);
    const last = this.lastIdMap.get(this.serverId) as LastId;
    // Through the batch's last-id slot, so that no other write of this server's last id
    // queued in the same batch (an import's) lands after it.
    const written = this.putLast(
      this.system,
      `last ${this.serverId}`,
      lastKey(this.serverId),
      encodeLast(last.eventId, last.timestamp),
    );
    const done = written
      .then(
        () => {},
        (e: unknown) => this.logger.error('eventer lmdb: flush failed', { error: e }),
      )
      .finally(() => {
        if (this.flushing === batch) this.flushing = [];
        waiting?.resolve();
      });
    this.pending = done;
    return done;
  }

  /** A committed latest event becomes visible, unless a newer one replaced it meanwhile. */
  private showLatest(tk: string, e: Event): void {
    if (this.latestWrite.get(tk)?.event === e) this.latest.set(tk, e);
  }

  /** Resolves once everything registered so far is committed (at the next flush, with a period). */
  async flushed(): Promise<void> {
    if (this.nextFlush !== null) await this.nextFlush.promise;
    else await this.pending;
  }

  query(params: QueryParams): QueryResult {
    this.check();
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
    const types = p.eventTypes;
    if (types === null) return { events: [...this.latest.values()], moreFollows: false };
    const wildcard = types.some((t) => t.includes('*') || t.includes('?'));
    if (!wildcard && types.length < this.latest.size) {
      // O(types asked): one lookup each.
      const seen = new Set<string>();
      const events: Event[] = [];
      for (const t of types) {
        const k = typeKey(t);
        if (seen.has(k)) continue;
        seen.add(k);
        const e = this.latest.get(k);
        if (e !== undefined) events.push(e);
      }
      return { events, moreFollows: false };
    }
    const s = Subscription.of(types);
    const events: Event[] = [];
    for (const e of this.latest.values()) if (s.matchesAll || s.matches(e.type)) events.push(e);
    return { events, moreFollows: false };
  }

  private queryTimeseries(p: QueryTimeseriesParams): QueryResult {
    const filter = p.eventTypes === null ? null : Subscription.of(p.eventTypes);
    const partition = this.partitions.find(
      (x) => x.orderBy === p.orderBy && (filter === null || !filter.isDisjoint(x.subscription)),
    );
    if (partition === undefined) return { events: [], moreFollows: false };
    const bySource = p.orderBy === 'sourceTimestamp';
    const keyOf = (e: Event): Timestamp | null => (bySource ? e.sourceTimestamp : e.timestamp);
    // A client's bound may lie beyond what a key holds (2^63 s): no bound at all, then.
    const from = clampTimestamp((bySource ? p.sourceTFrom : p.tFrom) ?? MIN_TIMESTAMP);
    const to = clampTimestamp((bySource ? p.sourceTTo : p.tTo) ?? MAX_TIMESTAMP);
    const descending = p.order === 'descending';
    // Flush-period mode: registered events not yet on disk take part, as in hat-event.
    const pending = this.pendingIn(partition, keyOf);
    let lo: Buffer = entryLowerBound(from);
    let hi: Buffer = entryUpperBound(to);
    if (p.lastEventId !== null) {
      // hat drops everything up to that event on the partition's stream within the bounds;
      // found by its reference, so paging seeks instead of walking from the bound.
      const last = p.lastEventId;
      let t: Timestamp | null = null;
      const ref = this.refDb.get(seekEventIdKey(last));
      if (ref !== undefined) {
        const r = decodeRef(ref);
        if (r.partitions.includes(partition.id)) t = bySource ? r.sourceTimestamp : r.timestamp;
      } else {
        const e = pending.find((x) => eventIdEquals(x.event.id, last));
        if (e !== undefined) t = keyOf(e.event);
      }
      if (t === null || compareTimestamps(t, from) < 0 || compareTimestamps(t, to) > 0)
        return { events: [], moreFollows: false };
      const at = entryKey(t, last);
      if (descending) hi = at;
      else lo = Buffer.concat([at, Buffer.from([0])]);
    }
    const max = resultLimit(p.maxResults, this.config.maxResults);
    const other = bySource
      ? { from: p.tFrom, to: p.tTo, of: (e: Event) => e.timestamp }
      : { from: p.sourceTFrom, to: p.sourceTTo, of: (e: Event) => e.sourceTimestamp };
    const events: Event[] = [];
    const range = descending
      ? partition.db.getRange({ start: hi, end: lo, reverse: true })
      : partition.db.getRange({ start: lo, end: hi });
    const inBounds = pending.filter(
      (x) => Buffer.compare(x.key, lo) >= 0 && Buffer.compare(x.key, hi) < 0,
    );
    if (descending) inBounds.reverse();
    const onDisk = new Set<string>();
    let next = 0;
    const take = (e: Event): boolean => {
      if (filter !== null && !filter.matches(e.type)) return false;
      if (other.from !== null || other.to !== null) {
        const t = other.of(e);
        if (t === null) return false;
        if (other.from !== null && compareTimestamps(t, other.from) < 0) return false;
        if (other.to !== null && compareTimestamps(t, other.to) > 0) return false;
      }
      return true;
    };
    // Merges the pending events that come before `key` in the walk's direction.
    const mergeUpTo = (key: Buffer | null): boolean => {
      for (; next < inBounds.length; next++) {
        const x = inBounds[next] as { key: Buffer; event: Event };
        if (key !== null) {
          const c = Buffer.compare(x.key, key);
          if (descending ? c <= 0 : c >= 0) return false;
        }
        if (onDisk.has(idString(x.event.id)) || !take(x.event)) continue;
        if (events.length >= max) return true;
        events.push(x.event);
      }
      return false;
    };
    for (const { key, value } of range) {
      // A reverse range's start is inclusive: `hi` is the lastEventId entry itself.
      if (
        descending &&
        p.lastEventId !== null &&
        key.length === hi.length &&
        Buffer.compare(key, hi) === 0
      )
        continue;
      if (inBounds.length > 0) {
        if (mergeUpTo(key)) return { events, moreFollows: true };
        // Just committed by a flush and not yet dropped from the pending list.
        onDisk.add(idString(entryEventId(key)));
      }
      const e = decodeEvent(value);
      if (!take(e)) continue;
      if (events.length >= max) return { events, moreFollows: true };
      events.push(e);
    }
    if (mergeUpTo(null)) return { events, moreFollows: true };
    return { events, moreFollows: false };
  }

  /** Registered events not yet on disk that `partition` holds, ascending by entry key. */
  private pendingIn(
    partition: Partition,
    keyOf: (e: Event) => Timestamp | null,
  ): { key: Buffer; event: Event }[] {
    if (this.flushing.length === 0 && this.unflushed.length === 0) return [];
    const out: { key: Buffer; event: Event }[] = [];
    for (const list of [this.flushing, this.unflushed])
      for (const e of list) {
        const t = keyOf(e);
        if (t !== null && partition.subscription.matches(e.type))
          out.push({ key: entryKey(t, e.id), event: e });
      }
    return out.sort((a, b) => Buffer.compare(a.key, b.key));
  }

  /** Throws `Error('invalid server id')` when `lastEventId` names another server (as hat). */
  private queryServer(p: QueryServerParams): QueryResult {
    if (p.lastEventId !== null && p.lastEventId.server !== p.serverId)
      throw new Error('invalid server id');
    const max = resultLimit(p.maxResults, this.config.maxResults);
    // Any integers may come from a client: ids outside the keys' range hold no events.
    const server = { server: p.serverId, session: 0, instance: 0 };
    const start =
      p.lastEventId === null
        ? seekEventIdKey(server)
        : Buffer.concat([seekEventIdKey(p.lastEventId), Buffer.from([0])]);
    const end = seekEventIdKey({ ...server, server: p.serverId + 1 });
    const events: Event[] = [];
    for (const { key, value } of Buffer.compare(start, end) < 0
      ? this.refDb.getRange({ start, end })
      : []) {
      const e = this.fetch(readEventId(key, 0), decodeRef(value));
      if (e === null) continue;
      if (events.length >= max) return { events, moreFollows: true };
      events.push(e);
    }
    if (!p.persisted) {
      // Flush-period mode: then the registered events not yet on disk (ids above them).
      const last = events[events.length - 1]?.id ?? p.lastEventId;
      for (const e of [...this.flushing, ...this.unflushed]) {
        if (e.id.server !== p.serverId || (last !== null && compareEventIds(e.id, last) <= 0))
          continue;
        if (events.length >= max) return { events, moreFollows: true };
        events.push(e);
      }
    }
    return { events, moreFollows: false };
  }

  private fetch(id: EventId, ref: EventRef): Event | null {
    for (const pid of ref.partitions) {
      const part = this.allPartitions.get(pid);
      const t = part?.orderBy === 'timestamp' ? ref.timestamp : ref.sourceTimestamp;
      if (part === undefined || t === null) continue;
      const v = part.db.get(entryKey(t, id));
      if (v !== undefined) return decodeEvent(v);
    }
    if (ref.latestKey !== null) {
      const v = this.latestDb.get(Buffer.from(ref.latestKey));
      if (v !== undefined) {
        const e = decodeEvent(v);
        if (eventIdEquals(e.id, id)) return e;
      }
    }
    return null;
  }

  /**
   * Writes events keeping their ids and timestamps (e.g. from another database), in
   * transactions of IMPORT_BATCH events, storing each in latest/partitions/references per this
   * database's config; `lastIds` raise the servers' last ids (never lower them).
   */
  async importEvents(
    events: AsyncIterable<Event> | Iterable<Event>,
    lastIds: readonly LastId[] = [],
  ): Promise<void> {
    this.check();
    let batch: Event[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const { written } = this.store(batch, true);
      for (const e of batch) void this.setLastId(e.id, e.timestamp);
      batch = [];
      this.pending = written;
      await written;
    };
    for await (const e of events) {
      batch.push(e);
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    let last: Promise<unknown> = Promise.resolve();
    for (const l of lastIds) last = this.setLastId(l.eventId, l.timestamp);
    this.pending = last;
    await last;
  }

  /** Every stored event, ascending by id (per server, servers ascending). */
  async *exportEvents(): AsyncGenerator<Event> {
    this.check();
    await this.flush(); // with a flush period, what registrations kept in memory too

    for (const { key, value } of this.refDb.getRange()) {
      const e = this.fetch(readEventId(key, 0), decodeRef(value));
      if (e !== null) yield e;
    }
  }

  private scheduleCleanup(delay = this.config.cleanupPeriod * 1000): void {
    if (!this.partitions.some((p) => p.config?.limit) || this.closing !== null) return;
    this.cleanupTimer = setTimeout(() => {
      this.cleanupTimer = null;
      this.cleaning = this.cleanup().then(
        (removed) => {
          this.cleaning = null;
          this.scheduleCleanup(removed >= CLEANUP_BATCH ? 0 : undefined);
        },
        (e: unknown) => {
          this.cleaning = null;
          this.logger.error('eventer lmdb: cleanup failed', { error: e });
          this.scheduleCleanup();
        },
      );
    }, delay);
    this.cleanupTimer.unref();
  }

  /**
   * Applies the partitions' limits: removes at most CLEANUP_BATCH oldest entries, queued with
   * the registrations of this turn so they commit in the same transaction. Returns how many.
   */
  async cleanup(): Promise<number> {
    this.check();
    const nowT = this.clock();
    let removed = 0;
    const refChanges = new Map<string, { id: EventId; partitions: Set<number> }>();
    let last: Promise<unknown> | null = null;
    for (const p of this.partitions) {
      const limit = p.config?.limit;
      if (!limit) continue;
      let maxEntries = limit.maxEntries;
      if (limit.size !== null) {
        const s = p.db.getStats() as {
          entryCount: number;
          pageSize: number;
          treeBranchPageCount: number;
          treeLeafPageCount: number;
          overflowPages: number;
        };
        if (s.entryCount > 0) {
          const bytes =
            s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages);
          const bySize = Math.floor(limit.size / (bytes / s.entryCount));
          maxEntries = maxEntries === null ? bySize : Math.min(maxEntries, bySize);
        }
      }
      const minEntries = limit.minEntries ?? 0;
      const durationKey =
        limit.duration === null ? null : entryLowerBound(addSeconds(nowT, -limit.duration));
      let here = 0;
      for (const key of p.db.getKeys({ limit: CLEANUP_BATCH - removed })) {
        const left = p.count - here;
        if (left <= minEntries) break;
        const over = maxEntries !== null && left > maxEntries;
        const old = durationKey !== null && Buffer.compare(key, durationKey) < 0;
        if (!over && !old) break;
        const k = Buffer.from(key);
        last = this.remove(p.db, k);
        here++;
        const id = entryEventId(k);
        const ids = idString(id);
        let c = refChanges.get(ids);
        if (c === undefined) refChanges.set(ids, (c = { id, partitions: new Set() }));
        c.partitions.add(p.id);
      }
      p.count -= here;
      removed += here;
      if (removed >= CLEANUP_BATCH) break;
    }
    // The latest events' references must stay (pointing at the latest table).
    const latestIds = new Map<string, string>();
    if (refChanges.size > 0)
      for (const [tk, entry] of this.latestWrite) latestIds.set(idString(entry.event.id), tk);
    for (const [ids, c] of refChanges) {
      const key = eventIdKey(c.id);
      const v = this.refDb.get(key);
      if (v === undefined) continue;
      const ref = decodeRef(v);
      const partitions = ref.partitions.filter((x) => !c.partitions.has(x));
      const latestType = latestIds.get(ids);
      if (partitions.length > 0)
        last = this.put(this.refDb, key, encodeRef({ ...ref, partitions }));
      else if (latestType !== undefined) {
        const entry = this.latestWrite.get(latestType) as LatestEntry;
        entry.latestOnly = true;
        last = this.put(
          this.refDb,
          key,
          encodeRef({ ...ref, partitions, latestKey: latestKey(entry.event.type) }),
        );
      } else last = this.remove(this.refDb, key);
    }
    if (last !== null) {
      this.pending = last;
      await last;
    }
    return removed;
  }

  /** Waits for queued writes, then closes the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.cleanupTimer !== null) clearTimeout(this.cleanupTimer);
      if (this.flushTimer !== null) clearTimeout(this.flushTimer);
      await this.cleaning?.catch(() => {});
      await this.flush();
      const failed = await this.pending.then(
        () => false,
        () => true,
      );
      // lmdb-js's close waits for the sync of the last transaction, which a failed commit never
      // reports: one more (unchanged) write gives it a transaction that does, or, if writing
      // still fails, its error instead of a close that never ends.
      if (failed) await this.put(this.system, KEY_FORMAT, Buffer.from(FORMAT));
      await this.env.close();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function clampTimestamp(t: Timestamp): Timestamp {
  if (compareTimestamps(t, MIN_TIMESTAMP) < 0) return MIN_TIMESTAMP;
  if (compareTimestamps(t, MAX_TIMESTAMP) > 0) return MAX_TIMESTAMP;
  return t;
}
