// The store's configuration, in hat-event's lmdb backend vocabulary (snake_case keys, `order_by`
// TIMESTAMP / SOURCE_TIMESTAMP), so a hat-event config section can be reused as it is.
import type { EventType } from '../event.js';
import type { OrderBy } from '../query.js';
import { Subscription } from '../subscription.js';
import { LmdbBackendError } from './errors.js';

export interface PartitionLimit {
  /** Entries kept whatever the other limits say. */
  readonly minEntries: number | null;
  readonly maxEntries: number | null;
  /** Seconds between now and the oldest key kept. */
  readonly duration: number | null;
  /** Approximate bytes on disk; the oldest entries go by the average entry size. */
  readonly size: number | null;
}

export interface PartitionConfig {
  readonly orderBy: OrderBy;
  readonly subscriptions: readonly EventType[];
  readonly limit: PartitionLimit | null;
}

export interface LmdbConfig {
  /**
   * `null` (default): a register response waits for its commit. Seconds: hat-event's periodic
   * flush, responses go out before the commit.
   */
  readonly flushPeriod: number | null;
  /** Seconds between cleanups that apply the partition limits. */
  readonly cleanupPeriod: number;
  /** Server-side cap on a query's `maxResults` (hat's `timeseries_max_results`). */
  readonly maxResults: number;
  /** Types whose newest event is kept (answered from memory). */
  readonly latest: readonly EventType[];
  /** Timeseries partitions, searched in this order by queries. */
  readonly timeseries: readonly PartitionConfig[];
}

export const DEFAULT_CONFIG: LmdbConfig = {
  flushPeriod: null,
  cleanupPeriod: 5,
  maxResults: 4096,
  latest: [['*']],
  timeseries: [{ orderBy: 'timestamp', subscriptions: [['*']], limit: null }],
};

/** Keys of hat-event's backend config that do not apply here and are accepted for reuse. */
const IGNORED = new Set(['module', 'db_path', 'identifier', 'timeseries_event_type_cache_size']);

type Problems = string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(
  problems: Problems,
  path: string,
  v: unknown,
  opts: { integer?: boolean; min: number; exclusiveMin?: boolean },
): number | null {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.exclusiveMin === true ? v > opts.min : v >= opts.min) &&
    (opts.integer !== true || Number.isInteger(v));
  if (!ok) {
    const what = opts.integer === true ? 'an integer' : 'a number';
    const bound = opts.exclusiveMin === true ? `> ${opts.min}` : `>= ${opts.min}`;
    problems.push(`${path}: expected ${what} ${bound}, got ${JSON.stringify(v) ?? String(v)}`);
    return null;
  }
  return v;
}

function eventTypes(problems: Problems, path: string, v: unknown): EventType[] {
  if (!Array.isArray(v)) {
    problems.push(`${path}: expected a list of event types (lists of strings)`);
    return [];
  }
  const out: EventType[] = [];
  v.forEach((t: unknown, i) => {
    if (!Array.isArray(t) || !t.every((s) => typeof s === 'string')) {
      problems.push(`${path}[${i}]: expected an event type (a list of strings)`);
      return;
    }
    const type = t as string[];
    const star = type.indexOf('*');
    if (star !== -1 && star !== type.length - 1) {
      problems.push(`${path}[${i}]: '*' may only be the last segment`);
      return;
    }
    out.push(type);
  });
  return out;
}

function unknownKeys(
  problems: Problems,
  path: string,
  obj: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const k of Object.keys(obj))
    if (!known.includes(k) && !(path === '' && IGNORED.has(k)))
      problems.push(`${path === '' ? '' : path + '.'}${k}: unknown key`);
}

function limit(problems: Problems, path: string, v: unknown): PartitionLimit | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) {
    problems.push(`${path}: expected an object`);
    return null;
  }
  unknownKeys(problems, path, v, ['min_entries', 'max_entries', 'duration', 'size']);
  const get = (k: string, integer: boolean): number | null =>
    v[k] === undefined || v[k] === null
      ? null
      : num(problems, `${path}.${k}`, v[k], { integer, min: 0 });
  return {
    minEntries: get('min_entries', true),
    maxEntries: get('max_entries', true),
    duration: get('duration', false),
    size: get('size', true),
  };
}

