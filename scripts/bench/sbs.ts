// SBS codec throughput: our generated codecs against the dynamic Repository and every peer
// of issue 14 (avsc, msgpackr three ways, protobufjs static, protobuf-es v2, @msgpack/msgpack,
// JSON) on the same data in the same run, each peer's round trip checked first. Ratios are
// peer / generated (above 1: the peer is faster). Bytes messages also get a plain
// Buffer.copy of the same size, the bound for any copying codec.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { Decoder, Encoder } from '@msgpack/msgpack';
import { main as sbsGen } from '../../compiler/cli.js';
import { HatChatter, HatEventer } from '../../generated/index.js';
import { SbsWriter, type Codec, type Repository } from '../../runtime/sbs/index.js';
import { isMain } from '../../runtime/cli/args.js';
import { avroTypes, fromAvroEvent, toAvroEvent } from './peers/avro.js';
import { decodeEvent, encodeEvent } from './peers/event-floor.js';
import { interpreter } from './peers/interpreter.js';
import { msgpackrPeers } from './peers/msgpack.js';
import { protobufEsSchemas, protobufjsTypes } from './peers/protobuf.js';
import { checkSame } from './peers/same.js';
import { makeBytes, makeEvent, makeInts, makeTree, type Tree } from './peers/values.js';
import { interleavedMedians, printTable, type BenchResult } from './result.js';
import { repositoryFromFiles } from '../../compiler/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Obj = Record<string, unknown>;
interface AnyCodec {
  encode(v: never): Uint8Array;
  decode(b: Uint8Array): unknown;
}

/** One peer on one message: encode and decode closures over prepared inputs. */
interface Row {
  peer: string;
  encode: () => unknown;
  decode: () => unknown;
  size: number;
  /** Whether decoded Bytes share memory with the input (only for Bytes messages). */
  view?: boolean;
}

/** How a message looks to each peer, and how a peer's decoded form maps back to ours. */
interface Message {
  name: string;
  sbsName: string;
  codec: AnyCodec;
  value: unknown;
  avro: { type: { toBuffer(v: unknown): Buffer; fromBuffer(b: Buffer): unknown } };
  toAvro(v: unknown): unknown;
  fromAvro(d: unknown): unknown;
  pbjs: string;
  toPbjs(v: unknown): unknown;
  fromPbjs(d: unknown): unknown;
  es: string;
  toEs(v: unknown): unknown;
  fromEs(d: unknown): unknown;
  /** Bytes payload: lets the decoded bytes be checked for view vs copy. */
  blob?: boolean;
  references?: boolean;
  floor?: { encode(v: never): Uint8Array; decode(b: Uint8Array): unknown };
}

const big = (n: unknown): bigint => BigInt(n as number);
const num = (n: unknown): number => Number(n);

function pbEvent(e: HatEventer.Event, int: (n: number) => unknown, es: boolean): Obj {
  const p = e.payload;
  const ts = (t: HatEventer.Timestamp): Obj => ({ s: int(t.s), us: int(t.us) });
  const payload = !p
    ? undefined
    : p.type === 'json'
      ? { json: p.value }
      : { binary: { type: p.value.type, data: p.value.data } };
  return {
    id: { server: int(e.id.server), session: int(e.id.session), instance: int(e.id.instance) },
    type: e.type,
    timestamp: ts(e.timestamp),
    sourceTimestamp: e.sourceTimestamp ? ts(e.sourceTimestamp) : undefined,
    payload:
      payload && es
        ? { payload: 'json' in payload ? { case: 'json', value: payload.json } : payload }
        : payload,
  };
}

