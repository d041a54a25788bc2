// SBS codec throughput: generated codecs vs the dynamic Repository, protobufjs static code
// for an equivalent .proto (scripts/bench/peers/hat.proto), @msgpack/msgpack and JSON, on
// the same data in the same run. Ratios are relative to the generated codec.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { HatChatter, HatEventer } from '../../generated/index.js';
import { isMain } from '../../runtime/cli/args.js';
import { decodeEvent, encodeEvent } from './peers/event-floor.js';
import { interpreter } from './peers/interpreter.js';
import { opsPerSecond, printTable, type BenchResult } from './result.js';
import { repositoryFromFiles } from '../../compiler/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface ProtoType {
  encode(value: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

async function protobufjsPeer(): Promise<Record<string, ProtoType>> {
  const out = `${root}.bench-tmp/hat_pb.js`;
  mkdirSync(`${root}.bench-tmp`, { recursive: true });
  execFileSync(
    'npx',
    [
      'pbjs',
      '-t',
      'static-module',
      '-w',
      'es6',
      '--force-number',
      '--no-verify',
      '--no-convert',
    ].concat(['--no-delimited', '--no-typeurl', 'scripts/bench/peers/hat.proto', '-o', out]),
    { cwd: root, stdio: 'ignore' },
  );
  return (await import(out)) as Record<string, ProtoType>;
}

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function makeEvent(i: number): HatEventer.Event {
  return {
    id: { server: 1, session: 1000 + i, instance: i + 1 },
    type: ['gateway', 'device', `point${i % 50}`],
    timestamp: { s: 1_700_000_000 + i, us: 123_456 },
    sourceTimestamp: { s: 1_700_000_000 + i, us: 120_000 },
    payload: { type: 'json', value: `{"value": ${i}.5, "quality": "good"}` },
  };
}

/** The protobuf form of the same event (field names differ only in case). */
function protoEvent(e: HatEventer.Event): unknown {
  const p = e.payload;
  return {
    id: e.id,
    type: e.type,
    timestamp: e.timestamp,
    sourceTimestamp: e.sourceTimestamp,
    payload: p ? (p.type === 'json' ? { json: p.value } : { binary: p.value }) : undefined,
  };
}

interface Case {
  name: string;
  codec: { encode(v: never): Uint8Array; decode(b: Uint8Array): unknown; name: string };
  value: unknown;
  proto: { type: string; value: unknown };
  /** A hand-written lower bound with no checks (peers/event-floor.ts), where one exists. */
  floor?: { encode(v: never): Uint8Array; decode(b: Uint8Array): unknown };
}

export async function run(): Promise<BenchResult[]> {
  const pb = await protobufjsPeer();
  const repo = await repositoryFromFiles([`${root}schemas`]);
  const interpreted = interpreter(repo);
  const events = Array.from({ length: 100 }, (_, i) => makeEvent(i));
  const msg: HatChatter.Msg = {
    id: 12345,
    first: 12340,
    owner: true,
    token: true,
    last: false,
    data: { type: 'HatEventer.MsgEventsNotify', data: bytes(64, 7) },
  };
  const cases: Case[] = [
    {
      name: 'HatEventer.Event',
      codec: HatEventer.Event,
      value: events[0],
      proto: { type: 'Event', value: protoEvent(events[0]!) },
      floor: { encode: encodeEvent, decode: decodeEvent },
    },
    {
      name: 'HatEventer.MsgEventsNotify (100 events)',
      codec: HatEventer.MsgEventsNotify,
      value: events,
      proto: { type: 'MsgEventsNotify', value: { events: events.map(protoEvent) } },
    },
    {
      name: 'HatChatter.Msg',
      codec: HatChatter.Msg,
      value: msg,
      proto: { type: 'Msg', value: msg },
    },
  ];
  const msgpackEncoder = new Encoder();
  const msgpackDecoder = new Decoder();
  const results: BenchResult[] = [];
  for (const c of cases) {
    const sbsBytes = c.codec.encode(c.value as never);
    const size = sbsBytes.length;
    const repoCodec = repo.codec(c.codec.name);
    const walker = interpreted(c.codec.name);
    // The reference points skip every check, so make sure they still do the same job.
    const sameBytes = [
      walker.encode(c.value),
      ...(c.floor ? [c.floor.encode(c.value as never)] : []),
    ];
    if (sameBytes.some((b) => !Buffer.from(b).equals(sbsBytes)))
      throw new Error(`${c.name}: a reference point encodes differently from the generated codec`);
    const pbType = pb[c.proto.type]!;
    const pbValue = c.proto.value;
    const pbBytes = pbType.encode(pbValue).finish();
    const mpBytes = msgpackEncoder.encode(c.value);
    // JSON has no bytes: the same value with Bytes as base64 strings.
    const jsonValue = JSON.stringify(c.value, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    );
    const jsonObject: unknown = JSON.parse(jsonValue);
    const peers: [string, () => void, () => void, number][] = [
      ['generated', () => c.codec.encode(c.value as never), () => c.codec.decode(sbsBytes), size],
      ['Repository', () => repoCodec.encode(c.value), () => repoCodec.decode(sbsBytes), size],
      [
        'protobufjs static',
        () => pbType.encode(pbValue).finish(),
        () => pbType.decode(pbBytes),
        pbBytes.length,
      ],
      [
        '@msgpack/msgpack',
        () => msgpackEncoder.encode(c.value),
        () => msgpackDecoder.decode(mpBytes),
        mpBytes.length,
      ],
      ['JSON', () => JSON.stringify(jsonObject), () => JSON.parse(jsonValue), jsonValue.length],
      [
        'tree-walking interpreter, no checks',
        () => walker.encode(c.value),
        () => walker.decode(sbsBytes),
        size,
      ],
    ];
    const floor = c.floor;
    if (floor)
      peers.push([
        'hand-written floor, no checks',
        () => floor.encode(c.value as never),
        () => floor.decode(sbsBytes),
        size,
      ]);
    // Every peer runs briefly through the shared timing loop first, so none is measured while
    // that loop's call site is still monomorphic (which would let V8 inline it and flatter it).
    for (const [, enc, dec] of peers) {
      opsPerSecond(enc, 20);
      opsPerSecond(dec, 20);
    }
    let baseEnc = 0;
    let baseDec = 0;
    for (const [peer, enc, dec, n] of peers) {
      const e = opsPerSecond(enc, 700);
      const d = opsPerSecond(dec, 700);
      if (peer === 'generated') {
        baseEnc = e;
        baseDec = d;
      }
      const mb = (ops: number): string => `${((ops * n) / 1e6).toFixed(0)} MB/s, ${n} B`;
      results.push({
        name: `${c.name} encode, ${peer}`,
        unit: 'ops/s',
        value: e,
        note: `${mb(e)}, x${(e / baseEnc).toFixed(2)} of generated`,
      });
      results.push({
        name: `${c.name} decode, ${peer}`,
        unit: 'ops/s',
        value: d,
        note: `${mb(d)}, x${(d / baseDec).toFixed(2)} of generated`,
      });
    }
  }
  return results;
}

if (isMain(import.meta.url)) printTable('sbs', await run());
