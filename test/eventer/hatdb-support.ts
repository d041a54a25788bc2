// The hat-event LMDB fixtures (test/fixtures/hat-event-db/) and hat's query semantics over
// imported data, answered by our MemoryBackend: one backend per scope hat answers from
// (latest entries, one timeseries partition, all stored events).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Event, EventId, EventType } from '../../runtime/eventer/event.js';
import type { JsonValue } from '../../runtime/json-value.js';
import type { HatDatabaseSummary, HatStoredEvent } from '../../runtime/eventer/lmdb/hat/index.js';
import { MemoryBackend } from '../../runtime/eventer/memory-backend.js';
import {
  queryParams,
  type QueryParamsInit,
  type QueryResult,
} from '../../runtime/eventer/query.js';
import { Subscription } from '../../runtime/eventer/subscription.js';
import type { Timestamp } from '../../runtime/eventer/timestamp.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/hat-event-db/', import.meta.url));
export const FIXTURE_NAMES = ['mixed', 'default', 'empty'] as const;

export interface FixtureQuery {
  readonly name: string;
  readonly params: Record<string, unknown> & { type: string };
  readonly compare: 'ordered' | 'set';
  readonly pages?: boolean;
}
export interface PageAnswer {
  readonly lastEventId: EventId | null;
  readonly eventIds: EventId[];
  readonly moreFollows: boolean;
}
export interface Answer {
  readonly name: string;
  readonly eventIds?: EventId[];
  readonly moreFollows?: boolean;
  readonly pages?: PageAnswer[];
}
export interface EventJson {
  readonly id: EventId;
  readonly type: string[];
  readonly timestamp: Timestamp;
  readonly sourceTimestamp: Timestamp | null;
  readonly payload:
    null | { kind: 'json'; data: JsonValue } | { kind: 'binary'; type: string; data: string };
}
export interface Answers {
  readonly answers: Answer[];
  readonly events: EventJson[];
  readonly system: { serverId: number; lastEventId: EventId; lastTimestamp: Timestamp }[];
}
export interface HatConfig {
  readonly latest: { subscriptions: string[][] };
  readonly timeseries: { order_by: 'TIMESTAMP' | 'SOURCE_TIMESTAMP'; subscriptions: string[][] }[];
}

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly db: string;
  readonly config: HatConfig;
  readonly queries: FixtureQuery[];
  readonly answers: Answers;
}

export function fixture(name: string): Fixture {
  const dir = `${FIXTURES}${name}/`;
  const json = <T>(f: string): T => JSON.parse(readFileSync(dir + f, 'utf8')) as T;
  return {
    name,
    dir,
    db: `${dir}data.mdb`,
    config: json('hat-config.json'),
    queries: json('queries.json'),
    answers: json('answers.json'),
  };
}

/** An event in the fixtures' JSON form (binary data in base64). */
export function eventJson(e: Event): EventJson {
  return {
    id: e.id,
    type: [...e.type],
    timestamp: e.timestamp,
    sourceTimestamp: e.sourceTimestamp,
    payload:
      e.payload === null
        ? null
        : e.payload.kind === 'json'
          ? { kind: 'json', data: e.payload.data }
          : {
              kind: 'binary',
              type: e.payload.type,
              data: Buffer.from(e.payload.data).toString('base64'),
            },
  };
}

/**
 * hat-event's LMDB backend answers from scopes: latest from its latest entries; timeseries
 * from the first configured partition with the query's order whose subscription meets the
 * query's types; server queries from every referenced event.
 */
export class HatScopes {
  private readonly latest: MemoryBackend;
  private readonly all: MemoryBackend;
  private readonly partitions: {
    orderBy: string;
    subscription: Subscription;
    backend: MemoryBackend;
  }[] = [];

  constructor(summary: HatDatabaseSummary, events: readonly HatStoredEvent[], config: HatConfig) {
    this.latest = loaded(summary.latest.map((l) => l.event));
    this.all = loaded(events.map((s) => s.event));
    // hat matches configured partitions to stored ones by order and sorted query types.
    for (const p of config.timeseries) {
      const orderBy = p.order_by === 'TIMESTAMP' ? 'timestamp' : 'sourceTimestamp';
      const subscription = Subscription.of(p.subscriptions);
      const key = JSON.stringify(subscription.queryTypes().sort(compareTypes));
      const stored = summary.partitions.find(
        (s) =>
          s.orderBy === orderBy &&
          JSON.stringify(s.subscriptions.map((t) => [...t]).sort(compareTypes)) === key,
      );
      if (stored === undefined) throw new Error(`no stored partition for ${key}`);
      const backend = loaded(
        events
          .filter((s) => s.partitions.some((x) => x.partition === stored.id))
          .map((s) => s.event),
      );
      this.partitions.push({ orderBy, subscription, backend });
    }
  }

  query(init: Record<string, unknown> & { type: string }): QueryResult {
    const params = queryParams(init as unknown as QueryParamsInit);
    if (params.type === 'latest') return this.latest.query(params);
    if (params.type === 'server') return this.all.query(params);
    const types = params.eventTypes === null ? null : Subscription.of(params.eventTypes);
    for (const p of this.partitions) {
      if (p.orderBy !== params.orderBy) continue;
      if (types !== null && types.isDisjoint(p.subscription)) continue;
      return p.backend.query(params);
    }
    return { events: [], moreFollows: false };
  }
}

function loaded(events: readonly Event[]): MemoryBackend {
  const b = new MemoryBackend({ serverId: 1 });
  b.load(events);
  return b;
}

function compareTypes(a: EventType, b: EventType): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const idKey = (id: EventId): string => `${id.server}.${id.session}.${id.instance}`;

/** Replays a fixture query as hat recorded it (page chains from the recorded `lastEventId`s). */
export function replay(
  scopes: { query(p: Record<string, unknown> & { type: string }): QueryResult },
  q: FixtureQuery,
  recorded: Answer,
): { got: unknown; want: unknown } {
  const ids = (r: QueryResult): string[] => {
    const list = r.events.map((e) => idKey(e.id));
    return q.compare === 'set' ? list.sort() : list;
  };
  const want = (list: EventId[]): string[] => {
    const l = list.map(idKey);
    return q.compare === 'set' ? l.sort() : l;
  };
  if (recorded.pages === undefined) {
    const r = scopes.query(q.params);
    return {
      got: { ids: ids(r), moreFollows: r.moreFollows },
      want: { ids: want(recorded.eventIds ?? []), moreFollows: recorded.moreFollows },
    };
  }
  const got = recorded.pages.map((p) => {
    const r = scopes.query({ ...q.params, lastEventId: p.lastEventId });
    return { ids: ids(r), moreFollows: r.moreFollows };
  });
  return {
    got,
    want: recorded.pages.map((p) => ({ ids: want(p.eventIds), moreFollows: p.moreFollows })),
  };
}

/** hat's answer for servers it has no record of: session 0 and its min_timestamp. */
export function hatSystem(summary: HatDatabaseSummary, serverIds: readonly number[]): unknown[] {
  return serverIds.map((serverId) => {
    const s = summary.servers.find((x) => x.serverId === serverId);
    return {
      serverId,
      lastEventId: s?.lastEventId ?? { server: serverId, session: 0, instance: 0 },
      lastTimestamp: s?.lastTimestamp ?? { s: -(2 ** 63), us: 0 },
    };
  });
}
