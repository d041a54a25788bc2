// The Python reference beside ours in the same run (issue 14): hat-sbs against our generated
// codecs, hat-drivers' Chatter, hat-juggler and hat-event's eventer server against ours. Each
// row is a ratio ours / Python of work per CPU second, so that a shared machine's load counts
// for neither side: for codecs the CPU of the process running them (both sides measure the
// same way, median of 3 interleaved rounds); for the protocols the CPU of the client and of
// the server process, each in a process of its own (/proc/<pid>/stat for servers).
// Needs HAT_PYTHON_PATH, a PYTHONPATH under which the hat packages import (HAT_PYTHON: the
// interpreter, default python3); without it the area prints one row saying so.
import { fileURLToPath } from 'node:url';
import { connect as chatterConnect, type Connection } from '../../runtime/chatter/index.js';
import { HatChatter } from '../../runtime/chatter/gen/index.js';
import type { Codec } from '../../runtime/sbs/index.js';
import {
  connect as eventerConnect,
  jsonPayload,
  type Client as EventerClient,
  type RegisterEvent,
} from '../../runtime/eventer/index.js';
import { HatEventer } from '../../runtime/eventer/gen/index.js';
import { connect as jugglerConnect } from '../../runtime/juggler/index.js';
import { isMain } from '../../runtime/cli/args.js';
import { pythonAvailable, spawnPython, startPythonServer } from '../../test/python-peer.js';
import { startChildServer, type ChildServer } from '../child-server.js';
import { makeBytes, makeEvent } from './peers/values.js';
import { ownCpuSeconds, processCpuSeconds } from './process-cpu.js';
import { interleavedMedians, printTable, type BenchResult } from './result.js';

const schemas = ['chatter.sbs', 'eventer.sbs'].map((f) =>
  fileURLToPath(new URL(`../../schemas/${f}`, import.meta.url)),
);
/** Seconds each protocol measurement runs (after its warm-up). */
const SECONDS = 2;

/** What one side did in a measured window; the Python clients print the same fields. */
interface Window {
  count: number;
  wall: number;
  /** CPU seconds of the client process. */
  cpu: number;
  /** CPU seconds of the server process. */
  server_cpu: number;
}

/** Which processes' CPU a ratio divides by: both, or the server's alone (same client). */
type Measure = 'client + server' | 'server';
const perCpuSecond = (w: Window, by: Measure): number =>
  w.count / (by === 'server' ? w.server_cpu : w.cpu + w.server_cpu);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Our client in this process: `step` (returning how many operations it did) repeatedly for
 * SECONDS after a warm-up, then `finish` (e.g. a request confirming one-way receipt).
 */
async function measureOurs(
  serverPid: number,
  step: () => Promise<number>,
  finish: () => Promise<unknown> = async () => undefined,
): Promise<Window> {
  const warm = performance.now() + 500;
  while (performance.now() < warm) await step();
  await finish();
  const cpu = ownCpuSeconds();
  const serverCpu = processCpuSeconds(serverPid);
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < SECONDS * 1000) count += await step();
  await finish();
  return {
    count,
    wall: (performance.now() - start) / 1000,
    cpu: ownCpuSeconds() - cpu,
    server_cpu: processCpuSeconds(serverPid) - serverCpu,
  };
}

/** Runs `scripts/python/<script>` to its one JSON line. */
async function pythonResult<T>(script: string, args: string[], input?: string): Promise<T> {
  const peer = spawnPython(script, args, 300_000);
  try {
    if (input !== undefined) peer.child.stdin?.end(input);
    return JSON.parse(await peer.line(240_000)) as T;
  } finally {
    peer.kill();
  }
}

async function pythonServer(script: string, args: string[]): Promise<ChildServer> {
  const peer = await startPythonServer(script, args);
  return {
    port: peer.port,
    pid: peer.child.pid as number,
    stop: async () => {
      peer.kill();
      await peer.exited;
    },
  };
}

/** `body` with a server in a process of its own (ours or a Python one), stopped after. */
async function withServer<T>(
  starting: Promise<ChildServer>,
  body: (port: number, pid: number) => Promise<T>,
): Promise<T> {
  const server = await starting;
  try {
    return await body(server.port, server.pid);
  } finally {
    await server.stop();
  }
}

