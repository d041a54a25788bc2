import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connect, JugglerError, type Client, type JsonValue } from '../../runtime/juggler/index.js';
import { startChildServer } from '../../scripts/child-server.js';
import { startDemoServer } from '../../runtime/cli/juggler-demo.js';
import { cleanupAfterEach, RawClient, until } from './helpers.js';

const cleanups = cleanupAfterEach();

describe('demo server handler', () => {
  it('implements echo, fail, set, get_state, notify and rejects other names', async () => {
    const server = await startDemoServer({ autoflushDelay: null });
    cleanups.push(() => server.close());
    const notes: [string, JsonValue][] = [];
    const client: Client = await connect(server.wsUrl, { onNotify: (n, d) => notes.push([n, d]) });
    cleanups.push(() => client.close());
    expect(await client.send('echo', [1, 'a'])).toEqual({ name: 'echo', data: [1, 'a'] });
    await expect(client.send('fail', 'boom')).rejects.toMatchObject({ data: 'boom' });
    await expect(client.send('fail', 1)).rejects.toBeInstanceOf(JugglerError);
    // set flushes before answering even with autoflush disabled
    expect(await client.send('set', { x: [1, 2] })).toBe(null);
    await until(() => client.state.data !== null);
    expect(client.state.data).toEqual({ x: [1, 2] });
    expect(await client.send('get_state', null)).toEqual({ x: [1, 2] });
    expect(await client.send('notify', { name: 'n1', data: 5 })).toBe(null);
    expect(await client.send('notify', { name: 'n2', data: 5, extra: 1 })).toBe(null);
    expect(await client.send('notify', 'plain')).toBe(null);
    await until(() => notes.length === 3);
    expect(notes).toEqual([
      ['n1', 5],
      ['notify', { name: 'n2', data: 5, extra: 1 }],
      ['notify', 'plain'],
    ]);
    await expect(client.send('other', null)).rejects.toBeInstanceOf(JugglerError);
  });
});

describe('runtime/cli/juggler-demo.ts', () => {
  it('prints READY <port> for --port 0 and honours --max-segment-size', async () => {
    const child = await startChildServer('juggler-demo.ts', [
      '--port',
      '0',
      '--max-segment-size',
      '16',
    ]);
    cleanups.push(() => child.stop());
    expect(child.port).toBeGreaterThan(0);
    const raw = await RawClient.open(`ws://127.0.0.1:${child.port}/ws`);
    cleanups.push(() => raw.close());
    const long = 'x'.repeat(100);
    raw.sendMsg({ type: 'request', id: 1, name: 'echo', data: long });
    await until(() => raw.messages.length === 1);
    expect(raw.messages[0]).toEqual({
      type: 'response',
      id: 1,
      data: { name: 'echo', data: long },
      success: true,
    });
    expect(raw.frames.length).toBeGreaterThan(5);
    for (const f of raw.frames) expect(f.length - 1).toBeLessThanOrEqual(16);
  });

  it.each([['abc'], [''], ['-1']])(
    'rejects --autoflush-delay=%j with one line and exit code 1',
    async (value) => {
      const { code, stderr } = await new Promise<{ code: unknown; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [
            '--conditions=source',
            '--import',
            'tsx',
            'runtime/cli/juggler-demo.ts',
            `--autoflush-delay=${value}`,
          ],
          { timeout: 20_000 },
          (err, _stdout, stderr) => resolve({ code: err?.code, stderr }),
        ),
      );
      // '' was Number('') = 0 and the server started
      expect(code).toBe(1);
      expect(stderr).toBe(`juggler-server: invalid --autoflush-delay ${value}\n`);
    },
  );
});
