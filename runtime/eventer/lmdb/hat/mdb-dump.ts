// The text format of liblmdb 0.9's `mdb_dump` / `mdb_load` (lmdb-utils), `format=bytevalue`:
// per database a header of `key=value` lines ending in `HEADER=END`, then key and value
// lines alternating, each a space and the bytes in hex, then `DATA=END`. One stream may hold
// several named databases (`database=NAME`); Debian's `mdb_load -n -f FILE PATH` loads them
// all into a new file at PATH.
import { HatDatabaseError } from './errors.js';
import type { HatDbName } from './hat-codec.js';
import { compareKeys } from './lmdb-file.js';
import type { HatKvSource } from './kv-source.js';

/** The map size written into headers: hat-event's own (1 TiB on 64-bit hosts; the file stays sparse). */
export const HAT_MAP_SIZE = 1024 ** 4;

export function mdbDumpHeader(database: string, mapSize = HAT_MAP_SIZE): string {
  return (
    'VERSION=3\nformat=bytevalue\n' +
    `database=${database}\ntype=btree\nmapsize=${mapSize}\nmaxreaders=126\nHEADER=END\n`
  );
}

export const MDB_DUMP_END = 'DATA=END\n';

/** One key or value line. */
export function mdbDumpLine(bytes: Uint8Array): string {
  return ` ${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}\n`;
}

/** Entries per database (`null` for the main DB), in the order the text has them. */
export type MdbDumpContent = Map<string | null, [Uint8Array, Uint8Array][]>;

/**
 * Parses `mdb_dump` bytevalue text (as `mdb_dump -a` writes it, or our export).
 * `HatDatabaseError('invalid-dump')` with the line number for anything else.
 */
export function parseMdbDump(text: string): MdbDumpContent {
  const out: MdbDumpContent = new Map();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  const fail = (msg: string): never => {
    throw new HatDatabaseError('invalid-dump', `mdb_dump line ${i + 1}: ${msg}`);
  };
  while (i < lines.length) {
    const header = new Map<string, string>();
    for (;;) {
      const line = lines[i];
      if (line === undefined) return fail('header without HEADER=END');
      i++;
      if (line === 'HEADER=END') break;
      const eq = line.indexOf('=');
      if (eq <= 0) return fail('expected key=value in the header');
      header.set(line.slice(0, eq), line.slice(eq + 1));
    }
    if (header.get('VERSION') !== '3') fail('expected VERSION=3');
    if (header.get('format') !== 'bytevalue') fail('only format=bytevalue is read');
    if ((header.get('type') ?? 'btree') !== 'btree') fail('only type=btree is read');
    if (header.has('duplicates')) fail('duplicate-sorted databases are not read');
    const name = header.get('database') ?? null;
    const entries = out.get(name) ?? [];
    out.set(name, entries);
    for (;;) {
      const k = lines[i];
      if (k === undefined) return fail('data without DATA=END');
      if (k === 'DATA=END') {
        i++;
        break;
      }
      const key = hexLine(k, fail);
      i++;
      const v = lines[i];
      if (v === undefined || v === 'DATA=END') return fail('key without a value');
      entries.push([key, hexLine(v, fail)]);
      i++;
    }
  }
  return out;
}

const HEX = /^ (?:[0-9a-fA-F]{2})*$/;

function hexLine(line: string, fail: (msg: string) => never): Uint8Array {
  if (!HEX.test(line)) fail('expected a space and hex digits');
  return new Uint8Array(Buffer.from(line.slice(1), 'hex'));
}

/**
 * A key-value source over parsed dump text (held in memory: for checking an export, not
 * for large databases). Entries are sorted as LMDB would store them; a key given twice keeps
 * the last value, as `mdb_load` does.
 */
export function mdbDumpSource(content: MdbDumpContent): HatKvSource {
  const dbs = new Map<string, [Uint8Array, Uint8Array][]>();
  for (const [name, entries] of content) {
    if (name === null) continue;
    const sorted = [...entries].sort((a, b) => compareKeys(a[0], b[0]));
    const unique: [Uint8Array, Uint8Array][] = [];
    for (const e of sorted) {
      const last = unique[unique.length - 1];
      if (last !== undefined && compareKeys(last[0], e[0]) === 0) unique[unique.length - 1] = e;
      else unique.push(e);
    }
    dbs.set(name, unique);
  }
  const close = (): Promise<void> => Promise.resolve();
  return {
    get(db: HatDbName, key: Uint8Array) {
      const entries = dbs.get(db) ?? [];
      let lo = 0;
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const [k, v] = entries[mid] as [Uint8Array, Uint8Array];
        const c = compareKeys(k, key);
        if (c === 0) return Promise.resolve(v);
        if (c < 0) lo = mid + 1;
        else hi = mid;
      }
      return Promise.resolve(null);
    },
    async *entries(db: HatDbName) {
      yield* dbs.get(db) ?? [];
    },
    pagesRead: 0,
    close,
    [Symbol.asyncDispose]: close,
  };
}
