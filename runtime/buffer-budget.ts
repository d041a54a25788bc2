/** Something holding budgeted bytes that can be made to give them up. */
export interface BudgetHolder {
  /**
   * Called once the holder was chosen to free the budget (its bytes already
   * released): it must stop holding them, e.g. close its connection. `total` is what all
   * holders held when the limit was passed, `held` this holder's part of it.
   */
  evict(held: number, total: number, max: number): void;
}

/**
 * A server-wide bound on incoming bytes buffered for unfinished messages (Chatter frames,
 * Juggler messages). Per-connection limits (`maxFrameSize`, `maxMessageSize`) do not bound
 * their sum: a few hundred clients each holding most of a large message exhaust memory. When
 * an addition takes the total above `max`, the holders holding the most are evicted until it
 * fits again, so one client sending a large message costs that client its connection, not
 * everyone theirs (never the newest or the one that sent last: an attacker could otherwise get
 * honest peers closed by sending small chunks at the right moment).
 */
export class BufferBudget {
  private readonly byHolder = new Map<BudgetHolder, number>();
  private sum = 0;

  constructor(readonly max: number) {}

  /** Bytes held by all holders. */
  get total(): number {
    return this.sum;
  }

  /** Bytes held by `holder`. */
  heldBy(holder: BudgetHolder): number {
    return this.byHolder.get(holder) ?? 0;
  }

  /** Changes `holder`'s bytes by `delta`; may evict holders (`holder` among them) when above max. */
  add(holder: BudgetHolder, delta: number): void {
    if (delta === 0) return;
    const held = Math.max(0, (this.byHolder.get(holder) ?? 0) + delta);
    this.set(holder, held);
    if (delta > 0 && this.sum > this.max) this.evict();
  }

  /** Forgets `holder` (its message completed or its connection closed). */
  release(holder: BudgetHolder): void {
    this.set(holder, 0);
  }

  private set(holder: BudgetHolder, held: number): void {
    this.sum += held - (this.byHolder.get(holder) ?? 0);
    if (held === 0) this.byHolder.delete(holder);
    else this.byHolder.set(holder, held);
  }

  // A linear scan: it runs only when the budget is exceeded, and each run
  // closes a connection.
  private evict(): void {
    while (this.sum > this.max) {
      let victim: BudgetHolder | undefined;
      let most = 0;
      for (const [holder, held] of this.byHolder) {
        if (held > most) {
          most = held;
          victim = holder;
        }
      }
      if (victim === undefined) return;
      const total = this.sum;
      this.release(victim);
      victim.evict(most, total, this.max);
    }
  }
}
