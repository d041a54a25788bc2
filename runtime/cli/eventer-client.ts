/**
 * Command-line Eventer client: register, query and watch events against any eventer server.
 * Events are printed to stdout as JSON lines (see `eventToJson`).
 *
 *   eventer-client.ts register --address HOST:PORT [--type a/b] [--json TEXT | --binary-type T --data-hex HEX]
 *                     [--source-timestamp SECONDS] [--event JSON]... [--no-response]
 *   eventer-client.ts query --address HOST:PORT latest|timeseries|server [--type a/*]... [--from S] [--to S]
 *                     [--source-from S] [--source-to S] [--order ascending|descending]
 *                     [--order-by timestamp|sourceTimestamp] [--max N] [--last SERVER/SESSION/INSTANCE]
 *                     [--server-id N] [--persisted]
 *   eventer-client.ts watch --address HOST:PORT [--subscription a/*]... [--server-id N] [--persisted] [--count N]
 *
 * Common: --name NAME (default eventer-client), --token TOKEN. Run with
 * `node --conditions=source --import tsx scripts/eventer-client.ts ...`.
 * `--event` takes a JSON object `{"type": [...], "sourceTimestamp": seconds?,
 * "payload": {"json": value} | {"binary": {"type": t, "data": base64}}}`; repeatable.
 */
import { parseArgs } from 'node:util';
import {
  binaryPayload,
  connect,
  jsonPayload,
  timestampFromFloat,
  timestampToIso,
  type Client,
  type Event,
  type EventId,
  type EventPayload,
  type EventType,
  type JsonValue,
  type QueryParamsInit,
  type RegisterEvent,
} from '../eventer/index.js';
import { isMain } from './args.js';

/** The JSON line printed per event. */
export function eventToJson(e: Event): JsonValue {
  return {
    id: { ...e.id },
    type: [...e.type],
    timestamp: { ...e.timestamp },
    time: timestampToIso(e.timestamp),
    sourceTimestamp: e.sourceTimestamp === null ? null : { ...e.sourceTimestamp },
    payload: payloadToJson(e.payload),
  };
}

function payloadToJson(p: EventPayload | null): JsonValue {
  if (p === null) return null;
  if (p.kind === 'json') return { json: p.data };
  return { binary: { type: p.type, data: Buffer.from(p.data).toString('base64') } };
}

class UsageError extends Error {}

const parseType = (text: string): EventType => (text === '' ? [] : text.split('/'));

function parseNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`invalid --${name} ${text}`);
  return n;
}

function parseEventId(text: string | undefined): EventId | null {
  if (text === undefined) return null;
  const parts = text.split('/').map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isSafeInteger(p)))
    throw new UsageError(`invalid --last ${text}, expected SERVER/SESSION/INSTANCE`);
  const [server, session, instance] = parts as [number, number, number];
  return { server, session, instance };
}

function parseEventArg(text: string): RegisterEvent {
  const v = JSON.parse(text) as {
    type?: unknown;
    sourceTimestamp?: unknown;
    payload?: { json?: JsonValue; binary?: { type?: unknown; data?: unknown } } | null;
  };
  if (!Array.isArray(v.type) || !v.type.every((s) => typeof s === 'string'))
    throw new UsageError('--event needs "type": [strings]');
  let payload: EventPayload | null = null;
  if (v.payload != null) {
    if ('json' in v.payload) payload = jsonPayload(v.payload.json ?? null);
    else if (v.payload.binary && typeof v.payload.binary.data === 'string')
      payload = binaryPayload(
        String(v.payload.binary.type ?? ''),
        new Uint8Array(Buffer.from(v.payload.binary.data, 'base64')),
      );
    else throw new UsageError('--event payload must be {"json": v} or {"binary": {type, data}}');
  }
  return {
    type: v.type as string[],
    sourceTimestamp:
      typeof v.sourceTimestamp === 'number' ? timestampFromFloat(v.sourceTimestamp) : null,
    payload,
  };
}

