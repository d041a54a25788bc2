// `hat-chatter load`: a Chatter load client against any echo server (this package's
// `hat-chatter echo` or hat-drivers' Python one); prints one line of results.
import { connect, type Connection } from '../chatter/index.js';
import {
  formatHelp,
  intOption,
  numberOption,
  optionTable,
  parseCommand,
  UsageError,
} from './args.js';

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

export const LOAD_OPTIONS = optionTable({
  mode: {
    type: 'string',
    default: 'rtt',
    arg: 'MODE',
    help: 'rtt: one request at a time per connection; pipeline: --window in flight',
  },
  size: { type: 'string', default: '100', arg: 'BYTES', help: 'payload size' },
  connections: { type: 'string', default: '1', arg: 'N', help: 'parallel connections' },
  window: {
    type: 'string',
    default: '100',
    arg: 'N',
    help: 'requests in flight per connection in pipeline mode',
  },
  seconds: { type: 'string', default: '5', arg: 'S', help: 'duration' },
  tls: { type: 'boolean', help: 'TLS, without certificate verification' },
  json: { type: 'boolean', help: 'print the result as one JSON object' },
});

export const LOAD_HELP = formatHelp(
  ['hat-chatter load HOST:PORT [options]'],
  [
    'Sends requests to a Chatter echo server for --seconds and prints the answered',
    'requests per second and the throughput (both directions).',
  ].join('\n'),
  LOAD_OPTIONS,
);

export async function loadMain(
  argv: readonly string[],
  out: (line: string) => void = (l) => void process.stdout.write(l + '\n'),
): Promise<number> {
  const parsed = parseCommand(argv, LOAD_OPTIONS);
  if (parsed === null) {
    out(LOAD_HELP.trimEnd());
    return 0;
  }
  const { values, positionals } = parsed;
  const address = positionals[0];
  if (address === undefined) throw new UsageError('load needs HOST:PORT');
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  if (values.mode !== 'rtt' && values.mode !== 'pipeline')
    throw new UsageError(`invalid --mode ${values.mode}, expected rtt or pipeline`);
  const options: LoadOptions = {
    mode: values.mode,
    size: intOption('size', values.size, 0, 2 ** 30),
    connections: intOption('connections', values.connections, 1, 10_000),
    window: intOption('window', values.window, 1, 100_000),
    ms: numberOption('seconds', values.seconds, 0, 86_400) * 1000,
    tls: values.tls === true,
  };
  const r = await runLoad(address, options);
  if (values.json === true) {
    out(JSON.stringify({ ...options, ...r }));
  } else {
    out(
      `${options.mode} size=${options.size} connections=${options.connections}: ${Math.round(r.perSecond)} req/s, ` +
        `${r.mbPerSecond.toFixed(1)} MB/s (both directions), ${r.requests} requests`,
    );
  }
  return 0;
}
