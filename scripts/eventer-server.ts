/**
 * Eventer server, storing events in LMDB (default) or in memory.
 *
 *   node --conditions=source --import tsx scripts/eventer-server.ts --port 0 [--host 127.0.0.1]
 *        [--db ./events.lmdb] [--config FILE] [--flush-period S] | [--memory [--max-events N]]
 *        [--server-id 1] [--token SECRET] [--max-results 4096] [--fail-type a/b]
 *        [--status operational] [--verbose]
 *
 * `--db`: the LMDB data file (created if missing; a file that is not an event database of ours
 * is refused with a one-line error). A register response and its notifications go out once its
 * events are committed; `--flush-period S` instead commits every S seconds (hat-event's
 * behaviour: responses before the commit). `--config`: YAML or JSON, hat-event's lmdb backend
 * keys (partitions, limits, latest, periods). Prints `READY <port>` once listening. Each register request is a new session (ids
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
  type Event,
  type EventerBackend,
  STATUSES,
  typeEquals,
  type EventType,
  type Server,
  type ServerOptions,
  type Status,
} from '../runtime/eventer/index.js';
import { intOption, isMain, numberOption, runMain, serveUntilSignal } from './cli.js';

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
  const { server } = await startEventServer({ ...options, backend });
  return { server, backend };
}

export interface EventServerOptions extends Omit<MemoryServerOptions, 'backend'> {
  readonly backend: EventerBackend;
}

/**
 * An Eventer server over any backend. A register response and its notifications go out once
 * `backend.register` resolved (for LMDB: committed); clients that subscribed with `persisted`
 * are notified once `backend.flushed()` resolved. Register requests of one connection overlap
 * when the backend is asynchronous, so that they can share a commit.
 */
export async function startEventServer(
  options: EventServerOptions,
): Promise<{ readonly server: Server; readonly backend: EventerBackend }> {
  const { backend, token, failType } = options;
  const notify = async (events: Event[]): Promise<void> => {
    if (server === null || events.length === 0) return;
    await server.notifyEvents(events, false);
    if (backend.flushed === undefined) await server.notifyEvents(events, true);
    else {
      const srv = server;
      // A failed flush is the backend's to report; these clients are then not notified.
      void backend
        .flushed()
        .then(() => srv.notifyEvents(events, true))
        .catch(() => {});
    }
  };
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
        // Called synchronously (before any await): ids follow request order.
        const registered = backend.register(registerEvents);
        const events = registered instanceof Promise ? await registered : registered;
        await notify(events);
        return events;
      },
      onQuery: (_info, params) => backend.query(params),
      pipelineRegister: !(backend instanceof MemoryBackend),
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
      'max-results': { type: 'string' },
      'max-events': { type: 'string' },
      db: { type: 'string', default: './events.lmdb' },
      memory: { type: 'boolean', default: false },
      config: { type: 'string' },
      'flush-period': { type: 'string' },
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
  const maxResults = intOption('max-results', values['max-results'], 0);
  const flushPeriod = numberOption('flush-period', values['flush-period'], Number.MIN_VALUE);
  if (values.memory && (values.config !== undefined || flushPeriod !== undefined))
    throw new Error('--config and --flush-period need a database, not --memory');
  if (!values.memory && maxEvents !== undefined)
    throw new Error('--max-events is for --memory (set partition limits in --config)');
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    process.stderr.write(
      `${level} ${msg}${fields ? ' ' + JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v)) : ''}\n`,
    );
  const quiet = (): void => {};
  let backend: EventerBackend;
  if (values.memory)
    backend = new MemoryBackend({
      serverId,
      ...(maxResults !== undefined ? { maxResults } : {}),
      ...(maxEvents !== undefined ? { maxEvents } : {}),
    });
  else {
    // Loaded only here: the lmdb package is an optional peer dependency.
    const { openStore } = await import('../runtime/eventer/lmdb/index.js');
    backend = await openStore({
      path: values.db,
      serverId,
      ...(values.config !== undefined ? { configFile: values.config } : {}),
      ...(flushPeriod !== undefined ? { flushPeriod } : {}),
      ...(maxResults !== undefined ? { maxResults } : {}),
    });
  }
  const { server } = await startEventServer({
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
  serveUntilSignal(
    {
      close: async () => {
        await server.close();
        await backend.close?.();
      },
    },
    server.address.port,
  );
}

if (isMain(import.meta.url)) runMain('eventer-server', main);
