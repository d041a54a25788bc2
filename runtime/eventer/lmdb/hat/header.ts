import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What an LMDB data file's first bytes say:
 * - `lmdb-format-1`: liblmdb 0.9 (hat-event, Debian's python3-lmdb and lmdb-utils);
 * - `lmdb-format-2`: the LMDB fork inside the `lmdb` npm package (lmdb-js);
 * - `not-lmdb`: anything else (including LMDB data versions neither of these reads);
 * - `truncated`: a file too short to hold both meta pages (empty files too);
 * - `missing`: no file (a new database).
 */
export type LmdbFileFormat =
  'lmdb-format-1' | 'lmdb-format-2' | 'not-lmdb' | 'truncated' | 'missing';

export interface LmdbHeader {
  readonly format: Exclude<LmdbFileFormat, 'missing'>;
  /** Page size from the first meta page; 0 when not known. */
  readonly pageSize: number;
}

const MAGIC = 0xbeefc0de;
const MAGIC_BYTES = [0xde, 0xc0, 0xef, 0xbe];
/** Bytes `inspectLmdbHeader` needs to decide (format 2's page size ends at byte 52). */
export const LMDB_HEADER_BYTES = 64;

// Both formats start with meta page 0: a page header, then `mm_magic`, `mm_version`,
// `mm_address`, `mm_mapsize`, then the free DB record whose first field (`md_pad`) is the
// page size. Format 1's page header is 16 bytes; format 2 adds a 64-bit txnid (24 bytes).
const LAYOUTS = [
  { format: 'lmdb-format-1', version: 1, meta: 16 },
  { format: 'lmdb-format-2', version: 2, meta: 24 },
] as const;

/**
 * Decides the format from the first bytes of a file (`head`, at least `LMDB_HEADER_BYTES` of
 * them when the file is that long) and its size. Pure and bounded: it reads nothing else.
 */
export function inspectLmdbHeader(head: Uint8Array, fileSize: number): LmdbHeader {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let prefixOfHeader = fileSize < LMDB_HEADER_BYTES;
  for (const l of LAYOUTS) {
    if (head.length >= l.meta + 8) {
      if (view.getUint32(l.meta, true) !== MAGIC) continue;
      // liblmdb compares the low 16 bits; the high ones are flags in some builds.
      if ((view.getUint32(l.meta + 4, true) & 0xffff) !== l.version)
        return { format: 'not-lmdb', pageSize: 0 };
      const psAt = l.meta + 24;
      if (head.length < psAt + 4) return { format: 'truncated', pageSize: 0 };
      const pageSize = view.getUint32(psAt, true);
      if (!validPageSize(pageSize)) return { format: 'not-lmdb', pageSize: 0 };
      return fileSize < 2 * pageSize
        ? { format: 'truncated', pageSize }
        : { format: l.format, pageSize };
    }
  }
  if (prefixOfHeader) {
    // A short file is a truncated LMDB file only if what is there could begin one: page
    // number 0 and, where the magic would be, its first bytes.
    for (let i = 0; i < Math.min(8, head.length); i++) if (head[i] !== 0) prefixOfHeader = false;
    const magicAt = LAYOUTS.some((l) =>
      MAGIC_BYTES.every((b, i) => l.meta + i >= head.length || head[l.meta + i] === b),
    );
    if (prefixOfHeader && magicAt) return { format: 'truncated', pageSize: 0 };
  }
  return { format: 'not-lmdb', pageSize: 0 };
}

function validPageSize(n: number): boolean {
  // liblmdb allows MIN_PAGESIZE 512 up to MAX_PAGESIZE 64 KiB, powers of two.
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * The format of the LMDB data file at `path` (a file, or a folder holding `data.mdb`), from
 * its first bytes only: a check to make before handing a path to an LMDB library, which may
 * crash the process on a file of the other format. Rejects only for I/O errors other than
 * a missing file.
 */
export async function hatDatabaseFormat(path: string): Promise<LmdbFileFormat> {
  let handle;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      handle = undefined;
      handle = await open(join(path, 'data.mdb'), 'r');
    }
  } catch (e) {
    await handle?.close();
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const size = (await handle.stat()).size;
    const head = new Uint8Array(Math.min(size, LMDB_HEADER_BYTES));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return inspectLmdbHeader(head.subarray(0, bytesRead), size).format;
  } finally {
    await handle.close();
  }
}
