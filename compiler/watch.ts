// `--watch`: one generation run per change to the inputs until the signal aborts (Ctrl-C).
//
// chokidar rather than `fs.watch`: `fs.watch` is not recursive on Linux before Node 22 (and
// this package supports Node 20), reports one save as several events or as a rename (editors
// write a temp file and rename it over the schema), and loses a watched file that is replaced.
import { basename, resolve } from 'node:path';
import { isSkippedDir } from './sources.js';

/** Changes closer together than this (one save, `git checkout`) make one run. */
export const DEBOUNCE_MS = 100;

export interface WatchOptions {
  readonly inputs: readonly string[];
  /** Runs once per batch of changes; never two at once. */
  readonly onChange: () => Promise<void>;
  /** Called once the inputs are being watched. */
  readonly onReady: () => void;
  /** A watcher failure (e.g. too many watched files); watching goes on. */
  readonly onError: (message: string) => void;
  readonly signal: AbortSignal;
}

/** Resolves after the signal aborts, the watcher is closed and the last run has finished. */
export async function watchInputs(options: WatchOptions): Promise<void> {
  const { inputs, onChange, signal } = options;
  const { watch } = await import('chokidar');
  const named = new Set(inputs.map((p) => resolve(p)));
  const watcher = watch([...inputs], {
    ignoreInitial: true,
    // The same folders a directory input skips (sources.ts); named paths are always watched.
    ignored: (path, stats) => {
      if (named.has(resolve(path))) return false;
      const name = basename(path);
      if (stats?.isFile()) return !name.endsWith('.sbs');
      return isSkippedDir(name) && !name.endsWith('.sbs');
    },
  });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let pending = false;
  const start = (): void => {
    if (signal.aborted) return;
    if (running) {
      pending = true;
      return;
    }
    running = onChange()
      .catch((e: unknown) => options.onError(e instanceof Error ? e.message : String(e)))
      .finally(() => {
        running = undefined;
        if (pending) {
          pending = false;
          start();
        }
      });
  };
  watcher.on('all', (event, path) => {
    if (event === 'addDir' || (event !== 'unlinkDir' && !path.endsWith('.sbs'))) return;
    clearTimeout(timer);
    timer = setTimeout(start, DEBOUNCE_MS);
  });
  watcher.on('error', (e) => options.onError(e instanceof Error ? e.message : String(e)));

  const stopped = new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  await Promise.race([new Promise<void>((ready) => watcher.once('ready', ready)), stopped]);
  if (!signal.aborted) options.onReady();
  await stopped;
  clearTimeout(timer);
  await watcher.close();
  await running;
}
