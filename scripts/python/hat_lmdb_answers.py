"""Answers a query set with hat-event's own LMDB backend.

Used by test/eventer/hatdb-hat.test.ts (and to record the answers in
test/fixtures/hat-event-db/): opens the database at --db with hat-event's
LMDB backend configured by --conf (a backend config without `db_path`, as in
the fixture's hat-config.json), runs every query of --queries (our camelCase
query parameters, see test/fixtures/hat-event-db/README.md), and prints one
JSON document: the answers (event ids; page chains followed through
`lastEventId`), every stored event (server queries of each server id in
--servers) and the per-server last event id and timestamp.

    python3 hat_lmdb_answers.py --db PATH --conf CONF --queries QUERIES \
        [--servers 1,2]

The backend writes to the database when it opens (settings, cleanup): give it
a copy.
"""

import argparse
import asyncio
import base64
import json
import sys

from hat.event import common
from hat.event.backends.lmdb import backend as lmdb_backend

max_pages = 100


def ts_from(x):
    return None if x is None else common.Timestamp(x['s'], x['us'])


def ts_to(t):
    return None if t is None else {'s': t.s, 'us': t.us}


def id_from(x):
    return (None if x is None
            else common.EventId(x['server'], x['session'], x['instance']))


def id_to(i):
    return {'server': i.server, 'session': i.session, 'instance': i.instance}


def types_from(x):
    return None if x is None else [tuple(t) for t in x]


def params_from(p):
    if p['type'] == 'latest':
        return common.QueryLatestParams(event_types=types_from(p.get('eventTypes')))
    if p['type'] == 'timeseries':
        return common.QueryTimeseriesParams(
            event_types=types_from(p.get('eventTypes')),
            t_from=ts_from(p.get('tFrom')),
            t_to=ts_from(p.get('tTo')),
            source_t_from=ts_from(p.get('sourceTFrom')),
            source_t_to=ts_from(p.get('sourceTTo')),
            order=common.Order(p.get('order', 'descending')),
            order_by=common.OrderBy(p.get('orderBy', 'timestamp')),
            max_results=p.get('maxResults'),
            last_event_id=id_from(p.get('lastEventId')))
    if p['type'] == 'server':
        return common.QueryServerParams(
            server_id=p['serverId'],
            persisted=p.get('persisted', False),
            max_results=p.get('maxResults'),
            last_event_id=id_from(p.get('lastEventId')))
    raise ValueError(p['type'])


def payload_to(p):
    if p is None:
        return None
    if isinstance(p, common.EventPayloadBinary):
        return {'kind': 'binary', 'type': p.type,
                'data': base64.b64encode(bytes(p.data)).decode()}
    return {'kind': 'json', 'data': p.data}


def event_to(e):
    return {'id': id_to(e.id), 'type': list(e.type),
            'timestamp': ts_to(e.timestamp),
            'sourceTimestamp': ts_to(e.source_timestamp),
            'payload': payload_to(e.payload)}


async def answer(backend, q):
    params = dict(q['params'])
    if not q.get('pages'):
        res = await backend.query(params_from(params))
        return {'eventIds': [id_to(e.id) for e in res.events],
                'moreFollows': res.more_follows}
    pages = []
    for _ in range(max_pages):
        res = await backend.query(params_from(params))
        pages.append({'lastEventId': params.get('lastEventId'),
                      'eventIds': [id_to(e.id) for e in res.events],
                      'moreFollows': res.more_follows})
        if not res.more_follows or not res.events:
            break
        params['lastEventId'] = id_to(list(res.events)[-1].id)
    return {'pages': pages}


async def all_events(backend, server_id):
    events = []
    last = None
    for _ in range(100_000):
        res = await backend.query(common.QueryServerParams(
            server_id=server_id, persisted=True, max_results=1000,
            last_event_id=last))
        events.extend(res.events)
        if not res.more_follows or not res.events:
            return events
        last = list(res.events)[-1].id
    raise Exception('too many pages')


async def main(args):
    with open(args.conf) as f:
        conf = json.load(f)
    with open(args.queries) as f:
        queries = json.load(f)
    conf = {**conf, 'db_path': args.db}
    backend = await lmdb_backend.create(conf, None, None)
    try:
        # let the cleanup that runs on open finish before the first query
        await asyncio.sleep(0.3)
        answers = [{'name': q['name'], **(await answer(backend, q))}
                   for q in queries]
        servers = [int(s) for s in args.servers.split(',') if s]
        events = []
        system = []
        for s in servers:
            events.extend(await all_events(backend, s))
            # hat has no public accessor for these: its SystemDb is what
            # registration continues from, which is what we compare.
            system.append({
                'serverId': s,
                'lastEventId': id_to(backend._dbs.system.get_last_event_id(s)),
                'lastTimestamp': ts_to(
                    backend._dbs.system.get_last_timestamp(s))})
    finally:
        await backend.async_close()
    json.dump({'answers': answers,
               'events': [event_to(e) for e in events],
               'system': system}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--db', required=True)
    parser.add_argument('--conf', required=True)
    parser.add_argument('--queries', required=True)
    parser.add_argument('--servers', default='1,2')
    asyncio.run(main(parser.parse_args()))
