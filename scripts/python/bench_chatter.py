"""hat-drivers chatter client for scripts/bench/python.ts (area `python`).

Against chatter_echo_server.py (with --sink for `oneway`), pid SERVER_PID:
- `rt`: request/response round trips of 100 B, one at a time;
- `oneway`: 100 B messages with last=True sent pipelined, then one request
  whose answer covers their receipt (the sink answers only requests).
Runs a warm-up, then about SECONDS; prints one JSON line with the count, wall
seconds, this process's CPU seconds, the server's CPU seconds and hat-sbs's
default serializer.

    python3 bench_chatter.py host:port rt|oneway SECONDS SERVER_PID
"""

import asyncio
import json
import sys
import time

from hat import sbs
from hat.drivers import chatter, tcp

sys.dont_write_bytecode = True  # no __pycache__ in the repository
from bench_cpu import Window  # noqa: E402

DATA = chatter.Data('Bench.Echo', b'\x02' * 100)
MARKER = chatter.Data('Bench.Marker', b'')


async def request(conn, data):
    conv = await conn.send(data, last=False)
    msg = await conn.receive()
    assert msg.conv == conv and msg.data == data


async def round_trips(conn, seconds):
    n = 0
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        for _ in range(10):
            await request(conn, DATA)
        n += 10
    return n


async def one_way(conn, seconds):
    n = 0
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        for _ in range(1000):
            await conn.send(DATA, last=True)
        n += 1000
    await request(conn, MARKER)
    return n


async def main():
    host, port = sys.argv[1].rsplit(':', 1)
    mode, seconds, pid = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    run = {'rt': round_trips, 'oneway': one_way}[mode]
    conn = await chatter.connect(tcp.Address(host, int(port)), ping_delay=None)
    try:
        await run(conn, min(0.5, seconds / 4))
        window = Window(pid)
        window.start()
        count = await run(conn, seconds)
        result = window.stop(count,
                             serializer=sbs.DefaultSerializer.__name__)
    finally:
        await conn.async_close()
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    asyncio.run(main())
