// The `python` bench area (scripts/bench/python.ts) and its Python scripts: CPU time read from
// /proc, the "not run" row, and the bench_*.py clients against hat's servers (these only with
// HAT_PYTHON_PATH, as the other python-interop tests).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HatChatter } from '../../runtime/chatter/gen/index.js';
import { ownCpuSeconds, processCpuSeconds } from '../../scripts/bench/process-cpu.js';
import { run } from '../../scripts/bench/python.js';
import { pythonAvailable, spawnPython, startPythonServer } from '../python-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'python-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('processCpuSeconds', () => {
  it('reads the CPU this process used, as process.cpuUsage counts it', () => {
    const before = processCpuSeconds(process.pid);
    const own = ownCpuSeconds();
    let spins = 0;
    while (ownCpuSeconds() - own < 0.3) spins++;
    expect(spins).toBeGreaterThan(0);
    // /proc counts in ticks of 10 ms; the margin is a few ticks.
    expect(processCpuSeconds(process.pid) - before).toBeGreaterThan(0.25);
    expect(processCpuSeconds(process.pid) - before).toBeLessThan(0.5);
  });

  it('parses a process whose command name holds spaces and parentheses', async () => {
    // Node under the name `a) (b c`: burns 0.3 s of CPU, says so, then idles until killed.
    const odd = join(dir, 'a) (b c');
    symlinkSync(process.execPath, odd);
    const burn =
      'const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };' +
      'while (u() < 0.3); console.log("burnt"); setTimeout(() => {}, 20000);';
    const child = spawn(odd, ['-e', burn], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      expect(readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(a) (b c)');
      const cpu = processCpuSeconds(child.pid as number);
      expect(cpu).toBeGreaterThanOrEqual(0.28);
      expect(cpu).toBeLessThan(5);
    } finally {
      child.kill();
    }
  });
});

describe('python bench area', () => {
  it('prints one "not run" row without HAT_PYTHON_PATH', async () => {
    const saved = process.env['HAT_PYTHON_PATH'];
    delete process.env['HAT_PYTHON_PATH'];
    try {
      const rows = await run();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.name).toMatch(/^not run: set HAT_PYTHON_PATH/);
    } finally {
      if (saved !== undefined) process.env['HAT_PYTHON_PATH'] = saved;
    }
  });
});

const schemas = ['chatter.sbs', 'eventer.sbs'].map((f) =>
  fileURLToPath(new URL(`../../schemas/${f}`, import.meta.url)),
);

/** A bench_*.py run's output line, parsed, or its exit code and stderr when it printed none. */
async function benchScript(script: string, args: string[], input?: string): Promise<unknown> {
  const peer = spawnPython(script, args);
  if (input !== undefined) peer.child.stdin?.end(input);
  try {
    return JSON.parse(await peer.line(20_000)) as unknown;
  } catch {
    return { exit: await peer.exited, stderr: peer.stderr() };
  }
}

const window = {
  count: expect.any(Number) as number,
  wall: expect.any(Number) as number,
  cpu: expect.any(Number) as number,
  server_cpu: expect.any(Number) as number,
};

describe.runIf(pythonAvailable('hat.sbs'))('bench_sbs.py', () => {
  const msg = Buffer.from(
    HatChatter.Msg.encode({
      id: 1,
      first: 1,
      owner: true,
      token: true,
      last: true,
      data: { type: 'T', data: new Uint8Array(3) },
    }),
  ).toString('hex');

  it('measures every available serializer on bytes it round-trips', async () => {
    const out = (await benchScript(
      'bench_sbs.py',
      schemas,
      JSON.stringify({
        seconds: 0.01,
        messages: [{ name: 'm', type: 'HatChatter.Msg', hex: msg }],
      }),
    )) as { default: string; results: { serializer: string; encode: number }[] };
    expect(out.results.map((r) => r.serializer)).toContain('PySerializer');
    for (const r of out.results) expect(r.encode).toBeGreaterThan(0);
  });

  it('refuses bytes hat-sbs does not encode back the same', async () => {
    const out = await benchScript(
      'bench_sbs.py',
      schemas,
      JSON.stringify({
        seconds: 0.01,
        messages: [{ name: 'm', type: 'HatChatter.Msg', hex: `${msg}ff` }],
      }),
    );
    expect(out).toMatchObject({ exit: 1, stderr: expect.stringContaining('round trip') as string });
  });
});

describe.runIf(pythonAvailable('hat.drivers.chatter'))('bench_chatter.py', () => {
  it.each([
    ['rt', []],
    ['oneway', ['--sink']],
  ])('%s against the Python echo server', async (mode, flags) => {
    const server = await startPythonServer('chatter_echo_server.py', [
      '127.0.0.1:0',
      '--ping-delay',
      '0',
      ...flags,
    ]);
    try {
      const out = await benchScript('bench_chatter.py', [
        `127.0.0.1:${server.port}`,
        mode,
        '0.2',
        String(server.child.pid),
      ]);
      expect(out).toMatchObject(window);
      expect((out as { count: number }).count).toBeGreaterThan(0);
    } finally {
      server.kill();
    }
  });
});

describe.runIf(pythonAvailable('hat.juggler'))('bench_juggler.py', () => {
  it('round trips against the Python juggler server', async () => {
    const server = await startPythonServer('juggler_server.py', ['127.0.0.1:0']);
    try {
      const out = await benchScript('bench_juggler.py', [
        `127.0.0.1:${server.port}`,
        '0.2',
        String(server.child.pid),
        '1024',
      ]);
      expect(out).toMatchObject(window);
      expect((out as { count: number }).count).toBeGreaterThan(0);
    } finally {
      server.kill();
    }
  });
});