function ratioRow(
  name: string,
  unit: string,
  [ours, py]: readonly [Window, Window],
  by: Measure,
  note: string,
): BenchResult {
  const other: Measure = by === 'server' ? 'client + server' : 'server';
  return {
    name,
    unit: 'x ours/Python',
    value: perCpuSecond(ours, by) / perCpuSecond(py, by),
    note:
      `per CPU-second of ${by}: ours ${fmt(perCpuSecond(ours, by))}, Python ${fmt(perCpuSecond(py, by))} ${unit}; ` +
      `of ${other}: ours ${fmt(perCpuSecond(ours, other))}, Python ${fmt(perCpuSecond(py, other))}; ` +
      `wall: ours ${fmt(ours.count / ours.wall)}, Python ${fmt(py.count / py.wall)} ${unit}/s; ${note}`,
  };
}

/** hat-sbs's DefaultSerializer (the C one when its extension is built), as bench_sbs.py saw it. */
let sbsDefault = 'unknown';

interface SbsFigures {
  name: string;
  serializer: string;
  encode: number;
  decode: number;
}

/** One message both sides encode and decode: its SBS type and our figures for it. */
interface CodecMessage {
  name: string;
  type: string;
  bytes: Uint8Array;
  /** Calls per CPU-second of this process, medians of interleaved rounds. */
  encode: number;
  decode: number;
}

function measureCodec<T>(name: string, codec: Codec<T>, value: T): CodecMessage {
  const bytes = codec.encode(value);
  const [encode = 0, decode = 0] = interleavedMedians(
    [() => codec.encode(value), () => codec.decode(bytes)],
    3,
    300,
  );
  return { name, type: codec.name, bytes, encode, decode };
}

async function codec(): Promise<BenchResult[]> {
  const events = Array.from({ length: 100 }, (_, i) => makeEvent(i));
  const messages = [
    measureCodec('HatEventer.Event', HatEventer.Event, events[0] as HatEventer.Event),
    measureCodec('MsgEventsNotify (100 events)', HatEventer.MsgEventsNotify, events),
    measureCodec('HatChatter.Msg (100 B data)', HatChatter.Msg, {
      id: 2,
      first: 1,
      owner: false,
      token: true,
      last: true,
      data: { type: 'Bench.Echo', data: makeBytes(100, 2) },
    }),
  ];
  // bench_sbs.py checks that hat-sbs decodes our bytes and encodes them back unchanged.
  const py = await pythonResult<{ default: string; results: SbsFigures[] }>(
    'bench_sbs.py',
    schemas,
    JSON.stringify({
      seconds: 0.3,
      messages: messages.map((m) => ({
        name: m.name,
        type: m.type,
        hex: Buffer.from(m.bytes).toString('hex'),
      })),
    }),
  );
  sbsDefault = py.default;
  return py.results.flatMap((r) => {
    const m = messages.find((x) => x.name === r.name) as CodecMessage;
    return (['encode', 'decode'] as const).map((op) => ({
      name: `sbs ${r.name} ${op}, hat-sbs ${r.serializer}`,
      unit: 'x ours/Python',
      value: m[op] / r[op],
      note: `calls per CPU-second of the process running them: ours ${fmt(m[op])}, Python ${fmt(r[op])}; ${m.bytes.length} B`,
    }));
  });
}

/** Python clients report the serializer hat-sbs uses by default (the C one when built). */
type PyWindow = Window & { serializer?: string };

async function chatter(): Promise<BenchResult[]> {
  const data = { type: 'Bench.Echo', data: makeBytes(100, 2) };
  const marker = { type: 'Bench.Marker', data: new Uint8Array(0) };
  const serverArgs = (sink: boolean): string[] => [
    '127.0.0.1:0',
    '--ping-delay',
    '0',
    ...(sink ? ['--sink'] : []),
  ];
  const ours = async (sink: boolean): Promise<Window> =>
    withServer(startChildServer('chatter.ts', ['echo', ...serverArgs(sink)]), async (port, pid) => {
      const conn: Connection = await chatterConnect(`127.0.0.1:${port}`, { pingDelay: null });
      try {
        return sink
          ? await measureOurs(
              pid,
              async () => {
                for (let i = 0; i < 1000; i++) await conn.send(data);
                return 1000;
              },
              () => conn.request(marker),
            )
          : await measureOurs(pid, async () => {
              for (let i = 0; i < 10; i++) await conn.request(data);
              return 10;
            });
      } finally {
        await conn.close();
      }
    });
  const python = (sink: boolean): Promise<PyWindow> =>
    withServer(pythonServer('chatter_echo_server.py', serverArgs(sink)), (port, pid) =>
      pythonResult<PyWindow>('bench_chatter.py', [
        `127.0.0.1:${port}`,
        sink ? 'oneway' : 'rt',
        String(SECONDS),
        String(pid),
      ]),
    );
  const rtOurs = await ours(false);
  const rtPy = await python(false);
  const owOurs = await ours(true);
  const owPy = await python(true);
  const serializer = `hat-sbs ${rtPy.serializer ?? '?'}`;
  return [
    ratioRow('chatter round trips, 100 B', 'rt', [rtOurs, rtPy], 'client + server', serializer),
    ratioRow(
      'chatter one-way pipelined, 100 B',
      'msg',
      [owOurs, owPy],
      'client + server',
      serializer,
    ),
  ];
}

