import type { HatDbName } from './hat-codec.js';
import type { LmdbFile, LmdbTree } from './lmdb-file.js';

/**
 * hat-event's named databases as sorted key-value maps: read from an LMDB file or from
 * `mdb_dump` text, so one decoder serves both.
 */
export interface HatKvSource extends AsyncDisposable {
  /** `null` when the key (or the whole database) is absent. */
  get(db: HatDbName, key: Uint8Array): Promise<Uint8Array | null>;
  /** Every entry in key order; each call starts again. */
  entries(db: HatDbName): AsyncIterable<readonly [Uint8Array, Uint8Array]>;
  /** Pages read so far (0 for sources without pages): a work count. */
  readonly pagesRead: number;
  close(): Promise<void>;
}

/** A source over an open LMDB file; closing it closes the file. */
export function lmdbFileSource(file: LmdbFile): HatKvSource {
  const trees = new Map<HatDbName, Promise<LmdbTree | null>>();
  const tree = (db: HatDbName): Promise<LmdbTree | null> => {
    let t = trees.get(db);
    if (t === undefined) {
      t = file.tree(db);
      trees.set(db, t);
    }
    return t;
  };
  return {
    async get(db, key) {
      const t = await tree(db);
      return t === null ? null : file.get(t, key);
    },
    async *entries(db) {
      const t = await tree(db);
      if (t !== null) yield* file.entries(t);
    },
    get pagesRead() {
      return file.pagesRead;
    },
    close: () => file.close(),
    [Symbol.asyncDispose]: () => file.close(),
  };
}
