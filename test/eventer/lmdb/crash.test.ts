// SIGKILL the LMDB event server in the middle of concurrent registrations, restart it on the
// same file: every event whose register response arrived is there, unchanged.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connect,
  eventEquals,
  jsonPayload,
  queryParams,
  type Client,
  type Event,
  type EventId,
} from '../../../runtime/eventer/index.js';
import { tmpDbDir } from './tmp-db.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | null>;
}

function run(args: string[]): {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
} {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'runtime/cli/eventer.ts', 'server', '--port', '0', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  return { proc, exited, stderr: () => err };
}

async function start(db: string): Promise<Child> {
  const { proc, exited } = run(['--db', db]);
  children.push(proc);
  for await (const line of createInterface({ input: proc.stdout as NodeJS.ReadableStream })) {
    const m = /^READY (\d+)$/.exec(line);
    if (m) return { proc, port: Number(m[1]), exited };
  }
  throw new Error('server exited before READY');
}

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

async function allEvents(client: Client): Promise<Event[]> {
  const out: Event[] = [];
  let last: EventId | null = null;
  for (;;) {
    const r = await client.query({ type: 'server', serverId: 1, lastEventId: last });
    out.push(...r.events);
    if (!r.moreFollows) return out;
    last = (r.events[r.events.length - 1] as Event).id;
  }
}

describe('LMDB event server crash', () => {
  it('keeps every acknowledged event after SIGKILL; sessions continue; bad files refused', async () => {
    const tmp = tmpDbDir();
    cleanups.push(() => tmp.remove());
    const server = await start(tmp.path);
    const acked: Event[] = [];
    const clients = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        connect(`127.0.0.1:${server.port}`, { clientName: `c${i}`, pingDelay: 0 }),
      ),
    );
    let killed = false;
    const target = 400;
    const load = clients.map(async (client, c) => {
      // Several requests in flight per client, so commits are shared and some are cut.
      const worker = async (w: number): Promise<void> => {
        for (let n = 0; !killed; n++) {
          const size = 1 + ((c + w + n) % 5);
          const events = Array.from({ length: size }, (_, k) => ({
            type: ['crash', String(c), String(k % 3)],
            sourceTimestamp: { s: n, us: k },
            payload: jsonPayload({ c, w, n, k, text: 'x'.repeat(n % 50) }),
          }));
          let r: Event[] | null;
          try {
            r = await client.register(events, { withResponse: true });
          } catch {
            return; // connection gone: the server was killed
          }
          if (r === null) throw new Error('register failed');
          acked.push(...r);
          if (acked.length >= target && !killed) {
            killed = true;
            server.proc.kill('SIGKILL');
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(worker));
    });
    await Promise.all(load);
    expect(await server.exited).toBe(null); // killed by the signal
    await Promise.all(clients.map((c) => c.close()));
    expect(acked.length).toBeGreaterThanOrEqual(target);

    const again = await start(tmp.path);
    const client = await connect(`127.0.0.1:${again.port}`, { clientName: 'check', pingDelay: 0 });
    try {
      const stored = await allEvents(client);
      const byId = new Map(stored.map((e) => [`${e.id.session}/${e.id.instance}`, e]));
      for (const e of acked) {
        const s = byId.get(`${e.id.session}/${e.id.instance}`);
        expect(s !== undefined && eventEquals(s, e), JSON.stringify(e.id)).toBe(true);
      }
      // Latest agrees with the timeseries: the newest stored event of each type.
      const newest = new Map<string, Event>();
      for (const e of stored) newest.set(JSON.stringify(e.type), e);
      const latest = (await client.query(queryParams({ type: 'latest' }))).events;
      expect(latest.length).toBe(newest.size);
      for (const e of latest)
        expect(eventEquals(e, newest.get(JSON.stringify(e.type)) as Event)).toBe(true);
      const ts = (
        await client.query({ type: 'timeseries', order: 'ascending', maxResults: 100_000 })
      ).events;
      expect(ts.map((e) => `${e.id.session}/${e.id.instance}`)).toEqual(
        stored.map((e) => `${e.id.session}/${e.id.instance}`),
      );
      // Sessions continue above everything stored or acknowledged before the crash.
      const maxBefore = Math.max(
        ...stored.map((e) => e.id.session),
        ...acked.map((e) => e.id.session),
      );
      const [next] = (await client.register([{ type: ['after'] }], { withResponse: true })) ?? [];
      expect(next?.id.session).toBeGreaterThan(maxBefore);
    } finally {
      await client.close();
      again.proc.kill('SIGTERM');
      await again.exited;
    }

    // A damaged copy: one line on stderr, exit 1, the file untouched.
    const bad = join(tmp.dir, 'damaged.lmdb');
    copyFileSync(tmp.path, bad);
    const bytes = readFileSync(bad);
    bytes.fill(0x41, 0, 64);
    writeFileSync(bad, bytes);
    const refused = run(['--db', bad]);
    children.push(refused.proc);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr().trim().split('\n')).toHaveLength(1);
    expect(refused.stderr()).toMatch(/^hat-eventer: .*damaged\.lmdb: is not an LMDB database/);
    expect(readFileSync(bad).equals(bytes)).toBe(true);
  }, 60_000);
});
