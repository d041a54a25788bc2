import { EventerError } from '../../errors.js';

/**
 * Why a hat-event database could not be read or written:
 * - `not-found`: no file at the path;
 * - `not-lmdb`: not an LMDB file at all (another program's data, garbage);
 * - `unsupported-format`: LMDB, but not data format 1 (hat-event 0.9 on liblmdb 0.9), e.g. the
 *   format 2 files of the `lmdb` npm package;
 * - `truncated`: the file ends before a page it needs;
 * - `corrupt`: inconsistent pages (bad page header, out-of-range pointer, page cycle, keys out
 *   of order, value larger than the file);
 * - `unsupported-version`: an LMDB file, but not hat-event's 0.9 database layout;
 * - `invalid-value`: a key or value that hat-event would not have written (wrong length, an
 *   id beyond 2^53, SBS or JSON that does not decode);
 * - `invalid-dump`: `mdb_dump` text that does not parse.
 */
export type HatDatabaseErrorCode =
  | 'not-found'
  | 'not-lmdb'
  | 'unsupported-format'
  | 'truncated'
  | 'corrupt'
  | 'unsupported-version'
  | 'invalid-value'
  | 'invalid-dump';

/** Reading or writing a hat-event LMDB database failed; `code` says why. */
export class HatDatabaseError extends EventerError {
  override name = 'HatDatabaseError';
  constructor(
    override readonly code: HatDatabaseErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
