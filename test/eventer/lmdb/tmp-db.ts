import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for database files, removed by the returned `remove`. */
export function tmpDbDir(): { readonly dir: string; readonly path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hat-lmdb-'));
  return {
    dir,
    path: join(dir, 'events.lmdb'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
