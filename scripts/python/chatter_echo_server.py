"""hat-drivers chatter echo server, the Python counterpart of scripts/chatter-echo-server.ts.

Answers each message in its conversation with the same data and last=True
(with --sink only messages sent with last=False, as the TypeScript server's
--sink, for one-way benchmarks); prints `READY <port>` once listening. Needs
hat-drivers (and its dependencies) importable:

    python3 chatter_echo_server.py [host:port] [--ping-delay SECONDS] [--sink]
"""

import argparse
import asyncio
import sys

from hat.drivers import chatter, tcp


async def serve(conn, sink):
    try:
        while True:
            msg = await conn.receive()
            if sink and msg.last:
                continue
            await conn.send(msg.data, conv=msg.conv, last=True)
    except ConnectionError:
        pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('address', nargs='?', default='127.0.0.1:0')
    parser.add_argument('--ping-delay', type=float, default=20)
    parser.add_argument('--sink', action='store_true')
    args = parser.parse_args()
    host, port = args.address.rsplit(':', 1)
    srv = await chatter.listen(lambda conn: serve(conn, args.sink),
                               tcp.Address(host, int(port)),
                               ping_delay=args.ping_delay or None)
    print('READY', srv.info.addresses[0].port, flush=True)
    await srv.wait_closing()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
