import { join } from 'node:path';
// The recorded Python session (eventer-smoke.json): every body decodes through the generated
// codecs and our plain types back to the same bytes, and our client and our server, driven
// through the same scenario against a raw socket playing the recorded peer, emit byte-identical
// frames (so every message type, id, conversation and flag matches).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSources, readSources } from '../../compiler/index.js';
import { HatEventer } from '../../generated/index.js';
import {
  connect,
  eventFromSbs,
  eventToSbs,
  MemoryBackend,
  queryParamsFromSbs,
  queryParamsToSbs,
  queryResultFromSbs,
  queryResultToSbs,
  registerEventFromSbs,
  registerEventToSbs,
  statusFromSbs,
  statusToSbs,
  type Event,
  type Timestamp,
} from '../../runtime/eventer/index.js';
import {
  parseLosslessJson,
  sameValue,
  VectorConverter,
  type JsonValue,
} from '../../scripts/conformance/vectors.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';
import { hex, rawClient, rawServer, unhex, type RawPeer } from '../chatter/helpers.js';
import { CONFORMANCE } from '../support/conformance.js';

const SESSION = join(CONFORMANCE, 'sessions/eventer-smoke.json');
const SCHEMA = join(CONFORMANCE, 'schemas/hat/eventer.sbs');

interface Rec {
  conn: number;
  dir: 'c2s' | 's2c';
  frame: string;
  msg: {
    id: number;
    first: number;
    owner: boolean;
    token: boolean;
    last: boolean;
    data: { type: string; data: { $bytes: string } };
  };
}

const text = readFileSync(SESSION, 'utf8');
const recs = JSON.parse(text) as Rec[];
const bodies = parseLosslessJson(text) as { body: JsonValue }[];
const name = (r: Rec): string => r.msg.data.type.slice('HatEventer.'.length);
const dataOf = (r: Rec): Uint8Array => unhex(r.msg.data.data.$bytes);
type AnyCodec = { name: string; decode(b: Uint8Array): unknown; encode(v: unknown): Uint8Array };
const codecOf = (r: Rec): AnyCodec =>
  (HatEventer as unknown as Record<string, AnyCodec>)[name(r)] as AnyCodec;

/** Re-encodes a decoded body after a trip through our plain types. */
function throughPlainTypes(r: Rec, v: unknown): unknown {
  switch (name(r)) {
    case 'MsgInitRes': {
      const res = v as HatEventer.MsgInitRes;
      return res.type === 'success'
        ? { type: 'success', value: statusToSbs(statusFromSbs(res.value)) }
        : res;
    }
    case 'MsgStatusNotify':
      return statusToSbs(statusFromSbs(v as HatEventer.Status));
    case 'MsgEventsNotify':
      return (v as HatEventer.Event[]).map((e) => eventToSbs(eventFromSbs(e)));
    case 'MsgRegisterReq':
      return (v as HatEventer.RegisterEvent[]).map((e) =>
        registerEventToSbs(registerEventFromSbs(e)),
      );
    case 'MsgRegisterRes': {
      const res = v as HatEventer.MsgRegisterRes;
      return res.type === 'events'
        ? { type: 'events', value: res.value.map((e) => eventToSbs(eventFromSbs(e))) }
        : res;
    }
    case 'MsgQueryReq':
      return queryParamsToSbs(queryParamsFromSbs(v as HatEventer.QueryParams));
    case 'MsgQueryRes':
      return queryResultToSbs(queryResultFromSbs(v as HatEventer.QueryResult));
    default:
      return v;
  }
}

describe('eventer-smoke.json bodies', async () => {
  const { schema } = compileSources(await readSources([SCHEMA]));
  if (!schema) throw new Error('eventer.sbs did not compile');
  const converter = new VectorConverter(schema);

  it.each(recs.map((r, i) => [i, r.msg.data.type, r] as const))('#%d %s', (i, _type, r) => {
    const codec = codecOf(r);
    expect(codec.name).toBe(r.msg.data.type);
    const decoded = codec.decode(dataOf(r));
    const expected = converter.toValue(
      converter.typeOf(r.msg.data.type),
      (bodies[i] as { body: JsonValue }).body,
      'number',
    );
    expect(sameValue(decoded, expected)).toBe(true);
    // Our plain types keep everything, down to the JSON payload text Python wrote.
    expect(hex(codec.encode(throughPlainTypes(r, decoded)))).toBe(r.msg.data.data.$bytes);
  });
});

/** Frames of one connection and direction, concatenated. */
const stream = (conn: number, dir: 'c2s' | 's2c'): string =>
  recs
    .filter((r) => r.conn === conn && r.dir === dir)
    .map((r) => r.frame)
    .join('');

