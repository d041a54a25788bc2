"""hat-drivers chatter client used by test/chatter/python-interop.test.ts.

Connects to host:port, sends COUNT messages (type 'Interop.Msg', data = index as text)
with last=False, checks each echo comes back in its conversation with last=True, then
idles for IDLE seconds with ping_delay PING so pings flow both ways, and prints `OK`.
"""

import asyncio
import sys

from hat.drivers import chatter, tcp


async def main():
    host, port = sys.argv[1].rsplit(':', 1)
    count, idle, ping = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    conn = await chatter.connect(tcp.Address(host, int(port)),
                                 ping_delay=ping, ping_timeout=ping * 4)
    convs = []
    for i in range(count):
        convs.append(await conn.send(
            chatter.Data('Interop.Msg', str(i).encode()), last=False))
    for i in range(count):
        msg = await conn.receive()
        assert msg.conv == convs[i], (msg.conv, convs[i])
        assert msg.data == chatter.Data('Interop.Msg', str(i).encode())
        assert msg.last and msg.token and not msg.first
    await asyncio.sleep(idle)
    assert conn.is_open
    conv = await conn.send(chatter.Data('Interop.Last', b'x'), last=False)
    msg = await conn.receive()
    assert msg.conv == conv
    await conn.async_close()
    print('OK', flush=True)


asyncio.run(main())
