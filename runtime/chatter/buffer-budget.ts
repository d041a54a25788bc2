import { BufferLimitError } from './errors.js';

/** What the budget needs of a connection: the bytes it accounted, and a way to close it. */
export interface BudgetHolder {
  readonly bufferedBytes: number;
  destroy(reason: Error): void;
}

/** Where a connection reports changes of the bytes of unfinished frames it holds. */
export interface BufferAccount {
  change(delta: number): void;
}

/**
 * A server-wide bound on bytes of unfinished frames, summed over the server's connections.
 * `maxFrameSize` bounds each connection alone, so many peers each holding most of a large
 * frame could otherwise take any amount of memory. Past the limit, the connection holding
 * the most is closed (never the newest or the one that happened to send last: an attacker
 * would otherwise get honest peers closed by sending small chunks at the right moment).
 */
export class BufferBudget implements BufferAccount {
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly holders: Iterable<BudgetHolder>,
  ) {}

  /** Bytes of unfinished frames held by all connections now. */
  get bytes(): number {
    return this.total;
  }

  change(delta: number): void {
    this.total += delta;
    if (delta > 0 && this.total > this.limit) this.shed();
  }

  private shed(): void {
    // Each round closes one holder, whose destroy gives its bytes back (change(-n)); a scan
    // over the connections happens only when the limit is passed, never per chunk.
    while (this.total > this.limit) {
      let worst: BudgetHolder | undefined;
      let most = 0;
      for (const h of this.holders) {
        const n = h.bufferedBytes;
        if (n > most) {
          most = n;
          worst = h;
        }
      }
      if (worst === undefined) return;
      worst.destroy(new BufferLimitError(most, this.total, this.limit));
    }
  }
}
