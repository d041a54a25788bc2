// `--check`: what a run would change, as a unified diff per changed file, so a CI log shows
// why generated code is out of date without a second command.
import { structuredPatch } from 'diff';
import { join } from 'node:path';
import { type OutputFile, readOptional, staleFiles } from './output.js';

/**
 * missing: would be created; changed: differs on disk; stale: a generated file on disk that
 * the run would no longer produce (so would remove).
 */
export type DriftKind = 'missing' | 'changed' | 'stale';

export interface Drift {
  readonly kind: DriftKind;
  readonly path: string;
  /** Unified diff (on disk -> generated), for `changed` only. */
  readonly diff?: readonly string[];
}

/** Diff lines shown per file; the rest is counted, so a log stays readable. */
export const MAX_DIFF_LINES = 80;

/**
 * Beyond this many edits a file is reported as changed without a diff: Myers' algorithm costs
 * O(size x edits), and a diff that long would be cut anyway.
 */
const MAX_EDIT_LENGTH = 5_000;

export async function outputDrift(
  dir: string,
  files: readonly OutputFile[],
  header: string,
): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const f of files) {
    const path = join(dir, f.path);
    const d = fileDrift(path, await readOptional(path), f.content);
    if (d) drift.push(d);
  }
  for (const stale of await staleFiles(dir, files, header))
    drift.push({ kind: 'stale', path: join(dir, stale) });
  return drift;
}

/** Drift of one file (`onDisk` undefined when absent); undefined when up to date. */
export function fileDrift(
  path: string,
  onDisk: string | undefined,
  wanted: string,
): Drift | undefined {
  if (onDisk === wanted) return undefined;
  if (onDisk === undefined) return { kind: 'missing', path };
  return { kind: 'changed', path, diff: unifiedDiff(path, onDisk, wanted) };
}

function unifiedDiff(path: string, before: string, after: string): string[] {
  const patch = structuredPatch(path, path, before, after, '(on disk)', '(generated)', {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  if (!patch) return [`(more than ${MAX_EDIT_LENGTH} lines differ; no diff shown)`];
  const lines = [`--- ${path} (on disk)`, `+++ ${path} (generated)`];
  for (const h of patch.hunks) {
    lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    for (const l of h.lines) lines.push(l);
  }
  return lines;
}

const NOTE: Record<DriftKind, string> = {
  missing: ' (would be created)',
  changed: '',
  stale: ' (no longer generated; would be removed)',
};

/** The report of one drifted file: a status line, then its diff capped at `maxLines`. */
export function formatDrift(d: Drift, maxLines = MAX_DIFF_LINES): string[] {
  const out = [`${d.kind}: ${d.path}${NOTE[d.kind]}`];
  const diff = d.diff ?? [];
  for (const l of diff.slice(0, maxLines)) out.push(l);
  if (diff.length > maxLines) out.push(`... ${diff.length - maxLines} more diff lines`);
  return out;
}