/**
 * A validated config from parsed JSON or YAML (`undefined` = all defaults). Throws
 * `LmdbBackendError` `ERR_LMDB_CONFIG` listing every problem, one line each with its path.
 */
export function parseConfig(value: unknown, source = 'config'): LmdbConfig {
  if (value === undefined || value === null) return DEFAULT_CONFIG;
  const problems: Problems = [];
  if (!isObject(value)) {
    throw new LmdbBackendError('ERR_LMDB_CONFIG', `${source}: expected an object at the top`, [
      'expected an object at the top',
    ]);
  }
  unknownKeys(problems, '', value, [
    'flush_period',
    'cleanup_period',
    'timeseries_max_results',
    'latest',
    'timeseries',
    'conditions',
  ]);
  let flushPeriod = DEFAULT_CONFIG.flushPeriod;
  if (value.flush_period !== undefined && value.flush_period !== null)
    flushPeriod = num(problems, 'flush_period', value.flush_period, { min: 0, exclusiveMin: true });
  const cleanupPeriod =
    value.cleanup_period === undefined
      ? DEFAULT_CONFIG.cleanupPeriod
      : (num(problems, 'cleanup_period', value.cleanup_period, { min: 0, exclusiveMin: true }) ??
        DEFAULT_CONFIG.cleanupPeriod);
  const maxResults =
    value.timeseries_max_results === undefined
      ? DEFAULT_CONFIG.maxResults
      : (num(problems, 'timeseries_max_results', value.timeseries_max_results, {
          integer: true,
          min: 0,
        }) ?? DEFAULT_CONFIG.maxResults);
  if (
    value.conditions !== undefined &&
    !(Array.isArray(value.conditions) && value.conditions.length === 0)
  )
    problems.push('conditions: event conditions are not supported (only an empty list)');

  let latest = DEFAULT_CONFIG.latest;
  if (value.latest !== undefined) {
    if (!isObject(value.latest)) problems.push('latest: expected an object with subscriptions');
    else {
      unknownKeys(problems, 'latest', value.latest, ['subscriptions']);
      latest = eventTypes(problems, 'latest.subscriptions', value.latest.subscriptions);
    }
  }

  let timeseries = DEFAULT_CONFIG.timeseries;
  if (value.timeseries !== undefined) {
    if (!Array.isArray(value.timeseries)) {
      problems.push('timeseries: expected a list of partitions');
    } else {
      const parts: PartitionConfig[] = [];
      value.timeseries.forEach((p: unknown, i) => {
        const path = `timeseries[${i}]`;
        if (!isObject(p)) {
          problems.push(`${path}: expected an object`);
          return;
        }
        unknownKeys(problems, path, p, ['order_by', 'subscriptions', 'limit']);
        let orderBy: OrderBy = 'timestamp';
        if (p.order_by === 'TIMESTAMP') orderBy = 'timestamp';
        else if (p.order_by === 'SOURCE_TIMESTAMP') orderBy = 'sourceTimestamp';
        else
          problems.push(
            `${path}.order_by: expected TIMESTAMP or SOURCE_TIMESTAMP, got ${JSON.stringify(p.order_by) ?? 'nothing'}`,
          );
        parts.push({
          orderBy,
          subscriptions: eventTypes(problems, `${path}.subscriptions`, p.subscriptions),
          limit: limit(problems, `${path}.limit`, p.limit),
        });
      });
      if (parts.length > 1000) problems.push('timeseries: at most 1000 partitions');
      timeseries = parts;
    }
  }
  if (problems.length > 0)
    throw new LmdbBackendError(
      'ERR_LMDB_CONFIG',
      `${source}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`,
      problems,
    );
  return { flushPeriod, cleanupPeriod, maxResults, latest, timeseries };
}

/** Partition identity on disk: a changed partition gets a new table (as hat-event). */
export function partitionIdentity(p: PartitionConfig): string {
  return JSON.stringify({
    orderBy: p.orderBy,
    subscriptions: Subscription.of(p.subscriptions).queryTypes().sort(),
  });
}
