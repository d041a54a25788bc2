"""hat-juggler client used by test/juggler/python-interop.test.ts.

Connects to ws://host:port/ws (a server running the demo request handler of
scripts/juggler-server.ts) with a small max segment size and ping delay, and
checks: echo (incl. non-ASCII text and a message of many segments), a failing
request (JugglerError with the server's message), state sync through `set`
(incl. array reorders and key renames, applied with hat's own json.patch), and
notifications. Prints `OK`; any failed check raises (non-zero exit).

    python3 juggler_client.py host:port SEGMENT_SIZE PING_DELAY
"""

import asyncio
import sys

from hat import juggler


async def main():
    address = sys.argv[1]
    segment, ping = int(sys.argv[2]), float(sys.argv[3])
    notifications = asyncio.Queue()

    async def on_notify(client, name, data):
        notifications.put_nowait((name, data))

    client = await juggler.connect(f'ws://{address}/ws', on_notify,
                                   max_segment_size=segment,
                                   ping_delay=ping, ping_timeout=ping * 4)
    try:
        text = 'a\u017e\u20ac\U0001F600"\\\n' * 3
        assert await client.send('echo', text) == {'name': 'echo',
                                                   'data': text}
        big = {'items': [{'i': i, 's': 'x' * 50} for i in range(2000)]}
        assert await client.send('echo', big) == {'name': 'echo', 'data': big}

        try:
            await client.send('fail', 'boom')
            raise AssertionError('fail did not fail')
        except juggler.JugglerError as e:
            assert e.data == 'boom', e.data

        states = [
            {'a': [1, 2, 3, 4, 5], 'b': {'x': 1}},
            {'a': [5, 4, 3, 2, 1], 'b': {'x': 1}},
            {'a': [5, 4, 3, 2, 1], 'c': {'x': 1}},
            {'a': [1, 'neu', 2, None, {'k': [True, 1.5]}], 'c': {'x~/': 2}},
            big,
            [],
            None,
        ]
        for state in states:
            assert await client.send('set', state) is None
            assert client.state.data == state, (client.state.data, state)
            assert await client.send('get_state', None) == state

        await client.send('notify', {'name': 'n1', 'data': [1, {'z': None}]})
        await client.send('notify', 'plain')
        got = [await asyncio.wait_for(notifications.get(), 5) for _ in range(2)]
        assert got == [('n1', [1, {'z': None}]), ('notify', 'plain')], got

        await asyncio.sleep(ping * 5)
        assert client.is_open
        assert await client.send('echo', 1) == {'name': 'echo', 'data': 1}
    finally:
        await client.async_close()
    print('OK', flush=True)


asyncio.run(main())
