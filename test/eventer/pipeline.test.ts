// `pipelineRegister`: a connection's registrations overlap, responses keep request order.
import { describe, expect, it } from 'vitest';
import {
  connect,
  listen,
  type Event,
  type QueryParams,
  type RegisterEvent,
} from '../../runtime/eventer/index.js';
import { sleep, until } from '../support/wait.js';

function event(session: number, e: RegisterEvent): Event {
  return {
    id: { server: 1, session, instance: 1 },
    type: e.type,
    timestamp: { s: session, us: 0 },
    sourceTimestamp: null,
    payload: null,
  };
}

describe('pipelineRegister', () => {
  it('starts later registrations before earlier ones resolve; answers in order; a query waits', async () => {
    const resolvers: (() => void)[] = [];
    const calls: string[] = [];
    let session = 0;
    const server = await listen(
      { host: '127.0.0.1', port: 0 },
      {
        pipelineRegister: true,
        onRegister: (_info, events) => {
          const s = ++session; // the synchronous part fixes the ids
          calls.push(`register ${s}`);
          return new Promise<Event[]>((resolve) =>
            resolvers.push(() => resolve(events.map((e) => event(s, e)))),
          );
        },
        onQuery: (_info, p: QueryParams) => {
          calls.push(`query ${p.type}`);
          return { events: [], moreFollows: false };
        },
      },
    );
    const client = await connect(server.address, { clientName: 'p', pingDelay: 0 });
    try {
      const order: number[] = [];
      const regs = [1, 2, 3].map((i) =>
        client.register([{ type: ['t', String(i)] }], { withResponse: true }).then((r) => {
          order.push(i);
          return r;
        }),
      );
      const query = client.query({ type: 'latest' });
      await until(() => resolvers.length === 3);
      expect(calls).toEqual(['register 1', 'register 2', 'register 3']);
      // Resolved out of order: responses still go out in request order.
      (resolvers[2] as () => void)();
      (resolvers[1] as () => void)();
      await sleep(20); // time for a wrong early response to arrive
      expect(order).toEqual([]);
      (resolvers[0] as () => void)();
      const results = await Promise.all(regs);
      expect(order).toEqual([1, 2, 3]);
      expect(results.map((r) => r?.[0]?.id.session)).toEqual([1, 2, 3]);
      await query;
      expect(calls[3]).toBe('query latest');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a registration rejected while an earlier one waits closes the connection, nothing else', async () => {
    let release!: () => void;
    let calls = 0;
    const server = await listen(
      { host: '127.0.0.1', port: 0 },
      {
        pipelineRegister: true,
        onRegister: () => {
          calls++;
          // The first waits; the second fails at once, before the first is answered.
          if (calls === 1) return new Promise<Event[]>((resolve) => (release = () => resolve([])));
          return Promise.reject(new Error('disk full'));
        },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      },
    );
    const client = await connect(server.address, { clientName: 'p', pingDelay: 0 });
    try {
      const first = client.register([{ type: ['a'] }], { withResponse: true });
      const second = client.register([{ type: ['b'] }], { withResponse: true });
      await until(() => calls === 2);
      await sleep(20); // an unhandled rejection would end the test process here
      release();
      expect(await first).toEqual([]);
      await expect(second).rejects.toThrow();
      await client.closed;
    } finally {
      await client.close();
      await server.close();
    }
  });

  it.each([true, false])(
    'a burst of requests read at once is handed over in turns of at most 128 events (pipelined: %s)',
    async (pipelineRegister) => {
      // Which event-loop turn each registration was handed over in: a setImmediate armed by
      // the first registration of a turn runs before the loop continues in the next.
      let turn = 0;
      let armed = false;
      const perTurn = new Map<number, number>();
      const server = await listen(
        { host: '127.0.0.1', port: 0 },
        {
          pipelineRegister,
          onRegister: (_info, events) => {
            if (!armed) {
              armed = true;
              setImmediate(() => {
                armed = false;
                turn++;
              });
            }
            perTurn.set(turn, (perTurn.get(turn) ?? 0) + events.length);
            return events.map((e) => event(1, e));
          },
        },
      );
      const client = await connect(server.address, { clientName: 'p', pingDelay: 0 });
      try {
        // Written in one tick: the server reads them in one or a few chunks.
        const regs = Array.from({ length: 1000 }, (_, i) =>
          client.register([{ type: ['t', String(i % 7)] }], { withResponse: true }),
        );
        await Promise.all(regs);
        const counts = [...perTurn.values()];
        expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
        expect(Math.max(...counts)).toBeLessThanOrEqual(128);
      } finally {
        await client.close();
        await server.close();
      }
    },
  );
});
