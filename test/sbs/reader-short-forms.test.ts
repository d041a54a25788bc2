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

describe('Integer arrays (`integers`)', () => {
  /** What the general path gives for the same items: values, or the error's code and path. */
  const each = (bytes: number[], n: number): unknown => {
    try {
      const r = new SbsReader(Uint8Array.from(bytes));
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        try {
          out.push(r.integer());
        } catch (e) {
          (e as SbsDecodeError).prependPath(i);
          throw e;
        }
      }
      return [out, r.pos];
    } catch (e) {
      return [(e as SbsDecodeError).code, (e as SbsDecodeError).path, (e as SbsDecodeError).offset];
    }
  };
  const all = (bytes: number[], n: number): unknown => {
    try {
      const r = new SbsReader(Uint8Array.from(bytes));
      return [r.integers(n), r.pos];
    } catch (e) {
      return [(e as SbsDecodeError).code, (e as SbsDecodeError).path, (e as SbsDecodeError).offset];
    }
  };
  const encode = (values: number[]): number[] => {
    const w = new SbsWriter();
    for (const v of values) w.integer(v);
    return [...w.finish()];
  };

  it('read what the writer wrote, at every length of form, as the general path does', () => {
    const values: number[] = [0, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193];
    for (let k = 14; k <= 50; k += 3) values.push(2 ** k - 1, -(2 ** k), 2 ** k, -(2 ** k) - 1);
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
    const bytes = encode(values);
    expect(all(bytes, values.length)).toEqual([values, bytes.length]);
    expect(all(bytes, values.length)).toEqual(each(bytes, values.length));
  });

  it('refuse what the general path refuses, with the same code, offset and item index', () => {
    const good = encode([1, 200, 70_000]);
    const cases: number[][] = [
      [...good, 0x00, 0x85], // non-minimal two groups
      [...good, 0x7f, 0x40, 0x80], // non-minimal three groups
      [...good, 0x00, 0x05, 0x85], // non-minimal three groups, positive
      [...good, 0x05], // truncated after one group
      [...good, 0x05, 0x05], // truncated after two
      [...good, 0x05, 0x05, 0x05], // truncated after three
      [...good, ...encode([2 ** 60]).slice(0, 9)], // beyond the safe range
      [...good, ...encode([-(2 ** 60)])], // beyond the safe range
      good.slice(0, -1), // the last item cut
    ];
    for (const bytes of cases) {
      const expected = each(bytes, 4) as unknown[];
      expect(expected[0]).toEqual(expect.any(String));
      expect(all(bytes, 4)).toEqual(expected);
    }
  });
});