function fromPbEvent(d: Obj, es: boolean): HatEventer.Event {
  const id = d['id'] as Obj;
  const ts = (t: Obj): HatEventer.Timestamp => ({ s: num(t['s']), us: num(t['us']) });
  const src = d['sourceTimestamp'] as Obj | undefined;
  let p = d['payload'] as Obj | undefined;
  if (p && es) p = p['payload'] as Obj;
  const json = p && (es ? (p['case'] === 'json' ? p['value'] : undefined) : p['json']);
  return {
    id: { server: num(id['server']), session: num(id['session']), instance: num(id['instance']) },
    type: [...(d['type'] as string[])],
    timestamp: ts(d['timestamp'] as Obj),
    sourceTimestamp: src ? ts(src) : null,
    payload: json === undefined ? null : { type: 'json', value: json as string },
  };
}

const pbTree = (t: Tree, int: (n: number) => unknown): Obj => ({
  value: int(t.value),
  children: t.children.map((c) => pbTree(c, int)),
});
const fromPbTree = (d: Obj): Tree => ({
  value: num(d['value']),
  children: (d['children'] as Obj[]).map(fromPbTree),
});

function messages(): Message[] {
  const events = Array.from({ length: 100 }, (_, i) => makeEvent(i));
  const chatterMsg: HatChatter.Msg = {
    id: 12345,
    first: 12340,
    owner: true,
    token: true,
    last: false,
    data: { type: 'HatEventer.MsgEventsNotify', data: makeBytes(64, 7) },
  };
  const event = (e: unknown, es: boolean, int: (n: number) => unknown): Obj =>
    pbEvent(e as HatEventer.Event, int, es);
  const chatter = (v: unknown, int: (n: number) => unknown): Obj => {
    const m = v as HatChatter.Msg;
    return { ...m, id: int(m.id), first: int(m.first), data: { ...m.data } };
  };
  const fromChatter = (d: unknown): HatChatter.Msg => {
    const m = d as Obj;
    const data = m['data'] as Obj;
    return {
      id: num(m['id']),
      first: num(m['first']),
      owner: m['owner'] as boolean,
      token: m['token'] as boolean,
      last: m['last'] as boolean,
      data: { type: data['type'] as string, data: data['data'] as Uint8Array },
    };
  };
  const blob = (size: number, label: string): Message => ({
    name: `Bytes ${label}`,
    sbsName: 'Bench.Blob',
    codec: bench.Blob,
    value: makeBytes(size, 3),
    avro: { type: avroTypes.Blob },
    toAvro: (v) => Buffer.from(v as Uint8Array),
    fromAvro: (d) => d,
    pbjs: 'Blob',
    toPbjs: (v) => ({ data: v }),
    fromPbjs: (d) => (d as Obj)['data'],
    es: 'BlobSchema',
    toEs: (v) => ({ data: v }),
    fromEs: (d) => (d as Obj)['data'],
    blob: true,
  });
  return [
    {
      name: 'HatEventer.Event',
      sbsName: 'HatEventer.Event',
      codec: HatEventer.Event,
      value: events[0],
      avro: { type: avroTypes.Event },
      toAvro: (v) => toAvroEvent(v as HatEventer.Event),
      fromAvro: (d) => fromAvroEvent(d as never),
      pbjs: 'Event',
      toPbjs: (v) => event(v, false, (n) => n),
      fromPbjs: (d) => fromPbEvent(d as Obj, false),
      es: 'EventSchema',
      toEs: (v) => event(v, true, big),
      fromEs: (d) => fromPbEvent(d as Obj, true),
      references: true,
      floor: { encode: encodeEvent, decode: decodeEvent },
    },
    {
      name: 'HatEventer.MsgEventsNotify (100 events)',
      sbsName: 'HatEventer.MsgEventsNotify',
      codec: HatEventer.MsgEventsNotify,
      value: events,
      avro: { type: avroTypes.Events },
      toAvro: (v) => (v as HatEventer.Event[]).map(toAvroEvent),
      fromAvro: (d) => (d as never[]).map(fromAvroEvent),
      pbjs: 'MsgEventsNotify',
      toPbjs: (v) => ({ events: (v as unknown[]).map((e) => event(e, false, (n) => n)) }),
      fromPbjs: (d) => ((d as Obj)['events'] as Obj[]).map((e) => fromPbEvent(e, false)),
      es: 'MsgEventsNotifySchema',
      toEs: (v) => ({ events: (v as unknown[]).map((e) => event(e, true, big)) }),
      fromEs: (d) => ((d as Obj)['events'] as Obj[]).map((e) => fromPbEvent(e, true)),
      references: true,
    },
    {
      name: 'HatChatter.Msg',
      sbsName: 'HatChatter.Msg',
      codec: HatChatter.Msg,
      value: chatterMsg,
      avro: { type: avroTypes.Msg },
      toAvro: (v) => {
        const m = v as HatChatter.Msg;
        return { ...m, data: { type: m.data.type, data: Buffer.from(m.data.data) } };
      },
      fromAvro: (d) => d,
      pbjs: 'Msg',
      toPbjs: (v) => chatter(v, (n) => n),
      fromPbjs: fromChatter,
      es: 'MsgSchema',
      toEs: (v) => chatter(v, big),
      fromEs: fromChatter,
      references: true,
    },
    {
      name: 'Bench.Tree (500 deep)',
      sbsName: 'Bench.Tree',
      codec: bench.Tree,
      value: makeTree(500),
      avro: { type: avroTypes.Tree },
      toAvro: (v) => v,
      fromAvro: (d) => d,
      pbjs: 'Tree',
      toPbjs: (v) => pbTree(v as Tree, (n) => n),
      fromPbjs: (d) => fromPbTree(d as Obj),
      es: 'TreeSchema',
      toEs: (v) => pbTree(v as Tree, big),
      fromEs: (d) => fromPbTree(d as Obj),
    },
    {
      name: 'Bench.Ints (100k Integers)',
      sbsName: 'Bench.Ints',
      codec: bench.Ints,
      value: makeInts(100_000),
      avro: { type: avroTypes.Ints },
      toAvro: (v) => v,
      fromAvro: (d) => d,
      pbjs: 'Ints',
      toPbjs: (v) => ({ items: v }),
      fromPbjs: (d) => ((d as Obj)['items'] as unknown[]).map(num),
      es: 'IntsSchema',
      toEs: (v) => ({ items: (v as number[]).map(big) }),
      fromEs: (d) => ((d as Obj)['items'] as unknown[]).map(num),
    },
    blob(1 << 20, '1 MiB'),
    blob(4 << 20, '4 MiB'),
  ];
}

