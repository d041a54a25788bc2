// Against the Python reference (hat-juggler), when it is importable: HAT_PYTHON_PATH must be
// a PYTHONPATH under which `import hat.juggler` works (HAT_PYTHON names the interpreter,
// default python3). Skipped otherwise.
import { describe, expect, it } from 'vitest';
import { connect, JugglerError, type JsonValue } from '../../runtime/juggler/index.js';
import { startDemoServer } from '../../runtime/cli/juggler-demo.js';
import { pythonAvailable, spawnPython, startPythonServer } from '../python-peer.js';
import { sleep } from './helpers.js';

const available = pythonAvailable('hat.juggler');

// Non-ASCII incl. an astral character (a surrogate pair in JS strings), quotes, escapes.
const text = 'a\u017e\u20ac\u{1F600}"\\\n';
const big = {
  items: Array.from({ length: 3000 }, (_, i) => ({ i, s: `${text}${'x'.repeat(40)}` })),
};

describe.skipIf(!available)('juggler against hat-juggler (Python)', () => {
  it('our client: requests, failures and notifications', async () => {
    const py = await startPythonServer('juggler_server.py', ['127.0.0.1:0']);
    try {
      const client = await connect(`ws://127.0.0.1:${py.port}/ws`);
      const notes = client.notifications();
      expect(await client.send('echo', { x: [1, text, null] })).toEqual({
        name: 'echo',
        data: { x: [1, text, null] },
      });
      const err = await client.send('fail', 'boom').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JugglerError);
      expect((err as JugglerError).data).toBe('boom');
      const unknown = await client.send('nope', 1).catch((e: unknown) => e);
      expect((unknown as JugglerError).data).toBe("unsupported request 'nope'");
      expect(await client.send('notify', { name: 'n1', data: [1, { z: null }] })).toBeNull();
      expect(await client.send('notify', 'plain')).toBeNull();
      expect((await notes.next()).value).toEqual({ name: 'n1', data: [1, { z: null }] });
      expect((await notes.next()).value).toEqual({ name: 'notify', data: 'plain' });
      await client.close();
    } finally {
      py.kill();
    }
  });

  it("our client applies the Python side's state diffs, incl. move ops", async () => {
    const py = await startPythonServer('juggler_server.py', ['127.0.0.1:0']);
    try {
      const client = await connect(`ws://127.0.0.1:${py.port}/ws`);
      expect(client.state.data).toBeNull();
      const steps: JsonValue[] = [
        { a: [1, 2, 3, 4, 5], b: { x: 1 }, l: ['p', 'q', 'r'] },
        { a: [5, 4, 3, 2, 1], b: { x: 1 }, l: ['r', 'p', 'q'] },
        { a: [5, 4, 3, 2, 1], c: { x: 1 }, l: ['r', 'p', 'q'] },
        { a: [1, 'neu', 2, null, { k: [true, 1.5] }], c: { 'x~/': 2 } },
        [3, 2, 1, 0],
        [0, 1, 2, 3],
        null,
      ];
      const ops = new Set<string>();
      for (let i = 0; i < steps.length; i++) {
        const prev = i === 0 ? null : (steps[i - 1] as JsonValue);
        const diff = await client.send('diff', { src: prev, dst: steps[i] as JsonValue });
        for (const op of diff as { op: string }[]) ops.add(op.op);
        expect(await client.send('set', steps[i] as JsonValue)).toBeNull();
        // The Python server flushes before answering: the state message came first.
        expect(client.state.data).toEqual(steps[i]);
      }
      // The sequence really exercised hat's (jsonpatch's) move ops, not only replaces.
      expect(ops).toContain('move');
      expect(ops).toContain('remove');
      expect(ops).toContain('add');
      await client.close();
    } finally {
      py.kill();
    }
  });

  it('segmentation both ways, code-point safe, and pings both ways', async () => {
    const py = await startPythonServer('juggler_server.py', [
      '127.0.0.1:0',
      '--max-segment-size',
      '1000',
      '--ping-delay',
      '0.05',
    ]);
    try {
      // 999 puts segment boundaries at odd offsets, so some fall inside surrogate pairs.
      const client = await connect(`ws://127.0.0.1:${py.port}/ws`, {
        maxSegmentSize: 999,
        pingDelay: 40,
        pingTimeout: 2000,
      });
      expect(await client.send('echo', big)).toEqual({ name: 'echo', data: big });
      await client.send('set', big);
      expect(client.state.data).toEqual(big);
      expect(await client.send('get_state', null)).toEqual(big);
      await sleep(300);
      expect(client.isOpen).toBe(true);
      expect(await client.send('echo', 1)).toEqual({ name: 'echo', data: 1 });
      await client.close();
    } finally {
      py.kill();
    }
  });

  it('Python client against our demo server (state, requests, notify, segments, pings)', async () => {
    const server = await startDemoServer({
      host: '127.0.0.1',
      port: 0,
      maxSegmentSize: 777,
      pingDelay: 50,
    });
    const py = spawnPython('juggler_client.py', [`127.0.0.1:${server.port}`, '1001', '0.05']);
    try {
      expect(await py.line(20_000)).toBe('OK');
      expect(await py.exited).toBe(0);
      expect(py.stderr()).toBe('');
    } finally {
      py.kill();
      await server.close();
    }
  });
});
