/**
 * `hat-eventer register|query|subscribe`: an Eventer client for the command line, with
 * hat-event-manager's verbs and option names (the earlier short names are kept as aliases).
 * Events are printed to stdout as JSON lines, one event per line, in hat-event-manager's
 * event JSON (see `eventToJson`).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  binaryPayload,
  connect,
  jsonPayload,
  now,
  timestampFromDate,
  timestampFromFloat,
  type Client,
  type Event,
  type EventId,
  type EventPayload,
  type EventType,
  type JsonValue,
  type QueryParamsInit,
  type RegisterEvent,
  type Timestamp,
} from '../eventer/index.js';
import type { Logger } from '../logger.js';
import { DEFAULT_PORT } from './eventer-server.js';
import {
  formatHelp,
  intOption,
  optionTable,
  parseCommand,
  stderrLogger,
  UsageError,
  type OptionTable,
} from './args.js';

/**
 * The JSON printed per event: hat-event-manager's `event_to_json` (binary data as hex), so
 * scripts written against hat's tool read ours.
 */
export function eventToJson(e: Event): JsonValue {
  return {
    id: { server: e.id.server, session: e.id.session, instance: e.id.instance },
    type: [...e.type],
    timestamp: { s: e.timestamp.s, us: e.timestamp.us },
    source_timestamp:
      e.sourceTimestamp === null ? null : { s: e.sourceTimestamp.s, us: e.sourceTimestamp.us },
    payload: payloadToJson(e.payload),
  };
}

function payloadToJson(p: EventPayload | null): JsonValue {
  if (p === null) return null;
  if (p.kind === 'json') return { data_type: 'json', data: p.data };
  return { data_type: 'binary', binary_type: p.type, data: Buffer.from(p.data).toString('hex') };
}

