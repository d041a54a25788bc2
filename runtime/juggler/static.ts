import type { IncomingMessage, ServerResponse } from 'node:http';
import send from 'send';

/**
 * Serves `pathname` from `root` with the `send` package: it rejects `..`
 * traversal (403), ignores dotfiles, sets Content-Type from the extension and
 * handles ETag/Range/HEAD. Directories are not listed (404).
 */
export function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  noCache: boolean,
): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  send(req, pathname, { root, dotfiles: 'ignore', index: false, cacheControl: !noCache })
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
