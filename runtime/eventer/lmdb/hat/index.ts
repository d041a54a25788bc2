// hat-event 0.9's LMDB databases: read (without liblmdb) and written as mdb_load input.
export {
  hatDatabaseFormat,
  inspectLmdbHeader,
  type LmdbFileFormat,
  type LmdbHeader,
} from './header.js';
export { HatDatabaseError, type HatDatabaseErrorCode } from './errors.js';
export {
  HAT_DB_VERSION,
  HatDatabase,
  readHatDatabase,
  type HatDatabaseSummary,
  type HatLatestEntry,
  type HatPartition,
  type HatPlacement,
  type HatServerState,
  type HatStoredEvent,
} from './database.js';
export {
  exportHatDump,
  mdbLoadArgs,
  type HatDatabaseContent,
  type HatExportResult,
} from './export.js';
export { mdbDumpSource, parseMdbDump, type MdbDumpContent } from './mdb-dump.js';
export { LmdbFile, type LmdbFileOptions, type LmdbTree } from './lmdb-file.js';
export type { HatKvSource } from './kv-source.js';
export {
  HAT_DEFAULT_CONFIG,
  hatContentFromEvents,
  hatPartitions,
  type HatBackendConfig,
} from './placement.js';