/** What a client verb reads and writes; tests pass their own. */
export interface ClientIo {
  /** One line of output (an event's JSON), without newline. */
  readonly out: (line: string) => void;
  /** All of stdin. */
  readonly readStdin: () => Promise<Buffer>;
  /** Whether stdin is a terminal: then no payload is read from it unless asked. */
  readonly stdinIsTty: boolean;
  /** Stderr lines (notes such as "more events follow", and --verbose logs). */
  readonly err: (line: string) => void;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export const processIo: ClientIo = {
  out: (line) => void process.stdout.write(line + '\n'),
  readStdin: () => readAll(process.stdin),
  // a getter: touching process.stdin opens it, which only a command that runs should do
  get stdinIsTty() {
    return process.stdin.isTTY === true;
  },
  err: (line) => void process.stderr.write(line),
};

const CONNECTION_OPTIONS = optionTable({
  host: { type: 'string', default: '127.0.0.1', arg: 'HOST', help: 'server host' },
  port: { type: 'string', default: String(DEFAULT_PORT), arg: 'PORT', help: 'server TCP port' },
  address: { type: 'string', arg: 'HOST:PORT', help: 'server address, instead of --host/--port' },
  'client-name': {
    type: 'string',
    default: 'hat-eventer',
    arg: 'NAME',
    help: 'client name the server sees (alias --name)',
  },
  name: { type: 'string', arg: 'NAME', help: 'alias of --client-name' },
  'client-token': { type: 'string', arg: 'TOKEN', help: 'client token (alias --token)' },
  token: { type: 'string', arg: 'TOKEN', help: 'alias of --client-token' },
  verbose: { type: 'boolean', short: 'v', help: 'log the connection on stderr' },
});

const REGISTER_OPTIONS = optionTable({
  ...CONNECTION_OPTIONS,
  type: { type: 'string', multiple: true, arg: 'A/B', help: 'event type, as EVENT_TYPE' },
  'source-timestamp': {
    type: 'string',
    arg: 'TIME',
    help: "source timestamp: 'now', seconds since 1970, or ISO 8601",
  },
  'payload-type': {
    type: 'string',
    arg: 'TYPE',
    help: "json|binary|none (default: json, or binary for a --payload-path not ending in '.json')",
  },
  'binary-type': { type: 'string', default: '', arg: 'TYPE', help: 'binary payload type' },
  'payload-path': {
    type: 'string',
    arg: 'PATH',
    help: "payload file, '-' for stdin (default: stdin unless it is a terminal)",
  },
  json: { type: 'string', arg: 'TEXT', help: 'JSON payload given inline' },
  'data-hex': { type: 'string', arg: 'HEX', help: 'binary payload given inline, as hex' },
  event: {
    type: 'string',
    multiple: true,
    arg: 'JSON',
    help: 'a whole event, e.g. a line printed by query',
  },
  'no-response': {
    type: 'boolean',
    help: 'do not wait for the registered events (prints nothing)',
  },
});

const QUERY_OPTIONS = optionTable({
  ...CONNECTION_OPTIONS,
  'event-types': {
    type: 'string',
    multiple: true,
    arg: 'A/B',
    help: "event types to match ('*', '?' allowed); also as EVENT_TYPE... (alias --type)",
  },
  type: { type: 'string', multiple: true, arg: 'A/B', help: 'alias of --event-types' },
  't-from': { type: 'string', arg: 'TIME', help: 'timeseries: from timestamp (alias --from)' },
  from: { type: 'string', arg: 'TIME', help: 'alias of --t-from' },
  't-to': { type: 'string', arg: 'TIME', help: 'timeseries: to timestamp (alias --to)' },
  to: { type: 'string', arg: 'TIME', help: 'alias of --t-to' },
  'source-t-from': {
    type: 'string',
    arg: 'TIME',
    help: 'timeseries: from source timestamp (alias --source-from)',
  },
  'source-from': { type: 'string', arg: 'TIME', help: 'alias of --source-t-from' },
  'source-t-to': {
    type: 'string',
    arg: 'TIME',
    help: 'timeseries: to source timestamp (alias --source-to)',
  },
  'source-to': { type: 'string', arg: 'TIME', help: 'alias of --source-t-to' },
  order: {
    type: 'string',
    default: 'descending',
    arg: 'ORDER',
    help: 'timeseries: ascending|descending',
  },
  'order-by': {
    type: 'string',
    default: 'timestamp',
    arg: 'KEY',
    help: 'timeseries: timestamp|source_timestamp',
  },
  'max-results': { type: 'string', arg: 'N', help: 'at most N events (alias --max)' },
  max: { type: 'string', arg: 'N', help: 'alias of --max-results' },
  'last-event-id': {
    type: 'string',
    arg: 'S,S,I',
    help: 'continue after this event id: SERVER,SESSION,INSTANCE (alias --last)',
  },
  last: { type: 'string', arg: 'S,S,I', help: 'alias of --last-event-id' },
  'server-id': { type: 'string', arg: 'N', help: 'server: the server id, as SERVER_ID' },
  persisted: { type: 'boolean', help: 'server: only persisted events' },
});

const SUBSCRIBE_OPTIONS = optionTable({
  ...CONNECTION_OPTIONS,
  subscription: {
    type: 'string',
    multiple: true,
    arg: 'A/B',
    help: 'subscribed event type, as EVENT_TYPE',
  },
  'server-id': { type: 'string', arg: 'N', help: 'only events of this server id' },
  persisted: { type: 'boolean', help: 'only events once persisted' },
  count: { type: 'string', arg: 'N', help: 'exit after N events' },
});

export const CLIENT_HELP = {
  register: formatHelp(
    ['hat-eventer register [options] EVENT_TYPE...'],
    [
      'Registers one event per EVENT_TYPE (segments joined by /), all with the same payload,',
      'and prints the registered events as JSON lines. The payload is JSON read from stdin',
      "(or --payload-path); empty input, a terminal or '--payload-type none' registers no payload.",
    ].join('\n'),
    REGISTER_OPTIONS,
  ),
  query: formatHelp(
    [
      'hat-eventer query latest [options] [EVENT_TYPE...]',
      'hat-eventer query timeseries [options] [EVENT_TYPE...]',
      'hat-eventer query server [options] SERVER_ID',
    ],
    [
      'Queries events and prints them as JSON lines. "more events follow" on stderr says',
      'that the answer was cut at --max-results (continue with --last-event-id).',
    ].join('\n'),
    QUERY_OPTIONS,
  ),
  subscribe: formatHelp(
    ['hat-eventer subscribe [options] [EVENT_TYPE...]', 'hat-eventer watch ...'],
    [
      'Prints events as they are registered, as JSON lines, until Ctrl-C (or --count).',
      "EVENT_TYPE may hold '*' (any rest) and '?' (one segment); default '*'.",
    ].join('\n'),
    SUBSCRIBE_OPTIONS,
  ),
} as const;

const parseType = (text: string): EventType => (text === '' ? [] : text.split('/'));

/**
 * `now`, seconds since 1970 (fractions kept to the microsecond), or ISO 8601 text (its
 * fraction of a second kept to the microsecond, beyond what Date holds).
 */
export function parseTimestamp(name: string, text: string): Timestamp {
  if (text === 'now') return now();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return timestampFromFloat(n);
  }
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  if (m !== null) {
    const base = new Date(`${m[1]}${m[3] ?? 'Z'}`);
    if (!Number.isNaN(base.getTime())) {
      const t = timestampFromDate(base);
      return { s: t.s, us: Number((m[2] ?? '').padEnd(6, '0').slice(0, 6)) };
    }
  }
  throw new UsageError(`invalid --${name} ${text}, expected now, seconds or ISO 8601`);
}

