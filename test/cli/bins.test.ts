import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as chatterConnect } from '../../runtime/chatter/index.js';
import { connect as jugglerConnect } from '../../runtime/juggler/index.js';
import { until } from '../support/wait.js';
import { binPath, checkBuilt, runBin, spawnBin, startBin, type Bin } from './bins.js';

let dir: string;
beforeAll(async () => {
  checkBuilt();
  dir = await mkdtemp(join(tmpdir(), 'hat-bins-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const jsonLines = (lines: readonly string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('--help', () => {
  it.each<[Bin, string[], string]>([
    ['eventer', ['--help'], 'usage: hat-eventer <command>'],
    ['eventer', ['server', '--help'], 'usage: hat-eventer server'],
    ['eventer', ['register', '--help'], 'usage: hat-eventer register'],
    ['eventer', ['query', '-h'], 'usage: hat-eventer query latest'],
    ['eventer', ['subscribe', '--help'], 'usage: hat-eventer subscribe'],
    ['eventer', ['watch', '--help'], 'usage: hat-eventer subscribe'],
    ['juggler-demo', ['--help'], 'usage: hat-juggler-demo'],
    ['chatter', ['--help'], 'usage: hat-chatter <command>'],
    ['chatter', ['echo', '--help'], 'usage: hat-chatter echo'],
    ['chatter', ['load', '--help'], 'usage: hat-chatter load'],
  ])('%s %s prints its usage and exits 0', async (bin, args, first) => {
    const r = await runBin(bin, args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(first)).toBe(true);
    // every option a verb takes is in its help
    if (args[0] === 'server')
      for (const o of ['--port', '--host', '--verbose']) expect(r.stdout).toContain(o);
    if (args[0] === 'register')
      for (const o of ['--payload-path', '--source-timestamp', '--payload-type', '--client-name'])
        expect(r.stdout).toContain(o);
  });

  it('the compiled entry points start with a node shebang', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const bin of ['eventer', 'juggler-demo', 'chatter'])
      expect(
        (
          await readFile(new URL(`../../runtime/dist/cli/${bin}.js`, import.meta.url), 'utf8')
        ).split('\n')[0],
      ).toBe('#!/usr/bin/env node');
  });
});

