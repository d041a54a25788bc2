// Typed SBS errors. The path is built while the error unwinds: each generated or
// Repository read/write function that catches it prepends its own segment, so the hot
// path pays nothing for paths.

export type PathSegment = string | number;

export abstract class SbsError extends Error {
  /** Type path from the top-level type down to where it failed: `['HatChatter.Msg', 'data', 'type']`. */
  readonly path: PathSegment[] = [];

  protected constructor(readonly reason: string) {
    super(reason);
  }

  /** Renders `path: reason` with array indices as `[i]`. */
  protected render(suffix: string): void {
    const at = formatPath(this.path);
    this.message = (at ? `${at}: ` : '') + this.reason + suffix;
  }

  abstract prependPath(segment: PathSegment): void;
}

export type SbsDecodeErrorCode =
  | 'truncated'
  | 'length'
  | 'trailing'
  | 'non-minimal'
  | 'boolean'
  | 'choice'
  | 'utf8'
  | 'depth'
  | 'range';

export class SbsDecodeError extends SbsError {
  override readonly name = 'SbsDecodeError';

  constructor(
    readonly code: SbsDecodeErrorCode,
    reason: string,
    /** Byte offset into the decoded input where the bad data starts. */
    readonly offset: number,
  ) {
    super(reason);
    this.render(` (at byte ${offset})`);
  }

  prependPath(segment: PathSegment): void {
    this.path.unshift(segment);
    this.render(` (at byte ${this.offset})`);
  }
}

export class SbsEncodeError extends SbsError {
  override readonly name = 'SbsEncodeError';

  constructor(reason: string) {
    super(reason);
    this.render('');
  }

  prependPath(segment: PathSegment): void {
    this.path.unshift(segment);
    this.render('');
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** Used in catch blocks of codecs: adds a path segment to SBS errors, passes others through. */
export function at(error: unknown, segment: PathSegment): unknown {
  if (error instanceof SbsError) error.prependPath(segment);
  return error;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  const t = typeof value;
  if (t === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${String(value)}`;
  if (t === 'string') return 'a string';
  if (t === 'bigint') return 'a bigint';
  return t === 'object' ? 'an object' : t;
}