function optionalTimestamp(name: string, text: string | undefined): Timestamp | null {
  return text === undefined ? null : parseTimestamp(name, text);
}

function parseEventId(name: string, text: string | undefined): EventId | null {
  if (text === undefined) return null;
  const parts = text.split(/[,/]/).map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 3 || parts.some((p) => !Number.isSafeInteger(p) || p < 0))
    throw new UsageError(`invalid --${name} ${text}, expected SERVER,SESSION,INSTANCE`);
  const [server, session, instance] = parts as [number, number, number];
  return { server, session, instance };
}

type JsonObject = { readonly [key: string]: JsonValue };
const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function timestampValue(v: JsonValue | undefined): Timestamp | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return timestampFromFloat(v);
  if (isObject(v) && Number.isSafeInteger(v['s']) && Number.isSafeInteger(v['us']))
    return { s: v['s'] as number, us: v['us'] as number };
  throw new UsageError('--event timestamp must be seconds or {"s": S, "us": US}');
}

function payloadValue(p: JsonValue | undefined): EventPayload | null {
  if (p === undefined || p === null) return null;
  if (!isObject(p)) throw new UsageError('--event payload must be an object');
  // hat-event-manager's JSON (what query prints)
  if (p['data_type'] === 'json') return jsonPayload(p['data'] ?? null);
  if (p['data_type'] === 'binary' && typeof p['data'] === 'string')
    return binaryPayload(String(p['binary_type'] ?? ''), hexBytes('--event', p['data']));
  // the earlier form: {"json": v} | {"binary": {"type": t, "data": base64}}
  if ('json' in p) return jsonPayload(p['json'] ?? null);
  const b = p['binary'];
  if (isObject(b) && typeof b['data'] === 'string')
    return binaryPayload(String(b['type'] ?? ''), new Uint8Array(Buffer.from(b['data'], 'base64')));
  throw new UsageError(
    '--event payload must be {"data_type": "json", "data": v} or {"data_type": "binary", "binary_type": t, "data": hex}',
  );
}

