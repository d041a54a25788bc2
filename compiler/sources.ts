// Loading `.sbs` files: single files or directories searched recursively.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Diagnostic, SbsSchemaError } from 'hat-open-ts/schema';

export interface SourceText {
  /** Label used in diagnostics (the path as given). */
  readonly file: string;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function errorText(e: unknown): string {
  if (e instanceof Error && 'code' in e && typeof e.code === 'string') {
    switch (e.code) {
      case 'ENOENT':
        return 'no such file or directory';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory';
      default:
        return `cannot read (${e.code})`;
    }
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Folders a directory walk does not enter: installed packages (another package's schemas are
 * its own; two copies of one gave `duplicate module` errors) and dot-folders (.git, caches).
 * A path given explicitly is still read.
 */
export function isSkippedDir(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

async function findSbsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Sorted by code unit order so every machine and file system yields the same order.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!isSkippedDir(e.name)) for (const f of await findSbsFiles(p)) out.push(f);
    } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.sbs')) out.push(p);
  }
  return out;
}

/**
 * Reads schema sources. Each path is a `.sbs` file or a directory searched recursively for
 * `*.sbs` (sorted), skipping `node_modules` and dot-folders. Labels are the paths as given (joined for directory contents); a file
 * reached twice is read once. All problems are collected into one SbsSchemaError.
 */
export async function readSources(paths: readonly string[]): Promise<SourceText[]> {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  for (const p of paths) {
    try {
      const st = await stat(p);
      if (st.isDirectory()) for (const f of await findSbsFiles(p)) files.push(f);
      else if (p.endsWith('.sbs')) files.push(p);
      else
        diagnostics.push({
          file: p,
          line: 0,
          column: 0,
          message: 'not a .sbs file or a directory',
        });
    } catch (e) {
      diagnostics.push({ file: p, line: 0, column: 0, message: errorText(e) });
    }
  }
  const seen = new Set<string>();
  const sources: SourceText[] = [];
  for (const f of files) {
    const key = resolve(f);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      // A leading BOM is dropped by the decoder (ignoreBOM: false).
      sources.push({ file: f, text: utf8.decode(await readFile(f)) });
    } catch (e) {
      const message = e instanceof TypeError ? 'not valid UTF-8' : errorText(e);
      diagnostics.push({ file: f, line: 0, column: 0, message });
    }
  }
  if (diagnostics.length > 0) throw new SbsSchemaError(diagnostics);
  return sources;
}
