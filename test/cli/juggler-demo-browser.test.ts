// The compiled hat-juggler-demo's page in a real Chromium: its Content-Security-Policy lets the
// inline script and style run (a wrong hash would leave a dead page that the vm test cannot
// see), and the script shows the state and sends the form's requests. Skipped with one line
// when no Chromium is found, like test/juggler/browser.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBuilt, startBin, type Running } from './bins.js';

const CHROMIUM = findChromium();
if (CHROMIUM === undefined)
  console.log('juggler demo page browser test skipped: no Chromium found (set CHROME_PATH)');

let demo: Running | undefined;
let profileDir: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (CHROMIUM === undefined) return;
  checkBuilt();
  demo = await startBin('juggler-demo', ['--port', '0', '--max-segment-size', '32']);
  profileDir = mkdtempSync(join(tmpdir(), 'demo-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  page = context.pages()[0] ?? (await context.newPage());
  // a CSP violation or a script error shows up here
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`http://127.0.0.1:${demo.port}/`);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await demo?.stop();
  if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
});

describe.skipIf(CHROMIUM === undefined)('hat-juggler-demo page in Chromium', () => {
  it('connects, shows the state set from the form, logs a response and a notification', async () => {
    await page
      .waitForFunction(
        () => document.getElementById('status')?.textContent?.startsWith('connected'),
        undefined,
        { timeout: 10_000 },
      )
      // a blocked script never connects: say why instead of only timing out
      .catch((e: Error) => {
        throw new Error(`page did not connect: ${problems.join('; ') || e.message}`);
      });
    const state = { list: [1, 2, 3], text: 'longer than one 32-unit segment of the wire' };
    await page.fill('#name', 'set');
    await page.fill('#data', JSON.stringify(state));
    await page.click('button[type=submit]');
    await page.waitForFunction(
      (want) => document.getElementById('state')?.textContent === want,
      JSON.stringify(state, null, 2),
    );
    await page.fill('#name', 'notify');
    await page.fill('#data', '{"name": "hello", "data": 1}');
    await page.click('button[type=submit]');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('#log .notify')).some((e) =>
        e.textContent?.endsWith('notify hello: 1'),
      ),
    );
    const log = await page.$$eval('#log div', (els) => els.map((e) => e.textContent ?? ''));
    expect(log.some((l) => /response notify #2: null$/.test(l))).toBe(true);
    // the inline style ran too (its hash is in the policy)
    const mono = await page.$eval('pre', (e) => getComputedStyle(e).fontFamily);
    expect(mono).toContain('monospace');
    expect(problems).toEqual([]);
  });
});
