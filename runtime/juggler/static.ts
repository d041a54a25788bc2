import type { IncomingMessage, ServerResponse } from 'node:http';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative } from 'node:path';
import send from 'send';

export interface StaticOptions {
  /** `realpath` of the static directory, taken once at `listen`. */
  realRoot: string;
  noCache: boolean;
  /** Serve files whose real path lies outside `realRoot` (reached through symlinks). */
  followSymlinks: boolean;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Whether `pathname` may be served: its real path (symlinks resolved) must lie
 * inside the real static directory, as aiohttp's default `follow_symlinks=False`
 * (what hat-juggler uses) demands. Paths `send` itself refuses (bad escapes,
 * NUL, `..`) or that do not exist are left to `send`, which answers 400/403/404.
 */
async function staysInside(realRoot: string, pathname: string): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return true;
  }
  if (decoded.includes('\0')) return true;
  const lexical = join(realRoot, normalize('./' + decoded));
  if (!isInside(realRoot, lexical)) return true;
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    return true;
  }
  return isInside(realRoot, real);
}

/**
 * Serves `pathname` from the static directory with the `send` package: it
 * rejects `..` traversal (403), ignores dotfiles, sets Content-Type from the
 * extension and handles ETag/Range/HEAD. Directories are not listed (404), nor
 * is anything whose real path is outside the directory (404) unless
 * `followSymlinks` is set.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  opts: StaticOptions,
): Promise<void> {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (!opts.followSymlinks && !(await staysInside(opts.realRoot, pathname))) {
    res.writeHead(404).end('Not Found');
    return;
  }
  send(req, pathname, {
    root: opts.realRoot,
    dotfiles: 'ignore',
    index: false,
    cacheControl: !opts.noCache,
  })
    .on('directory', () => {
      res.statusCode = 404;
      res.end('Not Found');
    })
    .on('error', (err: { status?: number }) => {
      res.statusCode = err.status ?? 500;
      res.end(res.statusCode === 404 ? 'Not Found' : 'Error');
    })
    .pipe(res);
}
