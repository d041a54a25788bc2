import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../runtime/cli/args.js';
import { main, parseEventArg, parseTimestamp } from '../../runtime/cli/eventer-client.js';
import { startMemoryServer, type MemoryServer } from '../../runtime/cli/eventer-server.js';
import { until } from '../support/wait.js';

interface Line {
  id: { server: number; session: number; instance: number };
  type: string[];
  timestamp: { s: number; us: number };
  source_timestamp: { s: number; us: number } | null;
  payload: unknown;
}

let ms: MemoryServer;
let address: string;
let dir: string;

beforeAll(async () => {
  ms = await startMemoryServer({ pingDelay: 0 });
  address = `127.0.0.1:${ms.server.address.port}`;
  dir = await mkdtemp(join(tmpdir(), 'hat-eventer-cli-'));
});
afterAll(async () => {
  await ms.server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a client verb in-process; stdin is `stdin` (a pipe, not a terminal) unless null. */
async function run(
  argv: string[],
  stdin: string | null = null,
): Promise<{ code: number; lines: string[]; err: string }> {
  const lines: string[] = [];
  let err = '';
  const code = await main(argv, (l) => void lines.push(l), {
    readStdin: () => Promise.resolve(Buffer.from(stdin ?? '')),
    stdinIsTty: stdin === null,
    err: (l) => void (err += l),
  });
  return { code, lines, err };
}

const parsed = (lines: string[]): Line[] => lines.map((l) => JSON.parse(l) as Line);

describe('hat-eventer client verbs', () => {
  it('register reads the payload from stdin, --payload-path or inline, and prints hat-event-manager JSON lines', async () => {
    const fromStdin = await run(
      ['register', '--address', address, 'cli/stdin', '--source-timestamp', '12.5'],
      '{"x": [1, "a"]}\n',
    );
    expect(fromStdin.code).toBe(0);
    const [e] = parsed(fromStdin.lines);
    expect(e).toMatchObject({
      type: ['cli', 'stdin'],
      source_timestamp: { s: 12, us: 500000 },
      payload: { data_type: 'json', data: { x: [1, 'a'] } },
    });
    expect(Object.keys(e!)).toEqual(['id', 'type', 'timestamp', 'source_timestamp', 'payload']);

    const path = join(dir, 'payload.json');
    await writeFile(path, '{"from": "file"}');
    const fromFile = await run([
      'register',
      '--address',
      address,
      'cli/file',
      '--payload-path',
      path,
    ]);
    expect(parsed(fromFile.lines)[0]!.payload).toEqual({
      data_type: 'json',
      data: { from: 'file' },
    });

    // a path not ending in .json is binary, as hat-event-manager reads it
    const bin = join(dir, 'payload.bin');
    await writeFile(bin, Buffer.from([0, 1, 0xff]));
    const fromBin = await run([
      'register',
      '--address',
      address,
      'cli/bin',
      '--payload-path',
      bin,
      '--binary-type',
      'raw',
    ]);
    expect(parsed(fromBin.lines)[0]!.payload).toEqual({
      data_type: 'binary',
      binary_type: 'raw',
      data: '0001ff',
    });

    const stdinBinary = await run(
      ['register', '--address', address, 'cli/bin2', '--payload-type', 'binary'],
      'ab',
    );
    expect(parsed(stdinBinary.lines)[0]!.payload).toMatchObject({ data: '6162' });

    // a terminal on stdin, empty input or --payload-type none: no payload
    for (const [args, stdin] of [
      [[], null],
      [[], '  \n'],
      [['--payload-type', 'none'], '{"ignored": 1}'],
    ] as const) {
      const r = await run(['register', '--address', address, 'cli/none', ...args], stdin);
      expect(parsed(r.lines)[0]!.payload).toBe(null);
    }

    const inline = await run([
      'register',
      '--address',
      address,
      '--type',
      'cli/j1',
      '--type',
      'cli/j2',
      '--json',
      '7',
    ]);
    expect(parsed(inline.lines).map((l) => [l.type, l.payload])).toEqual([
      [['cli', 'j1'], { data_type: 'json', data: 7 }],
      [['cli', 'j2'], { data_type: 'json', data: 7 }],
    ]);
  });

  it('--event takes a line printed by query (and the earlier form), so events can be copied', async () => {
    const first = await run(['register', '--address', address, 'copy/src', '--data-hex', '00ff']);
    const line = first.lines[0]!;
    const copied = JSON.stringify({ ...(JSON.parse(line) as Line), type: ['copy', 'dst'] });
    const again = await run([
      'register',
      '--address',
      address,
      '--event',
      copied,
      '--event',
      '{"type": ["copy", "old"], "sourceTimestamp": 3, "payload": {"binary": {"type": "t", "data": "AAE="}}}',
    ]);
    const [dst, old] = parsed(again.lines);
    const src = parsed(first.lines)[0]!;
    expect(dst!.payload).toEqual(src.payload);
    expect(dst!.source_timestamp).toEqual(src.source_timestamp);
    expect(old).toMatchObject({
      source_timestamp: { s: 3, us: 0 },
      payload: { data_type: 'binary', binary_type: 't', data: '0001' },
    });
  });

  it('query latest, timeseries and server with hat-event-manager option names and the aliases', async () => {
    await run(['register', '--address', address, 'q/a', '--json', '1']);
    await run(['register', '--address', address, 'q/b', '--json', '2']);
    await run(['register', '--address', address, 'q/a', '--json', '3']);
    const latest = await run(['query', 'latest', '--address', address, '--event-types', 'q/*']);
    // latest: one event per type, in no set order
    expect(
      parsed(latest.lines)
        .map((l) => (l.payload as { data: number }).data)
        .sort(),
    ).toEqual([2, 3]);
    // hat's nargs form: --event-types A B (B parses as a positional)
    const two = await run(['query', 'latest', '--address', address, '--event-types', 'q/a', 'q/b']);
    expect([...two.lines].sort()).toEqual([...latest.lines].sort());

    const asc = await run([
      'query',
      'timeseries',
      '--address',
      address,
      'q/*',
      '--order',
      'ASCENDING',
      '--order-by',
      'TIMESTAMP',
      '--max-results',
      '2',
    ]);
    expect(parsed(asc.lines).map((l) => (l.payload as { data: number }).data)).toEqual([1, 2]);
    expect(asc.err).toBe('hat-eventer: more events follow\n');
    const last = parsed(asc.lines)[1]!.id;
    const rest = await run([
      'query',
      'timeseries',
      '--address',
      address,
      '--type',
      'q/*',
      '--order',
      'ascending',
      '--max',
      '2',
      '--last-event-id',
      `${last.server},${last.session},${last.instance}`,
    ]);
    expect(parsed(rest.lines).map((l) => (l.payload as { data: number }).data)).toEqual([3]);
    expect(rest.err).toBe('');

    const server = await run(['query', 'server', '1', '--address', address, '--max-results', '1']);
    expect(parsed(server.lines)).toHaveLength(1);
    expect(parsed(server.lines)[0]!.id).toMatchObject({ server: 1, session: 1 });
    const byOption = await run([
      'query',
      'server',
      '--server-id',
      '1',
      '--address',
      address,
      '--max',
      '1',
    ]);
    expect(byOption.lines).toEqual(server.lines);
  });

  it('subscribe (and watch) print the notified events, as register printed them', async () => {
    for (const verb of ['subscribe', 'watch']) {
      const watched: string[] = [];
      let log = '';
      const watching = main(
        [verb, '--address', address, `${verb}/*`, '--count', '2', '--verbose'],
        (l) => void watched.push(l),
        { err: (l) => void (log += l) },
      );
      // --verbose logs `subscribed` once the server has answered the init request, by when
      // it has the subscription
      await until(() => log.includes('"msg":"subscribed"'));
      const registered = await run([
        'register',
        '--address',
        address,
        `${verb}/x`,
        `${verb}/y`,
        '--json',
        'null',
      ]);
      expect(await watching).toBe(0);
      expect(watched).toEqual(registered.lines);
    }
  });

  it('subscribe exits 1 with one line when the server goes away', async () => {
    const other = await startMemoryServer({ pingDelay: 0 });
    let log = '';
    const watching = main(
      ['subscribe', '--address', `127.0.0.1:${other.server.address.port}`, '-v'],
      () => {},
      { err: (l) => void (log += l) },
    );
    await until(() => log.includes('"msg":"subscribed"'));
    await other.server.close();
    expect(await watching).toBe(1);
    expect(log.split('\n').filter((l) => !l.startsWith('{'))).toEqual([
      'hat-eventer: the server closed the connection',
      '',
    ]);
  });

  it('usage errors are UsageError with one line naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [[], /expected a command/],
      [['frobnicate'], /unknown command frobnicate/],
      [['register', '--address', address], /register needs EVENT_TYPE/],
      [['register', 'a', '--payload-type', 'yaml'], /invalid --payload-type yaml/],
      [['register', 'a', '--json', '{'], /invalid --json JSON/],
      [['register', 'a', '--json', '1', '--data-hex', '00'], /give one of/],
      [['register', 'a', '--data-hex', '0g'], /invalid --data-hex hex/],
      [
        ['register', 'a', '--source-timestamp', 'yesterday'],
        /invalid --source-timestamp yesterday/,
      ],
      [['register', '--event', '{"type": "a"}'], /--event needs "type"/],
      [
        ['register', 'a', '--payload-path', join(dir, 'missing.json')],
        /cannot read --payload-path .*ENOENT/,
      ],
      [['query'], /query needs latest, timeseries or server/],
      [['query', 'oldest'], /unknown query oldest/],
      [['query', 'server'], /query server needs SERVER_ID/],
      [['query', 'timeseries', '--order', 'up'], /invalid --order up/],
      [['query', 'latest', '--last-event-id', '1,2'], /invalid --last-event-id 1,2/],
      [['query', 'latest', '--port', '70000'], /invalid --port 70000/],
      [['subscribe', '--count', '0'], /invalid --count 0/],
      [['subscribe', '--bogus'], /^unknown option --bogus$/],
    ];
    for (const [argv, message] of cases) {
      const err = await run(argv).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('register prints one line and exits 1 when the server refuses the events', async () => {
    const failing = await startMemoryServer({ failType: ['bad'] });
    try {
      const r = await run([
        'register',
        '--address',
        `127.0.0.1:${failing.server.address.port}`,
        'bad',
      ]);
      expect(r).toEqual({
        code: 1,
        lines: [],
        err: 'hat-eventer: register failed (the server refused the events)\n',
      });
    } finally {
      await failing.server.close();
    }
  });
});

describe('timestamps and events on the command line', () => {
  it('parseTimestamp takes now, seconds and ISO 8601 to the microsecond', () => {
    expect(parseTimestamp('t', '1.25')).toEqual({ s: 1, us: 250000 });
    expect(parseTimestamp('t', '-1.5')).toEqual({ s: -2, us: 500000 });
    expect(parseTimestamp('t', '2024-01-02T03:04:05.123456Z')).toEqual({
      s: 1704164645,
      us: 123456,
    });
    expect(parseTimestamp('t', '2024-01-02T04:04:05.5+01:00')).toEqual({
      s: 1704164645,
      us: 500000,
    });
    expect(parseTimestamp('t', '2024-01-02T03:04:05')).toEqual({ s: 1704164645, us: 0 });
    const before = Date.now() / 1000;
    const n = parseTimestamp('t', 'now');
    expect(n.s).toBeGreaterThanOrEqual(Math.floor(before));
    for (const bad of ['', 'NaN', 'Infinity', '1e999', '2024-13-01T00:00:00Z', 'tomorrow'])
      expect(() => parseTimestamp('t', bad), bad).toThrow(UsageError);
  });

  it('parseEventArg rejects malformed payloads with a UsageError', () => {
    expect(() => parseEventArg('{"type": [], "payload": 5}')).toThrow(UsageError);
    expect(() =>
      parseEventArg('{"type": [], "payload": {"data_type": "binary", "data": "zz"}}'),
    ).toThrow('invalid --event hex data');
    expect(() => parseEventArg('{"type": [], "source_timestamp": {"s": 1}}')).toThrow(UsageError);
    expect(parseEventArg('{"type": ["a"], "source_timestamp": {"s": 1, "us": 2}}')).toEqual({
      type: ['a'],
      sourceTimestamp: { s: 1, us: 2 },
      payload: null,
    });
  });
});