/** Generated codecs of scripts/bench/peers/bench.sbs (Tree, Ints, Blob), made at start-up. */
let bench: Record<'Tree' | 'Ints' | 'Blob', AnyCodec>;

async function generateBench(): Promise<void> {
  const out = `${root}.bench-tmp/sbs`;
  mkdirSync(out, { recursive: true });
  const code = await sbsGen([`${root}scripts/bench/peers/bench.sbs`, '-o', out, '-q']);
  if (code !== 0) throw new Error(`sbs-gen failed on bench.sbs (${code})`);
  bench = ((await import(`${out}/index.js`)) as { Bench: typeof bench }).Bench;
}

/** Whether `decoded` (from `input`) shares the input's last byte, where every format puts the data. */
function sharesInput(input: Uint8Array, decode: () => Uint8Array): boolean {
  const before = decode();
  const last = input.length - 1;
  const old = input[last] as number;
  input[last] = old ^ 0xff;
  const seen = before[before.length - 1];
  input[last] = old;
  return seen !== (old & 0xff) && seen === (old ^ 0xff);
}

function rows(
  m: Message,
  repo: Repository,
  walk: ReturnType<typeof interpreter>,
  pbjs: Awaited<ReturnType<typeof protobufjsTypes>>,
  es: Record<string, DescMessage>,
): Row[] {
  const out: Row[] = [];
  const add = (
    peer: string,
    encode: () => Uint8Array | string,
    decode: (b: never) => unknown,
    back: (d: unknown) => unknown,
    bytes?: (d: unknown) => Uint8Array,
    expected: unknown = m.value,
  ): void => {
    const encoded = encode();
    const input = encoded as never;
    checkSame(peer, m.name, back(decode(input)), expected);
    out.push({
      peer,
      encode,
      decode: () => decode(input),
      size: encoded.length,
      view:
        bytes && typeof encoded !== 'string'
          ? sharesInput(encoded, () => bytes(decode(input)))
          : undefined,
    });
  };
  const id = (d: unknown): unknown => d;
  const asBytes = m.blob ? (d: unknown) => d as Uint8Array : undefined;
  const v = m.value;
  add(
    'generated',
    () => m.codec.encode(v as never),
    (b) => m.codec.decode(b),
    id,
    asBytes,
  );
  const rc = repo.codec(m.sbsName);
  add(
    'Repository',
    () => rc.encode(v),
    (b) => rc.decode(b),
    id,
    asBytes,
  );
  const av = m.toAvro(v);
  const at = m.avro.type;
  add(
    'avsc',
    () => at.toBuffer(av),
    (b) => at.fromBuffer(b),
    m.fromAvro,
    asBytes,
  );
  for (const p of msgpackrPeers())
    add(
      p.name,
      () => p.pack(v),
      (b) => p.unpack(b),
      id,
      asBytes,
    );
  const enc = new Encoder({ maxDepth: 2000 });
  const dec = new Decoder();
  add(
    '@msgpack/msgpack',
    () => enc.encode(v),
    (b) => dec.decode(b),
    id,
    asBytes,
  );
  const pt = pbjs[m.pbjs];
  if (!pt) throw new Error(`no protobufjs type ${m.pbjs}`);
  const pv = m.toPbjs(v);
  add(
    'protobufjs static',
    () => pt.encode(pv).finish(),
    (b) => pt.decode(b),
    m.fromPbjs,
    (d) => m.fromPbjs(d) as Uint8Array,
  );
  const schema = es[m.es];
  if (!schema) throw new Error(`no protobuf-es schema ${m.es}`);
  const ev = create(schema, m.toEs(v) as never);
  add(
    'protobuf-es',
    () => toBinary(schema, ev),
    (b) => fromBinary(schema, b, esRead),
    m.fromEs,
    (d) => m.fromEs(d) as Uint8Array,
  );
  // JSON has no bytes: the same value with Bytes as base64 strings, converted outside the loop.
  const text = JSON.stringify(v, (_k, x: unknown) =>
    x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x,
  );
  const object: unknown = JSON.parse(text);
  add(
    'JSON (Bytes as base64)',
    () => JSON.stringify(object),
    (t: string) => JSON.parse(t),
    id,
    undefined,
    object,
  );
  if (m.references) {
    const w = walk(m.sbsName);
    add(
      'interpreter, no checks',
      () => w.encode(v),
      (b) => w.decode(b),
      id,
    );
  }
  const floor = m.floor;
  if (floor)
    add(
      'hand-written floor, no checks',
      () => floor.encode(v as never),
      (b) => floor.decode(b),
      id,
    );
  if (m.blob) {
    const src = Buffer.from(v as Uint8Array);
    // Our encode into a writer kept between messages (`write`, then `view_()`, as Chatter
    // frames messages): the same memory each time, like Buffer.copy's destination below,
    // where `encode` returns new memory. Its decode column is the generated decode.
    const kept = new SbsWriter(256, 8 << 20);
    const blob = m.codec as unknown as Codec<Uint8Array>;
    const into = (): Uint8Array => {
      kept.reset();
      blob.write(kept, v as Uint8Array);
      return kept.view_();
    };
    checkSame('generated into a kept SbsWriter', m.name, blob.decode(into()), v);
    out.push({
      peer: 'generated, into a kept SbsWriter (decode: as generated)',
      encode: into,
      decode: (out[0] as Row).decode,
      size: src.length,
    });
    const dst = Buffer.allocUnsafe(src.length);
    const copy = (): number => src.copy(dst);
    out.push({ peer: 'Buffer.copy, same size', encode: copy, decode: copy, size: src.length });
    // What any codec returning a fresh copy pays at least: new memory, then one copy.
    const fresh = (): Uint8Array => Uint8Array.prototype.slice.call(src);
    out.push({
      peer: 'fresh copy (Uint8Array slice)',
      encode: fresh,
      decode: fresh,
      size: src.length,
    });
    // Buffer.copy above writes to memory the cache holds; results a codec hands out are new
    // memory each time, tens of MiB of it between collections, so written out of the cache.
    // The same copy into 64 MiB of buffers taken in turn (more than this machine's 32 MiB
    // L3) is that part of the bound, without allocating.
    const cold = Array.from({ length: Math.max(2, (64 << 20) / src.length) }, () =>
      Buffer.alloc(src.length),
    );
    let next = 0;
    const coldCopy = (): number => src.copy(cold[(next = (next + 1) % cold.length)] as Buffer);
    out.push({
      peer: 'Buffer.copy into 64 MiB taken in turn',
      encode: coldCopy,
      decode: coldCopy,
      size: src.length,
    });
  }
  return out;
}

