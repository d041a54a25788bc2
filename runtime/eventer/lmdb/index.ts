export { LmdbBackend, type LastId, type LmdbBackendOptions } from './backend.js';
export {
  DEFAULT_CONFIG,
  parseConfig,
  type LmdbConfig,
  type PartitionConfig,
  type PartitionLimit,
} from './config.js';
export { loadConfigFile } from './config-file.js';
export { checkDbFile, type DbFileState } from './header.js';
export { LmdbBackendError, type LmdbErrorCode } from './errors.js';
export { openStore, type OpenStoreOptions } from './open-store.js';
