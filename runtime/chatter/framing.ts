// Chatter framing: 1 byte m, then the body length k big-endian in m bytes, then k bytes
// of SBS `HatChatter.Msg`. Writers use the minimal m (at least 1); readers accept any m.

import { FrameTooLargeError, ProtocolError } from './errors.js';

/** Bytes needed for k big-endian (the minimal m, at least 1). */
export function lengthSize(k: number): number {
  if (k < 0x100) return 1;
  if (k < 0x10000) return 2;
  if (k < 0x1000000) return 3;
  if (k < 0x100000000) return 4;
  let m = 4;
  for (let v = Math.floor(k / 0x100000000); v > 0; v = Math.floor(v / 256)) m++;
  return m;
}

/** Writes m and k (big-endian in m bytes) at `pos`. */
export function writeHeader(buf: Uint8Array, pos: number, m: number, k: number): void {
  buf[pos] = m;
  let v = k;
  for (let i = m; i >= 1; i--) {
    buf[pos + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** One whole frame for a body: header + body. */
export function frame(body: Uint8Array): Uint8Array {
  const m = lengthSize(body.length);
  const out = new Uint8Array(1 + m + body.length);
  writeHeader(out, 0, m, body.length);
  out.set(body, 1 + m);
  return out;
}

const INCOMPLETE = -1;

/**
 * Incremental frame splitter. `push` hands every complete body to `onBody` in order; a body
 * is a view into the pushed chunk (or a buffer built for a frame that straddled chunks), valid
 * only during the call. Bytes of an unfinished frame are kept as the received chunks, so memory
 * follows what the peer actually sent, never the length it announced; a length above
 * `maxMessageSize` (the limit passed in) throws `FrameTooLargeError` as soon as the header is read.
 */
export class FrameDecoder {
  private parts: Uint8Array[] = [];
  private partsLen = 0;
  /** Total size (header + body) of the frame being collected in `parts`, or INCOMPLETE. */
  private need = INCOMPLETE;

  constructor(
    private readonly maxFrameSize: number,
    private readonly onBody: (body: Uint8Array) => void,
  ) {}

  /** Bytes of an unfinished frame held. */
  get buffered(): number {
    return this.partsLen;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.partsLen > 0) {
      if (this.need === INCOMPLETE) {
        // The header straddled chunks: take only the rest of the header (at most 256 bytes)
        // from this chunk, never a copy of the whole chunk.
        const m = (this.parts[0] as Uint8Array)[0] as number;
        pos = Math.min(1 + m - this.partsLen, chunk.length);
        this.parts.push(chunk.subarray(0, pos));
        this.partsLen += pos;
        if (this.partsLen < 1 + m) return;
        const header = concat(this.parts, this.partsLen);
        this.parts = [header];
        this.need = 1 + m + this.bodyLength(header, 0, m);
      }
      const missing = this.need - this.partsLen;
      if (chunk.length - pos < missing) {
        this.parts.push(chunk.subarray(pos));
        this.partsLen += chunk.length - pos;
        return;
      }
      this.parts.push(chunk.subarray(pos, pos + missing));
      const whole = concat(this.parts, this.need);
      this.reset();
      pos += missing;
      this.onBody(whole.subarray(1 + (whole[0] as number)));
    }
    this.scan(chunk, pos);
  }

  private scan(buf: Uint8Array, start: number): void {
    const len = buf.length;
    let pos = start;
    while (pos < len) {
      const m = buf[pos] as number;
      if (pos + 1 + m > len) {
        this.keep(buf.subarray(pos), INCOMPLETE);
        return;
      }
      const bodyStart = pos + 1 + m;
      const end = bodyStart + this.bodyLength(buf, pos, m);
      if (end > len) {
        this.keep(buf.subarray(pos), end - pos);
        return;
      }
      pos = end;
      this.onBody(buf.subarray(bodyStart, end));
    }
  }

  /** k of the header at `pos` (m bytes after it); throws as soon as k passes the limit. */
  private bodyLength(buf: Uint8Array, pos: number, m: number): number {
    const max = this.maxFrameSize;
    let k = 0;
    for (let i = pos + 1, end = pos + 1 + m; i < end; i++) {
      k = k * 256 + (buf[i] as number);
      if (k > max) throw new FrameTooLargeError(readLength(buf, pos + 1, m), max);
    }
    return k;
  }

  /** Throws if the stream ended inside a frame. */
  end(): void {
    if (this.partsLen > 0)
      throw new ProtocolError(
        `connection closed inside a frame (${this.partsLen} bytes of it received)`,
      );
  }

  private keep(rest: Uint8Array, need: number): void {
    this.parts = [rest];
    this.partsLen = rest.length;
    this.need = need;
  }

  private reset(): void {
    this.parts = [];
    this.partsLen = 0;
    this.need = INCOMPLETE;
  }
}

/** The announced length for an error message (may exceed 2^53 for a hostile m; precision is irrelevant then). */
function readLength(buf: Uint8Array, pos: number, m: number): number {
  let k = 0;
  for (let i = pos; i < pos + m; i++) k = k * 256 + (buf[i] as number);
  return k;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
