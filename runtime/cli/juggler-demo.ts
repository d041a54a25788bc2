#!/usr/bin/env node
/**
 * hat-juggler-demo: a Juggler server with a page at `/` showing the connection's live state and
 * sending requests. Prints `READY <port>` on stdout once listening.
 *
 * Requests: `echo` -> {name, data}; `fail` throws (message = data when it is a string); `set`
 * replaces the connection state with data and flushes, then answers null; `get_state` answers
 * the state; `notify` sends a notification (named data.name with data.data when data is
 * exactly {name, data}, else named `notify` with data) then answers null; any other name throws.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject } from '../json-value.js';
import { listen, type RequestHandler, type Server, type ServerOptions } from '../juggler/index.js';
import {
  formatHelp,
  intOption,
  isMain,
  numberOption,
  optionTable,
  parseCommand,
  runMain,
  serveUntilSignal,
  stderrLogger,
  UsageError,
} from './args.js';
import { demoPageRoute, isRootRequest } from './juggler-demo-page.js';

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

/** True when `path` is a file (not a directory, not missing). */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The demo server: `demoRequestHandler`, and at `/` the built-in page, unless `staticDir`
 * holds the index file (`indexPath`, default `/index.html`): then `/` redirects there as
 * `listen` does, so a user's own page replaces ours. Either way `GET /` is never a 404.
 */
export function startDemoServer(options: ServerOptions = {}): Promise<Server> {
  const page = demoPageRoute(options.wsPath ?? '/ws');
  const { staticDir, routes } = options;
  const indexPath = options.indexPath === undefined ? '/index.html' : options.indexPath;
  return listen({
    onRequest: demoRequestHandler,
    ...options,
    indexPath: null,
    routes: async (req, res) => {
      if (
        isRootRequest(req) &&
        staticDir !== undefined &&
        indexPath !== null &&
        (await isFile(join(staticDir, indexPath)))
      ) {
        res.writeHead(302, { Location: indexPath }).end();
        return true;
      }
      return page(req, res) || (routes !== undefined && (await routes(req, res)));
    },
  });
}

export const DEMO_OPTIONS = optionTable({
  host: { type: 'string', default: '127.0.0.1', arg: 'HOST', help: 'listen address' },
  port: { type: 'string', default: '0', arg: 'PORT', help: 'TCP port, 0 for any free one' },
  'static-dir': {
    type: 'string',
    arg: 'DIR',
    help: 'also serve the files of DIR; its index.html, if any, replaces the page at /',
  },
  'max-segment-size': { type: 'string', arg: 'N', help: 'UTF-16 code units per WebSocket frame' },
  'autoflush-delay': {
    type: 'string',
    arg: 'MS',
    help: "merge state changes for MS ms before sending; 'null': only on flush (default 200)",
  },
  verbose: { type: 'boolean', short: 'v', help: 'log each connection and request' },
});

export const DEMO_HELP = formatHelp(
  ['hat-juggler-demo [options]'],
  [
    'Runs a Juggler demo server. Open http://HOST:PORT/ in a browser: the page shows the',
    "connection's state live and sends requests (set, get_state, echo, notify, fail). The",
    'WebSocket is at /ws. Prints `READY <port>` on stdout once listening; stop with Ctrl-C.',
  ].join('\n'),
  DEMO_OPTIONS,
);

export async function demoMain(argv: readonly string[]): Promise<number | void> {
  const parsed = parseCommand(argv, DEMO_OPTIONS);
  if (parsed === null) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const logger = stderrLogger(values.verbose === true);
  const options: ServerOptions = {
    host: values.host,
    port: intOption('port', values.port, 0, 65535),
    logger,
    onConnection: (conn) => logger.debug('connection', { remote: conn.remote }),
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
  const server = await startDemoServer({
    ...options,
    onRequest: async (conn, name, data) => {
      logger.debug('request', { remote: conn.remote, name });
      return demoRequestHandler(conn, name, data);
    },
  });
  const shown = server.host.includes(':') ? `[${server.host}]` : server.host;
  logger.info('listening', { url: `http://${shown}:${server.port}/` });
  serveUntilSignal(server, server.port);
}

// Imported by tests and benchmarks for startDemoServer; a command only when run.
if (isMain(import.meta.url)) runMain('hat-juggler-demo', () => demoMain(process.argv.slice(2)));
