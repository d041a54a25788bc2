// What is at a database path, judged from the file's first bytes alone, before LMDB maps it:
// liblmdb trusts its meta pages, so a foreign, old-format or cut file can crash the process
// (a format-1 file opened by the prebuilt `lmdb` package segfaults).
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { LmdbBackendError } from './errors.js';
import { inspectLmdbHeader } from './hat/header.js';

const MAGIC = 0xbeefc0de;

/** Data format 2's meta starts after a 24-byte page header (format 1's after 16 bytes). */
const META = 24;

/** Offsets inside the meta: magic 0, version 4, address 8, mapsize 16, dbs[0].md_pad = psize 24. */
const PSIZE = 24;
/** After the two 48-byte MDB_db records: last page number, then the committing txnid. */
const LAST_PG = 24 + 96;
const TXNID = LAST_PG + 8;

export type DbFileState =
  { readonly kind: 'missing' } | { readonly kind: 'lmdb2'; readonly size: number };

interface Meta {
  readonly psize: number;
  readonly lastPage: number;
  readonly txnid: bigint;
}

function fail(path: string, what: string): never {
  throw new LmdbBackendError('ERR_LMDB_FORMAT', `${path}: ${what}`);
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

function parseMeta(page: Buffer, offset: number): Meta | null {
  if (page.length < offset + TXNID + 8) return null;
  if (page.readUInt32LE(offset) !== MAGIC) return null;
  return {
    psize: page.readUInt32LE(offset + PSIZE),
    lastPage: Number(page.readBigUInt64LE(offset + LAST_PG)),
    txnid: page.readBigUInt64LE(offset + TXNID),
  };
}

/**
 * `missing` when nothing is at `path` (a new database will be created); `lmdb2` for an LMDB
 * data-format-2 file whose meta pages are whole. Anything else throws `LmdbBackendError`
 * `ERR_LMDB_FORMAT` with a one-line message naming what the file is; the file is only read.
 */
export function checkDbFile(path: string): DbFileState {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') fail(path, 'is a directory, expected an LMDB data file');
    fail(path, `cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) fail(path, 'is a directory, expected an LMDB data file');
    if (!stat.isFile()) fail(path, 'is not a regular file');
    const size = stat.size;
    if (size === 0) fail(path, 'is empty (not an LMDB database; remove it to start a new one)');
    const head = readAt(fd, 512, 0);
    // The format decision is the one hat-event databases get (hat/header.ts); this file then
    // checks the meta pages the lmdb package would trust.
    const { format } = inspectLmdbHeader(head, size);
    if (format === 'lmdb-format-1')
      fail(
        path,
        'is LMDB data format 1 (liblmdb 0.9, e.g. a hat-event database); this server reads format 2 only: import it instead',
      );
    if (format === 'truncated') fail(path, `is truncated (${size} bytes)`);
    if (format === 'not-lmdb') {
      if (head.length < 32) fail(path, `is not an LMDB database (only ${size} bytes)`);
      fail(path, 'is not an LMDB database (no LMDB magic of a data format this server reads)');
    }
    const m0 = parseMeta(head, META);
    if (m0 === null) fail(path, `is truncated (${size} bytes)`);
    const psize = m0.psize;
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0)
      fail(path, `is a damaged LMDB database (page size ${psize})`);
    if (size < 2 * psize) fail(path, `is truncated (${size} bytes, page size ${psize})`);
    const m1 = parseMeta(readAt(fd, 512, psize), META);
    if (m1 === null || m1.psize !== psize)
      fail(path, 'is a damaged LMDB database (second meta page unreadable)');
    const current = m1.txnid > m0.txnid ? m1 : m0;
    // Pages past the end would be read through the map: SIGBUS, not an error.
    if ((current.lastPage + 1) * psize > size)
      fail(
        path,
        `is truncated (${size} bytes, its meta page names page ${current.lastPage} of ${psize} bytes)`,
      );
    return { kind: 'lmdb2', size };
  } finally {
    closeSync(fd);
  }
}