describe('usage errors: one line, exit code 2', () => {
  it.each<[Bin, string[], string]>([
    [
      'eventer',
      [],
      'hat-eventer: expected a command: server, register, query, subscribe, import or export',
    ],
    ['eventer', ['serve'], 'hat-eventer: unknown command serve'],
    ['eventer', ['server', '--port', 'x'], 'hat-eventer: invalid --port x'],
    ['eventer', ['server', '--status', 'fine'], 'hat-eventer: invalid --status fine'],
    ['eventer', ['server', '--bogus'], 'hat-eventer: unknown option --bogus'],
    [
      'eventer',
      ['query', 'latest', '--port'],
      "hat-eventer: Option '--port <value>' argument missing",
    ],
    ['eventer', ['register'], 'hat-eventer: register needs EVENT_TYPE (or --event)'],
    [
      'eventer',
      ['query', 'sometimes'],
      'hat-eventer: unknown query sometimes, expected latest, timeseries or server',
    ],
    ['juggler-demo', ['--autoflush-delay='], 'hat-juggler-demo: invalid --autoflush-delay '],
    [
      'juggler-demo',
      ['--autoflush-delay', 'abc'],
      'hat-juggler-demo: invalid --autoflush-delay abc',
    ],
    ['juggler-demo', ['extra'], 'hat-juggler-demo: unexpected argument extra'],
    ['chatter', [], 'hat-chatter: expected a command: echo or load'],
    ['chatter', ['load'], 'hat-chatter: load needs HOST:PORT'],
    [
      'chatter',
      ['load', '127.0.0.1:1', '--mode', 'burst'],
      'hat-chatter: invalid --mode burst, expected rtt or pipeline',
    ],
    [
      'chatter',
      ['echo', '--tls-key', 'k.pem'],
      'hat-chatter: --tls-key and --tls-cert go together',
    ],
  ])('%s %j', async (bin, args, message) => {
    const r = await runBin(bin, args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${message} (see hat-${bin} --help)\n`);
  });
});

describe('failures: one line, exit code 1', () => {
  it('a client verb against a port nobody listens on', async () => {
    const port = await closedPort();
    for (const args of [['query', 'latest'], ['register', 'a/b', '--json', '1'], ['subscribe']]) {
      const r = await runBin('eventer', [...args, '--port', String(port)]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^hat-eventer: .*ECONNREFUSED.*\n$/);
    }
  });

  it('a server on a port in use', async () => {
    const taken = await startBin('chatter', ['echo']);
    try {
      for (const [bin, args] of [
        ['eventer', ['server', '--memory', '--port', String(taken.port)]],
        ['juggler-demo', ['--port', String(taken.port)]],
        ['chatter', ['echo', `127.0.0.1:${taken.port}`]],
      ] as const) {
        const r = await runBin(bin, args);
        expect(r.code, bin).toBe(1);
        expect(r.stderr.split('\n').filter((l) => !l.startsWith('{'))).toEqual([
          expect.stringMatching(new RegExp(`^hat-${bin}: .*EADDRINUSE`)),
          '',
        ]);
      }
    } finally {
      await taken.stop();
    }
  });
});

describe('hat-eventer session', () => {
  it('server, subscribe, register (stdin, --payload-path), query; the server logs clients by name', async () => {
    const server = await startBin('eventer', ['server', '--memory', '--port', '0', '--verbose']);
    try {
      const at = ['--port', String(server.port)];
      const sub = spawnBin('eventer', [
        'subscribe',
        'demo/*',
        ...at,
        '--count',
        '3',
        '--client-name',
        'watcher',
        '-v',
      ]);
      await until(
        () => sub.stderr.some((l) => l.includes('"msg":"subscribed"')),
        15_000,
        'subscribed',
      );

      const fromStdin = await runBin(
        'eventer',
        ['register', 'demo/a', ...at, '--source-timestamp', 'now', '--client-name', 'producer'],
        '{"value": 1}',
      );
      expect(fromStdin).toMatchObject({ code: 0, stderr: '' });
      const path = join(dir, 'value.json');
      await writeFile(path, '{"value": 2}');
      const fromFile = await runBin('eventer', [
        'register',
        'demo/b',
        ...at,
        '--payload-path',
        path,
      ]);
      const binary = await runBin(
        'eventer',
        ['register', 'demo/c', ...at, '--payload-type', 'binary', '--binary-type', 'bytes'],
        Buffer.from([1, 2, 3]),
      );
      const registered = [fromStdin, fromFile, binary].flatMap((r) =>
        r.stdout.trimEnd().split('\n'),
      );
      expect(jsonLines(registered).map((e) => [e['type'], e['payload']])).toEqual([
        [['demo', 'a'], { data_type: 'json', data: { value: 1 } }],
        [['demo', 'b'], { data_type: 'json', data: { value: 2 } }],
        [['demo', 'c'], { data_type: 'binary', binary_type: 'bytes', data: '010203' }],
      ]);
      expect(jsonLines(registered)[0]!['source_timestamp']).not.toBe(null);

      expect(await sub.exited).toBe(0);
      expect(sub.stdout).toEqual(registered);

      const ts = await runBin('eventer', [
        'query',
        'timeseries',
        'demo/*',
        '--order',
        'ascending',
        ...at,
      ]);
      expect(ts).toMatchObject({ code: 0, stderr: '' });
      expect(ts.stdout.trimEnd().split('\n')).toEqual(registered);
      const latest = await runBin('eventer', ['query', 'latest', '--event-types', 'demo/b', ...at]);
      expect(latest.stdout).toBe(registered[1] + '\n');
      const byServer = await runBin('eventer', [
        'query',
        'server',
        '1',
        '--max-results',
        '1',
        ...at,
      ]);
      expect(byServer).toMatchObject({
        code: 0,
        stdout: registered[0] + '\n',
        stderr: 'hat-eventer: more events follow\n',
      });

      const logs = jsonLines(server.stderr);
      const connected = logs
        .filter((l) => l['msg'] === 'client connected')
        .map((l) => l['clientName']);
      expect(connected).toEqual(expect.arrayContaining(['watcher', 'producer', 'hat-eventer']));
      expect(logs.filter((l) => l['msg'] === 'register').map((l) => l['types'])).toEqual([
        ['demo/a'],
        ['demo/b'],
        ['demo/c'],
      ]);
      expect(logs.filter((l) => l['msg'] === 'query').map((l) => l['type'])).toEqual([
        'timeseries',
        'latest',
        'server',
      ]);
      for (const l of logs) expect(typeof l['time']).toBe('string');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('subscribe ends with exit code 0 on SIGTERM (as on Ctrl-C)', async () => {
    const server = await startBin('eventer', ['server', '--memory', '--port', '0']);
    try {
      const sub = spawnBin('eventer', ['subscribe', '--port', String(server.port), '-v']);
      await until(() => sub.stderr.some((l) => l.includes('"msg":"subscribed"')), 15_000);
      sub.kill();
      expect(await sub.exited).toBe(0);
      await until(() => server.stderr.some((l) => l.includes('client disconnected')));
    } finally {
      await server.stop();
    }
  });

  it('subscribe piped into a reader that stops (| head -1) ends quietly with exit code 0', async () => {
    const server = await startBin('eventer', ['server', '--memory', '--port', '0']);
    try {
      const at = ['--port', String(server.port)];
      const child = spawn(process.execPath, [binPath('eventer'), 'subscribe', ...at, '-v'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      await until(() => stderr.includes('"msg":"subscribed"'), 15_000);
      child.stdout.destroy(); // the reader went away
      expect((await runBin('eventer', ['register', 'a', '--json', '1', ...at])).code).toBe(0);
      expect(await exited).toBe(0);
      expect(stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('without --verbose the server logs connections but not each register', async () => {
    const server = await startBin('eventer', ['server', '--memory', '--port', '0']);
    try {
      const r = await runBin('eventer', [
        'register',
        'q/x',
        '--port',
        String(server.port),
        '--client-name',
        'quiet-test',
      ]);
      expect(r.code).toBe(0);
      await until(() => server.stderr.some((l) => l.includes('client disconnected')));
      const msgs = jsonLines(server.stderr).map((l) => [l['level'], l['msg'], l['clientName']]);
      expect(msgs).toEqual([
        ['info', 'listening', undefined],
        ['info', 'client connected', 'quiet-test'],
        ['info', 'client disconnected', 'quiet-test'],
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('hat-juggler-demo', () => {
  it('serves the page at / and answers requests on /ws; --static-dir files at their paths', async () => {
    await writeFile(join(dir, 'hello.txt'), 'hello');
    const demo = await startBin('juggler-demo', ['--port', '0', '--static-dir', dir]);
    try {
      const base = `http://127.0.0.1:${demo.port}`;
      const page = await fetch(`${base}/`, { redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<form id="request">');
      expect(html).toContain('const WS_PATH = "/ws";');
      expect(await (await fetch(`${base}/hello.txt`)).text()).toBe('hello');
      expect((await fetch(`${base}/index.html`)).status).toBe(404);

      const client = await jugglerConnect(`ws://127.0.0.1:${demo.port}/ws`);
      try {
        expect(await client.send('set', { n: 1 })).toBe(null);
        await until(() => client.state.data !== null);
        expect(client.state.data).toEqual({ n: 1 });
        expect(await client.send('echo', 'x')).toEqual({ name: 'echo', data: 'x' });
      } finally {
        await client.close();
      }
      expect(jsonLines(demo.stderr)).toEqual([
        expect.objectContaining({ level: 'info', msg: 'listening', url: `${base}/` }),
      ]);
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  });
});

describe('hat-chatter', () => {
  it('echo answers in the conversation; load measures against it', async () => {
    const echo = await startBin('chatter', ['echo', '127.0.0.1:0', '--verbose']);
    try {
      const conn = await chatterConnect(`127.0.0.1:${echo.port}`);
      try {
        const reply = await conn.request({ type: 'Test', data: new Uint8Array([7, 8]) });
        expect(reply.data).toEqual({ type: 'Test', data: new Uint8Array([7, 8]) });
        expect(reply.last).toBe(true);
      } finally {
        await conn.close();
      }
      const load = await runBin('chatter', [
        'load',
        `127.0.0.1:${echo.port}`,
        '--seconds',
        '0.2',
        '--size',
        '10',
        '--mode',
        'pipeline',
        '--window',
        '4',
        '--json',
      ]);
      expect(load).toMatchObject({ code: 0, stderr: '' });
      const result = JSON.parse(load.stdout) as { requests: number; size: number; mode: string };
      expect(result).toMatchObject({ size: 10, mode: 'pipeline' });
      expect(result.requests).toBeGreaterThan(0);
      const text = await runBin('chatter', ['load', `127.0.0.1:${echo.port}`, '--seconds', '0.1']);
      expect(text.stdout).toMatch(
        /^rtt size=100 connections=1: \d+ req\/s, [\d.]+ MB\/s \(both directions\), \d+ requests\n$/,
      );
      expect(
        jsonLines(echo.stderr).filter((l) => l['msg'] === 'connection').length,
      ).toBeGreaterThanOrEqual(3);
    } finally {
      expect(await echo.stop()).toBe(0);
    }
  });
});
