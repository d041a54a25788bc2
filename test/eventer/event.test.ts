import { describe, expect, it } from 'vitest';
import {
  binaryPayload,
  compareEvents,
  eventBefore,
  eventEquals,
  jsonPayload,
  payloadBinary,
  payloadJson,
  type Event,
} from '../../runtime/eventer/event.js';
import { queryParams } from '../../runtime/eventer/query.js';

function ev(server: number, session: number, instance: number, s: number): Event {
  return {
    id: { server, session, instance },
    type: ['a'],
    timestamp: { s, us: 0 },
    sourceTimestamp: null,
    payload: null,
  };
}

describe('natural ordering (hat Event.__lt__)', () => {
  it('orders one server by id, whatever the timestamps', () => {
    expect(eventBefore(ev(1, 1, 2, 5), ev(1, 2, 1, 1))).toBe(true);
    expect(eventBefore(ev(1, 2, 1, 1), ev(1, 1, 2, 5))).toBe(false);
    expect(eventBefore(ev(1, 1, 1, 0), ev(1, 1, 1, 0))).toBe(false);
  });

  it('orders different servers by timestamp; equal timestamps: left first', () => {
    expect(eventBefore(ev(1, 9, 9, 1), ev(2, 1, 1, 2))).toBe(true);
    expect(eventBefore(ev(2, 1, 1, 2), ev(1, 9, 9, 1))).toBe(false);
    expect(eventBefore(ev(1, 1, 1, 3), ev(2, 1, 1, 3))).toBe(true);
    expect(eventBefore(ev(2, 1, 1, 3), ev(1, 1, 1, 3))).toBe(true);
  });

  it('stable sort keeps input order for cross-server ties, as sorted()', () => {
    const a = ev(2, 1, 1, 3);
    const b = ev(1, 1, 1, 3);
    expect([a, b].sort(compareEvents)).toEqual([a, b]);
    expect([b, a].sort(compareEvents)).toEqual([b, a]);
    const c = ev(1, 1, 2, 1);
    expect([ev(1, 1, 3, 0), c].sort(compareEvents)).toEqual([c, ev(1, 1, 3, 0)]);
  });
});

describe('payloads', () => {
  it('builds and reads both kinds; null JSON is a payload', () => {
    const j = jsonPayload(null);
    expect(payloadJson(j)).toBeNull();
    expect(payloadJson({ payload: jsonPayload({ x: [1] }) })).toEqual({ x: [1] });
    const b = binaryPayload('bin', new Uint8Array([0, 1]));
    expect(payloadBinary({ payload: b }).data).toEqual(new Uint8Array([0, 1]));
    expect(() => payloadJson(b)).toThrow(/expected a JSON payload, got a binary payload/);
    expect(() => payloadBinary({ payload: null })).toThrow(/got no payload/);
  });

  it('compares events structurally', () => {
    const e1 = { ...ev(1, 1, 1, 1), payload: jsonPayload({ a: [1, null] }) };
    const e2 = { ...ev(1, 1, 1, 1), payload: jsonPayload({ a: [1, null] }) };
    expect(eventEquals(e1, e2)).toBe(true);
    expect(eventEquals(e1, { ...e2, payload: jsonPayload({ a: [1] }) })).toBe(false);
    expect(eventEquals(e1, { ...e2, payload: null })).toBe(false);
  });
});

describe('query params defaults (hat QueryTimeseriesParams/QueryServerParams)', () => {
  it('fills in hat defaults', () => {
    expect(queryParams({ type: 'timeseries' })).toEqual({
      type: 'timeseries',
      eventTypes: null,
      tFrom: null,
      tTo: null,
      sourceTFrom: null,
      sourceTTo: null,
      order: 'descending',
      orderBy: 'timestamp',
      maxResults: null,
      lastEventId: null,
    });
    expect(queryParams({ type: 'server', serverId: 3 })).toEqual({
      type: 'server',
      serverId: 3,
      persisted: false,
      maxResults: null,
      lastEventId: null,
    });
    // An empty list is not "all types".
    expect(queryParams({ type: 'latest', eventTypes: [] })).toEqual({
      type: 'latest',
      eventTypes: [],
    });
  });
});
