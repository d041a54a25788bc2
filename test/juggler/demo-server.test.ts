import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { connect, JugglerError, type Client, type JsonValue } from '../../runtime/juggler/index.js';
import { startChildServer } from '../../scripts/child-server.js';
import { startDemoServer } from '../../runtime/cli/juggler-demo.js';
import { cleanupAfterEach, RawClient, until } from './helpers.js';

const cleanups = cleanupAfterEach();

describe('demo server handler', () => {
  it('implements echo, fail, set, get_state, notify and rejects other names', async () => {
    const server = await startDemoServer({ autoflushDelay: null });
    cleanups.push(() => server.close());
    const notes: [string, JsonValue][] = [];
    const client: Client = await connect(server.wsUrl, { onNotify: (n, d) => notes.push([n, d]) });
    cleanups.push(() => client.close());
    expect(await client.send('echo', [1, 'a'])).toEqual({ name: 'echo', data: [1, 'a'] });
    await expect(client.send('fail', 'boom')).rejects.toMatchObject({ data: 'boom' });
    await expect(client.send('fail', 1)).rejects.toBeInstanceOf(JugglerError);
    // set flushes before answering even with autoflush disabled
    expect(await client.send('set', { x: [1, 2] })).toBe(null);
    await until(() => client.state.data !== null);
    expect(client.state.data).toEqual({ x: [1, 2] });
    expect(await client.send('get_state', null)).toEqual({ x: [1, 2] });
    expect(await client.send('notify', { name: 'n1', data: 5 })).toBe(null);
    expect(await client.send('notify', { name: 'n2', data: 5, extra: 1 })).toBe(null);
    expect(await client.send('notify', 'plain')).toBe(null);
    await until(() => notes.length === 3);
    expect(notes).toEqual([
      ['n1', 5],
      ['notify', { name: 'n2', data: 5, extra: 1 }],
      ['notify', 'plain'],
    ]);
    await expect(client.send('other', null)).rejects.toBeInstanceOf(JugglerError);
  });
});

describe('runtime/cli/juggler-demo.ts under tsx (as the benchmarks run it)', () => {
  it('prints READY <port> for --port 0 and honours --max-segment-size', async () => {
    const child = await startChildServer('juggler-demo.ts', [
      '--port',
      '0',
      '--max-segment-size',
      '16',
    ]);
    cleanups.push(() => child.stop());
    expect(child.port).toBeGreaterThan(0);
    const raw = await RawClient.open(`ws://127.0.0.1:${child.port}/ws`);
    cleanups.push(() => raw.close());
    const long = 'x'.repeat(100);
    raw.sendMsg({ type: 'request', id: 1, name: 'echo', data: long });
    await until(() => raw.messages.length === 1);
    expect(raw.messages[0]).toEqual({
      type: 'response',
      id: 1,
      data: { name: 'echo', data: long },
      success: true,
    });
    expect(raw.frames.length).toBeGreaterThan(5);
    for (const f of raw.frames) expect(f.length - 1).toBeLessThanOrEqual(16);
  });
});

/** Just enough DOM for the page's script: elements by id, text, a form's submit listener. */
class FakeElement {
  textContent = '';
  value = '';
  className = '';
  childNodes: FakeElement[] = [];
  listeners = new Map<string, (ev: { preventDefault(): void }) => void>();
  get firstChild(): FakeElement | null {
    return this.childNodes[0] ?? null;
  }
  get lastChild(): FakeElement | null {
    return this.childNodes[this.childNodes.length - 1] ?? null;
  }
  insertBefore(node: FakeElement, ref: FakeElement | null): void {
    const i = ref === null ? this.childNodes.length : this.childNodes.indexOf(ref);
    this.childNodes.splice(i, 0, node);
  }
  removeChild(node: FakeElement): void {
    this.childNodes.splice(this.childNodes.indexOf(node), 1);
  }
  addEventListener(type: string, fn: (ev: { preventDefault(): void }) => void): void {
    this.listeners.set(type, fn);
  }
}

