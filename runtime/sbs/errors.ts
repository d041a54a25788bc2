// Typed SBS errors. The path is built while the error unwinds: each generated or
// Repository read/write function that catches it prepends its own segment, so the hot
// path pays nothing for paths.

export type PathSegment = string | number;

export abstract class SbsError extends Error {
  /** Type path from the top-level type down to where it failed: `['HatChatter.Msg', 'data', 'type']`. */
  readonly path: PathSegment[] = [];
  private rendered: string | undefined;

  protected constructor(readonly reason: string) {
    super(reason);
    // Rendered when read, not on every prependPath: an error 1000 levels deep would otherwise
    // format its whole path once per level (quadratic; 30 ms for one depth error).
    Object.defineProperty(this, 'message', {
      get: (): string => (this.rendered ??= this.render()),
      set: (m: string) => {
        this.rendered = m;
      },
      enumerable: false,
      configurable: true,
    });
  }

  /** Text after the path and reason, e.g. the byte offset. */
  protected abstract suffix(): string;

  /** Renders `path: reason` with array indices as `[i]`. */
  private render(): string {
    const at = formatPath(this.path);
    return (at ? `${at}: ` : '') + this.reason + this.suffix();
  }

  prependPath(segment: PathSegment): void {
    this.path.unshift(segment);
    this.rendered = undefined;
  }
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
  }

  protected suffix(): string {
    return ` (at byte ${this.offset})`;
  }
}

export class SbsEncodeError extends SbsError {
  override readonly name = 'SbsEncodeError';

  constructor(reason: string) {
    super(reason);
  }

  protected suffix(): string {
    return '';
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
