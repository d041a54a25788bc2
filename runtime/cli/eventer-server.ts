/**
 * `hat-eventer server`: an Eventer server storing events in LMDB (default, `--db`) or in memory
 * (`--memory`). With LMDB a register response and its notifications go out once its events are
 * committed; `--flush-period S` instead commits every S seconds (hat-event's behaviour).
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
  type Event,
  type EventerBackend,
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
  numberOption,
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
  /**
   * Log each register and query request (`logger.debug`), as `--verbose` does. Default false:
   * the log fields would be built per request even for a logger that drops them.
   */
  readonly logRequests?: boolean;
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
  const requestLogger = options.logRequests === true ? options.logger : undefined;
  // Resolves with `events` once subscribers were notified; with none (the common case of a
  // server fed by producers) it returns them at once, without a promise or a flush wait.
  const notified = (events: Event[]): Event[] | Promise<Event[]> => {
    if (server === null || events.length === 0 || server.subscriberCount === 0) return events;
    const srv = server;
    return (async () => {
      await srv.notifyEvents(events, false);
      if (backend.flushed === undefined) await srv.notifyEvents(events, true);
      else
        // A failed flush is the backend's to report; these clients are then not notified.
        void backend
          .flushed()
          .then(() => srv.notifyEvents(events, true))
          .catch(() => {});
      return events;
    })();
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
      onRegister: (info, registerEvents) => {
        requestLogger?.debug('register', {
          id: info.id,
          clientName: info.clientName,
          events: registerEvents.length,
          types: registerEvents.slice(0, 10).map((e) => e.type.join('/')),
        });
        if (failType !== undefined && registerEvents.some((e) => typeEquals(e.type, failType)))
          return null;
        // Called synchronously: ids follow request order.
        const registered = backend.register(registerEvents);
        // Notified once stored, before the response.
        return registered instanceof Promise ? registered.then(notified) : notified(registered);
      },
      pipelineRegister: !(backend instanceof MemoryBackend),
      onQuery: async (info, params) => {
        const answer = backend.query(params);
        const result = answer instanceof Promise ? await answer : answer;
        requestLogger?.debug('query', {
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
  db: {
    type: 'string',
    default: './events.lmdb',
    arg: 'PATH',
    help: 'LMDB database file (created if missing; anything else is refused)',
  },
  memory: { type: 'boolean', help: 'keep events in memory instead (lost on exit)' },
  config: {
    type: 'string',
    arg: 'FILE',
    help: 'YAML or JSON storage config: partitions, limits, latest, periods',
  },
  'flush-period': {
    type: 'string',
    arg: 'S',
    help: "commit every S seconds, answering before the commit (hat-event's behaviour)",
  },
  'max-results': {
    type: 'string',
    arg: 'N',
    help: 'server cap on the events of one query answer (default 4096)',
  },
  'max-events': {
    type: 'string',
    arg: 'N',
    help: 'with --memory: keep at most N events, oldest dropped first',
  },
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
    'Runs an Eventer server storing events in an LMDB database (--db), or in memory with',
    '--memory. Prints `READY <port>` on stdout once listening; logs JSON lines on stderr.',
    'Stop it with Ctrl-C.',
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
  const maxResults = intOption('max-results', values['max-results'], 0);
  const flushPeriod = numberOption('flush-period', values['flush-period'], Number.MIN_VALUE);
  if (values.memory === true && (values.config !== undefined || flushPeriod !== undefined))
    throw new UsageError('--config and --flush-period need a database, not --memory');
  if (values.memory !== true && maxEvents !== undefined)
    throw new UsageError('--max-events is for --memory (set partition limits in --config)');
  let backend: EventerBackend;
  if (values.memory === true)
    backend = new MemoryBackend({
      serverId,
      ...(maxResults !== undefined ? { maxResults } : {}),
      ...(maxEvents !== undefined ? { maxEvents } : {}),
    });
  else {
    // Loaded only here: the lmdb package is an optional peer dependency.
    let lmdb: typeof import('../eventer/lmdb/index.js');
    try {
      lmdb = await import('../eventer/lmdb/index.js');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
      throw new Error(
        'storing events needs the lmdb package: npm install lmdb (or run with --memory)',
      );
    }
    const { openStore } = lmdb;
    backend = await openStore({
      path: values.db,
      serverId,
      ...(values.config !== undefined ? { configFile: values.config } : {}),
      ...(flushPeriod !== undefined ? { flushPeriod } : {}),
      ...(maxResults !== undefined ? { maxResults } : {}),
    });
  }
  const logger = stderrLogger(values.verbose === true);
  const { server } = await startEventServer({
    host: values.host,
    port,
    backend,
    status,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['fail-type'] !== undefined ? { failType: values['fail-type'].split('/') } : {}),
    logger,
    logRequests: values.verbose === true,
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
