/**
 * `hat-eventer import` and `hat-eventer export`: moving history between hat-event's own LMDB
 * database (data format 1, which the npm lmdb package cannot open: read here by our page
 * reader) and ours, so a team can move from the Python server and back.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Event } from '../eventer/index.js';
import {
  exportHatDump,
  HAT_DEFAULT_CONFIG,
  hatContentFromEvents,
  hatDatabaseFormat,
  mdbLoadArgs,
  readHatDatabase,
  type HatBackendConfig,
} from '../eventer/lmdb/hat/index.js';
import { formatHelp, intOption, optionTable, parseCommand, UsageError } from './args.js';

const DB_OPTIONS = {
  db: {
    type: 'string',
    default: './events.lmdb',
    arg: 'PATH',
    help: 'our LMDB database file',
  },
  config: { type: 'string', arg: 'FILE', help: 'storage config of our database (YAML or JSON)' },
  'server-id': { type: 'string', default: '1', arg: 'N', help: 'server id of our database' },
} as const;

export const IMPORT_OPTIONS = optionTable({
  'from-hat': {
    type: 'string',
    arg: 'PATH',
    help: "hat-event's database file (its backend's db_path); stop hat-event first",
  },
  ...DB_OPTIONS,
});

export const EXPORT_OPTIONS = optionTable({
  'to-hat': {
    type: 'string',
    arg: 'DIR',
    help: 'a new folder for the hat-event database, its dump and config',
  },
  'hat-config': {
    type: 'string',
    arg: 'FILE',
    help: "JSON with hat's lmdb backend keys (latest, timeseries, identifier); default: all",
  },
  ...DB_OPTIONS,
});

const IMPORT_HELP = formatHelp(
  ['hat-eventer import --from-hat PATH [--db PATH] [--config FILE]'],
  [
    'Copies every event of a hat-event 0.9 LMDB database into ours, keeping ids, timestamps',
    'and payloads; latest and partitions follow our --config; each server keeps its last id.',
  ].join('\n'),
  IMPORT_OPTIONS,
);

const EXPORT_HELP = formatHelp(
  ['hat-eventer export --to-hat DIR [--db PATH] [--hat-config FILE]'],
  [
    'Writes our events as a database hat-event 0.9 opens: DIR/hat-event.dump (mdb_load input),',
    "DIR/hat-config.json (hat's backend config) and, where Debian's lmdb-utils `mdb_load` is",
    'installed, DIR/event.db itself (otherwise the mdb_load command to run is printed).',
  ].join('\n'),
  EXPORT_OPTIONS,
);

async function openOurs(values: { db: string; config?: string; 'server-id': string }) {
  const { openStore } = await import('../eventer/lmdb/index.js');
  return openStore({
    path: values.db,
    serverId: intOption('server-id', values['server-id'], 0) ?? 1,
    ...(values.config !== undefined ? { configFile: values.config } : {}),
  });
}

export async function importMain(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(argv, IMPORT_OPTIONS);
  if (parsed === null) {
    process.stdout.write(IMPORT_HELP);
    return 0;
  }
  const { values } = parsed;
  const from = values['from-hat'];
  if (from === undefined) throw new UsageError('import needs --from-hat PATH');
  const format = await hatDatabaseFormat(from);
  if (format !== 'lmdb-format-1')
    throw new Error(`${from}: not a hat-event database (${format}); nothing imported`);
  await using hat = await readHatDatabase(from);
  const ours = await openOurs(values);
  try {
    let count = 0;
    async function* events(): AsyncGenerator<Event> {
      for await (const stored of hat.events()) {
        count++;
        yield stored.event;
      }
    }
    const lastIds = hat.servers.flatMap((s) =>
      s.lastEventId !== null && s.lastTimestamp !== null
        ? [{ serverId: s.serverId, eventId: s.lastEventId, timestamp: s.lastTimestamp }]
        : [],
    );
    await ours.importEvents(events(), lastIds);
    process.stdout.write(`${JSON.stringify({ imported: count, from, db: values.db })}\n`);
    return 0;
  } finally {
    await ours.close();
  }
}

export async function exportMain(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(argv, EXPORT_OPTIONS);
  if (parsed === null) {
    process.stdout.write(EXPORT_HELP);
    return 0;
  }
  const { values } = parsed;
  const dir = values['to-hat'];
  if (dir === undefined) throw new UsageError('export needs --to-hat DIR');
  const hatConfig: HatBackendConfig =
    values['hat-config'] === undefined
      ? HAT_DEFAULT_CONFIG
      : (JSON.parse(await readFile(values['hat-config'], 'utf8')) as HatBackendConfig);
  const ours = await openOurs(values);
  try {
    await mkdir(dir, { recursive: true });
    const servers = ours.lastIds().map((l) => ({
      serverId: l.serverId,
      lastEventId: l.eventId,
      lastTimestamp: l.timestamp,
    }));
    const content = await hatContentFromEvents(() => ours.exportEvents(), hatConfig, servers);
    const dump = join(dir, 'hat-event.dump');
    await exportHatDump(content, dump);
    const db = join(dir, 'event.db');
    await writeFile(
      join(dir, 'hat-config.json'),
      JSON.stringify({ ...hatConfig, db_path: db, conditions: [] }, null, 2) + '\n',
    );
    const load = spawnSync('mdb_load', mdbLoadArgs(dump, db), { stdio: 'inherit' });
    const loaded = load.error === undefined && load.status === 0;
    process.stdout.write(
      `${JSON.stringify({
        dump,
        config: join(dir, 'hat-config.json'),
        ...(loaded ? { db } : { run: ['mdb_load', ...mdbLoadArgs(dump, db)].join(' ') }),
      })}\n`,
    );
    return 0;
  } finally {
    await ours.close();
  }
}
