import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Server } from '../../runtime/juggler/index.js';

let dir: string;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'juggler-symlinks-'));
  const root = join(dir, 'static');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(dir, 'private'));
  writeFileSync(join(root, 'index.html'), 'inside');
  writeFileSync(join(root, 'sub', 'page.html'), 'inside-sub');
  writeFileSync(join(dir, 'private', 'key.txt'), 'SECRET-KEY');
  writeFileSync(join(dir, 'outside.txt'), 'SECRET-OUTSIDE');
  symlinkSync(join(dir, 'outside.txt'), join(root, 'to-file.txt'));
  symlinkSync('../outside.txt', join(root, 'relative.txt'));
  symlinkSync(join(dir, 'private'), join(root, 'to-dir'));
  symlinkSync('/etc/passwd', join(root, 'passwd.txt'));
  symlinkSync('/etc', join(root, 'etc'));
  // links that stay inside the directory are served, as aiohttp does
  symlinkSync('index.html', join(root, 'alias.html'));
  symlinkSync('sub', join(root, 'sub-alias'));
  // the static directory itself may be a link
  symlinkSync(root, join(dir, 'static-link'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(opts: Parameters<typeof listen>[0]): Promise<Server> {
  const s = await listen(opts);
  servers.push(s);
  return s;
}

async function get(s: Server, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(s.httpUrl + path);
  return { status: res.status, body: await res.text() };
}

const outsidePaths = [
  '/to-file.txt',
  '/relative.txt',
  '/to-dir/key.txt',
  '/%74o-dir/key.txt',
  '/passwd.txt',
  '/etc/passwd',
  '/etc/hostname',
];

describe('static files and symlinks', () => {
  for (const staticDir of ['static', 'static-link']) {
    it(`answers 404 for links leading out of the directory (${staticDir})`, async () => {
      const s = await start({ staticDir: join(dir, staticDir) });
      for (const path of outsidePaths) {
        const { status, body } = await get(s, path);
        expect(status, path).toBe(404);
        expect(body, path).not.toMatch(/SECRET|root:/);
      }
      expect(await get(s, '/index.html')).toEqual({ status: 200, body: 'inside' });
      expect(await get(s, '/alias.html')).toEqual({ status: 200, body: 'inside' });
      expect(await get(s, '/sub-alias/page.html')).toEqual({ status: 200, body: 'inside-sub' });
      expect((await get(s, '/missing.html')).status).toBe(404);
    });
  }

  it('serves them with followSymlinks: true (opt-in)', async () => {
    const s = await start({ staticDir: join(dir, 'static'), followSymlinks: true });
    expect(await get(s, '/to-file.txt')).toEqual({ status: 200, body: 'SECRET-OUTSIDE' });
    expect(await get(s, '/to-dir/key.txt')).toEqual({ status: 200, body: 'SECRET-KEY' });
    expect((await get(s, '/passwd.txt')).body).toMatch(/root:/);
  });
});
