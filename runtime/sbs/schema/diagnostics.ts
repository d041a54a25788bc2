// Compile-time problems in schemas, reported as `file:line:column: message`.
import type { SourcePos } from './ast.js';

export interface Diagnostic {
  readonly file: string;
  /** 1-based; 0 when unknown (e.g. modules imported from JSON). */
  readonly line: number;
  /** 1-based, in UTF-16 code units; 0 when unknown. */
  readonly column: number;
  readonly message: string;
}

/** `file:line:column: message`, or `file: message` when there is no position (I/O, JSON input). */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.line === 0) return `${d.file}: ${d.message}`;
  return `${d.file}:${d.line}:${d.column}: ${d.message}`;
}

export function diagnosticAt(
  pos: SourcePos | undefined,
  file: string,
  message: string,
): Diagnostic {
  return pos
    ? { file: pos.file, line: pos.line, column: pos.column, message }
    : { file, line: 0, column: 0, message };
}

/** Orders diagnostics by file (in the given file order), then position, keeping report order for ties. */
export function sortDiagnostics(
  diagnostics: readonly Diagnostic[],
  fileOrder: readonly string[],
): Diagnostic[] {
  const rank = new Map<string, number>();
  fileOrder.forEach((f, i) => {
    if (!rank.has(f)) rank.set(f, i);
  });
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (rank.get(a.d.file) ?? fileOrder.length) - (rank.get(b.d.file) ?? fileOrder.length) ||
        (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : 0) ||
        a.d.line - b.d.line ||
        a.d.column - b.d.column ||
        a.i - b.i,
    )
    .map(({ d }) => d);
}

/** Thrown by the throwing entry points; carries every diagnostic of the run. */
export class SbsSchemaError extends Error {
  override readonly name = 'SbsSchemaError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}
