// Against the Python reference (hat-drivers chatter), when it is importable: set
// HAT_PYTHON_PATH to a PYTHONPATH under which `import hat.drivers.chatter` works
// (README, Development). Skipped otherwise.
import { describe, expect, it } from 'vitest';
import { connect, listen, type Connection } from '../../runtime/chatter/index.js';
import { pythonAvailable, spawnPython, startPythonServer } from '../python-peer.js';
import { bytes, sleep } from './helpers.js';

const available = pythonAvailable('hat.drivers.chatter');

describe.skipIf(!available)('chatter against hat-drivers (Python)', () => {
  it('our client: conversations, flags and pings both ways with the Python echo server', async () => {
    const py = await startPythonServer('chatter_echo_server.py', [
      '127.0.0.1:0',
      '--ping-delay',
      '0.05',
    ]);
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
      py.kill();
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
      const py = spawnPython(
        'chatter_client.py',
        [`127.0.0.1:${server.address.port}`, '30', '0.3', '0.05'],
        20_000,
      );
      try {
        expect(await py.line(20_000)).toBe('OK');
        expect(await py.exited).toBe(0);
        await expect(py.line(100)).rejects.toThrow(); // nothing printed after OK
        expect(py.stderr()).toBe('');
      } finally {
        py.kill();
      }
    } finally {
      await server.close();
    }
  });
});
