/**
 * Juggler demo server.
 *
 *   node --conditions=source --import tsx scripts/juggler-server.ts --port 0 [--max-segment-size N]
 *        [--host 127.0.0.1] [--static-dir DIR] [--autoflush-delay MS|null]
 *
 * Prints `READY <port>` once listening. Requests: `echo` -> {name, data};
 * `fail` throws (message = data when it is a string); `set` replaces the
 * connection state with data and flushes, then answers null; `get_state`
 * answers the state; `notify` sends a notification (named data.name with
 * data.data when data is exactly {name, data}, else named `notify` with data)
 * then answers null; any other name throws.
 */
import { parseArgs } from 'node:util';
import { isJsonObject } from '../json-value.js';
import { listen, type RequestHandler, type Server, type ServerOptions } from '../juggler/index.js';
import { intOption, isMain, numberOption, runMain, serveUntilSignal } from './args.js';

export const demoRequestHandler: RequestHandler = async (conn, name, data) => {
  switch (name) {
    case 'echo':
      return { name, data };
    case 'fail':
      throw new Error(typeof data === 'string' ? data : 'fail');
    case 'set':
      conn.state.set([], data);
      await conn.flush();
      return null;
    case 'get_state':
      return conn.state.data;
    case 'notify': {
      const keys = isJsonObject(data) ? Object.keys(data).sort() : [];
      if (
        isJsonObject(data) &&
        keys.length === 2 &&
        keys[0] === 'data' &&
        keys[1] === 'name' &&
        typeof data['name'] === 'string'
      ) {
        await conn.notify(data['name'], data['data'] ?? null);
      } else {
        await conn.notify('notify', data);
      }
      return null;
    }
    default:
      throw new Error(`unsupported request ${JSON.stringify(name)}`);
  }
};

export function startDemoServer(options: ServerOptions = {}): Promise<Server> {
  return listen({ onRequest: demoRequestHandler, ...options });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-segment-size': { type: 'string' },
      'static-dir': { type: 'string' },
      'autoflush-delay': { type: 'string' },
    },
  });
  const options: ServerOptions = {
    host: values.host,
    port: intOption('port', values.port, 0, 65535),
  };
  const maxSegmentSize = intOption('max-segment-size', values['max-segment-size'], 2);
  if (maxSegmentSize !== undefined) options.maxSegmentSize = maxSegmentSize;
  if (values['static-dir'] !== undefined) options.staticDir = values['static-dir'];
  const autoflushDelay = values['autoflush-delay'];
  if (autoflushDelay !== undefined) {
    // Number('') is 0: an empty value would silently mean "a state message per change"
    options.autoflushDelay =
      autoflushDelay === 'null'
        ? null
        : numberOption('autoflush-delay', autoflushDelay, 0, 2 ** 31 - 1);
  }
  const server = await startDemoServer(options);
  serveUntilSignal(server, server.port);
}

if (isMain(import.meta.url)) runMain('juggler-server', main);
