/**
 * Example in-memory Eventer server.
 *
 *   node --conditions=source --import tsx scripts/eventer-server.ts --port 0 [--host 127.0.0.1]
 *        [--server-id 1] [--token SECRET] [--max-results 4096] [--max-events N] [--fail-type a/b]
 *        [--status operational] [--verbose]
 *
 * Prints `READY <port>` once listening. Each register request is a new session (ids
 * `server/session/1..n`, one timestamp), notified to subscribed clients (persisted=false
 * ones first, then persisted=true) before the response; latest, timeseries and server
 * queries as hat-event defines them. `--token`: clients that send another token are
 * refused (a client without token is accepted, as hat-event does). `--fail-type`: a register
 * request containing an event of that type (segments joined by `/`) fails, for tests.
 */
import { parseArgs } from 'node:util';
import {
  listen,
  MemoryBackend,
  STATUSES,
  typeEquals,
  type EventType,
  type Server,
  type ServerOptions,
  type Status,
} from '../eventer/index.js';
import { intOption, isMain, runMain, serveUntilSignal } from './args.js';

export interface MemoryServerOptions extends ServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly serverId?: number;
  /** Clients must send this token or none. */
  readonly token?: string;
  /** Register requests containing an event of this type fail (`MsgRegisterRes` failure). */
  readonly failType?: EventType;
  /** Passed to the backend (server cap on `maxResults`, retained events, clock). */
  readonly backend?: MemoryBackend;
}

export interface MemoryServer {
  readonly server: Server;
  readonly backend: MemoryBackend;
}

/** An Eventer server over a `MemoryBackend` (status `operational` unless given). */
export async function startMemoryServer(options: MemoryServerOptions = {}): Promise<MemoryServer> {
  const backend = options.backend ?? new MemoryBackend({ serverId: options.serverId ?? 1 });
  const { token, failType } = options;
  let server: Server | null = null;
  const srv = await listen(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
    {
      status: 'operational',
      ...options,
      onConnected: async (info) => {
        if (token !== undefined && info.clientToken !== null && info.clientToken !== token)
          throw new Error('invalid client token');
        await options.onConnected?.(info);
      },
      onRegister: async (_info, registerEvents) => {
        if (failType !== undefined && registerEvents.some((e) => typeEquals(e.type, failType)))
          return null;
        const events = backend.register(registerEvents);
        if (server !== null && events.length > 0) {
          await server.notifyEvents(events, false);
          await server.notifyEvents(events, true);
        }
        return events;
      },
      onQuery: (_info, params) => backend.query(params),
    },
  );
  server = srv;
  return { server: srv, backend };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'server-id': { type: 'string', default: '1' },
      token: { type: 'string' },
      'max-results': { type: 'string', default: '4096' },
      'max-events': { type: 'string' },
      'fail-type': { type: 'string' },
      status: { type: 'string', default: 'operational' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const port = intOption('port', values.port, 0, 65535);
  const serverId = intOption('server-id', values['server-id'], 0);
  const status = values.status as Status;
  if (!STATUSES.includes(status)) throw new Error(`invalid --status ${values.status}`);
  const maxEvents = intOption('max-events', values['max-events'], 1);
  const backend = new MemoryBackend({
    serverId,
    maxResults: intOption('max-results', values['max-results'], 0),
    ...(maxEvents !== undefined ? { maxEvents } : {}),
  });
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    process.stderr.write(
      `${level} ${msg}${fields ? ' ' + JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v)) : ''}\n`,
    );
  const quiet = (): void => {};
  const { server } = await startMemoryServer({
    host: values.host,
    port,
    backend,
    status,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['fail-type'] !== undefined ? { failType: values['fail-type'].split('/') } : {}),
    logger: values.verbose
      ? { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
      : { debug: quiet, info: quiet, warn: log('warn'), error: log('error') },
  });
  serveUntilSignal(server, server.address.port);
}

if (isMain(import.meta.url)) runMain('eventer-server', main);