// protobuf-es's nesting limit is protoc's 100; the tree is 500 deep (ours allows 1000).
const esRead = { recursionLimit: 1000 };

const fmt = (x: number): string => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

export async function run(): Promise<BenchResult[]> {
  await generateBench();
  const pbjs = await protobufjsTypes(root);
  const es = await protobufEsSchemas(root);
  const repo = await repositoryFromFiles([`${root}schemas`, `${root}scripts/bench/peers`]);
  const walk = interpreter(repo);
  const results: BenchResult[] = [];
  const table: string[] = [];
  // Comma-separated parts of message names, e.g. `Event,Tree`: the codecs run before the one
  // of interest change what V8 makes of the shared reader, so subsets keep the order.
  const only = process.env['SBS_BENCH_ONLY']?.split(',');
  for (const m of messages()) {
    if (only && !only.some((part) => m.name.includes(part))) continue;
    const rs = rows(m, repo, walk, pbjs, es);
    const medians = interleavedMedians(
      rs.flatMap((r) => [r.encode, r.decode]),
      Number(process.env['SBS_BENCH_ROUNDS'] ?? 3),
      Number(process.env['SBS_BENCH_MS'] ?? 250),
    );
    const base = rs[0] as Row;
    const [baseEnc = 1, baseDec = 1] = medians;
    table.push(`| ${m.name} (${base.size} B SBS) | enc / dec ops/s | ratio peer/ours |`);
    rs.forEach((r, i) => {
      const e = medians[2 * i] as number;
      const d = medians[2 * i + 1] as number;
      const mb = (ops: number): string => `${((ops * r.size) / 1e6).toFixed(0)} MB/s`;
      const view = r.view ? ', decoded Bytes are a view of the input' : '';
      results.push({
        name: `${m.name} encode, ${r.peer}`,
        unit: 'ops/s',
        value: e,
        note: `${mb(e)}, ${r.size} B, x${fmt(e / baseEnc)} of generated`,
      });
      results.push({
        name: `${m.name} decode, ${r.peer}`,
        unit: 'ops/s',
        value: d,
        note: `${mb(d)}, x${fmt(d / baseDec)} of generated${view}`,
      });
      table.push(
        `| ${r.peer}${r.view ? ' (decode: view)' : ''} | ${Math.round(e)} / ${Math.round(d)} | ${fmt(e / baseEnc)} / ${fmt(d / baseDec)} |`,
      );
    });
  }
  console.log(table.join('\n'));
  return results;
}

if (isMain(import.meta.url)) printTable('sbs', await run());
