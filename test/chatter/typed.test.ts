import { describe, expect, it } from 'vitest';
import { HatChatter } from '../../generated/index.js';
import {
  ChatterError,
  CodecSet,
  ConnectionClosedError,
  ReplyTimeoutError,
  UnexpectedTypeError,
  decodeMsg,
  matchMsg,
  requestMsg,
  sendMsg,
} from '../../runtime/chatter/index.js';
import { SbsEncodeError } from '../../runtime/sbs/index.js';
import { bytes, pair as pairWith } from './helpers.js';

// The HatChatter module doubles as a small protocol: Data is the request, Msg the response.
const set = CodecSet.fromModule(HatChatter);

const pair = (): ReturnType<typeof pairWith> => pairWith({ pingDelay: null });

describe('chatter typed messages', () => {
  it('sends with the codec name as type and decodes by type', async () => {
    const { server, c1, c2 } = await pair();
    const value = { type: 'inner', data: bytes('payload') };
    const conv = await sendMsg(c1, HatChatter.Data, value, { last: false });
    const msg = await c2.receive();
    expect(msg.data.type).toBe('HatChatter.Data');
    expect(msg.data.data).toEqual(HatChatter.Data.encode(value));
    expect(decodeMsg(msg, HatChatter.Data)).toEqual(value);
    expect(matchMsg(msg, HatChatter.Data)).toEqual(value);
    expect(matchMsg(msg, HatChatter.Msg)).toBeUndefined();
    expect(() => decodeMsg(msg, HatChatter.Msg)).toThrow(UnexpectedTypeError);

    expect(set.has('HatChatter.Data')).toBe(true);
    expect(set.has('HatChatter.Nope')).toBe(false);
    const decoded = set.decode(msg);
    expect(decoded.key).toBe('Data');
    if (decoded.key === 'Data') expect(decoded.value.type).toBe('inner');
    expect(set.tryDecode({ type: 'Other.T', data: new Uint8Array(0) })).toBeUndefined();
    expect(() => set.decode({ type: 'Other.T', data: new Uint8Array(0) })).toThrow(
      /unexpected message type "Other.T"/,
    );
    // None-typed members are codecs as well.
    expect(set.decode({ type: 'HatChatter.Ping', data: new Uint8Array(0) })).toEqual({
      key: 'Ping',
      type: 'HatChatter.Ping',
      value: null,
    });

    await c2.send({ type: 'HatChatter.Pong', data: new Uint8Array(0) }, { conv: msg.conv });
    expect(conv).toEqual({ owner: true, firstId: 1 });
    await server.close();
  });

  it('routes replies to the waiting request, other messages to receive()', async () => {
    const { server, c1, c2 } = await pair();
    const responder = (async () => {
      for await (const req of c2) {
        const data = decodeMsg(req, HatChatter.Data);
        // Unrelated traffic first, then the reply in the request's conversation.
        await c2.send({ type: 'Unrelated.Note', data: new Uint8Array(0) });
        await sendMsg(
          c2,
          HatChatter.Msg,
          { id: 0, first: 0, owner: false, token: true, last: true, data },
          { conv: req.conv },
        );
      }
    })();
    const reply = await requestMsg(
      c1,
      HatChatter.Data,
      { type: 'q', data: bytes('1') },
      HatChatter.Msg,
      { timeout: 2000 },
    );
    expect(reply.data).toEqual({ type: 'q', data: bytes('1') });
    const viaSet = await requestMsg(c1, HatChatter.Data, { type: 'q2', data: bytes('2') }, set);
    expect(viaSet.key).toBe('Msg');
    expect((await c1.receive()).data.type).toBe('Unrelated.Note');
    expect((await c1.receive()).data.type).toBe('Unrelated.Note');
    expect(c1.tryReceive()).toBeUndefined();
    await server.close();
    await responder;
  });

  it('times out, aborts and fails on close', async () => {
    const { server, c1 } = await pair();
    await expect(
      c1.request({ type: 'q', data: new Uint8Array(0) }, { timeout: 30 }),
    ).rejects.toBeInstanceOf(ReplyTimeoutError);

    const ac = new AbortController();
    const aborted = c1.request({ type: 'q', data: new Uint8Array(0) }, { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');

    const conv = await c1.send({ type: 'q', data: new Uint8Array(0) }, { last: false });
    const waiting = c1.waitReply(conv);
    const second: unknown = await c1.waitReply(conv).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ChatterError);
    expect((second as Error).message).toMatch(/already waiting/);
    const closedWait = expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    await server.close();
    await closedWait;
  });

  it('a timed-out wait lets go of its signal: aborting it later spares the next wait', async () => {
    const { server, c1, c2 } = await pair();
    const conv = await c1.send({ type: 'q', data: new Uint8Array(0) }, { last: false });
    const ac = new AbortController();
    await expect(c1.waitReply(conv, { timeout: 20, signal: ac.signal })).rejects.toBeInstanceOf(
      ReplyTimeoutError,
    );
    const next = c1.waitReply(conv, { timeout: 2000 });
    ac.abort(new Error('late'));
    const req = await c2.receive();
    await c2.send({ type: 'r', data: new Uint8Array(0) }, { conv: req.conv });
    expect((await next).data.type).toBe('r');
    expect(c1.tryReceive()).toBeUndefined();
    await server.close();
  });

  it('rejects, never throws, for a value the codec cannot encode, using no id', async () => {
    const { server, c1, c2 } = await pair();
    const bad = { type: 5 } as unknown as HatChatter.Data;
    let sent: Promise<unknown> | undefined;
    expect(() => (sent = sendMsg(c1, HatChatter.Data, bad))).not.toThrow();
    const errors = await Promise.all(
      [sent, requestMsg(c1, HatChatter.Data, bad, HatChatter.Msg)].map((p) =>
        p?.catch((e: unknown) => e),
      ),
    );
    for (const err of errors) {
      expect(err).toBeInstanceOf(SbsEncodeError);
      expect((err as Error).message).toMatch(/^HatChatter.Data.type: /);
    }
    expect(await sendMsg(c1, HatChatter.Data, { type: 't', data: new Uint8Array(0) })).toEqual({
      owner: true,
      firstId: 1,
    });
    expect((await c2.receive()).data.type).toBe('HatChatter.Data');
    await server.close();
  });
});