describe('our server against the recorded clients', () => {
  it('answers and notifies with the recorded frames, byte for byte', async () => {
    // The recorded timestamps, one per register session, in order.
    const sessionTimes = new Map<number, Timestamp>();
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i] as Rec;
      if (name(r) !== 'MsgEventsNotify') continue;
      for (const e of HatEventer.MsgEventsNotify.decode(dataOf(r)))
        sessionTimes.set(e.id.session, e.timestamp);
    }
    const backend: MemoryBackend = new MemoryBackend({
      serverId: 1,
      clock: (): Timestamp => sessionTimes.get(backend.lastSession) as Timestamp,
    });
    const { server } = await startMemoryServer({ backend, failType: ['__fail__'], pingDelay: 0 });
    const peers = new Map<number, RawPeer>();
    const sent = new Map<number, number>();
    const expectedLength = new Map<number, number>();
    try {
      for (const r of recs) {
        if (!peers.has(r.conn)) peers.set(r.conn, await rawClient(server.address.port));
        const peer = peers.get(r.conn) as RawPeer;
        if (r.dir === 'c2s') {
          peer.write(r.frame);
          sent.set(r.conn, (sent.get(r.conn) ?? 0) + 1);
        } else {
          const n = (expectedLength.get(r.conn) ?? 0) + r.frame.length / 2;
          expectedLength.set(r.conn, n);
          try {
            await peer.waitBytes(n, 2000);
          } catch (e) {
            const got = hex(peer.received);
            const want = stream(r.conn, 's2c');
            let k = 0;
            while (k < got.length && got[k] === want[k]) k++;
            throw new Error(
              `conn ${r.conn}: differs at hex ${k}: got ${got.slice(k - 40, k + 200)} want ${want.slice(k - 40, k + 200)}`,
              { cause: e },
            );
          }
        }
      }
      for (const [conn, peer] of peers) expect(hex(peer.received)).toBe(stream(conn, 's2c'));
      expect(server.connections.map((c) => [c.id, c.clientName, c.persisted])).toEqual([
        [1, 'interop/smoke1', false],
        [2, 'interop/smoke2', true],
      ]);
    } finally {
      for (const p of peers.values()) p.socket.destroy();
      await server.close();
    }
  });
});

describe('our client against the recorded server', () => {
  it('sends the recorded frames, byte for byte, and returns the recorded results', async () => {
    const mine = recs.filter((r) => r.conn === 1);
    const raw = await rawServer();
    const notified: Event[][] = [];
    const clientP = connect(`127.0.0.1:${raw.port}`, {
      clientName: 'interop/smoke1',
      subscriptions: [['a', '*']],
      pingDelay: 0,
      onEvents: (events) => void notified.push(events),
    });
    const peer = await raw.peer;
    // The raw peer answers with the recorded server frames once it got what precedes them.
    const played = (async () => {
      let received = 0;
      for (const r of mine) {
        if (r.dir === 'c2s') {
          received += r.frame.length / 2;
          await peer.waitBytes(received, 5000);
        } else {
          peer.write(r.frame);
        }
      }
    })();
    const client = await clientP;
    try {
      expect(client.status).toBe('operational');
      const results: unknown[] = [];
      const expectedResults: unknown[] = [];
      for (let i = 0; i < mine.length; i++) {
        const r = mine[i] as Rec;
        if (r.dir !== 'c2s' || name(r) === 'MsgInitReq') continue;
        const reply = mine
          .slice(i + 1)
          .find((x) => x.dir === 's2c' && !x.msg.owner && x.msg.first === r.msg.id);
        if (name(r) === 'MsgRegisterReq') {
          const events = HatEventer.MsgRegisterReq.decode(dataOf(r)).map(registerEventFromSbs);
          if (r.msg.last) {
            expect(await client.register(events)).toBeUndefined();
            continue;
          }
          results.push(await client.register(events, { withResponse: true }));
          const res = HatEventer.MsgRegisterRes.decode(dataOf(reply as Rec));
          expectedResults.push(res.type === 'events' ? res.value.map(eventFromSbs) : null);
        } else {
          const params = queryParamsFromSbs(HatEventer.MsgQueryReq.decode(dataOf(r)));
          results.push(await client.query(params));
          expectedResults.push(
            queryResultFromSbs(HatEventer.MsgQueryRes.decode(dataOf(reply as Rec))),
          );
        }
      }
      await played;
      expect(hex(peer.received)).toBe(stream(1, 'c2s'));
      expect(results).toEqual(expectedResults);
      expect(results).toContainEqual(null); // the recorded failure
      const expectedNotified = mine
        .filter((r) => name(r) === 'MsgEventsNotify')
        .map((r) => HatEventer.MsgEventsNotify.decode(dataOf(r)).map(eventFromSbs));
      expect(notified).toEqual(expectedNotified);
    } finally {
      await client.close();
      await raw.close();
    }
  });

  it('the persisted client sends the recorded init', async () => {
    const raw = await rawServer();
    const clientP = connect(`127.0.0.1:${raw.port}`, {
      clientName: 'interop/smoke2',
      subscriptions: [['a', '*']],
      persisted: true,
      pingDelay: 0,
    });
    const peer = await raw.peer;
    const init = recs.filter((r) => r.conn === 2);
    await peer.waitBytes((init[0] as Rec).frame.length / 2);
    expect(hex(peer.received)).toBe((init[0] as Rec).frame);
    peer.write((init[1] as Rec).frame);
    const client = await clientP;
    expect(client.status).toBe('operational');
    await client.close();
    await raw.close();
  });
});
