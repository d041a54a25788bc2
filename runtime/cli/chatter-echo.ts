// Chatter echo server: answers each message in its conversation with the same type and
// data and last = true. Prints `READY <port>` once listening.
//
//   node --conditions=source --import tsx scripts/chatter-echo-server.ts [host:port] [options]
//     --sink              only answer messages sent with last = false (requests); for one-way benchmarks
//     --ping-delay <ms>   default 20000, 0 disables
//     --tls-key <file> --tls-cert <file>
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listen, type Connection, type ListenOptions, type Server } from '../chatter/index.js';
import { isMain, numberOption, runMain, serveUntilSignal } from './args.js';

export interface EchoOptions extends ListenOptions {
  /** Answer only messages with last = false. */
  readonly sink?: boolean;
}

async function serve(conn: Connection, sink: boolean): Promise<void> {
  for await (const msg of conn) {
    if (sink && msg.last) continue;
    await conn.send(msg.data, { conv: msg.conv, last: true });
  }
}

export function startEchoServer(address: string, options: EchoOptions = {}): Promise<Server> {
  const sink = options.sink ?? false;
  return listen(address, {
    ...options,
    onConnection: (conn) => serve(conn, sink).catch(() => conn.close()),
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sink: { type: 'boolean', default: false },
      'ping-delay': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
    },
  });
  const key = values['tls-key'];
  const cert = values['tls-cert'];
  const server = await startEchoServer(positionals[0] ?? '127.0.0.1:0', {
    sink: values.sink,
    pingDelay: numberOption('ping-delay', values['ping-delay'], 0),
    tls: key && cert ? { key: readFileSync(key), cert: readFileSync(cert) } : undefined,
  });
  serveUntilSignal(server, server.address.port);
}

if (isMain(import.meta.url)) runMain('chatter-echo-server', main);
