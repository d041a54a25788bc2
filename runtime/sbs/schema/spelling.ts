// "Did you mean" suggestions for unknown names, by edit distance (optimal string alignment:
// insertions, deletions, substitutions and swaps of neighbours each cost 1), ignoring case.

/** Names longer than this are not compared: a typo that long is not worth quadratic work. */
const MAX_LENGTH = 64;

/**
 * Suggestions computed per validation. Each costs O(candidates x length²); the budget keeps a
 * hostile schema with thousands of unknown names against thousands of definitions linear.
 */
export const SUGGESTION_BUDGET = 200;

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      row.push(d);
      if (d < best) best = d;
    }
    // Every later row is at least this row's minimum.
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

/** Suggests names for typos, spending at most SUGGESTION_BUDGET look-ups. */
export class Speller {
  private left = SUGGESTION_BUDGET;

  /**
   * The closest candidate within 40 % of the name's length in edits, first one on
   * ties; a candidate differing only in case wins outright. Undefined when none is close.
   */
  suggest(name: string, candidates: Iterable<string>): string | undefined {
    if (name.length > MAX_LENGTH || this.left <= 0) return undefined;
    this.left--;
    const lower = name.toLowerCase();
    const limit = Math.floor(name.length * 0.4);
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const c of candidates) {
      if (c === name || c.length > MAX_LENGTH) continue;
      const d = distance(lower, c.toLowerCase(), limit);
      if (d === 0) return c;
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** `; did you mean 'X'?` for appending to a message, or ''. */
  hint(name: string, candidates: Iterable<string>): string {
    const s = this.suggest(name, candidates);
    return s === undefined ? '' : `; did you mean '${s}'?`;
  }
}
