import { describe, expect, it } from 'vitest';
import { EventerValueError } from '../../runtime/eventer/errors.js';
import { MemoryBackend } from '../../runtime/eventer/memory-backend.js';
import { queryParams, type QueryParamsInit } from '../../runtime/eventer/query.js';
import type { Timestamp } from '../../runtime/eventer/timestamp.js';

function backend(
  times: number[],
  options: { maxResults?: number; maxEvents?: number } = {},
): MemoryBackend {
  let i = 0;
  return new MemoryBackend({ ...options, clock: (): Timestamp => ({ s: times[i++] ?? 0, us: 0 }) });
}
const ids = (b: MemoryBackend, p: QueryParamsInit): string[] =>
  b.query(queryParams(p)).events.map((e) => `${e.id.session}.${e.id.instance}`);

describe('MemoryBackend', () => {
  it('sessions: one per non-empty register, instances 1..n, one timestamp', () => {
    const b = backend([10, 20]);
    expect(b.register([])).toEqual([]);
    const evs = b.register([{ type: ['a'] }, { type: ['b'] }]);
    expect(evs.map((e) => [e.id, e.timestamp.s])).toEqual([
      [{ server: 1, session: 1, instance: 1 }, 10],
      [{ server: 1, session: 1, instance: 2 }, 10],
    ]);
    expect(b.register([{ type: ['a'] }])[0]?.id.session).toBe(2);
  });

  it('timeseries bounds are inclusive; the server caps maxResults', () => {
    const b = backend([1, 2, 3, 4], { maxResults: 2 });
    for (let i = 0; i < 4; i++)
      b.register([{ type: ['a'], sourceTimestamp: i === 1 ? null : { s: 100 - i, us: 0 } }]);
    expect(ids(b, { type: 'timeseries', tFrom: { s: 2, us: 0 }, tTo: { s: 3, us: 0 } })).toEqual([
      '3.1',
      '2.1',
    ]);
    expect(b.query(queryParams({ type: 'timeseries', maxResults: 10 })).moreFollows).toBe(true);
    expect(ids(b, { type: 'timeseries', maxResults: 0 })).toEqual([]);
    // Events without a source timestamp fail any source bound and are left out when ordering by it.
    expect(ids(b, { type: 'timeseries', sourceTTo: { s: 100, us: 0 }, maxResults: 2 })).toEqual([
      '4.1',
      '3.1',
    ]);
    expect(ids(b, { type: 'timeseries', orderBy: 'sourceTimestamp', order: 'ascending' })).toEqual([
      '4.1',
      '3.1',
    ]);
  });

  it('lastEventId: an id not in the ordered stream leaves nothing', () => {
    const b = backend([1, 2]);
    b.register([{ type: ['a'] }]);
    b.register([{ type: ['b'] }]);
    const missing = { server: 1, session: 9, instance: 1 };
    expect(ids(b, { type: 'timeseries', lastEventId: missing })).toEqual([]);
    expect(
      ids(b, { type: 'timeseries', lastEventId: { server: 1, session: 2, instance: 1 } }),
    ).toEqual(['1.1']);
    // With a type filter the paging id still counts where it stands in the whole stream.
    expect(
      ids(b, {
        type: 'timeseries',
        eventTypes: [['a']],
        lastEventId: { server: 1, session: 2, instance: 1 },
      }),
    ).toEqual(['1.1']);
  });

  it('a clock going back is still ordered by timestamp', () => {
    const b = backend([5, 3, 4]);
    for (let i = 0; i < 3; i++) b.register([{ type: ['a'] }]);
    expect(ids(b, { type: 'timeseries', order: 'ascending' })).toEqual(['2.1', '3.1', '1.1']);
  });

  it('server query: ids after lastEventId; another server in lastEventId is an error', () => {
    const b = backend([1, 1, 1]);
    for (let i = 0; i < 3; i++) b.register([{ type: ['a'] }, { type: ['b'] }]);
    expect(
      ids(b, {
        type: 'server',
        serverId: 1,
        lastEventId: { server: 1, session: 2, instance: 1 },
        maxResults: 2,
      }),
    ).toEqual(['2.2', '3.1']);
    expect(() =>
      b.query(
        queryParams({
          type: 'server',
          serverId: 1,
          lastEventId: { server: 2, session: 1, instance: 1 },
        }),
      ),
    ).toThrow('invalid server id');
  });

  it('maxEvents drops the oldest events, and their latest entries', () => {
    const b = backend([], { maxEvents: 2 });
    for (let i = 0; i < 5; i++) b.register([{ type: ['t', String(i)] }]);
    expect(b.size).toBeLessThanOrEqual(4);
    expect(ids(b, { type: 'latest' })).toEqual(ids(b, { type: 'timeseries', order: 'ascending' }));
    for (let i = 5; i < 50; i++) b.register([{ type: ['t', String(i % 3)] }]);
    expect(b.size).toBeLessThanOrEqual(4);
    expect(ids(b, { type: 'server', serverId: 1 }).at(-1)).toBe('50.1');
  });

  it('maxEvents 0 keeps nothing; limits that are not counts are refused', () => {
    const b = backend([], { maxEvents: 0 });
    for (let i = 0; i < 3; i++) b.register([{ type: ['t'] }]);
    expect(b.size).toBe(0);
    expect(ids(b, { type: 'timeseries' })).toEqual([]);
    for (const bad of [NaN, -1, 2.5])
      for (const key of ['maxEvents', 'maxResults'])
        expect(() => backend([], { [key]: bad }), `${key} ${bad}`).toThrow(EventerValueError);
    // A NaN maxResults in the params (only possible through the API) keeps the server's cap.
    const c = backend([], { maxResults: 2 });
    for (let i = 0; i < 3; i++) c.register([{ type: ['t'] }]);
    expect(ids(c, { type: 'timeseries', maxResults: NaN })).toHaveLength(2);
  });
});
