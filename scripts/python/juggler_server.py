"""hat-juggler server, the Python counterpart of scripts/juggler-server.ts.

Used by test/juggler/python-interop.test.ts. Requests, as in the TypeScript demo:
`echo` -> {name, data}; `fail` raises (message = data when it is a string);
`set` replaces the connection state with data and flushes, then answers None;
`get_state` answers the state; `notify` sends a notification (named data['name']
with data['data'] when data is exactly {name, data}, else named `notify` with
data) and answers None. One extra request for tests: `diff` answers
hat.json.diff(data['src'], data['dst']), the patch this side would send for
that state change. Prints `READY <port>` once listening. Needs hat-juggler
(and its dependencies) importable:

    python3 juggler_server.py [host:port] [--max-segment-size N]
        [--autoflush-delay SECONDS|none] [--ping-delay SECONDS]
"""

import argparse
import asyncio
import socket
import sys

from hat import json
from hat import juggler


async def on_request(conn, name, data):
    if name == 'echo':
        return {'name': name, 'data': data}
    if name == 'fail':
        raise Exception(data if isinstance(data, str) else 'fail')
    if name == 'set':
        conn.state.set([], data)
        await conn.flush()
        return None
    if name == 'get_state':
        return conn.state.data
    if name == 'notify':
        if (isinstance(data, dict) and sorted(data) == ['data', 'name'] and
                isinstance(data['name'], str)):
            await conn.notify(data['name'], data['data'])
        else:
            await conn.notify('notify', data)
        return None
    if name == 'diff':
        return json.diff(data['src'], data['dst'])
    raise Exception(f'unsupported request {name!r}')


def free_port(host):
    # hat's juggler Server does not expose its bound address, so a free port is
    # picked first (loopback, tests only).
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('address', nargs='?', default='127.0.0.1:0')
    parser.add_argument('--max-segment-size', type=int, default=64 * 1024)
    parser.add_argument('--autoflush-delay', default='0.2')
    parser.add_argument('--ping-delay', type=float, default=30)
    args = parser.parse_args()
    host, port = args.address.rsplit(':', 1)
    port = int(port) or free_port(host)
    autoflush = (None if args.autoflush_delay == 'none'
                 else float(args.autoflush_delay))
    srv = await juggler.listen(host, port, request_cb=on_request,
                               autoflush_delay=autoflush,
                               max_segment_size=args.max_segment_size,
                               ping_delay=args.ping_delay,
                               ping_timeout=max(args.ping_delay * 4, 1))
    print('READY', port, flush=True)
    await srv.wait_closing()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
