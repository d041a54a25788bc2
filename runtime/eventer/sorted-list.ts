/**
 * A list kept in order by `compare`, as chunks of at most CHUNK items (a flat B-tree of one
 * level): insert and delete cost O(log n + CHUNK) instead of a whole-array move, seeks are
 * binary searches, and appending in order (the common case: time moves forward) is O(1).
 */
const CHUNK = 512;

/** A place between items: before `chunk[index]` (index may equal the chunk's length). */
export interface SortedListPosition {
  readonly chunk: number;
  readonly index: number;
}

export class SortedList<T> {
  private chunks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  /** Replaces the content with `items`, which must already be in order. */
  reset(items: readonly T[]): void {
    this.chunks = [];
    for (let i = 0; i < items.length; i += CHUNK) this.chunks.push(items.slice(i, i + CHUNK));
    this.count = items.length;
  }

  insert(item: T): void {
    this.count++;
    const last = this.chunks[this.chunks.length - 1];
    if (last === undefined) {
      this.chunks.push([item]);
      return;
    }
    if (this.compare(item, last[last.length - 1] as T) >= 0) {
      if (last.length < CHUNK) last.push(item);
      else this.chunks.push([item]);
      return;
    }
    const pos = this.seek((x) => this.compare(x, item) <= 0);
    const ci = Math.min(pos.chunk, this.chunks.length - 1);
    const chunk = this.chunks[ci] as T[];
    chunk.splice(pos.chunk === ci ? pos.index : chunk.length, 0, item);
    if (chunk.length > CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(CHUNK / 2));
  }

  /** Removes `item` (the same object); false when it is not there. */
  delete(item: T): boolean {
    const pos = this.seek((x) => this.compare(x, item) < 0);
    let ci = pos.chunk;
    let i = pos.index;
    for (;;) {
      const chunk = this.chunks[ci];
      if (chunk === undefined) return false;
      if (i >= chunk.length) {
        ci++;
        i = 0;
        continue;
      }
      const x = chunk[i] as T;
      if (this.compare(x, item) !== 0) return false;
      if (x === item) {
        chunk.splice(i, 1);
        if (chunk.length === 0) this.chunks.splice(ci, 1);
        this.count--;
        return true;
      }
      i++;
    }
  }

  /**
   * The first position whose item is not `before` (items for which `before` holds must all
   * come first): a binary search over the chunks' last items, then inside one chunk.
   */
  seek(before: (item: T) => boolean): SortedListPosition {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid] as T[];
      if (before(c[c.length - 1] as T)) lo = mid + 1;
      else hi = mid;
    }
    const chunk = this.chunks[lo];
    if (chunk === undefined) return { chunk: lo, index: 0 };
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(chunk[mid] as T)) a = mid + 1;
      else b = mid;
    }
    return { chunk: lo, index: a };
  }

  /** Items from `pos` on, ascending. */
  *forward(pos: SortedListPosition): Generator<T> {
    for (let ci = pos.chunk, i = pos.index; ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci] as T[];
      for (; i < chunk.length; i++) yield chunk[i] as T;
    }
  }

  /** Items before `pos`, descending. */
  *backward(pos: SortedListPosition): Generator<T> {
    let ci = Math.min(pos.chunk, this.chunks.length - 1);
    let i = pos.chunk < this.chunks.length ? pos.index - 1 : (this.chunks[ci]?.length ?? 0) - 1;
    for (; ci >= 0; ci--, i = (this.chunks[ci]?.length ?? 0) - 1) {
      const chunk = this.chunks[ci] as T[];
      for (; i >= 0; i--) yield chunk[i] as T;
    }
  }
}
