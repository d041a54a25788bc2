// The event server over LmdbBackend in-process: notifications to both kinds of subscribers.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Client, type Event } from '../../../runtime/eventer/index.js';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';
import { startEventServer } from '../../../runtime/cli/eventer-server.js';
import { until } from '../../support/wait.js';
import { tmpDbDir } from './tmp-db.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function watcher(address: string, persisted: boolean, got: Event[]): Promise<Client> {
  const c = await connect(address, {
    clientName: persisted ? 'persisted' : 'live',
    subscriptions: [['*']],
    persisted,
    pingDelay: 0,
    onEvents: (events) => void got.push(...events),
  });
  cleanups.push(() => c.close());
  return c;
}

describe('event server on LMDB', () => {
  for (const flush of [null, 0.05])
    it(`notifies live and persisted subscribers (flush period ${flush ?? 'none'})`, async () => {
      const tmp = tmpDbDir();
      cleanups.push(() => tmp.remove());
      const backend = await LmdbBackend.open({
        path: tmp.path,
        config: parseConfig({ flush_period: flush }),
      });
      cleanups.push(() => backend.close());
      const { server } = await startEventServer({ backend, pingDelay: 0, closeTimeout: 50 });
      cleanups.push(() => server.close());
      const address = `127.0.0.1:${server.address.port}`;
      const live: Event[] = [];
      const persisted: Event[] = [];
      await watcher(address, false, live);
      await watcher(address, true, persisted);
      const producer = await connect(address, { clientName: 'p', pingDelay: 0 });
      cleanups.push(() => producer.close());
      const registered = await producer.register([{ type: ['a'] }, { type: ['b'] }], {
        withResponse: true,
      });
      await until(() => live.length === 2 && persisted.length === 2);
      expect(live).toEqual(registered);
      expect(persisted).toEqual(registered);
      expect(
        (await producer.query({ type: 'server', serverId: 1, persisted: true })).events,
      ).toEqual(registered);
    });
});
