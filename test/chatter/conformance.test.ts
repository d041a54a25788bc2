import { join } from 'node:path';
// Replays the recorded Python sessions: every frame decodes to the recorded message, and our
// connection, driven through the same sequence of sends, emits byte-identical frames while a
// raw socket plays the recorded peer.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HatChatter } from '../../generated/index.js';
import { connect, listen, type Connection, type Msg } from '../../runtime/chatter/index.js';
import { hex, rawClient, rawServer, unhex, type RawPeer } from './helpers.js';
import { CONFORMANCE } from '../support/conformance.js';

const DIR = join(CONFORMANCE, 'sessions');

interface WireMsg {
  id: number;
  first: number;
  owner: boolean;
  token: boolean;
  last: boolean;
  data: { type: string; data: { $bytes: string } };
}
interface Rec {
  conn: number;
  dir: 'c2s' | 's2c';
  frame: string;
  msg: WireMsg;
}

const sessions = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, recs: JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Rec[] }));

function toValue(m: WireMsg): HatChatter.Msg {
  return { ...m, data: { type: m.data.type, data: unhex(m.data.data.$bytes) } };
}

function body(frameHex: string): Uint8Array {
  const f = unhex(frameHex);
  return f.subarray(1 + (f[0] as number));
}

/** Drives `conn` (our side, sending `ours`) against `peer` (playing the other direction). */
async function replay(
  conn: Connection,
  peer: RawPeer,
  recs: Rec[],
  ourDir: 'c2s' | 's2c',
): Promise<void> {
  const peerRecs = recs.filter((r) => r.dir !== ourDir);
  let delivered = 0;
  const deliverUntil = (pred: (m: WireMsg) => boolean): void => {
    for (;;) {
      const r = peerRecs[delivered];
      if (r === undefined) throw new Error('recorded peer frame not found');
      peer.write(r.frame);
      delivered++;
      if (pred(r.msg)) return;
    }
  };
  const received: Msg[] = [];
  const receiveIn = async (firstId: number): Promise<Msg> => {
    for (;;) {
      const found = received.findIndex((m) => !m.conv.owner && m.conv.firstId === firstId);
      if (found >= 0) return received.splice(found, 1)[0] as Msg;
      received.push(await conn.receive());
    }
  };
  let expected = '';
  for (const r of recs.filter((x) => x.dir === ourDir)) {
    const m = r.msg;
    const data = { type: m.data.type, data: unhex(m.data.data.$bytes) };
    if (m.data.type === 'HatChatter.Ping') {
      conn.ping();
    } else if (m.data.type === 'HatChatter.Pong') {
      // Our pong answers the peer's ping with id = this conversation's first id.
      deliverUntil((p) => p.data.type === 'HatChatter.Ping' && p.id === m.first);
    } else if (m.owner) {
      const conv = await conn.send(data, {
        conv: m.first === m.id ? undefined : { owner: true, firstId: m.first },
        last: m.last,
        token: m.token,
      });
      expect(conv).toEqual({ owner: true, firstId: m.first });
    } else {
      deliverUntil((p) => p.owner && p.id === m.first);
      const req = await receiveIn(m.first);
      expect(req.first).toBe(true);
      await conn.send(data, { conv: req.conv, last: m.last, token: m.token });
    }
    expected += r.frame;
    const got = await peer.waitBytes(expected.length / 2);
    expect(hex(got)).toBe(expected);
  }
  // The rest of the peer's frames: our side receives the user messages among them.
  while (delivered < peerRecs.length) deliverUntil(() => true);
  const userPeerMsgs = peerRecs
    .map((r) => r.msg)
    .filter((m) => !m.data.type.startsWith('HatChatter.'));
  const answered = recs.filter(
    (r) => r.dir === ourDir && !r.msg.owner && !r.msg.data.type.startsWith('HatChatter.'),
  );
  const pending = userPeerMsgs.length - answered.length;
  for (let i = received.length; i < pending; i++) received.push(await conn.receive());
  const unanswered = userPeerMsgs.filter(
    (p) => !answered.some((a) => p.owner && a.msg.first === p.id),
  );
  expect(
    received.map((x) => ({
      type: x.data.type,
      data: hex(x.data.data),
      last: x.last,
      token: x.token,
    })),
  ).toEqual(
    unanswered.map((p) => ({
      type: p.data.type,
      data: p.data.data.$bytes,
      last: p.last,
      token: p.token,
    })),
  );
  expect(hex(peer.received)).toBe(expected);
}

describe.each(sessions)('recorded session $name', ({ recs }) => {
  it('every frame decodes to the recorded message and re-encodes to the same bytes', () => {
    for (const r of recs) {
      const value = HatChatter.Msg.decode(body(r.frame));
      expect(value).toEqual(toValue(r.msg));
      const f = unhex(r.frame);
      expect(f[0]).toBe(f.length - 1 - (f[0] as number) >= 256 ? 2 : 1);
      expect(hex(HatChatter.Msg.encode(value))).toBe(hex(body(r.frame)));
    }
  });

  const conns = [...new Set(recs.map((r) => r.conn))];

  it.each(conns)('our client reproduces connection %i byte for byte', async (n) => {
    const raw = await rawServer();
    const conn = await connect({ host: '127.0.0.1', port: raw.port }, { pingDelay: null });
    try {
      await replay(
        conn,
        await raw.peer,
        recs.filter((r) => r.conn === n),
        'c2s',
      );
    } finally {
      await conn.close();
      await raw.close();
    }
  });

  it.each(conns)('our server reproduces connection %i byte for byte', async (n) => {
    const server = await listen('127.0.0.1:0', { pingDelay: null });
    try {
      const peer = await rawClient(server.address.port);
      const it = server[Symbol.asyncIterator]();
      const conn = (await it.next()).value as Connection;
      await replay(
        conn,
        peer,
        recs.filter((r) => r.conn === n),
        's2c',
      );
      peer.socket.destroy();
    } finally {
      await server.close();
    }
  });
});
