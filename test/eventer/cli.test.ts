import { describe, expect, it } from 'vitest';
import { main } from '../../runtime/cli/eventer-client.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';

describe('eventer-client script', () => {
  it('register, query and watch print events as JSON lines', async () => {
    const { server } = await startMemoryServer({ pingDelay: 0 });
    const address = `127.0.0.1:${server.address.port}`;
    try {
      const watched: string[] = [];
      const watching = main(
        ['watch', '--address', address, '--subscription', 'a/*', '--count', '2'],
        (l) => void watched.push(l),
      );
      await new Promise((r) => setTimeout(r, 50));
      const registered: string[] = [];
      expect(
        await main(
          [
            'register',
            '--address',
            address,
            '--type',
            'a/b',
            '--json',
            '{"x": 1}',
            '--event',
            '{"type": ["a", "c"], "payload": {"binary": {"type": "t", "data": "AAE="}}}',
          ],
          (l) => void registered.push(l),
        ),
      ).toBe(0);
      const lines = registered.map(
        (l) => JSON.parse(l) as { type: string[]; payload: unknown; id: { session: number } },
      );
      expect(lines.map((l) => [l.type, l.payload])).toEqual([
        [['a', 'c'], { binary: { type: 't', data: 'AAE=' } }],
        [['a', 'b'], { json: { x: 1 } }],
      ]);
      expect(await watching).toBe(0);
      expect(watched).toEqual(registered);
      const queried: string[] = [];
      expect(
        await main(
          ['query', 'latest', '--address', address, '--type', 'a/b'],
          (l) => void queried.push(l),
        ),
      ).toBe(0);
      expect(queried).toEqual([registered[1]]);
    } finally {
      await server.close();
    }
  });
});
