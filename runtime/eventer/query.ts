import { EventerValueError } from './errors.js';
import type { Event, EventId, EventType } from './event.js';
import type { Timestamp } from './timestamp.js';

export type Order = 'descending' | 'ascending';
export type OrderBy = 'timestamp' | 'sourceTimestamp';

/** Latest event of each matching type. `eventTypes: null` = all types; `[]` = none. */
export interface QueryLatestParams {
  readonly type: 'latest';
  readonly eventTypes: readonly EventType[] | null;
}

/** Events in time ranges (bounds inclusive), ordered, paged by `maxResults`/`lastEventId`. */
export interface QueryTimeseriesParams {
  readonly type: 'timeseries';
  readonly eventTypes: readonly EventType[] | null;
  readonly tFrom: Timestamp | null;
  readonly tTo: Timestamp | null;
  readonly sourceTFrom: Timestamp | null;
  readonly sourceTTo: Timestamp | null;
  readonly order: Order;
  readonly orderBy: OrderBy;
  readonly maxResults: number | null;
  readonly lastEventId: EventId | null;
}

/** Events registered by one server, ascending by id, paged by `maxResults`/`lastEventId`. */
export interface QueryServerParams {
  readonly type: 'server';
  readonly serverId: number;
  readonly persisted: boolean;
  readonly maxResults: number | null;
  readonly lastEventId: EventId | null;
}

/** Query parameters with every field present (what a server's `onQuery` receives). */
export type QueryParams = QueryLatestParams | QueryTimeseriesParams | QueryServerParams;

type Loose<T extends { type: string }> = { readonly type: T['type'] } & {
  readonly [K in Exclude<keyof T, 'type'>]?: T[K] | undefined;
};

/**
 * What `Client.query` accepts: omitted fields take hat's defaults (no filter, `descending`,
 * `timestamp`, not persisted).
 */
export type QueryParamsInit =
  | Loose<QueryLatestParams>
  | Loose<QueryTimeseriesParams>
  | (Loose<QueryServerParams> & { readonly serverId: number });

export interface QueryResult {
  readonly events: Event[];
  readonly moreFollows: boolean;
}

/** Fills in hat's defaults; `EventerValueError` for an unknown `type`. */
export function queryParams(init: QueryParamsInit): QueryParams {
  switch (init.type) {
    case 'latest':
      return { type: 'latest', eventTypes: init.eventTypes ?? null };
    case 'timeseries':
      return {
        type: 'timeseries',
        eventTypes: init.eventTypes ?? null,
        tFrom: init.tFrom ?? null,
        tTo: init.tTo ?? null,
        sourceTFrom: init.sourceTFrom ?? null,
        sourceTTo: init.sourceTTo ?? null,
        order: init.order ?? 'descending',
        orderBy: init.orderBy ?? 'timestamp',
        maxResults: init.maxResults ?? null,
        lastEventId: init.lastEventId ?? null,
      };
    case 'server': {
      const s = init as Loose<QueryServerParams> & { readonly serverId: number };
      return {
        type: 'server',
        serverId: s.serverId,
        persisted: s.persisted ?? false,
        maxResults: s.maxResults ?? null,
        lastEventId: s.lastEventId ?? null,
      };
    }
    default:
      throw new EventerValueError(
        `invalid query type ${JSON.stringify((init as { type: unknown }).type)}`,
      );
  }
}

/**
 * How many results a query may return: hat's `max_results if max_results is not None and
 * max_results < limit else limit`, which also keeps a NaN from the API (not from the wire)
 * from lifting the server's limit.
 */
export function resultLimit(maxResults: number | null, serverLimit: number): number {
  return maxResults !== null && maxResults < serverLimit ? Math.max(0, maxResults) : serverLimit;
}
