import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Server } from '../../runtime/juggler/index.js';
import { startDemoServer } from '../../runtime/cli/juggler-demo.js';

const CHROMIUM = findChromium();
if (CHROMIUM === undefined)
  console.log(
    'juggler browser test skipped: no Chromium found (set CHROME_PATH, or install Debian chromium)',
  );

let staticDir: string;
let profileDir: string;
let server: Server;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (CHROMIUM === undefined) return;
  staticDir = mkdtempSync(join(tmpdir(), 'juggler-browser-static-'));
  profileDir = mkdtempSync(join(tmpdir(), 'juggler-browser-profile-'));
  // The official hat client (npm @hat-open/juggler 0.7.0 with @hat-open/util,
  // @hat-open/renderer, snabbdom) and our own browser entry, bundled for the page.
  await build({
    stdin: {
      contents: [
        "import * as hat from '@hat-open/juggler';",
        "import * as ours from './runtime/juggler/browser.ts';",
        'window.hatJuggler = hat;',
        'window.ourJuggler = ours;',
        "document.body.dataset['ready'] = '1';",
      ].join('\n'),
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(staticDir, 'app.js'),
    logLevel: 'silent',
  });
  writeFileSync(
    join(staticDir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="/app.js"></script></body></html>',
  );
  server = await startDemoServer({
    staticDir,
    autoflushDelay: 0,
    maxSegmentSize: 1000,
    onConnection: (conn) => conn.state.set([], { hello: 'world', n: 1 }),
  });
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.httpUrl + '/');
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  for (const d of [staticDir, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(CHROMIUM === undefined)(
  'official @hat-open/juggler client in Chromium against our server',
  () => {
    it('loaded the page from our server (/ redirects to /index.html)', () => {
      expect(page.url()).toBe(server.httpUrl + '/index.html');
    });

    it('syncs state, answers requests, reports failures, notifications and multi-segment messages', async () => {
      const result = await page.evaluate(async (url) => {
        type Hat = {
          Connection: new (
            a: string,
            pd: number,
            pt: number,
            ms: number,
          ) => EventTarget & {
            state: unknown;
            send(name: string, data: unknown): Promise<unknown>;
            close(): void;
          };
        };
        const { Connection } = (window as unknown as { hatJuggler: Hat }).hatJuggler;
        // client segments of 500 UTF-16 units, server segments of 1000
        const conn = new Connection(url, 5000, 5000, 500);
        const states: unknown[] = [];
        const notes: unknown[] = [];
        conn.addEventListener('change', (e) => states.push((e as CustomEvent).detail));
        conn.addEventListener('notify', (e) => notes.push((e as CustomEvent).detail));
        await new Promise((r) => conn.addEventListener('open', r, { once: true }));
        const waitFor = async (pred: () => boolean): Promise<void> => {
          for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
        };
        await waitFor(() => states.length > 0);
        const initial = conn.state;
        const echo = await conn.send('echo', { a: [1, 2, 'ž'] });
        let failure: unknown = 'no rejection';
        await conn.send('fail', 'boom').catch((e: unknown) => (failure = e));
        const bigUp = 'abc'.repeat(5000);
        const bigEcho = (await conn.send('echo', bigUp)) as { data: string };
        const bigDown = 'ž😀x'.repeat(3000);
        await conn.send('set', { big: bigDown, list: [1, 2, 3] });
        await waitFor(() => (conn.state as { big?: string } | null)?.big === bigDown);
        const afterSet = conn.state as { big: string; list: number[] };
        await conn.send('notify', { name: 'hello', data: { x: [true, null] } });
        await waitFor(() => notes.length > 0);
        conn.close();
        return {
          initial,
          echo,
          failure,
          bigUpOk: bigEcho.data === bigUp,
          bigDownOk: afterSet.big === bigDown,
          list: afterSet.list,
          notes,
        };
      }, server.wsUrl);
      expect(result.initial).toEqual({ hello: 'world', n: 1 });
      expect(result.echo).toEqual({ name: 'echo', data: { a: [1, 2, 'ž'] } });
      expect(result.failure).toBe('boom');
      expect(result.bigUpOk).toBe(true);
      expect(result.bigDownOk).toBe(true);
      expect(result.list).toEqual([1, 2, 3]);
      expect(result.notes).toEqual([{ name: 'hello', data: { x: [true, null] } }]);
    });

    it('our own client works in the browser with the native WebSocket', async () => {
      const result = await page.evaluate(async (url) => {
        type Ours = {
          connect(
            u: string,
            o: object,
          ): Promise<{
            state: { data: unknown };
            send(n: string, d: unknown): Promise<unknown>;
            notifications(): AsyncIterator<{ name: string; data: unknown }>;
            close(): Promise<void>;
          }>;
        };
        const { connect } = (window as unknown as { ourJuggler: Ours }).ourJuggler;
        const client = await connect(url, { maxSegmentSize: 100 });
        const notes = client.notifications();
        const astral = '😀'.repeat(500);
        const echo = (await client.send('echo', astral)) as { data: string };
        let failure = '';
        await client
          .send('fail', 'nope')
          .catch((e: Error & { data: unknown }) => (failure = `${e.name}:${String(e.data)}`));
        await client.send('set', { k: astral });
        await client.send('notify', { name: 'n', data: 1 });
        const note = await notes.next();
        const state = client.state.data;
        await client.close();
        return { echoOk: echo.data === astral, failure, state, note: note.value, astral };
      }, server.wsUrl);
      expect(result.echoOk).toBe(true);
      expect(result.failure).toBe('JugglerError:nope');
      expect(result.state).toEqual({ k: result.astral });
      expect(result.note).toEqual({ name: 'n', data: 1 });
    });
  },
);

describe.skipIf(CHROMIUM === undefined)(
  'our client in Chromium against a misbehaving server',
  () => {
    it('closes on a protocol error (browsers refuse close code 1002) and fails pending sends', async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise((r) => wss.once('listening', r));
      const closeCodes: number[] = [];
      wss.on('connection', (ws) => {
        ws.on('message', () => ws.send('x'));
        ws.on('close', (code) => closeCodes.push(code));
      });
      try {
        const { port } = wss.address() as { port: number };
        const result = await page.evaluate(async (url) => {
          type Ours = {
            connect(u: string): Promise<{
              send(n: string, d: unknown): Promise<unknown>;
              closed: Promise<void>;
              closeError: Error | undefined;
            }>;
          };
          const { connect } = (window as unknown as { ourJuggler: Ours }).ourJuggler;
          const client = await connect(url);
          const timeout = (what: string): Promise<string> =>
            new Promise((r) => setTimeout(() => r(`${what} still pending`), 3000));
          const send = await Promise.race([
            client.send('x', 1).then(
              () => 'resolved',
              (e: Error) => e.name,
            ),
            timeout('send'),
          ]);
          const closed = await Promise.race([
            client.closed.then(() => 'closed'),
            timeout('closed'),
          ]);
          return { send, closed, closeError: client.closeError?.name };
        }, `ws://127.0.0.1:${port}/ws`);
        expect(result).toEqual({
          send: 'ConnectionClosedError',
          closed: 'closed',
          closeError: 'ProtocolError',
        });
        expect(closeCodes).toHaveLength(1);
      } finally {
        await new Promise((r) => wss.close(r));
      }
    });
  },
);
