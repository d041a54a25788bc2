// What an event server command needs to start on a database: config file, flush period
// override, then the header check and open (LmdbBackend.open).
import type { Logger } from '../../chatter/index.js';
import { LmdbBackend } from './backend.js';
import { DEFAULT_CONFIG, parseConfig } from './config.js';
import { loadConfigFile } from './config-file.js';

export interface OpenStoreOptions {
  readonly path: string;
  readonly serverId?: number;
  /** A YAML or JSON config file; none = DEFAULT_CONFIG. */
  readonly configFile?: string;
  /** Overrides the config's `flush_period` (seconds; hat-event's periodic flush). */
  readonly flushPeriod?: number;
  /** Overrides the config's `timeseries_max_results`. */
  readonly maxResults?: number;
  readonly logger?: Logger;
}

export async function openStore(options: OpenStoreOptions): Promise<LmdbBackend> {
  let config =
    options.configFile === undefined ? DEFAULT_CONFIG : await loadConfigFile(options.configFile);
  if (options.flushPeriod !== undefined || options.maxResults !== undefined)
    config = parseConfig({
      flush_period: options.flushPeriod ?? config.flushPeriod,
      cleanup_period: config.cleanupPeriod,
      timeseries_max_results: options.maxResults ?? config.maxResults,
      latest: { subscriptions: config.latest },
      timeseries: config.timeseries.map((p) => ({
        order_by: p.orderBy === 'timestamp' ? 'TIMESTAMP' : 'SOURCE_TIMESTAMP',
        subscriptions: p.subscriptions,
        ...(p.limit
          ? {
              limit: {
                min_entries: p.limit.minEntries,
                max_entries: p.limit.maxEntries,
                duration: p.limit.duration,
                size: p.limit.size,
              },
            }
          : {}),
      })),
    });
  return LmdbBackend.open({
    path: options.path,
    config,
    ...(options.serverId !== undefined ? { serverId: options.serverId } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
}
