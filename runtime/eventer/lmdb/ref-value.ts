// An event's entry in the reference table: where the event is stored, so that server queries
// and `lastEventId` paging find it by id. One entry per event (written with it, in the same
// transaction); its partitions' entry keys follow from the event's two timestamps.
import type { Timestamp } from '../timestamp.js';
import { readTimestamp, TIMESTAMP_SIZE, writeTimestamp } from './keys.js';

export interface EventRef {
  /** Partition ids holding the event. */
  readonly partitions: readonly number[];
  readonly timestamp: Timestamp;
  readonly sourceTimestamp: Timestamp | null;
  /** Only the latest table holds it (under this key): partitions dropped it or never took it. */
  readonly latestKey: Uint8Array | null;
}

export function encodeRef(ref: EventRef): Buffer {
  const n = ref.partitions.length;
  const latest = ref.latestKey?.length ?? 0;
  const buf = Buffer.allocUnsafe(
    2 + 2 * n + TIMESTAMP_SIZE + 1 + (ref.sourceTimestamp ? TIMESTAMP_SIZE : 0) + latest,
  );
  let o = 0;
  buf[o++] = latest;
  buf[o++] = n;
  for (const p of ref.partitions) {
    buf.writeUInt16BE(p, o);
    o += 2;
  }
  writeTimestamp(buf, o, ref.timestamp);
  o += TIMESTAMP_SIZE;
  buf[o++] = ref.sourceTimestamp ? 1 : 0;
  if (ref.sourceTimestamp) {
    writeTimestamp(buf, o, ref.sourceTimestamp);
    o += TIMESTAMP_SIZE;
  }
  if (ref.latestKey) buf.set(ref.latestKey, o);
  return buf;
}

export function decodeRef(buf: Uint8Array): EventRef {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  const latest = view[o++] as number;
  const n = view[o++] as number;
  const partitions: number[] = [];
  for (let i = 0; i < n; i++, o += 2) partitions.push(view.readUInt16BE(o));
  const timestamp = readTimestamp(view, o);
  o += TIMESTAMP_SIZE;
  let sourceTimestamp: Timestamp | null = null;
  if (view[o++] === 1) {
    sourceTimestamp = readTimestamp(view, o);
    o += TIMESTAMP_SIZE;
  }
  const latestKey = latest > 0 ? view.subarray(o, o + latest) : null;
  return { partitions, timestamp, sourceTimestamp, latestKey };
}