function hexBytes(name: string, text: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`invalid ${name} hex data`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** An `--event` argument: `{"type": [...], "source_timestamp"?, "payload"?}` (extra keys ignored). */
export function parseEventArg(text: string): RegisterEvent {
  let v: JsonValue;
  try {
    v = JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new UsageError(`invalid --event JSON: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw new UsageError('--event must be a JSON object');
  const type = v['type'];
  if (!Array.isArray(type) || !type.every((s) => typeof s === 'string'))
    throw new UsageError('--event needs "type": [strings]');
  return {
    type: type as string[],
    sourceTimestamp: timestampValue(v['source_timestamp'] ?? v['sourceTimestamp']),
    payload: payloadValue(v['payload']),
  };
}

type Values<T extends OptionTable> = NonNullable<ReturnType<typeof parseCommand<T>>>['values'];

/** The payload of EVENT_TYPE events, as hat-event-manager reads it (plus inline options). */
async function readPayload(
  values: Values<typeof REGISTER_OPTIONS>,
  io: ClientIo,
): Promise<EventPayload | null> {
  const kind = values['payload-type'];
  if (kind !== undefined && kind !== 'json' && kind !== 'binary' && kind !== 'none')
    throw new UsageError(`invalid --payload-type ${kind}, expected json, binary or none`);
  const binaryType = values['binary-type'];
  const path = values['payload-path'];
  const given = [values.json, values['data-hex'], path].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give one of --json, --data-hex and --payload-path');
  if (kind === 'none') {
    if (given.length > 0) throw new UsageError('--payload-type none takes no payload');
    return null;
  }
  if (values.json !== undefined) {
    if (kind === 'binary')
      return binaryPayload(binaryType, new Uint8Array(Buffer.from(values.json)));
    return jsonPayload(parseJson('--json', values.json));
  }
  if (values['data-hex'] !== undefined) {
    if (kind === 'json') throw new UsageError('--data-hex is a binary payload');
    return binaryPayload(binaryType, hexBytes('--data-hex', values['data-hex']));
  }
  let bytes: Buffer;
  let asJson: boolean;
  if (path !== undefined && path !== '-') {
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new UsageError(
        `cannot read --payload-path ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    asJson = kind === undefined ? extname(path).toLowerCase() === '.json' : kind === 'json';
  } else {
    // a terminal would wait for typing: read it only when asked to with --payload-path -
    if (path === undefined && io.stdinIsTty) return null;
    bytes = await io.readStdin();
    asJson = kind !== 'binary';
    if (asJson && bytes.toString('utf8').trim() === '') return null;
  }
  if (!asJson) return binaryPayload(binaryType, new Uint8Array(bytes));
  return jsonPayload(parseJson('payload', bytes.toString('utf8')));
}

function parseJson(what: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new UsageError(`invalid ${what} JSON: ${(e as Error).message}`);
  }
}

function connection(values: Values<typeof CONNECTION_OPTIONS>): {
  address: { host: string; port: number } | string;
  clientName: string;
  clientToken: string | null;
} {
  const address = values.address ?? {
    host: values.host,
    port: intOption('port', values.port, 0, 65535),
  };
  return {
    address,
    clientName: values.name ?? values['client-name'],
    clientToken: values.token ?? values['client-token'] ?? null,
  };
}

function lower(text: string): string {
  return text.toLowerCase().replace(/_/g, '');
}

async function register(
  argv: readonly string[],
  io: ClientIo,
  log: (v: boolean) => Logger,
): Promise<number> {
  const parsed = parseCommand(argv, REGISTER_OPTIONS);
  if (parsed === null) return help(io, 'register');
  const { values, positionals } = parsed;
  const source = optionalTimestamp('source-timestamp', values['source-timestamp']);
  const types = [...positionals, ...(values.type ?? [])];
  const events: RegisterEvent[] = (values.event ?? []).map(parseEventArg);
  if (types.length > 0) {
    const payload = await readPayload(values, io);
    for (const t of types) events.push({ type: parseType(t), sourceTimestamp: source, payload });
  }
  if (events.length === 0) throw new UsageError('register needs EVENT_TYPE (or --event)');
  const { address, ...identity } = connection(values);
  const logger = log(values.verbose === true);
  const client = await connect(address, { ...identity, logger });
  try {
    logger.debug('connected', { address, clientName: identity.clientName });
    if (values['no-response']) {
      await client.register(events);
      await client.connection.drain();
      return 0;
    }
    const result = await client.register(events, { withResponse: true });
    if (result === null) {
      io.err('hat-eventer: register failed (the server refused the events)\n');
      return 1;
    }
    for (const e of result) io.out(JSON.stringify(eventToJson(e)));
    return 0;
  } finally {
    await client.close();
  }
}

async function query(
  argv: readonly string[],
  io: ClientIo,
  log: (v: boolean) => Logger,
): Promise<number> {
  const parsed = parseCommand(argv, QUERY_OPTIONS);
  if (parsed === null) return help(io, 'query');
  const { values, positionals } = parsed;
  const [kind, ...rest] = positionals;
  const typeArgs = [...(values['event-types'] ?? []), ...(values.type ?? []), ...rest];
  const maxText = values['max-results'] ?? values.max;
  const maxResults =
    intOption(values.max !== undefined ? 'max' : 'max-results', maxText, 0) ?? null;
  const lastName = values.last !== undefined ? 'last' : 'last-event-id';
  const lastEventId = parseEventId(lastName, values['last-event-id'] ?? values.last);
  const eventTypes = typeArgs.length > 0 ? typeArgs.map(parseType) : null;
  const ts = (
    name: 't-from' | 't-to' | 'source-t-from' | 'source-t-to',
    alias: 'from' | 'to' | 'source-from' | 'source-to',
  ): Timestamp | null =>
    values[name] !== undefined
      ? parseTimestamp(name, values[name])
      : optionalTimestamp(alias, values[alias]);
  let params: QueryParamsInit;
  if (kind === 'latest') {
    params = { type: 'latest', eventTypes };
  } else if (kind === 'timeseries') {
    const order = lower(values.order);
    const orderBy = lower(values['order-by']);
    if (order !== 'ascending' && order !== 'descending')
      throw new UsageError(`invalid --order ${values.order}, expected ascending or descending`);
    if (orderBy !== 'timestamp' && orderBy !== 'sourcetimestamp')
      throw new UsageError(
        `invalid --order-by ${values['order-by']}, expected timestamp or source_timestamp`,
      );
    params = {
      type: 'timeseries',
      eventTypes,
      tFrom: ts('t-from', 'from'),
      tTo: ts('t-to', 'to'),
      sourceTFrom: ts('source-t-from', 'source-from'),
      sourceTTo: ts('source-t-to', 'source-to'),
      order,
      orderBy: orderBy === 'timestamp' ? 'timestamp' : 'sourceTimestamp',
      maxResults,
      lastEventId,
    };
  } else if (kind === 'server') {
    if (rest.length > 1) throw new UsageError(`unexpected argument ${rest[1]}`);
    const idText = rest[0] ?? values['server-id'];
    if (idText === undefined) throw new UsageError('query server needs SERVER_ID');
    const serverId = intOption('server-id', idText, 0);
    params = {
      type: 'server',
      serverId,
      persisted: values.persisted === true,
      maxResults,
      lastEventId,
    };
  } else {
    throw new UsageError(
      kind === undefined
        ? 'query needs latest, timeseries or server'
        : `unknown query ${kind}, expected latest, timeseries or server`,
    );
  }
  const { address, ...identity } = connection(values);
  const logger = log(values.verbose === true);
  const client = await connect(address, { ...identity, logger });
  try {
    logger.debug('connected', { address, clientName: identity.clientName });
    const result = await client.query(params);
    for (const e of result.events) io.out(JSON.stringify(eventToJson(e)));
    if (result.moreFollows) io.err('hat-eventer: more events follow\n');
    return 0;
  } finally {
    await client.close();
  }
}

async function subscribe(
  argv: readonly string[],
  io: ClientIo,
  log: (v: boolean) => Logger,
): Promise<number> {
  const parsed = parseCommand(argv, SUBSCRIBE_OPTIONS);
  if (parsed === null) return help(io, 'subscribe');
  const { values, positionals } = parsed;
  const limit = intOption('count', values.count, 1) ?? Infinity;
  const serverId = intOption('server-id', values['server-id'], 0) ?? null;
  const types = [...positionals, ...(values.subscription ?? [])];
  const { address, ...identity } = connection(values);
  const logger = log(values.verbose === true);
  const client: Client = await connect(address, {
    ...identity,
    logger,
    subscriptions: (types.length > 0 ? types : ['*']).map(parseType),
    serverId,
    persisted: values.persisted === true,
  });
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    void client.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    logger.debug('subscribed', { address, clientName: identity.clientName, types });
    let seen = 0;
    for await (const events of client) {
      for (const e of events) {
        io.out(JSON.stringify(eventToJson(e)));
        if (++seen >= limit) return 0;
      }
    }
    if (stopped) return 0;
    io.err('hat-eventer: the server closed the connection\n');
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await client.close();
  }
}

function help(io: ClientIo, verb: keyof typeof CLIENT_HELP): number {
  for (const line of CLIENT_HELP[verb].trimEnd().split('\n')) io.out(line);
  return 0;
}

export const CLIENT_VERBS = ['register', 'query', 'subscribe', 'watch'] as const;

/**
 * Runs a client verb: `argv` starts with the verb (`register`, `query`, `subscribe` or its
 * alias `watch`). Resolves to the exit code; throws `UsageError` for a bad command line and
 * other errors (connection refused, ...) as they come.
 */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = processIo.out,
  io: Partial<ClientIo> = {},
): Promise<number> {
  const full: ClientIo = { ...processIo, out, ...io };
  const log = (verbose: boolean): Logger => stderrLogger(verbose, (line) => full.err(line));
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'register':
      return register(rest, full, log);
    case 'query':
      return query(rest, full, log);
    case 'subscribe':
    case 'watch':
      return subscribe(rest, full, log);
    default:
      throw new UsageError(
        verb === undefined
          ? 'expected a command: register, query or subscribe'
          : `unknown command ${verb}`,
      );
  }
}
