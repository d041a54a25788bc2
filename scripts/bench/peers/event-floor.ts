// A lower bound, not a codec: the least work any JS code can do to turn the benchmark's
// HatEventer.Event into a fresh Uint8Array and back. No validation, no error paths, no
// writer object; it assumes the exact shape of the benchmark value (every field present,
// JSON payload, ASCII strings under 64 bytes, 32-bit integers) and uses the same result slab
// and string techniques as the runtime. Its ratio to the Repository bounds what any
// generated codec could reach on this machine.
import type { HatEventer } from '../../../generated/index.js';

const scratch = new Uint8Array(4096);
let slab = new Uint8Array(16 * 1024);
let slabPos = 0;

function int(p: number, v: number): number {
  const n =
    v >= -64 && v < 64 ? 1 : v >= -8192 && v < 8192 ? 2 : v >= -1048576 && v < 1048576 ? 3 : 5;
  for (let shift = 7 * (n - 1); shift > 0; shift -= 7) scratch[p++] = (v >> shift) & 0x7f;
  scratch[p++] = (v & 0x7f) | 0x80;
  return p;
}

function str(p: number, s: string): number {
  const n = s.length;
  scratch[p++] = 0x80 | n;
  for (let i = 0; i < n; i++) scratch[p++] = s.charCodeAt(i);
  return p;
}

export function encodeEvent(v: HatEventer.Event): Uint8Array {
  let p = int(0, v.id.server);
  p = int(p, v.id.session);
  p = int(p, v.id.instance);
  const t = v.type;
  scratch[p++] = 0x80 | t.length;
  for (let i = 0; i < t.length; i++) p = str(p, t[i] as string);
  p = int(p, v.timestamp.s);
  p = int(p, v.timestamp.us);
  const st = v.sourceTimestamp as HatEventer.Timestamp;
  scratch[p++] = 0x81;
  p = int(p, st.s);
  p = int(p, st.us);
  scratch[p++] = 0x81;
  scratch[p++] = 0x81;
  p = str(p, (v.payload as { value: string }).value);
  if (slabPos + p > slab.length) {
    slab = new Uint8Array(16 * 1024);
    slabPos = 0;
  }
  const out = slab.subarray(slabPos, slabPos + p);
  slabPos = (slabPos + p + 7) & ~7;
  for (let i = 0; i < p; i++) out[i] = scratch[i] as number;
  return out;
}

const utf8 = new TextDecoder();
let b: Uint8Array = scratch;
let pos = 0;

function rint(): number {
  let c = b[pos++] as number;
  let v = c & 0x40 ? -1 : 0;
  for (;;) {
    v = v * 128 + (c & 0x7f);
    if (c & 0x80) return v;
    c = b[pos++] as number;
  }
}

function rstr(): string {
  const n = (b[pos++] as number) & 0x7f;
  const start = pos;
  pos += n;
  if (n > 12) return utf8.decode(b.subarray(start, pos));
  let s = '';
  for (let i = start; i < pos; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

export function decodeEvent(bytes: Uint8Array): HatEventer.Event {
  b = bytes;
  pos = 0;
  const id = { server: rint(), session: rint(), instance: rint() };
  const n = (b[pos++] as number) & 0x7f;
  const type: string[] = [];
  for (let i = 0; i < n; i++) type.push(rstr());
  const timestamp = { s: rint(), us: rint() };
  pos++;
  const sourceTimestamp = { s: rint(), us: rint() };
  pos += 2;
  const payload = { type: 'json' as const, value: rstr() };
  return { id, type, timestamp, sourceTimestamp, payload };
}
