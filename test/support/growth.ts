// Complexity checks without a wall-clock bound: the same work at two sizes, measured in the same
// test, compared as a ratio with a wide margin. CPU time of this process (not elapsed time), so
// other processes on a busy machine count little; the best of a few runs of each discounts a
// garbage collection landing in one of them.
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function growthRatio(small: () => void, large: () => void, runs = 5): number {
  const best = (f: () => void): number => {
    let min = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = cpuMs();
      f();
      min = Math.min(min, cpuMs() - t);
    }
    return min;
  };
  best(small); // warm-up: the first run pays for compilation
  return best(large) / Math.max(best(small), 0.5);
}
