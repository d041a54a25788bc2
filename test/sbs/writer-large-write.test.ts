// A large Bytes followed by more fields is copied once into the writer and the buffer is
// handed over by finish(): counted in bytes passed to Uint8Array.prototype.set, not timed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SbsWriter } from '../../runtime/sbs/index.js';

const MIB = 1 << 20;

/** Bytes copied by `set` while `f` runs. */
function copied(f: () => Uint8Array): { bytes: number; out: Uint8Array } {
  const set = Uint8Array.prototype.set;
  let bytes = 0;
  vi.spyOn(Uint8Array.prototype, 'set').mockImplementation(function (
    this: Uint8Array,
    a: ArrayLike<number>,
    offset?: number,
  ) {
    bytes += a.length;
    set.call(this, a, offset);
  });
  const out = f();
  vi.restoreAllMocks();
  return { bytes, out };
}

afterEach(() => vi.restoreAllMocks());

describe('SbsWriter with a large Bytes', () => {
  it.each([0, 1, 3, 40])('copies the payload once when %i small fields follow it', (tail) => {
    const payload = new Uint8Array(MIB).fill(7);
    const w = new SbsWriter();
    const { bytes, out } = copied(() => {
      w.reset();
      w.integer(12345);
      w.bytes(payload);
      for (let i = 0; i < tail; i++) w.integer(i);
      return w.finish();
    });
    expect(bytes).toBeLessThan(MIB + 1024);
    expect(out.length).toBe(3 + 4 + MIB + tail);
    expect(out.subarray(7, 7 + MIB).every((b) => b === 7)).toBe(true);
    // What the result's buffer holds past the message is zeros, not stale memory.
    expect(new Uint8Array(out.buffer, out.byteOffset + out.length).every((b) => b === 0)).toBe(
      true,
    );
  });
});
