import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonStore, listen, type Connection, type Server } from '../../runtime/juggler/index.js';
import { RawClient, sleep, until } from './helpers.js';

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('wire format (raw frames against our server)', () => {
  it('segments messages into 1.../0... frames and never splits a surrogate pair', async () => {
    const conns: Connection[] = [];
    server = await listen({ maxSegmentSize: 10, onConnection: (c) => void conns.push(c) });
    const raw = await RawClient.open(server.wsUrl);
    await until(() => conns.length === 1);
    const text = 'ab😀cdefg😀😀x'.repeat(3);
    await conns[0]!.notify('n', text);
    await until(() => raw.messages.length === 1);
    expect(raw.messages[0]).toEqual({ type: 'notify', name: 'n', data: text });
    const json = JSON.stringify({ type: 'notify', name: 'n', data: text });
    expect(raw.frames.map((f) => f.slice(1)).join('')).toBe(json);
    expect(raw.frames.slice(0, -1).every((f) => f[0] === '1')).toBe(true);
    expect(raw.frames.at(-1)![0]).toBe('0');
    for (const f of raw.frames) {
      expect(f.length - 1).toBeLessThanOrEqual(10);
      expect(f.length - 1).toBeGreaterThan(0);
      // a lone surrogate would have been replaced by U+FFFD on the wire
      expect(f).not.toContain('\ufffd');
    }
    raw.close();
  });

  it('sends no empty trailing segment when the length is a multiple of the segment size', async () => {
    const conns: Connection[] = [];
    server = await listen({ maxSegmentSize: 8, onConnection: (c) => void conns.push(c) });
    const raw = await RawClient.open(server.wsUrl);
    await until(() => conns.length === 1);
    // {"type":"notify","name":"n","data":"xx"} = 40 chars = 5 * 8
    await conns[0]!.notify('n', 'xx');
    await until(() => raw.messages.length === 1);
    expect(raw.frames).toHaveLength(5);
    expect(raw.frames.at(-1)).toBe('0a":"xx"}');
    raw.close();
  });

  it('answers ping with pong of the same payload and accepts segmented requests', async () => {
    server = await listen({ onRequest: (_c, name, data) => ({ name, data }) });
    const raw = await RawClient.open(server.wsUrl);
    raw.sendFrame('2hello');
    raw.sendFrame('3ignored');
    raw.sendFrame('1{"type":"request","id":7,');
    raw.sendFrame('1"name":"echo",');
    raw.sendFrame('0"data":[1,"ž"]}');
    await until(() => raw.messages.length === 1);
    expect(raw.frames[0]).toBe('3hello');
    expect(raw.messages[0]).toEqual({
      type: 'response',
      id: 7,
      data: { name: 'echo', data: [1, 'ž'] },
      success: true,
    });
    // hat's key order
    expect(raw.frames[1]).toBe(
      '0{"type":"response","id":7,"data":{"name":"echo","data":[1,"ž"]},"success":true}',
    );
    raw.close();
  });

  it('sends a long string response and notification byte for byte as JSON.stringify, segmented', async () => {
    const conns: Connection[] = [];
    server = await listen({
      maxSegmentSize: 1000,
      onRequest: (_c, _name, data) => data,
      onConnection: (c) => void conns.push(c),
    });
    const raw = await RawClient.open(server.wsUrl);
    await until(() => conns.length === 1);
    const clean = 'ab😀ž\u2028 '.repeat(700);
    const escaped = clean + '"\n\\n\ud800';
    raw.sendFrame('0' + JSON.stringify({ type: 'request', id: 1, name: 'echo', data: clean }));
    await until(() => raw.messages.length === 1);
    await conns[0]!.notify('n', escaped);
    await until(() => raw.messages.length === 2);
    const joined = raw.frames.map((f) => f.slice(1)).join('');
    expect(joined).toBe(
      JSON.stringify({ type: 'response', id: 1, data: clean, success: true }) +
        JSON.stringify({ type: 'notify', name: 'n', data: escaped }),
    );
    expect(raw.frames.filter((f) => f[0] === '0')).toHaveLength(2);
    expect(raw.frames.every((f) => f.length - 1 <= 1000)).toBe(true);
    raw.close();
  });

  it('shared state: a lagging connection gets its own diff, connections in step the same frame', async () => {
    const state = new JsonStore({ a: 1 });
    const conns: Connection[] = [];
    server = await listen({ state, autoflushDelay: null, onConnection: (c) => void conns.push(c) });
    const x = await RawClient.open(server.wsUrl);
    const y = await RawClient.open(server.wsUrl);
    await until(() => conns.length === 2 && x.messages.length === 1 && y.messages.length === 1);
    const [cx, cy] = conns as [Connection, Connection];
    state.set('b', 2);
    await cx.flush();
    await until(() => x.messages.length === 2);
    state.set('c', 3);
    await cx.flush();
    await cy.flush();
    await until(() => x.messages.length === 3 && y.messages.length === 2);
    expect(x.frames.at(-1)).toBe('0{"type":"state","diff":[{"op":"add","path":"/c","value":3}]}');
    expect(y.frames.at(-1)).toBe(
      '0{"type":"state","diff":[{"op":"add","path":"/b","value":2},{"op":"add","path":"/c","value":3}]}',
    );
    state.remove('a');
    await cx.flush();
    await cy.flush();
    await until(() => x.messages.length === 4 && y.messages.length === 3);
    expect(x.frames.at(-1)).toBe('0{"type":"state","diff":[{"op":"remove","path":"/a"}]}');
    expect(y.frames.at(-1)).toBe(x.frames.at(-1));
    x.close();
    y.close();
  });

  it('echoes an empty-name request without calling the handler', async () => {
    let calls = 0;
    server = await listen({ onRequest: () => void calls++ });
    const raw = await RawClient.open(server.wsUrl);
    raw.sendMsg({ type: 'request', id: 3, name: '', data: { x: [1] } });
    await until(() => raw.messages.length === 1);
    expect(raw.messages[0]).toEqual({ type: 'response', id: 3, data: { x: [1] }, success: true });
    expect(calls).toBe(0);
    raw.close();
  });

  it('answers empty-name requests in turn with the others, under the same backpressure', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server = await listen({
      receiveQueueSize: 4,
      onRequest: async () => {
        await gate;
        return 'slow';
      },
    });
    const raw = await RawClient.open(server.wsUrl);
    raw.sendMsg({ type: 'request', id: 1, name: 'slow', data: null });
    for (let i = 2; i <= 200; i++) raw.sendMsg({ type: 'request', id: i, name: '', data: i });
    await sleep(50);
    // as in hat (one request at a time), the echoes wait behind the running request
    expect(raw.messages).toEqual([]);
    release();
    await until(() => raw.messages.length === 200);
    expect(raw.messages.map((m) => (m as { id: number }).id)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    raw.close();
  });

  it.each([
    ['unknown header', '4{}'],
    ['empty frame', ''],
    ['malformed JSON', '0{"type":'],
    ['non-request message', '0{"type":"response","id":1,"data":null,"success":true}'],
    ['request without name', '0{"type":"request","id":1,"data":null}'],
    ['not an object', '0[1,2]'],
  ])('closes the connection on %s and keeps serving others', async (_label, frame) => {
    const conns: Connection[] = [];
    server = await listen({ onConnection: (c) => void conns.push(c), onRequest: () => 'ok' });
    const bad = await RawClient.open(server.wsUrl);
    const good = await RawClient.open(server.wsUrl);
    await until(() => conns.length === 2);
    bad.sendFrame(frame);
    await until(() => bad.closed, 2000, 'bad client closed');
    await conns[0]!.closed;
    expect(conns[0]!.isOpen).toBe(false);
    good.sendMsg({ type: 'request', id: 1, name: 'x', data: null });
    await until(() => good.messages.length === 1);
    expect(good.messages[0]).toMatchObject({ success: true, data: 'ok' });
    good.close();
  });

  it('closes on a binary frame and on a message above maxMessageSize', async () => {
    server = await listen({ maxMessageSize: 100 });
    const a = await RawClient.open(server.wsUrl);
    a.ws.send(Buffer.from('0{}'));
    await until(() => a.closed);
    const b = await RawClient.open(server.wsUrl);
    for (let i = 0; i < 20; i++) b.sendFrame('1' + 'x'.repeat(10));
    await until(() => b.closed);
    // the limit counts the whole message: one final segment, or the final one tipping it over
    const c = await RawClient.open(server.wsUrl);
    c.sendMsg({ type: 'request', id: 1, name: 'x', data: 'x'.repeat(100) });
    await until(() => c.closed);
    const d = await RawClient.open(server.wsUrl);
    d.sendFrame('1' + ' '.repeat(60));
    d.sendFrame('0' + JSON.stringify({ type: 'request', id: 1, name: 'x', data: 'x'.repeat(10) }));
    await until(() => d.closed);
    expect(d.messages).toEqual([]);
  });

  it('holds a message sent in tiny and empty segments in memory proportional to its size', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    server = await listen({ onRequest: (_c, _n, data) => (data as string).length });
    const raw = await RawClient.open(server.wsUrl);
    const pingPong = async (): Promise<void> => {
      const n = raw.frames.length;
      raw.sendFrame('2');
      await until(() => raw.frames.length > n, 10_000);
    };
    await pingPong();
    gc();
    const before = process.memoryUsage().heapUsed;
    raw.sendFrame('1{"type":"request","id":1,"name":"x","data":"');
    for (let i = 0; i < 200_000; i++) {
      raw.sendFrame('1ab');
      raw.sendFrame('1');
    }
    await pingPong(); // every segment before the ping has been received
    gc();
    const held = process.memoryUsage().heapUsed - before;
    // 400 kB of characters; kept as 200,000 separate parts (+ 200,000 empty ones) they took ~10 MB
    expect(held).toBeLessThan(3_000_000);
    raw.sendFrame('0"}');
    await until(() => raw.messages.length === 1, 10_000);
    expect(raw.messages[0]).toMatchObject({ id: 1, success: true, data: 400_000 });
    raw.close();
  });

  it('pings after pingDelay of silence and drops a peer that never answers', async () => {
    const conns: Connection[] = [];
    server = await listen({
      pingDelay: 20,
      pingTimeout: 30,
      onConnection: (c) => void conns.push(c),
    });
    const raw = await RawClient.open(server.wsUrl);
    // the raw client answers nothing (ws auto-pong is WebSocket-level, not Juggler '3')
    await until(() => raw.frames.includes('2'), 1000, 'ping');
    await until(() => raw.closed, 1000, 'ping timeout close');
    expect(conns[0]!.isOpen).toBe(false);
  });

  it('keeps a connection alive while the peer answers pings', async () => {
    const conns: Connection[] = [];
    server = await listen({
      pingDelay: 10,
      pingTimeout: 20,
      onConnection: (c) => void conns.push(c),
    });
    const raw = await RawClient.open(server.wsUrl);
    raw.ws.on('message', (d) => {
      const f = (d as Buffer).toString();
      if (f[0] === '2') raw.sendFrame('3' + f.slice(1));
    });
    await sleep(150);
    expect(raw.frames.filter((f) => f === '2').length).toBeGreaterThanOrEqual(3);
    expect(raw.closed).toBe(false);
    expect(conns[0]!.isOpen).toBe(true);
    raw.close();
  });
});
