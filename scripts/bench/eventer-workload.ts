// The load both eventer server benches put on a server (ours on LMDB, hat-event's): the same
// events, register shapes and queries, so their figures compare.
import {
  jsonPayload,
  type Client,
  type EventId,
  type RegisterEvent,
} from '../../runtime/eventer/index.js';
import { latency } from './eventer-server-child.js';
import type { ChildServer } from '../child-server.js';
import { processCpuSeconds } from './process-cpu.js';

/**
 * The storage config of the benches' LMDB servers (ours and hat-event's): a timestamp and a
 * source-timestamp partition of every event, so each event is stored twice.
 */
export const TWO_PARTITIONS = [
  { order_by: 'TIMESTAMP', subscriptions: [['*']] },
  { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
];

/**
 * How the benches fill a database: the register shape (batches of 100, 8 in flight).
 * `BENCH_FILL_BATCH=1000` fills with batches of 1000 (8,000 events in flight), which leaves
 * more garbage in the server's heap and larger LMDB transactions (RSS at 1M: 264 MB against
 * 143 MB, BENCHMARKS.md).
 */
export const FILL_BATCH = Number(process.env.BENCH_FILL_BATCH ?? 100);
export const FILL_LABEL = `batches of ${FILL_BATCH}, 8 in flight`;

/** The workload's events: 16 types, source timestamps spread over 100,000 seconds. */
export class Workload {
  private seq = 0;
  /** Events the current database holds (what `fillTo` counts to). */
  private held = 0;
  private midTarget = Infinity;
  /** An id from half-way through the last `fillTo`, for the server query's `lastEventId`. */
  midId: EventId | null = null;

  /** Events registered so far, over every database. */
  get registered(): number {
    return this.seq;
  }

  get stored(): number {
    return this.held;
  }

  /** The server was given a new, empty database. */
  reset(): void {
    this.held = 0;
    this.midId = null;
  }

  batch(n: number): RegisterEvent[] {
    const out: RegisterEvent[] = [];
    for (let i = 0; i < n; i++, this.seq++)
      out.push({
        type: ['bench', 'value', String(this.seq % 16)],
        sourceTimestamp: { s: 1_700_000_000 + (this.seq % 100_000), us: this.seq % 1000 },
        payload: jsonPayload({ seq: this.seq, value: 12.5 }),
      });
    return out;
  }

  async register(client: Client, n: number): Promise<void> {
    const r = await client.register(this.batch(n), { withResponse: true });
    if (r === null || r.length !== n) throw new Error('register failed');
    const before = this.held;
    this.held += n;
    if (this.midId === null && before + n >= this.midTarget)
      this.midId = (r[0] as { id: EventId }).id;
  }

  /** Events/s registering for `ms`, or until `maxEvents` more are stored. */
  async rate(
    client: Client,
    size: number,
    inFlight: number,
    ms: number,
    maxEvents = Infinity,
  ): Promise<number> {
    const seq0 = this.seq;
    const start = performance.now();
    const until = start + ms;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < until && this.seq - seq0 + size <= maxEvents)
          await this.register(client, size);
      }),
    );
    return ((this.seq - seq0) * 1000) / (performance.now() - start);
  }

  /**
   * `rate`, and the server's CPU microseconds (all its threads) per event registered meanwhile:
   * what a core would do, whatever else the machine runs.
   */
  async rateAndCpu(
    client: Client,
    server: ChildServer,
    size: number,
    inFlight: number,
    ms: number,
    maxEvents = Infinity,
  ): Promise<[number, number]> {
    const pid = server.pid;
    const cpu0 = processCpuSeconds(pid);
    const seq0 = this.seq;
    const rate = await this.rate(client, size, inFlight, ms, maxEvents);
    return [rate, ((processCpuSeconds(pid) - cpu0) * 1e6) / (this.seq - seq0)];
  }

  /** Registers FILL_BATCH events per request (8 in flight) until the database holds `total`. */
  async fillTo(client: Client, total: number): Promise<void> {
    this.midId = null;
    this.midTarget = total / 2;
    let left = total - this.held;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (left > 0) {
          const n = Math.min(FILL_BATCH, left);
          left -= n;
          await this.register(client, n);
        }
      }),
    );
  }
}

/** Median latency (ms) of each query of the bench on what `work` stored. */
export async function queryLatencies(
  client: Client,
  work: Workload,
): Promise<Record<string, number>> {
  const mid = work.midId ?? { server: 1, session: 1, instance: 1 };
  // Half-way through the source timestamps stored so far: a full page follows.
  const sourceMid = Math.floor(Math.min(work.stored, 100_000) / 2);
  return {
    'timeseries page of 100 by timestamp': await latency(client, () => ({
      type: 'timeseries',
      maxResults: 100,
    })),
    'timeseries page of 100 by sourceTimestamp': await latency(client, () => ({
      type: 'timeseries',
      orderBy: 'sourceTimestamp',
      maxResults: 100,
      sourceTFrom: { s: 1_700_000_000 + sourceMid, us: 0 },
      order: 'ascending',
    })),
    'server query page of 100 (lastEventId)': await latency(client, () => ({
      type: 'server',
      serverId: 1,
      maxResults: 100,
      lastEventId: mid,
    })),
    'latest (all 16 types)': await latency(client, () => ({ type: 'latest' })),
  };
}
