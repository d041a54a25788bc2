// `hat-eventer server` answering the Python `hat-event-manager` (hat-event's own command-line
// client), and `hat-eventer` reading what it registered. Skipped without HAT_PYTHON_PATH (see
// test/python-peer.ts).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonAvailable } from '../python-peer.js';
import { until } from '../support/wait.js';
import { checkBuilt, runBin, startBin, type Running } from './bins.js';

const available = pythonAvailable('hat.event.manager.main');
const python = process.env['HAT_PYTHON'] ?? 'python3';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function manager(
  port: number,
  args: string[],
  input?: string,
  lifetimeMs = 20_000,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'hat.event.manager', '--port', String(port), ...args], {
      env: { ...process.env, PYTHONPATH: process.env['HAT_PYTHON_PATH'] ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: lifetimeMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe.skipIf(!available)('hat-eventer server and the Python hat-event-manager', () => {
  let server: Running;
  beforeAll(async () => {
    checkBuilt();
    server = await startBin('eventer', ['server', '--memory', '--port', '0']);
  });
  afterAll(() => server?.stop());

  it('register, query latest and timeseries, subscribe: the same events both tools see', async () => {
    const port = server.port;
    // hat-event-manager registers without asking for a response, so it exits 1 even when the
    // server took the event (its `register` returns None, read as a failure): hat's behaviour
    const reg = await manager(port, ['register', '--source-timestamp', 'now', 'py/a'], '{"v": 1}');
    expect(reg.stderr).toBe('');
    await until(() => server.stderr.some((l) => l.includes('"client disconnected"')), 10_000);

    const ours = await runBin('eventer', ['query', 'latest', 'py/*', '--port', String(port)]);
    const [event] = ours.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(event).toMatchObject({
      type: ['py', 'a'],
      payload: { data_type: 'json', data: { v: 1 } },
    });

    // hat prints one JSON document per query: {events: [...], more_follows}, with the same
    // event JSON as our lines
    const latest = await manager(port, ['query', 'latest', '--event-types', 'py/*']);
    expect(latest.code).toBe(0);
    expect(JSON.parse(latest.stdout)).toEqual({ events: [event], more_follows: false });
    const series = await manager(port, ['query', 'timeseries', '--event-types', 'py/*']);
    expect(JSON.parse(series.stdout)).toEqual({ events: [event], more_follows: false });

    const sub = spawn(
      python,
      ['-m', 'hat.event.manager', '--port', String(port), 'subscribe', 'py/*'],
      {
        env: { ...process.env, PYTHONPATH: process.env['HAT_PYTHON_PATH'] ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      },
    );
    let subOut = '';
    sub.stdout.on('data', (d: Buffer) => (subOut += d.toString()));
    try {
      await until(
        () => server.stderr.some((l) => l.includes('"subscriptions":["py/*"]')),
        15_000,
        'hat-event-manager subscribed',
      );
      const registered = await runBin('eventer', [
        'register',
        'py/b',
        '--json',
        '[2]',
        '--port',
        String(port),
      ]);
      expect(registered.code).toBe(0);
      await until(() => subOut.includes('\n'), 10_000, 'notification');
      expect(JSON.parse(subOut)).toEqual([JSON.parse(registered.stdout)]);
    } finally {
      sub.kill();
    }
    const names = server.stderr
      .map((l) => JSON.parse(l) as { msg: string; clientName?: string })
      .filter((l) => l.msg === 'client connected')
      .map((l) => l.clientName);
    expect(names).toContain('manager');
  });
});
