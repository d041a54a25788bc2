import { readFile } from 'node:fs/promises';
import { parseConfig, type LmdbConfig } from './config.js';
import { LmdbBackendError } from './errors.js';

/**
 * Reads a config file: JSON when it ends in `.json`, otherwise YAML (a superset of JSON) through
 * the `yaml` package, loaded only then. Problems throw `LmdbBackendError` `ERR_LMDB_CONFIG`.
 */
export async function loadConfigFile(path: string): Promise<LmdbConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new LmdbBackendError(
      'ERR_LMDB_CONFIG',
      `${path}: cannot be read (${(e as Error).message})`,
    );
  }
  let value: unknown;
  try {
    if (path.endsWith('.json')) value = JSON.parse(text);
    else {
      const yaml = await import('yaml');
      value = yaml.parse(text);
    }
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    throw new LmdbBackendError(
      'ERR_LMDB_CONFIG',
      `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${msg}`,
      [msg],
    );
  }
  return parseConfig(value, path);
}
