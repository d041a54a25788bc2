// `hat-chatter echo`: a Chatter echo server. Answers each message in its conversation with
// the same type and data and last = true; prints `READY <port>` once listening.
import { readFile } from 'node:fs/promises';
import { listen, type Connection, type ListenOptions, type Server } from '../chatter/index.js';
import {
  formatHelp,
  numberOption,
  optionTable,
  parseCommand,
  serveUntilSignal,
  stderrLogger,
  UsageError,
} from './args.js';

async function serve(conn: Connection, sink: boolean): Promise<void> {
  for await (const msg of conn) {
    if (sink && msg.last) continue;
    await conn.send(msg.data, { conv: msg.conv, last: true });
  }
}

export interface EchoOptions extends ListenOptions {
  /** Answer only messages with last = false. */
  readonly sink?: boolean;
}

export function startEchoServer(address: string, options: EchoOptions = {}): Promise<Server> {
  const sink = options.sink ?? false;
  return listen(address, {
    ...options,
    onConnection: async (conn) => {
      await options.onConnection?.(conn);
      await serve(conn, sink).catch(() => conn.close());
    },
  });
}

export const ECHO_OPTIONS = optionTable({
  sink: {
    type: 'boolean',
    help: 'only answer messages sent with last = false (requests), for one-way benchmarks',
  },
  'ping-delay': { type: 'string', arg: 'MS', help: 'ms between pings, 0 disables (default 20000)' },
  'tls-key': { type: 'string', arg: 'FILE', help: 'TLS private key (PEM), with --tls-cert' },
  'tls-cert': { type: 'string', arg: 'FILE', help: 'TLS certificate (PEM), with --tls-key' },
  verbose: { type: 'boolean', short: 'v', help: 'log each connection' },
});

export const ECHO_HELP = formatHelp(
  ['hat-chatter echo [HOST:PORT] [options]'],
  [
    'Runs a Chatter echo server on HOST:PORT (default 127.0.0.1:0, any free port): every',
    'message is answered in its conversation with the same type and data. Prints',
    '`READY <port>` on stdout once listening; stop with Ctrl-C.',
  ].join('\n'),
  ECHO_OPTIONS,
);

export async function echoMain(argv: readonly string[]): Promise<number | void> {
  const parsed = parseCommand(argv, ECHO_OPTIONS);
  if (parsed === null) {
    process.stdout.write(ECHO_HELP);
    return 0;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  const key = values['tls-key'];
  const cert = values['tls-cert'];
  if ((key === undefined) !== (cert === undefined))
    throw new UsageError('--tls-key and --tls-cert go together');
  const logger = stderrLogger(values.verbose === true);
  const server = await startEchoServer(positionals[0] ?? '127.0.0.1:0', {
    sink: values.sink === true,
    pingDelay: numberOption('ping-delay', values['ping-delay'], 0, 2 ** 31 - 1),
    tls:
      key !== undefined && cert !== undefined
        ? { key: await readFile(key), cert: await readFile(cert) }
        : undefined,
    logger,
    onConnection: (conn) => logger.debug('connection', { remote: conn.info.remoteAddress }),
  });
  logger.info('listening', { port: server.address.port, tls: key !== undefined });
  serveUntilSignal(server, server.address.port);
}
