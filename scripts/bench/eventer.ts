// Eventer benchmark. The example in-memory server (hat-eventer server --memory) runs in a child
// process, so client and server each have a core of their own:
// - register with response, one event per request, one request at a time (round trips/s);
// - register with response, batches of 100 events, one request at a time;
// - register with response, batches of 100 events, 32 requests in flight (pipelined);
// - notify fan-out: one client registers batches of 100 events (no response), the server
//   notifies 100 subscribed clients; events delivered per second summed over the clients.
import {
  connect,
  jsonPayload,
  type Client,
  type RegisterEvent,
} from '../../runtime/eventer/index.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';
import { isMain } from '../../runtime/cli/args.js';
import { startChildServer } from '../child-server.js';
import { printTable, type BenchResult } from './result.js';

function batch(n: number, seq: number, prefix = 'bench'): RegisterEvent[] {
  const out: RegisterEvent[] = [];
  for (let i = 0; i < n; i++)
    out.push({
      type: [prefix, 'value', String(i % 16)],
      payload: jsonPayload({ seq, i, value: 12.5 }),
    });
  return out;
}

/** Requests/s for `ms` after a warm-up, `inFlight` at a time, `size` events each. */
async function registerRate(
  client: Client,
  size: number,
  inFlight: number,
  ms: number,
): Promise<number> {
  const events = batch(size, 0);
  const worker = async (until: number): Promise<number> => {
    let n = 0;
    while (performance.now() < until) {
      const r = await client.register(events, { withResponse: true });
      if (r === null || r.length !== size) throw new Error('register failed');
      n++;
    }
    return n;
  };
  const warm = performance.now() + Math.min(500, ms / 4);
  await Promise.all(Array.from({ length: inFlight }, () => worker(warm)));
  const start = performance.now();
  const counts = await Promise.all(Array.from({ length: inFlight }, () => worker(start + ms)));
  const elapsed = performance.now() - start;
  return (counts.reduce((a, b) => a + b, 0) * 1000) / elapsed;
}

async function fanOut(port: number, clients: number, ms: number): Promise<number> {
  let delivered = 0;
  const watchers = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      connect(`127.0.0.1:${port}`, {
        clientName: `watch${i}`,
        subscriptions: [['fan', '*']],
        pingDelay: 0,
        onEvents: (evs) => void (delivered += evs.length),
      }),
    ),
  );
  const producer = await connect(`127.0.0.1:${port}`, { clientName: 'producer', pingDelay: 0 });
  try {
    const events = batch(100, 0, 'fan');
    const run = async (duration: number): Promise<number> => {
      delivered = 0;
      let registered = 0;
      const start = performance.now();
      while (performance.now() - start < duration) {
        // A few requests without response, then one with: bounds what is in flight.
        for (let i = 0; i < 9; i++) await producer.register(events);
        await producer.register(events, { withResponse: true });
        registered += 1000;
      }
      const target = registered * clients;
      while (delivered < target) await new Promise((r) => setTimeout(r, 1));
      return (delivered * 1000) / (performance.now() - start);
    };
    await run(Math.min(500, ms / 4));
    return await run(ms);
  } finally {
    await Promise.all([...watchers, producer].map((c) => c.close()));
  }
}

export async function run(): Promise<BenchResult[]> {
  const args = ['--port', '0', '--memory', '--max-events', '200000'];
  const { port, stop } = await startChildServer('eventer.ts', ['server', ...args]);
  try {
    const client = await connect(`127.0.0.1:${port}`, { clientName: 'bench', pingDelay: 0 });
    const results: BenchResult[] = [];
    try {
      const seq = await registerRate(client, 1, 1, 3000);
      results.push({
        name: 'register sequential (1 event, with response)',
        unit: 'round trips/s',
        value: seq,
        note: 'server in a child process',
      });
      const batches = await registerRate(client, 100, 1, 3000);
      results.push({
        name: 'register batches of 100, sequential',
        unit: 'events/s',
        value: batches * 100,
        note: `${Math.round(batches)} requests/s`,
      });
      const piped = await registerRate(client, 100, 32, 3000);
      results.push({
        name: 'register batches of 100, 32 in flight',
        unit: 'events/s',
        value: piped * 100,
        note: `${Math.round(piped)} requests/s`,
      });
      const single = await registerRate(client, 1, 256, 3000);
      results.push({ name: 'register 1 event, 256 in flight', unit: 'events/s', value: single });
    } finally {
      await client.close();
    }
    // Same process: no cross-process wake-ups (see the raw-socket baseline of the chatter
    // benchmark for what they cost on this machine).
    const local = await startMemoryServer({ closeTimeout: 100 });
    const localClient = await connect(local.server.address, { clientName: 'bench', pingDelay: 0 });
    try {
      results.push({
        name: 'register sequential (1 event, with response), in-process',
        unit: 'round trips/s',
        value: await registerRate(localClient, 1, 1, 3000),
        note: 'server in this process',
      });
    } finally {
      await localClient.close();
      await local.server.close();
    }
    const fan = await fanOut(port, 100, 4000);
    results.push({
      name: 'notify fan-out, 100 clients',
      unit: 'events/s delivered',
      value: fan,
      note: `${Math.round(fan / 100)} events/s per client`,
    });
    return results;
  } finally {
    await stop();
  }
}

if (isMain(import.meta.url)) {
  printTable('eventer', await run());
}
