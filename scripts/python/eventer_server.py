"""hat-event eventer server with small in-memory callbacks (no backend).

Used by test/eventer/python-interop.test.ts. Each register request is a new
session: ids (server_id, session, 1..n) and one common.now() timestamp; the
events are kept in memory and notified to subscribed non-persisted clients,
then to persisted ones, before the response. Events whose type starts with
'ack' are notified with_ack=True (the response waits for every subscriber's
MsgEventsAck); a request containing an event of type ('fail',) gets the
failure response. Queries: latest, timeseries and server over the kept events
(server queries treat every event as persisted). A client named 'refuse' is
refused with `refused`. Each line on stdin `status <value>` sets the server
status. Prints `READY <port>` once listening:

    python3 eventer_server.py [host:port] [--server-id N] [--max-results N]
"""

import argparse
import asyncio
import itertools
import socket
import sys

from hat.drivers import tcp
from hat.event import common
from hat.event import eventer


class Memory:

    def __init__(self, server_id, max_results):
        self.server_id = server_id
        self.max_results = max_results
        self.sessions = itertools.count(1)
        self.events = []
        self.server = None

    async def on_connected(self, info):
        if info.client_name == 'refuse':
            raise Exception('refused')

    async def on_register(self, info, register_events):
        if any(e.type == ('fail',) for e in register_events):
            return None
        session = next(self.sessions)
        timestamp = common.now()
        events = [common.Event(id=common.EventId(self.server_id, session, i),
                               type=e.type,
                               timestamp=timestamp,
                               source_timestamp=e.source_timestamp,
                               payload=e.payload)
                  for i, e in enumerate(register_events, 1)]
        self.events.extend(events)
        with_ack = any(e.type[:1] == ('ack',) for e in events)
        for persisted in (False, True):
            await self.server.notify_events(events, persisted, with_ack)
        return events

    async def on_query(self, info, params):
        if isinstance(params, common.QueryLatestParams):
            return self.latest(params)
        if isinstance(params, common.QueryTimeseriesParams):
            return self.timeseries(params)
        return self.by_server(params)

    def selected(self, event_types):
        if event_types is None:
            return list(self.events)
        subscription = common.create_subscription(event_types)
        return [e for e in self.events if subscription.matches(e.type)]

    def latest(self, params):
        latest = {}
        for event in self.selected(params.event_types):
            latest[event.type] = event
        return common.QueryResult(events=list(latest.values()),
                                  more_follows=False)

    def timeseries(self, params):
        def within(t, t_from, t_to):
            if t_from is None and t_to is None:
                return True
            return (t is not None and
                    (t_from is None or t_from <= t) and
                    (t_to is None or t <= t_to))

        by_source = params.order_by == common.OrderBy.SOURCE_TIMESTAMP
        events = [e for e in self.selected(params.event_types)
                  if within(e.timestamp, params.t_from, params.t_to)
                  and within(e.source_timestamp, params.source_t_from,
                             params.source_t_to)
                  and (not by_source or e.source_timestamp is not None)]
        events.sort(key=lambda e: ((e.source_timestamp if by_source
                                    else e.timestamp), e.id),
                    reverse=params.order == common.Order.DESCENDING)
        if params.last_event_id is not None:
            # After the given event; nothing when it is not in the result.
            ids = [e.id for e in events]
            start = (ids.index(params.last_event_id) + 1
                     if params.last_event_id in ids else len(events))
            events = events[start:]
        return self.page(events, params.max_results)

    def by_server(self, params):
        events = sorted((e for e in self.events
                         if e.id.server == params.server_id),
                        key=lambda e: e.id)
        if params.last_event_id is not None:
            events = [e for e in events if e.id > params.last_event_id]
        return self.page(events, params.max_results)

    def page(self, events, max_results):
        limit = self.max_results
        if max_results is not None:
            limit = min(limit, max_results)
        return common.QueryResult(events=events[:limit],
                                  more_follows=len(events) > limit)


def free_port(host):
    # hat's eventer Server does not expose its bound address, so a free port
    # is picked first (loopback, tests only).
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


async def read_commands(server):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd, _, arg = line.strip().partition(' ')
        if cmd == 'status':
            await server.set_status(common.Status(arg))
            print('STATUS', arg, flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('address', nargs='?', default='127.0.0.1:0')
    parser.add_argument('--server-id', type=int, default=1)
    parser.add_argument('--max-results', type=int, default=4096)
    args = parser.parse_args()
    host, port = args.address.rsplit(':', 1)
    port = int(port) or free_port(host)
    memory = Memory(args.server_id, args.max_results)
    server = await eventer.listen(tcp.Address(host, port),
                                  status=common.Status.OPERATIONAL,
                                  connected_cb=memory.on_connected,
                                  register_cb=memory.on_register,
                                  query_cb=memory.on_query)
    memory.server = server
    print('READY', port, flush=True)
    commands = asyncio.ensure_future(read_commands(server))
    try:
        await server.wait_closing()
    finally:
        commands.cancel()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
