"""CPU time for the bench_*.py scripts of scripts/bench/python.ts.

The machine is shared, so the benchmarks compare CPU seconds rather than wall
time: this process's (time.process_time, all threads) and a server process's
(utime + stime of /proc/<pid>/stat, in clock ticks).
"""

import os
import time

_TICK = os.sysconf('SC_CLK_TCK')


def process_cpu(pid):
    """CPU seconds (user + system) process `pid` has used so far."""
    with open(f'/proc/{pid}/stat') as f:
        # Fields after the command name, which may itself hold spaces.
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


class Window:
    """Wall time, own CPU and the server's CPU between start() and stop()."""

    def __init__(self, server_pid):
        self.server_pid = server_pid

    def start(self):
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._server = process_cpu(self.server_pid)

    def stop(self, count, **extra):
        return {'count': count,
                'wall': time.perf_counter() - self._wall,
                'cpu': time.process_time() - self._cpu,
                'server_cpu': process_cpu(self.server_pid) - self._server,
                **extra}


def per_cpu_second(fn, seconds):
    """Calls of `fn` per second of this process's CPU, over about `seconds`
    after a warm-up; fast calls are timed in growing batches."""
    cpu = time.process_time
    warm = cpu() + min(0.1, seconds / 4)
    while cpu() < warm:
        fn()
    calls, batch = 0, 1
    start = now = cpu()
    while now - start < seconds:
        before = now
        for _ in range(batch):
            fn()
        calls += batch
        now = cpu()
        if now - before < 0.002 and batch < 65536:
            batch *= 2
    return calls / (now - start)
