// The memory backend's indexed timeseries queries against the scan-and-sort they replaced
// (kept here as the oracle): same events, same order, same moreFollows.
import { describe, expect, it } from 'vitest';
import {
  compareEvents,
  eventIdEquals,
  type Event,
  type EventId,
} from '../../runtime/eventer/event.js';
import { MemoryBackend } from '../../runtime/eventer/memory-backend.js';
import { queryParams, type QueryTimeseriesParams } from '../../runtime/eventer/query.js';
import { Subscription } from '../../runtime/eventer/subscription.js';
import { compareTimestamps, type Timestamp } from '../../runtime/eventer/timestamp.js';

function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function inRange(t: Timestamp, from: Timestamp | null, to: Timestamp | null): boolean {
  return (
    (from === null || compareTimestamps(t, from) >= 0) &&
    (to === null || compareTimestamps(t, to) <= 0)
  );
}

/** The previous implementation: filter and sort the whole store per query. */
function oracle(
  all: readonly Event[],
  p: QueryTimeseriesParams,
  limit: number,
): { events: Event[]; moreFollows: boolean } {
  const bySource = p.orderBy === 'sourceTimestamp';
  const stream = bySource
    ? all
        .filter((e) => e.sourceTimestamp !== null)
        .sort(
          (a, b) =>
            compareTimestamps(a.sourceTimestamp as Timestamp, b.sourceTimestamp as Timestamp) ||
            compareEvents(a, b),
        )
    : [...all].sort((a, b) => compareTimestamps(a.timestamp, b.timestamp) || compareEvents(a, b));
  if (p.order === 'descending') stream.reverse();
  let start = 0;
  if (p.lastEventId !== null) {
    const last: EventId = p.lastEventId;
    const i = stream.findIndex((e) => eventIdEquals(e.id, last));
    start = i === -1 ? stream.length : i + 1;
  }
  const filter = p.eventTypes === null ? null : Subscription.of(p.eventTypes);
  const max = p.maxResults !== null && p.maxResults < limit ? Math.max(0, p.maxResults) : limit;
  const events: Event[] = [];
  for (const e of stream.slice(start)) {
    if (filter !== null && !filter.matchesAll && !filter.matches(e.type)) continue;
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

describe('MemoryBackend indexes', () => {
  it('answer every timeseries query as the full scan did (clock going back, ties, trims)', () => {
    const r = rng(11);
    let t = 100;
    // The clock mostly moves on, sometimes stands still or steps back.
    const clock = (): Timestamp => {
      const x = r();
      t += x < 0.1 ? -7 : x < 0.3 ? 0 : 1;
      return { s: t, us: 0 };
    };
    const b = new MemoryBackend({ clock, maxEvents: 400, maxResults: 50 });
    const ts = (): Timestamp | null =>
      r() < 0.5 ? null : { s: 80 + Math.floor(r() * 500), us: 0 };
    let checked = 0;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 40; i++)
        b.register(
          Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
            type: ['x', String(Math.floor(r() * 4))],
            sourceTimestamp:
              r() < 0.3 ? null : { s: Math.floor(r() * 60), us: Math.floor(r() * 3) },
          })),
        );
      const all: Event[] = [];
      for (let last: EventId | null = null; ;) {
        const page = b.query(queryParams({ type: 'server', serverId: 1, lastEventId: last }));
        all.push(...page.events);
        if (!page.moreFollows) break;
        last = (page.events[page.events.length - 1] as Event).id;
      }
      expect(all.length).toBe(b.size);
      const all2 = [...all];
      for (let q = 0; q < 40; q++) {
        const pick = all2[Math.floor(r() * all2.length)];
        const p = queryParams({
          type: 'timeseries',
          order: r() < 0.5 ? 'ascending' : 'descending',
          orderBy: r() < 0.5 ? 'timestamp' : 'sourceTimestamp',
          eventTypes: r() < 0.3 ? [['x', String(Math.floor(r() * 4))]] : null,
          tFrom: ts(),
          tTo: ts(),
          sourceTFrom: r() < 0.3 ? { s: Math.floor(r() * 60), us: 0 } : null,
          sourceTTo: r() < 0.3 ? { s: Math.floor(r() * 60), us: 0 } : null,
          maxResults: r() < 0.5 ? Math.floor(r() * 30) : null,
          lastEventId:
            r() < 0.4 && pick !== undefined
              ? pick.id
              : r() < 0.1
                ? { server: 1, session: 1, instance: 1 }
                : null,
        }) as QueryTimeseriesParams;
        expect(b.query(p), JSON.stringify(p)).toEqual(oracle(all, p, 50));
        checked++;
      }
    }
    expect(checked).toBe(1200);
  });
});