describe('the demo page', () => {
  it("its script, run against the server, shows the live state and sends the form's requests", async () => {
    // small segments: the page must reassemble '1'... '0' frames
    const server = await startDemoServer({ autoflushDelay: 0, maxSegmentSize: 8 });
    cleanups.push(() => server.close());
    const html = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();
    const ids = ['status', 'state', 'log', 'request', 'name', 'data'] as const;
    const el = Object.fromEntries(ids.map((id) => [id, new FakeElement()])) as Record<
      (typeof ids)[number],
      FakeElement
    >;
    el.state.textContent = 'null'; // as in the page's HTML
    const sockets: WebSocket[] = [];
    class PageSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    runInNewContext(script!, {
      document: {
        getElementById: (id: (typeof ids)[number]) => el[id],
        createElement: () => new FakeElement(),
      },
      location: { protocol: 'http:', host: `127.0.0.1:${server.port}` },
      WebSocket: PageSocket,
    });
    cleanups.push(() => sockets.forEach((s) => s.close()));
    expect(sockets.map((s) => s.url)).toEqual([`ws://127.0.0.1:${server.port}/ws`]);
    await until(() => el.status.textContent.startsWith('connected'));
    const submit = (name: string, data: string): void => {
      el.name.value = name;
      el.data.value = data;
      el.request.listeners.get('submit')!({ preventDefault: () => {} });
    };
    const shown = (): unknown => JSON.parse(el.state.textContent);
    const log = (): string[] => el.log.childNodes.map((n) => `${n.className}|${n.textContent}`);

    // each state change goes through the page's JSON Patch code: replace, add, remove, arrays
    const states = [
      { counter: 1, list: [1, 2, 3], nested: { a: 'x/y~z' } },
      { counter: 2, list: [1, 3], nested: { b: null } },
      { list: [0, 1, 3, 4], text: 'a longer value than one segment' },
      [{ k: 1 }, 'b'],
      null,
    ];
    for (const state of states) {
      submit('set', JSON.stringify(state));
      await until(
        () => JSON.stringify(shown()) === JSON.stringify(state),
        5000,
        JSON.stringify(state),
      );
    }
    const logged = (re: RegExp): Promise<void> =>
      until(() => log().some((l) => re.test(l)), 5000, String(re));
    submit('echo', '{"hello": "page"}');
    await logged(/^response\|.* response echo #6: {"name":"echo","data":{"hello":"page"}}$/);
    submit('notify', '{"name": "ping", "data": [1]}');
    await logged(/^notify\|.* notify ping: \[1\]$/);
    await logged(/^response\|.* response notify #7: null$/);
    submit('fail', '"nope"');
    await logged(/^error\|.* error fail #8: "nope"$/);
    submit('echo', '{not json');
    await logged(/^error\|.* error data is not JSON: /);
  });

  it('GET / is the page (never a redirect or 404), HEAD / too; POST / is not', async () => {
    const server = await startDemoServer();
    cleanups.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    const get = await fetch(`${base}/?x=1`, { redirect: 'manual' });
    expect(get.status).toBe(200);
    const csp = get.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await get.text()).toContain('<h1>Juggler demo</h1>');
    const head = await fetch(base, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect((await fetch(base, { method: 'POST' })).status).toBe(404);
  });

  it("a --static-dir index.html replaces the page at / (a redirect, as listen's), else the page stays", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-static-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'other.txt'), 'other');
    const server = await startDemoServer({ staticDir: dir });
    cleanups.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/`)).text()).toContain('<h1>Juggler demo</h1>');
    expect(await (await fetch(`${base}/other.txt`)).text()).toBe('other');
    writeFileSync(join(dir, 'index.html'), 'mine');
    const res = await fetch(`${base}/`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, '/index.html']);
    expect(await (await fetch(`${base}/`)).text()).toBe('mine');
  });
});
