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
});
