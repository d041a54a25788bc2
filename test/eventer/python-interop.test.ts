// Against the Python reference (hat-event's eventer client and server), when it is importable:
// HAT_PYTHON_PATH must be a PYTHONPATH under which `import hat.event.eventer` works (HAT_PYTHON
// names the interpreter, default python3). Skipped otherwise.
import { describe, expect, it } from 'vitest';
import {
  connect,
  EventerInitError,
  binaryPayload,
  jsonPayload,
  now,
  type Client,
  type Event,
  type Status,
} from '../../runtime/eventer/index.js';
import { noopLogger } from '../../runtime/logger.js';
import { startMemoryServer } from '../../runtime/cli/eventer-server.js';
import { pythonAvailable, spawnPython, startPythonServer } from '../python-peer.js';
import { until } from '../support/wait.js';

const available = pythonAvailable('hat.event.eventer');

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([
    p.then(() => true),
    new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms))),
  ]);
  clearTimeout(timer);
  return r;
}

describe.skipIf(!available)('eventer against hat-event (Python)', () => {
  it('our client against the Python eventer server', async () => {
    const py = await startPythonServer('eventer_server.py', ['127.0.0.1:0', '--max-results', '3']);
    const clients: Client[] = [];
    try {
      const address = `127.0.0.1:${py.port}`;
      const refused = await connect(address, { clientName: 'refuse' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EventerInitError);
      expect((refused as Error).message).toBe('refused');

      const statuses: Status[] = [];
      const sub = await connect(address, {
        clientName: 'sub',
        subscriptions: [
          ['a', '*'],
          ['ack', '*'],
        ],
        pingDelay: 50,
        onStatus: (s) => void statuses.push(s),
      });
      clients.push(sub);
      const reg = await connect(address, { clientName: 'reg', clientToken: 'x' });
      clients.push(reg);
      expect([sub.status, reg.status]).toEqual(['operational', 'operational']);
      const notified = sub[Symbol.asyncIterator]();

      const t1 = { s: 1000, us: 1 };
      const t2 = { s: 2000, us: 999_999 };
      await reg.register([
        { type: ['a', 'x'], sourceTimestamp: t2, payload: jsonPayload({ v: [1, 'ž', null] }) },
        { type: ['b', 'hidden'], payload: binaryPayload('bin', new Uint8Array([0, 255])) },
      ]);
      const second = await reg.register(
        [
          { type: ['a', 'y'], sourceTimestamp: t1 },
          { type: ['a', 'z'], payload: jsonPayload(1.5) },
        ],
        { withResponse: true },
      );
      expect(second?.map((e) => [e.id, e.type])).toEqual([
        [{ server: 1, session: 2, instance: 1 }, ['a', 'y']],
        [{ server: 1, session: 2, instance: 2 }, ['a', 'z']],
      ]);
      expect(second?.[0]?.sourceTimestamp).toEqual(t1);
      expect(second?.[1]?.payload).toEqual(jsonPayload(1.5));
      expect(await reg.register([{ type: ['fail'] }], { withResponse: true })).toBeNull();

      const first = (await notified.next()).value as Event[];
      expect(first.map((e) => [e.id, e.type, e.sourceTimestamp, e.payload])).toEqual([
        [
          { server: 1, session: 1, instance: 1 },
          ['a', 'x'],
          t2,
          jsonPayload({ v: [1, 'ž', null] }),
        ],
      ]);
      expect((await notified.next()).value).toEqual(second);
      const x = first[0] as Event;
      const [y, z] = second as [Event, Event];

      // Latest.
      const latest = await reg.query({ type: 'latest' });
      expect(latest.moreFollows).toBe(false);
      expect(latest.events.map((e) => e.type.join('/')).sort()).toEqual([
        'a/x',
        'a/y',
        'a/z',
        'b/hidden',
      ]);
      const hidden = latest.events.find((e) => e.type[0] === 'b') as Event;
      expect(hidden.payload).toEqual(binaryPayload('bin', new Uint8Array([0, 255])));
      expect(
        (await reg.query({ type: 'latest', eventTypes: [['a', '?']] })).events.map((e) => e.id),
      ).toHaveLength(3);
      expect((await reg.query({ type: 'latest', eventTypes: [] })).events).toEqual([]);

      // Timeseries: default order (descending timestamp, then id), server cap 3, paging.
      const page1 = await reg.query({ type: 'timeseries' });
      expect(page1.events.map((e) => e.id.instance + 10 * e.id.session)).toEqual([22, 21, 12]);
      expect(page1.moreFollows).toBe(true);
      const page2 = await reg.query({
        type: 'timeseries',
        lastEventId: page1.events[2]?.id ?? null,
      });
      expect(page2.events).toEqual([x]);
      expect(page2.moreFollows).toBe(false);
      const asc = await reg.query({ type: 'timeseries', order: 'ascending', maxResults: 2 });
      expect(asc.events.map((e) => e.id)).toEqual([x.id, hidden.id]);
      expect(asc.moreFollows).toBe(true);
      const bySource = await reg.query({
        type: 'timeseries',
        orderBy: 'sourceTimestamp',
        order: 'ascending',
      });
      expect(bySource.events).toEqual([y, x]);
      const window = await reg.query({
        type: 'timeseries',
        eventTypes: [['a', '*']],
        sourceTFrom: t2,
        sourceTTo: t2,
        tFrom: x.timestamp,
        tTo: x.timestamp,
      });
      expect(window.events).toEqual([x]);

      // Server query: ascending ids after lastEventId.
      const byServer = await reg.query({ type: 'server', serverId: 1, lastEventId: x.id });
      expect(byServer.events.map((e) => e.id)).toEqual([hidden.id, y.id, z.id]);
      expect(byServer.moreFollows).toBe(false);
      const capped = await reg.query({ type: 'server', serverId: 1, maxResults: 1 });
      expect([capped.events.map((e) => e.id), capped.moreFollows]).toEqual([[x.id], true]);
      expect(await reg.query({ type: 'server', serverId: 2 })).toEqual({
        events: [],
        moreFollows: false,
      });

      // Ack: the Python server answers the register only once `sub` acknowledged the
      // notification, which our client does when the events are taken from the iterator.
      const acked = reg.register([{ type: ['ack', 'x'] }], { withResponse: true });
      expect(await settlesWithin(acked, 200)).toBe(false);
      const ackEvents = (await notified.next()).value as Event[];
      expect(ackEvents.map((e) => e.type)).toEqual([['ack', 'x']]);
      expect((await acked)?.map((e) => e.type)).toEqual([['ack', 'x']]);

      // Status notifications.
      py.child.stdin?.write('status starting\n');
      await until(() => statuses.length === 1, 5000, 'status notify');
      expect([statuses, sub.status, reg.status]).toEqual([['starting'], 'starting', 'starting']);
      expect(sub.isOpen && reg.isOpen).toBe(true);
    } finally {
      for (const c of clients) await c.close();
      py.kill();
    }
  });

  it('Python client against our memory server (init, register, notify + ack, queries, status)', async () => {
    const problems: string[] = [];
    const record = (msg: string): void => void problems.push(msg);
    const { server } = await startMemoryServer({
      serverId: 1,
      token: 'secret',
      failType: ['fail'],
      logger: { ...noopLogger, warn: record, error: record },
    });
    const py = spawnPython('eventer_client.py', [`127.0.0.1:${server.address.port}`]);
    try {
      expect(await py.line(20_000)).toBe('ACK?');
      const ackEvent: Event = {
        id: { server: 1, session: 99, instance: 1 },
        type: ['a', 'ack'],
        timestamp: now(),
        sourceTimestamp: null,
        payload: null,
      };
      // The ack must end the wait: without it this would outlast the test's timeout.
      await server.notifyEvents([ackEvent], false, { withAck: true, ackTimeout: 120_000 });
      await server.setStatus('standby');
      expect(await py.line(10_000)).toBe('OK');
      expect(await py.exited).toBe(0);
      expect(py.stderr()).toBe('');
      expect(problems).toEqual([]);
    } finally {
      py.kill();
      await server.close();
    }
  });
});
