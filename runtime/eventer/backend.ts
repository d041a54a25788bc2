import type { Event, RegisterEvent } from './event.js';
import type { QueryParams, QueryResult } from './query.js';

/**
 * What an event server needs from its store (`MemoryBackend`, and `LmdbBackend` from the
 * `eventer/lmdb` subpath). `register` assigns ids synchronously, in call order, so a server may
 * start the next registration before the previous one resolved; it resolves once the events
 * are stored as durably as the backend promises (after the commit, for LMDB's default).
 */
export interface EventerBackend {
  /** `id.server` of the events it registers. */
  readonly serverId: number;
  /** Registers events as one session; `[]` uses no session. */
  register(events: readonly RegisterEvent[]): Event[] | Promise<Event[]>;
  query(params: QueryParams): QueryResult | Promise<QueryResult>;
  /**
   * Resolves once everything registered before the call is on disk: for clients that
   * subscribed with `persisted`. Missing = at once (nothing is persisted later than registered).
   */
  flushed?(): Promise<void>;
  close?(): Promise<void>;
}
