// Chatter load client against any echo server (this repo's or hat-drivers' Python one).
//
//   node --conditions=source --import tsx scripts/chatter-load-client.ts host:port [options]
//     --mode rtt|pipeline   rtt: one request at a time per connection; pipeline: --window in flight (default rtt)
//     --size <bytes>        payload size (default 100)
//     --connections <n>     parallel connections (default 1)
//     --window <n>          requests in flight per connection in pipeline mode (default 100)
//     --seconds <s>         duration (default 5)
//     --tls                 TLS without certificate verification
import { parseArgs } from 'node:util';
import { connect, type Connection } from '../chatter/index.js';
import { intOption, isMain, numberOption, runMain } from './args.js';

export interface LoadOptions {
  readonly mode: 'rtt' | 'pipeline';
  readonly size: number;
  readonly connections: number;
  readonly window: number;
  readonly ms: number;
  readonly tls?: boolean;
}

export interface LoadResult {
  /** Answered requests per second, all connections together. */
  readonly perSecond: number;
  readonly mbPerSecond: number;
  readonly requests: number;
}

async function drive(conn: Connection, options: LoadOptions, deadline: number): Promise<number> {
  const data = { type: 'Bench.Echo', data: new Uint8Array(options.size).fill(0x5a) };
  const depth = options.mode === 'rtt' ? 1 : options.window;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const reply = await conn.request(data, { timeout: 30_000 });
      if (reply.data.data.length !== options.size) throw new Error('bad echo');
      done++;
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
  return done;
}

export async function runLoad(address: string, options: LoadOptions): Promise<LoadResult> {
  const conns = await Promise.all(
    Array.from({ length: options.connections }, () =>
      connect(address, {
        pingDelay: null,
        tls: options.tls ? { rejectUnauthorized: false } : undefined,
      }),
    ),
  );
  try {
    const start = performance.now();
    const counts = await Promise.all(conns.map((c) => drive(c, options, start + options.ms)));
    const elapsed = (performance.now() - start) / 1000;
    const requests = counts.reduce((a, b) => a + b, 0);
    return {
      requests,
      perSecond: requests / elapsed,
      mbPerSecond: (requests * options.size * 2) / elapsed / 1e6,
    };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mode: { type: 'string', default: 'rtt' },
      size: { type: 'string', default: '100' },
      connections: { type: 'string', default: '1' },
      window: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '5' },
      tls: { type: 'boolean', default: false },
    },
  });
  const address = positionals[0];
  if (address === undefined || (values.mode !== 'rtt' && values.mode !== 'pipeline')) {
    console.error(
      'usage: chatter-load-client.ts host:port [--mode rtt|pipeline] [--size n] [--connections n] [--window n] [--seconds s] [--tls]',
    );
    process.exit(2);
  }
  const options: LoadOptions = {
    mode: values.mode,
    size: intOption('size', values.size, 0),
    connections: intOption('connections', values.connections, 1),
    window: intOption('window', values.window, 1),
    ms: numberOption('seconds', values.seconds, 0) * 1000,
    tls: values.tls,
  };
  const r = await runLoad(address, options);
  console.log(
    `${options.mode} size=${options.size} connections=${options.connections}: ${Math.round(r.perSecond)} req/s, ` +
      `${r.mbPerSecond.toFixed(1)} MB/s (both directions), ${r.requests} requests`,
  );
}

if (isMain(import.meta.url)) runMain('chatter-load-client', main);