async function juggler(): Promise<BenchResult[]> {
  const size = 1024;
  const text = 'x'.repeat(size);
  const ours = await withServer(
    startChildServer('juggler-demo.ts', ['--port', '0']),
    async (port, pid) => {
      const client = await jugglerConnect(`ws://127.0.0.1:${port}/ws`);
      try {
        return await measureOurs(pid, async () => {
          for (let i = 0; i < 10; i++) {
            const res = (await client.send('echo', text)) as { data?: unknown };
            if (res.data !== text) throw new Error('juggler echo: wrong answer');
          }
          return 10;
        });
      } finally {
        await client.close();
      }
    },
  );
  const py = await withServer(pythonServer('juggler_server.py', ['127.0.0.1:0']), (port, pid) =>
    pythonResult<Window>('bench_juggler.py', [
      `127.0.0.1:${port}`,
      String(SECONDS),
      String(pid),
      String(size),
    ]),
  );
  return [
    ratioRow('juggler round trips, 1 KiB string', 'rt', [ours, py], 'client + server', 'echo'),
  ];
}

async function eventer(): Promise<BenchResult[]> {
  const registerEvents = (n: number): RegisterEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      type: ['bench', 'python', String(i % 16)],
      payload: jsonPayload({ i, value: 12.5 }),
    }));
  const drive = async (port: number, pid: number): Promise<[Window, Window]> => {
    const client: EventerClient = await eventerConnect(`127.0.0.1:${port}`, {
      clientName: 'bench',
      pingDelay: 0,
    });
    try {
      const registerRate = (size: number): Promise<Window> => {
        const events = registerEvents(size);
        return measureOurs(pid, async () => {
          const r = await client.register(events, { withResponse: true });
          if (r === null || r.length !== size) throw new Error('register failed');
          return size;
        });
      };
      return [await registerRate(100), await registerRate(1)];
    } finally {
      await client.close();
    }
  };
  const ours = await withServer(
    startChildServer('eventer.ts', ['server', '--port', '0', '--memory', '--max-events', '200000']),
    drive,
  );
  const py = await withServer(pythonServer('eventer_server.py', ['127.0.0.1:0']), drive);
  // The client is ours in both runs, so the servers' CPU is what differs.
  const note = `hat-sbs ${sbsDefault} in Python; same client (ours) for both servers`;
  return [
    ratioRow('eventer register, batches of 100', 'events', [ours[0], py[0]], 'server', note),
    ratioRow('eventer register, 1 event', 'events', [ours[1], py[1]], 'server', note),
  ];
}

const AREAS: readonly [string, string, () => Promise<BenchResult[]>][] = [
  ['codec', 'hat.sbs', codec],
  ['chatter', 'hat.drivers.chatter', chatter],
  ['juggler', 'hat.juggler', juggler],
  ['eventer', 'hat.event.eventer', eventer],
];

export async function run(): Promise<BenchResult[]> {
  if (process.env['HAT_PYTHON_PATH'] === undefined)
    return [
      {
        name: 'not run: set HAT_PYTHON_PATH',
        unit: '',
        value: 0,
        note: 'a PYTHONPATH under which hat.sbs, hat.drivers, hat.juggler and hat.event import; HAT_PYTHON: the interpreter (default python3)',
      },
    ];
  const results: BenchResult[] = [];
  for (const [area, module, measure] of AREAS) {
    if (pythonAvailable(module)) results.push(...(await measure()));
    else
      results.push({
        name: `${area}: not run`,
        unit: '',
        value: 0,
        note: `${module} does not import under HAT_PYTHON_PATH`,
      });
  }
  return results;
}

if (isMain(import.meta.url)) printTable('python', await run());
