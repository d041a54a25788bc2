import { EventerError } from '../errors.js';

export type LmdbErrorCode =
  /** The file at the database path is not a database of ours (format, program, damage). */
  | 'ERR_LMDB_FORMAT'
  /** The config file or object has problems; `problems` lists each with its path. */
  | 'ERR_LMDB_CONFIG'
  /** A value that the store cannot hold (id or timestamp out of range). */
  | 'ERR_LMDB_VALUE'
  /** The backend was used after `close()`. */
  | 'ERR_LMDB_CLOSED';

/** Errors of the LMDB event store, told apart by `code`. */
export class LmdbBackendError extends EventerError {
  override name = 'LmdbBackendError';
  constructor(
    override readonly code: LmdbErrorCode,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}
