// The output directory: writing generated files, and finding generated files a run no longer
// produces (stale). Only files that start with the generator's header are ever removed, so a
// user's own files next to the generated ones are safe.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutputFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly content: string;
}

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes the files that differ and removes stale generated ones. */
export async function writeOutput(
  dir: string,
  files: readonly OutputFile[],
  header: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const stale of await staleFiles(dir, files, header)) await rm(join(dir, stale));
  for (const f of files) {
    const path = join(dir, f.path);
    if ((await readOptional(path)) !== f.content) await writeFile(path, f.content);
  }
}

/** Files we generated earlier (recognised by the header) that this run no longer produces. */
export async function staleFiles(
  dir: string,
  files: readonly OutputFile[],
  header: string,
): Promise<string[]> {
  const wanted = new Set(files.map((f) => f.path));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.ts') || wanted.has(name)) continue;
    if ((await readOptional(join(dir, name)))?.startsWith(header)) stale.push(name);
  }
  return stale;
}

const WRITE_ERRORS = new Map([
  ['EEXIST', 'a file is in the way of a directory'],
  ['ENOTDIR', 'a file is in the way of a directory'],
  ['EISDIR', 'is a directory'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'read-only file system'],
  ['ENOSPC', 'no space left on device'],
]);

/** `path: reason` for a failed write, without Node's errno noise. */
export function writeErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, path } = e as NodeJS.ErrnoException;
  const reason = WRITE_ERRORS.get(code ?? '') ?? code ?? e.message;
  return path === undefined ? reason : `${path}: ${reason}`;
}
