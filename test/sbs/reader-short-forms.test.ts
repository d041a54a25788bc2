// The reader's short forms (two-group Integers, one-byte array counts) are read without the
// general path; they must accept and refuse exactly what it does, at the end of the input too.
import { describe, expect, it } from 'vitest';
import { SbsDecodeError, SbsReader, SbsWriter } from '../../runtime/sbs/index.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof SbsDecodeError) return e.code;
    throw e;
  }
}

const read = (bytes: number[], f: (r: SbsReader) => unknown): unknown => {
  const r = new SbsReader(Uint8Array.from(bytes));
  const v = f(r);
  r.end();
  return v;
};

describe('two-group Integers', () => {
  it('decode every two-group value as the writer wrote it, alone and before other bytes', () => {
    const w = new SbsWriter();
    for (let v = -8192; v < 8192; v++) {
      w.reset();
      w.integer(v);
      const b = [...w.finish()];
      expect(b.length).toBe(v >= -64 && v < 64 ? 1 : 2);
      expect(read(b, (r) => r.integer())).toBe(v);
      expect(read([...b, 0x80], (r) => [r.integer(), r.integer()])).toEqual([v, 0]);
    }
  });

  it('refuse the non-minimal ones and a missing last group', () => {
    for (const b of [
      [0x00, 0x85],
      [0x00, 0xbf],
      [0x7f, 0xc0],
      [0x7f, 0xff],
    ]) {
      expect(code(() => read(b, (r) => r.integer()))).toBe('non-minimal');
      expect(code(() => read([...b, 0x80, 0x80], (r) => r.integer()))).toBe('non-minimal');
    }
    expect(code(() => read([0x05], (r) => r.integer()))).toBe('truncated');
    expect(code(() => read([0x05, 0x05], (r) => r.integer()))).toBe('truncated');
  });
});

describe('one-byte array counts', () => {
  it('accept a count whose items fit exactly, refuse one more', () => {
    for (const min of [1, 2, 5]) {
      for (let n = 0; n < 64; n++) {
        const items = new Array<number>(n * min).fill(0x80);
        const r = new SbsReader(Uint8Array.from([0x80 | n, ...items]));
        expect(r.count(min)).toBe(n);
        expect(r.pos).toBe(1);
        const short = Uint8Array.from([0x80 | n, ...items.slice(1)]);
        if (n > 0) expect(code(() => new SbsReader(short).count(min))).toBe('length');
      }
    }
  });

  it('spend the empty-item budget for zero-size items', () => {
    const r = new SbsReader(Uint8Array.from([0xbf, 0xbf]), { maxEmptyItems: 100 });
    expect(r.count(0)).toBe(63);
    expect(code(() => r.count(0))).toBe('length');
  });
});
