// Against the Python reference (hat-drivers chatter), when it is importable: set
// HAT_PYTHON_PATH to a PYTHONPATH under which `import hat.drivers.chatter` works
// (see docs/sections/chatter.md). Skipped otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect, listen, type Connection } from '../../runtime/chatter/index.js';
import { bytes, sleep } from './helpers.js';

const pythonPath = process.env['HAT_PYTHON_PATH'];
const python = process.env['HAT_PYTHON'] ?? 'python3';
const scripts = fileURLToPath(new URL('../../scripts/python/', import.meta.url));
const env = { ...process.env, PYTHONPATH: pythonPath ?? '' };
const available =
  pythonPath !== undefined &&
  spawnSync(python, ['-c', 'import hat.drivers.chatter'], { env, stdio: 'ignore' }).status === 0;

async function pythonEchoServer(pingDelay: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    python,
    [`${scripts}chatter_echo_server.py`, '127.0.0.1:0', '--ping-delay', String(pingDelay)],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m) return { port: Number(m[1]), child };
  }
  throw new Error('python echo server did not start');
}

describe.skipIf(!available)('chatter against hat-drivers (Python)', () => {
  it('our client: conversations, flags and pings both ways with the Python echo server', async () => {
    const py = await pythonEchoServer(0.05);
    try {
      const conn = await connect(`127.0.0.1:${py.port}`, { pingDelay: 30, pingTimeout: 2000 });
      const convs = [];
      for (let i = 0; i < 50; i++)
        convs.push(
          await conn.send({ type: 'Interop.Msg', data: bytes(String(i)) }, { last: false }),
        );
      for (let i = 0; i < 50; i++) {
        const msg = await conn.receive();
        expect(msg.conv).toEqual(convs[i]);
        expect(msg.data).toEqual({ type: 'Interop.Msg', data: bytes(String(i)) });
        expect([msg.first, msg.last, msg.token]).toEqual([false, true, true]);
      }
      // Idle: both sides ping; nothing reaches receive() and the connection stays open.
      await sleep(300);
      expect(conn.isOpen).toBe(true);
      expect(conn.tryReceive()).toBeUndefined();
      const big = new Uint8Array(1 << 20).fill(3);
      const reply = await conn.request({ type: 'Interop.Big', data: big }, { timeout: 10_000 });
      expect(Buffer.compare(reply.data.data, big)).toBe(0);
      await conn.close();
    } finally {
      py.child.kill();
    }
  });

  it('Python client against our echo server', async () => {
    const server = await listen('127.0.0.1:0', {
      pingDelay: 40,
      onConnection: async (conn: Connection) => {
        for await (const m of conn) await conn.send(m.data, { conv: m.conv, last: true });
      },
    });
    try {
      // Asynchronously: our server runs in this process's event loop.
      const child = spawn(
        python,
        [`${scripts}chatter_client.py`, `127.0.0.1:${server.address.port}`, '30', '0.3', '0.05'],
        {
          env,
          timeout: 20_000,
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((r) => child.once('exit', r));
      expect(stderr).toBe('');
      expect(stdout.trim()).toBe('OK');
      expect(code).toBe(0);
    } finally {
      await server.close();
    }
  });
});
