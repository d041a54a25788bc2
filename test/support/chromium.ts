// Any Chromium this machine has, for the browser tests: CHROME_PATH, Debian's, or one
// playwright downloaded. `npm test` installs nothing; without one the browser tests are skipped
// with one line saying why (CI installs Debian's chromium in .ci/run).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** The flags the browser tests start Chromium with (no sandbox as root, no network chatter). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(): string | undefined {
  const candidates = [
    process.env['CHROME_PATH'],
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core without a downloaded browser: no path to offer
  }
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}
