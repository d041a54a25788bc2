// Complexity checks without a wall-clock bound: the same work at two sizes, timed in the same
// test, compared as a ratio with a wide margin. The best of a few runs of each discounts a
// garbage collection or a busy neighbour landing in one of them.
export function growthRatio(small: () => void, large: () => void, runs = 3): number {
  const best = (f: () => void): number => {
    let min = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      f();
      min = Math.min(min, performance.now() - t);
    }
    return min;
  };
  best(small); // warm-up: the first run pays for compilation
  return best(large) / Math.max(best(small), 0.01);
}