export async function main(
  argv: string[],
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      address: { type: 'string', default: '127.0.0.1:23012' },
      name: { type: 'string', default: 'eventer-client' },
      token: { type: 'string' },
      subscription: { type: 'string', multiple: true },
      'server-id': { type: 'string' },
      persisted: { type: 'boolean', default: false },
      count: { type: 'string' },
      type: { type: 'string', multiple: true },
      json: { type: 'string' },
      'binary-type': { type: 'string' },
      'data-hex': { type: 'string' },
      'source-timestamp': { type: 'string' },
      event: { type: 'string', multiple: true },
      'no-response': { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      'source-from': { type: 'string' },
      'source-to': { type: 'string' },
      order: { type: 'string' },
      'order-by': { type: 'string' },
      max: { type: 'string' },
      last: { type: 'string' },
    },
  });
  const [command, kind] = positionals;
  const identity = { clientName: values.name, clientToken: values.token ?? null };
  const serverId = parseNumber('server-id', values['server-id']);
  const ts = (name: 'from' | 'to' | 'source-from' | 'source-to') => {
    const n = parseNumber(name, values[name]);
    return n === undefined ? null : timestampFromFloat(n);
  };
  const printAll = (events: Event[]): void => {
    for (const e of events) out(JSON.stringify(eventToJson(e)));
  };

  if (command === 'watch') {
    const limit = parseNumber('count', values.count) ?? Infinity;
    let seen = 0;
    const client = await connect(values.address, {
      ...identity,
      subscriptions: (values.subscription ?? ['*']).map(parseType),
      serverId: serverId ?? null,
      persisted: values.persisted,
    });
    const stop = (): void => void client.close();
    process.once('SIGINT', stop);
    try {
      for await (const events of client) {
        for (const e of events) {
          out(JSON.stringify(eventToJson(e)));
          if (++seen >= limit) return 0;
        }
      }
      return 0;
    } finally {
      process.off('SIGINT', stop);
      await client.close();
    }
  }

  let client: Client | undefined;
  try {
    if (command === 'register') {
      const events: RegisterEvent[] = (values.event ?? []).map(parseEventArg);
      if (values.type !== undefined) {
        const payload =
          values.json !== undefined
            ? jsonPayload(JSON.parse(values.json) as JsonValue)
            : values['binary-type'] !== undefined
              ? binaryPayload(
                  values['binary-type'],
                  new Uint8Array(Buffer.from(values['data-hex'] ?? '', 'hex')),
                )
              : null;
        const source = parseNumber('source-timestamp', values['source-timestamp']);
        for (const t of values.type)
          events.push({
            type: parseType(t),
            sourceTimestamp: source === undefined ? null : timestampFromFloat(source),
            payload,
          });
      }
      if (events.length === 0) throw new UsageError('register needs --type or --event');
      client = await connect(values.address, identity);
      if (values['no-response']) {
        await client.register(events);
        await client.connection.drain();
        return 0;
      }
      const result = await client.register(events, { withResponse: true });
      if (result === null) {
        process.stderr.write('eventer-client: register failed\n');
        return 1;
      }
      printAll(result);
      return 0;
    }
    if (command === 'query') {
      const eventTypes = values.type?.map(parseType) ?? null;
      const maxResults = parseNumber('max', values.max) ?? null;
      const lastEventId = parseEventId(values.last);
      let params: QueryParamsInit;
      if (kind === 'latest') params = { type: 'latest', eventTypes };
      else if (kind === 'timeseries') {
        const order = values.order ?? 'descending';
        const orderBy = values['order-by'] ?? 'timestamp';
        if (order !== 'ascending' && order !== 'descending')
          throw new UsageError(`invalid --order ${order}`);
        if (orderBy !== 'timestamp' && orderBy !== 'sourceTimestamp')
          throw new UsageError(`invalid --order-by ${orderBy}`);
        params = {
          type: 'timeseries',
          eventTypes,
          tFrom: ts('from'),
          tTo: ts('to'),
          sourceTFrom: ts('source-from'),
          sourceTTo: ts('source-to'),
          order,
          orderBy,
          maxResults,
          lastEventId,
        };
      } else if (kind === 'server') {
        if (serverId === undefined) throw new UsageError('query server needs --server-id');
        params = { type: 'server', serverId, persisted: values.persisted, maxResults, lastEventId };
      } else throw new UsageError('query needs latest, timeseries or server');
      client = await connect(values.address, identity);
      const result = await client.query(params);
      printAll(result.events);
      if (result.moreFollows) process.stderr.write('eventer-client: more follow\n');
      return 0;
    }
    throw new UsageError('expected a command: register, query or watch');
  } finally {
    await client?.close();
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`eventer-client: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
