"""hat-event eventer client used by test/eventer/python-interop.test.ts.

Runs against scripts/eventer-server.ts's startMemoryServer (server id 1, token
'secret', fail type ['fail']): checks a refused init, init status, register
with and without response, the events notified to it, latest / timeseries /
server queries, a failed register; then prints `ACK?` and waits for the test to
notify an ('a', 'ack') event with ack required (hat's client acknowledges it
after events_cb) and to set status 'standby'. Prints `OK`; any failed check
raises (non-zero exit).

    python3 eventer_client.py host:port
"""

import asyncio
import sys

from hat.drivers import tcp
from hat.event import common
from hat.event import eventer


async def main():
    host, port = sys.argv[1].rsplit(':', 1)
    addr = tcp.Address(host, int(port))
    notified = asyncio.Queue()
    statuses = asyncio.Queue()

    async def on_events(client, events):
        notified.put_nowait(list(events))

    async def on_status(client, status):
        statuses.put_nowait(status)

    try:
        await eventer.connect(addr, 'py', client_token='wrong')
        raise AssertionError('init with a wrong token succeeded')
    except eventer.EventerInitError as e:
        assert str(e) == 'invalid client token', str(e)

    client = await eventer.connect(addr, 'py', client_token='secret',
                                   subscriptions=[('a', '*')],
                                   events_cb=on_events, status_cb=on_status)
    try:
        assert client.status == common.Status.OPERATIONAL, client.status
        t1 = common.Timestamp(1000, 1)
        assert await client.register([
            common.RegisterEvent(type=('a', 'x'), source_timestamp=t1,
                                 payload=common.EventPayloadJson(
                                     {'v': [1, '\u017e', None]})),
            common.RegisterEvent(type=('b', 'hidden'), source_timestamp=None,
                                 payload=None)]) is None
        registered = await client.register([
            common.RegisterEvent(type=('a', 'y'), source_timestamp=None,
                                 payload=common.EventPayloadBinary(
                                     'bin', b'\x00\xff'))],
            with_response=True)
        assert len(registered) == 1
        y = registered[0]
        assert y.id == common.EventId(1, 2, 1), y.id
        assert y.type == ('a', 'y')
        assert y.payload == common.EventPayloadBinary('bin', b'\x00\xff')

        first = await asyncio.wait_for(notified.get(), 5)
        second = await asyncio.wait_for(notified.get(), 5)
        assert [e.type for e in first] == [('a', 'x')], first
        x = first[0]
        assert x.id == common.EventId(1, 1, 1)
        assert x.source_timestamp == t1
        assert x.payload == common.EventPayloadJson({'v': [1, '\u017e', None]})
        assert second == [y], second

        res = await client.query(common.QueryLatestParams(None))
        assert sorted(e.type for e in res.events) == [
            ('a', 'x'), ('a', 'y'), ('b', 'hidden')], res
        assert not res.more_follows
        res = await client.query(common.QueryLatestParams([('a', '?')]))
        assert sorted(e.id for e in res.events) == [x.id, y.id], res

        res = await client.query(common.QueryTimeseriesParams(
            order=common.Order.ASCENDING, max_results=2))
        assert [e.id.session for e in res.events] == [1, 1], res
        assert res.more_follows
        res = await client.query(common.QueryTimeseriesParams(
            order=common.Order.ASCENDING, last_event_id=res.events[-1].id))
        assert res.events == [y] and not res.more_follows, res
        res = await client.query(common.QueryTimeseriesParams(
            order_by=common.OrderBy.SOURCE_TIMESTAMP,
            source_t_from=t1, source_t_to=t1))
        assert res.events == [x], res

        res = await client.query(common.QueryServerParams(
            server_id=1, last_event_id=x.id))
        assert [e.id for e in res.events] == [common.EventId(1, 1, 2), y.id]
        res = await client.query(common.QueryServerParams(server_id=2))
        assert res == common.QueryResult([], False), res

        assert await client.register(
            [common.RegisterEvent(('fail',), None, None)],
            with_response=True) is None

        print('ACK?', flush=True)
        acked = await asyncio.wait_for(notified.get(), 5)
        assert [e.type for e in acked] == [('a', 'ack')], acked
        status = await asyncio.wait_for(statuses.get(), 5)
        assert status == common.Status.STANDBY == client.status, status
        assert client.is_open
    finally:
        await client.async_close()
    print('OK', flush=True)


asyncio.run(main())
