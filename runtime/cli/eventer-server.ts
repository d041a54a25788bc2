/**
 * `hat-eventer server`: the example Eventer server, events kept in memory.
 *
 * Prints `READY <port>` on stdout once listening; logs (JSON lines on stderr) each connection
 * with its client name, and each register and query with --verbose. Each register request is
 * a new session (ids `server/session/1..n`, one timestamp), notified to subscribed clients
 * (persisted=false ones first, then persisted=true) before the response; latest, timeseries
 * and server queries as hat-event defines them. `--token`: clients that send another token are
 * refused (a client without token is accepted, as hat-event does). `--fail-type`: a register
 * request containing an event of that type (segments joined by `/`) fails, for tests.
 */
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
import {
  formatHelp,
  intOption,
  optionTable,
  parseCommand,
  serveUntilSignal,
  stderrLogger,
  UsageError,
} from './args.js';

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
      onRegister: async (info, registerEvents) => {
        options.logger?.debug('register', {
          id: info.id,
          clientName: info.clientName,
          events: registerEvents.length,
          types: registerEvents.slice(0, 10).map((e) => e.type.join('/')),
        });
        if (failType !== undefined && registerEvents.some((e) => typeEquals(e.type, failType)))
          return null;
        const events = backend.register(registerEvents);
        if (server !== null && events.length > 0) {
          await server.notifyEvents(events, false);
          await server.notifyEvents(events, true);
        }
        return events;
      },
      onQuery: (info, params) => {
        const result = backend.query(params);
        options.logger?.debug('query', {
          id: info.id,
          clientName: info.clientName,
          type: params.type,
          events: result.events.length,
          moreFollows: result.moreFollows,
        });
        return result;
      },
    },
  );
  server = srv;
  return { server: srv, backend };
}

/** hat-event's default Eventer port. */
export const DEFAULT_PORT = 23012;

/** `hat-eventer server`'s options; a storage backend adds its own entries here. */
export const SERVER_OPTIONS = optionTable({
  host: { type: 'string', default: '127.0.0.1', arg: 'HOST', help: 'listen address' },
  port: {
    type: 'string',
    default: String(DEFAULT_PORT),
    arg: 'PORT',
    help: 'TCP port, 0 for any free one',
  },
  'server-id': { type: 'string', default: '1', arg: 'N', help: 'server id of registered events' },
  token: { type: 'string', arg: 'TOKEN', help: 'refuse clients sending another token' },
  'max-results': {
    type: 'string',
    default: '4096',
    arg: 'N',
    help: 'server cap on the events of one query answer',
  },
  'max-events': { type: 'string', arg: 'N', help: 'keep at most N events, oldest dropped first' },
  status: {
    type: 'string',
    default: 'operational',
    arg: 'STATUS',
    help: `server status sent to clients: ${STATUSES.join('|')}`,
  },
  'fail-type': {
    type: 'string',
    arg: 'A/B',
    help: 'fail register requests holding an event of this type (for tests)',
  },
  verbose: { type: 'boolean', short: 'v', help: 'also log each register and query' },
});

export const SERVER_HELP = formatHelp(
  ['hat-eventer server [options]'],
  [
    'Runs an Eventer server keeping events in memory (lost on exit). Prints `READY <port>`',
    'on stdout once listening; logs JSON lines on stderr. Stop it with Ctrl-C.',
  ].join('\n'),
  SERVER_OPTIONS,
);

/** `hat-eventer server`: resolves once listening (the server runs until SIGINT/SIGTERM). */
export async function serverMain(argv: readonly string[]): Promise<number | void> {
  const parsed = parseCommand(argv, SERVER_OPTIONS);
  if (parsed === null) {
    process.stdout.write(SERVER_HELP);
    return 0;
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const port = intOption('port', values.port, 0, 65535);
  const serverId = intOption('server-id', values['server-id'], 0);
  const status = values.status as Status;
  if (!STATUSES.includes(status)) throw new UsageError(`invalid --status ${values.status}`);
  const maxEvents = intOption('max-events', values['max-events'], 1);
  const backend = new MemoryBackend({
    serverId,
    maxResults: intOption('max-results', values['max-results'], 0),
    ...(maxEvents !== undefined ? { maxEvents } : {}),
  });
  const logger = stderrLogger(values.verbose === true);
  const { server } = await startMemoryServer({
    host: values.host,
    port,
    backend,
    status,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['fail-type'] !== undefined ? { failType: values['fail-type'].split('/') } : {}),
    logger,
    onConnected: (info) =>
      logger.info('client connected', {
        id: info.id,
        clientName: info.clientName,
        subscriptions: info.subscription.queryTypes().map((t) => t.join('/')),
        serverId: info.serverId,
        persisted: info.persisted,
      }),
    onDisconnected: (info) =>
      logger.info('client disconnected', { id: info.id, clientName: info.clientName }),
  });
  logger.info('listening', {
    host: values.host,
    port: server.address.port,
    serverId,
    status,
  });
  serveUntilSignal(server, server.address.port);
}
