"""hat-juggler client for scripts/bench/python.ts (area `python`).

Against juggler_server.py (pid SERVER_PID): `echo` requests carrying a string
of SIZE ASCII characters needing no escaping, one at a time; each answer is
checked. Runs a warm-up, then about SECONDS; prints one JSON line with the
count of round trips, wall seconds, this process's CPU seconds and the
server's CPU seconds.

    python3 bench_juggler.py host:port SECONDS SERVER_PID SIZE
"""

import asyncio
import json
import sys
import time

from hat import juggler

sys.dont_write_bytecode = True  # no __pycache__ in the repository
from bench_cpu import Window  # noqa: E402


async def round_trips(client, text, seconds):
    n = 0
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        for _ in range(10):
            res = await client.send('echo', text)
            assert res == {'name': 'echo', 'data': text}
        n += 10
    return n


async def main():
    address = sys.argv[1]
    seconds, pid, size = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    text = 'x' * size
    client = await juggler.connect(f'ws://{address}/ws')
    try:
        await round_trips(client, text, min(0.5, seconds / 4))
        window = Window(pid)
        window.start()
        result = window.stop(await round_trips(client, text, seconds))
    finally:
        await client.async_close()
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    asyncio.run(main())
