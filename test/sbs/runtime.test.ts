import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  SbsDecodeError,
  SbsEncodeError,
  SbsReader,
  SbsWriter,
  codec,
} from '../../runtime/sbs/index.js';
import { growthRatio } from '../support/growth.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

function write(f: (w: SbsWriter) => void): string {
  const w = new SbsWriter(4);
  w.reset();
  f(w);
  return hex(w.finish());
}

function read<T>(h: string, f: (r: SbsReader) => T): T {
  const r = new SbsReader(bytes(h));
  const v = f(r);
  r.end();
  return v;
}

function decodeError(h: string, f: (r: SbsReader) => unknown): SbsDecodeError {
  try {
    read(h, f);
  } catch (e) {
    if (e instanceof SbsDecodeError) return e;
    throw e;
  }
  throw new Error('expected SbsDecodeError');
}

// hat-behavior §2.1, verified against PySerializer.
const INTEGERS: [bigint, string][] = [
  [0n, '80'],
  [-1n, 'ff'],
  [1n, '81'],
  [63n, 'bf'],
  [64n, '00 c0'],
  [-64n, 'c0'],
  [-65n, '7f bf'],
  [127n, '00 ff'],
  [128n, '01 80'],
  [-128n, '7f 80'],
  [255n, '01 ff'],
  [256n, '02 80'],
  [-256n, '7e 80'],
  [1234n, '09 d2'],
  [8191n, '3f ff'],
  [8192n, '00 40 80'],
  [-8192n, '40 80'],
  [-8193n, '7f 3f ff'],
  [2n ** 63n - 1n, '00 7f 7f 7f 7f 7f 7f 7f 7f ff'],
  [2n ** 63n, '01 00 00 00 00 00 00 00 00 80'],
  [-(2n ** 63n), '7f 00 00 00 00 00 00 00 00 80'],
];
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('Integer', () => {
  it.each(INTEGERS)('%s <-> %s (bigint mode)', (v, h) => {
    const want = h.replace(/ /g, '');
    expect(write((w) => w.integer(v))).toBe(want);
    expect(read(want, (r) => r.bigint())).toBe(v);
  });

  it.each(INTEGERS)('%s <-> %s (number mode)', (v, h) => {
    const want = h.replace(/ /g, '');
    if (v >= -SAFE && v <= SAFE) {
      expect(write((w) => w.integer(Number(v)))).toBe(want);
      expect(read(want, (r) => r.integer())).toBe(Number(v));
    } else {
      // Out of the safe range a number decode is a 'range' error, never a rounded value.
      const e = decodeError(want, (r) => r.integer());
      expect(e.code).toBe('range');
      expect(e.offset).toBe(0);
      // Integral numbers beyond 2^53 that are exact as doubles (2^63, -2^63) still encode exactly.
      if (Number(v) === Number(BigInt(Number(v))) && BigInt(Number(v)) === v)
        expect(write((w) => w.integer(Number(v)))).toBe(want);
    }
  });

  it('round-trips the edges of the safe range and of int32 in both modes', () => {
    for (const v of [
      SAFE,
      -SAFE,
      2n ** 31n,
      -(2n ** 31n),
      2n ** 31n - 1n,
      2n ** 53n - 2n,
      2n ** 27n,
      -(2n ** 27n) - 1n,
    ]) {
      const h = write((w) => w.integer(v));
      expect(write((w) => w.integer(Number(v)))).toBe(h);
      expect(read(h, (r) => r.integer())).toBe(Number(v));
      expect(read(h, (r) => r.bigint())).toBe(v);
    }
    expect(
      decodeError(
        write((w) => w.integer(SAFE + 1n)),
        (r) => r.integer(),
      ).code,
    ).toBe('range');
    expect(
      decodeError(
        write((w) => w.integer(-SAFE - 1n)),
        (r) => r.integer(),
      ).code,
    ).toBe('range');
  });

  it('round-trips huge bigints (2^200, -(2^200)) and their neighbours', () => {
    for (const v of [
      2n ** 200n,
      -(2n ** 200n),
      2n ** 200n - 1n,
      -(2n ** 200n) + 1n,
      3n ** 500n,
      -(7n ** 300n),
    ]) {
      const h = write((w) => w.integer(v));
      expect(read(h, (r) => r.bigint())).toBe(v);
    }
    // 2^200 needs 29 groups: 200 bits plus a sign bit.
    expect(write((w) => w.integer(2n ** 200n)).length / 2).toBe(29);
  });

  it('writes and reads every width exactly like shifting out 7 bits at a time', () => {
    const groups = (v: bigint): string => {
      const out: number[] = [];
      for (;;) {
        const g = Number(BigInt.asUintN(7, v));
        out.push(g);
        v >>= 7n;
        if ((v === 0n && (g & 0x40) === 0) || (v === -1n && (g & 0x40) !== 0)) break;
      }
      out.reverse();
      out[out.length - 1] = (out[out.length - 1] as number) | 0x80;
      return hex(Uint8Array.from(out));
    };
    // Every bit length up to 300 and both sides of it: 2^83 needs a leading 0 group for its sign.
    for (let b = 0n; b <= 300n; b++) {
      for (const v of [2n ** b, 2n ** b - 1n, 2n ** b + 1n, -(2n ** b), -(2n ** b) - 1n]) {
        const h = write((w) => w.integer(v));
        expect(h).toBe(groups(v));
        expect(read(h, (r) => r.bigint())).toBe(v);
      }
    }
  });

  it('converts huge bigints in linear time', () => {
    // Shifting 7 bits at a time took 9 s to write a 2 M-digit value; a string of binary digits
    // took 0.8 GB and 6 s to read a 10 MB one: both quadratic.
    const v = -(3n ** 300_000n);
    expect(
      read(
        write((w) => w.integer(v)),
        (r) => r.bigint(),
      ),
    ).toBe(v);
    const roundTrip = (bytes: number): void => {
      const input = new Uint8Array(bytes + 1).fill(0x55);
      input[bytes] = 0x80;
      const r = new SbsReader(input);
      const n = r.bigint();
      r.end();
      const w = new SbsWriter();
      w.integer(n);
      expect(w.finish().length).toBe(bytes + 1);
    };
    // 4x the size: linear is ~4x the time, quadratic ~16x.
    expect(
      growthRatio(
        () => roundTrip(250_000),
        () => roundTrip(1_000_000),
      ),
    ).toBeLessThan(10);
  });

  it('rejects non-minimal encodings in both modes', () => {
    for (const h of ['0081', '7fc0', '000080', '7f7fff', '00000000000000000081']) {
      for (const f of [(r: SbsReader) => r.integer(), (r: SbsReader) => r.bigint()]) {
        const e = decodeError(h, f);
        expect(e.code).toBe('non-minimal');
        expect(e.offset).toBe(0);
      }
    }
  });

  it('rejects truncated integers', () => {
    for (const h of ['', '00', '0102', '01020304050607080900']) {
      expect(decodeError(h, (r) => r.integer()).code).toBe('truncated');
      expect(decodeError(h, (r) => r.bigint()).code).toBe('truncated');
    }
  });

  it('rejects fractional, NaN, infinite and non-numeric values on encode', () => {
    for (const v of [0.5, NaN, Infinity, -Infinity, '1', null, undefined, true]) {
      expect(() => write((w) => w.integer(v as number))).toThrow(SbsEncodeError);
    }
  });
});

describe('Float', () => {
  it('keeps -0, NaN and infinities', () => {
    expect(write((w) => w.float(-0))).toBe('8000000000000000');
    expect(
      Object.is(
        read('8000000000000000', (r) => r.float()),
        -0,
      ),
    ).toBe(true);
    expect(
      Object.is(
        read('0000000000000000', (r) => r.float()),
        0,
      ),
    ).toBe(true);
    expect(write((w) => w.float(NaN))).toBe('7ff8000000000000');
    expect(read('7ff8000000000000', (r) => r.float())).toBeNaN();
    expect(read('7ff0000000000000', (r) => r.float())).toBe(Infinity);
    expect(read('fff0000000000000', (r) => r.float())).toBe(-Infinity);
    expect(write((w) => w.float(123.456))).toBe('405edd2f1a9fbe77');
  });

  it('rejects a short float and non-number values', () => {
    const e = decodeError('3ff00000000000', (r) => r.float());
    expect([e.code, e.offset]).toEqual(['truncated', 0]);
    expect(() => write((w) => w.float(1n as unknown as number))).toThrow(SbsEncodeError);
  });
});

describe('String', () => {
  it.each([
    ['', '80'],
    ['abc', '83616263'],
    ['ž€😀', '89c5bee282acf09f9880'],
    ['\u{10FFFF}\u{1F600}', '88f48fbfbff09f9880'],
    // A leading BOM is content, not a marker: kept both ways.
    ['\uFEFFx', '84efbbbf78'],
  ])('%j <-> %s', (s, h) => {
    expect(write((w) => w.string(s))).toBe(h);
    expect(read(h, (r) => r.string())).toBe(s);
  });

  it('round-trips long and mixed strings across the fast paths', () => {
    for (const s of [
      'a'.repeat(63),
      'a'.repeat(64),
      'a'.repeat(1000),
      `${'a'.repeat(40)}ž`,
      '😀'.repeat(500),
    ]) {
      const h = write((w) => w.string(s));
      expect(read(h, (r) => r.string())).toBe(s);
      expect(Buffer.from(h, 'hex').subarray(-Buffer.byteLength(s)).toString('utf8')).toBe(s);
    }
  });

  it('rejects lone surrogates on encode', () => {
    for (const s of ['\uD800', 'a\uDC00b', `${'x'.repeat(100)}\uD83D`]) {
      expect(() => write((w) => w.string(s))).toThrow(/lone UTF-16 surrogate/);
    }
  });

  it('rejects invalid UTF-8 with the offset of the string data', () => {
    for (const h of ['81ff', '82c328', '83eda080', '84f4908080']) {
      const e = decodeError(h, (r) => r.string());
      expect([e.code, e.offset]).toEqual(['utf8', 1]);
    }
  });

  it('reads strings from a SharedArrayBuffer, whose views browsers will not TextDecode', () => {
    const text = Buffer.from('héllo, shared world');
    const input = new Uint8Array(new SharedArrayBuffer(32), 3, 1 + text.length);
    input.set([0x80 | text.length, ...text]);
    const bad = new Uint8Array(new SharedArrayBuffer(20), 2, 15);
    bad.set(bytes('8e' + '61'.repeat(12) + 'c3ff'));
    const decode = TextDecoder.prototype.decode;
    // What Chromium does: TypeError "The provided ArrayBufferView value must not be shared."
    TextDecoder.prototype.decode = function (this: TextDecoder, view?: AllowSharedBufferSource) {
      if (ArrayBuffer.isView(view) && view.buffer instanceof SharedArrayBuffer)
        throw new TypeError('The provided ArrayBufferView value must not be shared.');
      return decode.call(this, view);
    };
    try {
      expect(new SbsReader(input).string()).toBe('héllo, shared world');
      const r = new SbsReader(bad);
      expect(() => r.string()).toThrow(
        expect.objectContaining({ code: 'utf8', offset: 1 }) as unknown as Error,
      );
    } finally {
      TextDecoder.prototype.decode = decode;
    }
  });

  it('rejects a length larger than the remaining bytes before reading', () => {
    const e = decodeError('8561', (r) => r.string());
    expect([e.code, e.offset]).toEqual(['length', 0]);
    expect(decodeError('ff', (r) => r.string()).code).toBe('length');
  });
});

describe('Bytes', () => {
  it('round-trips and decodes to a copy', () => {
    const input = bytes('83616263');
    const r = new SbsReader(input);
    const b = r.bytes();
    input[1] = 0;
    expect(hex(b)).toBe('616263');
  });

  it('grows a writer created with an initial size of 0', () => {
    const w = new SbsWriter(0);
    w.bytes(new Uint8Array(100).fill(7));
    expect(hex(w.finish())).toBe('00e4' + '07'.repeat(100));
  });

  it('grows the writer for a 10 MiB value and shrinks back after', () => {
    const big = new Uint8Array(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const c = codec(
      'Big',
      (w, v: Uint8Array) => w.bytes(v),
      (r) => r.bytes(),
    );
    const enc = c.encode(big);
    expect(enc.length).toBe(big.length + 4);
    const dec = c.decode(enc);
    expect(dec.length).toBe(big.length);
    expect(Buffer.compare(dec, big)).toBe(0);
    expect(hex(c.encode(bytes('0102')))).toBe('820102');
  });
});

describe('Boolean, counts, choices, depth', () => {
  it('accepts only 00 and 01', () => {
    expect(read('01', (r) => r.boolean())).toBe(true);
    expect(read('00', (r) => r.boolean())).toBe(false);
    const e = decodeError('02', (r) => r.boolean());
    expect([e.code, e.offset]).toEqual(['boolean', 0]);
    expect(() => write((w) => w.boolean(1 as unknown as boolean))).toThrow(SbsEncodeError);
  });

  it('checks choice indices', () => {
    expect(read('81', (r) => r.choice(2))).toBe(1);
    expect(read('0180', (r) => r.choice(200))).toBe(128);
    for (const h of ['82', 'ff', '0180']) {
      const e = decodeError(h, (r) => r.choice(2));
      expect([e.code, e.offset]).toEqual(['choice', 0]);
    }
  });

  it('checks array counts against the remaining bytes before allocating', () => {
    expect(decodeError('81', (r) => r.count(1)).code).toBe('length');
    expect(decodeError('ff', (r) => r.count(1)).code).toBe('length');
    expect(read('83', (r) => r.count(0))).toBe(3);
    const huge = write((w) => w.integer(2 ** 40));
    expect(decodeError(huge, (r) => r.count(0)).code).toBe('length');
    expect(decodeError(huge, (r) => r.count(1)).code).toBe('length');
  });

  it('limits nesting on both sides', () => {
    const r = new SbsReader(new Uint8Array(0), { maxDepth: 2 });
    r.enter();
    r.enter();
    expect(() => r.enter()).toThrow(SbsDecodeError);
    const w = new SbsWriter();
    w.reset({ maxDepth: 1 });
    w.enter();
    expect(() => w.enter()).toThrow(SbsEncodeError);
  });

  it('reports trailing bytes', () => {
    const e = decodeError('8081', (r) => r.integer());
    expect([e.code, e.offset]).toEqual(['trailing', 1]);
  });
});

describe('Bytes decoded from a Node Buffer', () => {
  it('is a copy, not a view into the input (Buffer.slice would share memory)', () => {
    const input = Buffer.from([0x83, 1, 2, 3]);
    const r = new SbsReader(input);
    const out = r.bytes();
    input[1] = 99;
    expect([...out]).toEqual([1, 2, 3]);
  });
});

describe('the shared reader of Codec.decode', () => {
  it('does not keep the last input alive, also after reading a Float from it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const f = codec<number>(
      'F',
      (w, v) => w.float(v),
      (r) => r.float(),
    );
    const input = (): WeakRef<ArrayBuffer> => {
      const big = new Uint8Array(1 << 20);
      big.set(f.encode(1.5));
      expect(f.decode(big.subarray(0, 8))).toBe(1.5);
      return new WeakRef(big.buffer);
    };
    const ref = input();
    // A WeakRef keeps its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});

describe('String length prefixes when UTF-8 outgrows the UTF-16 length', () => {
  it.each([
    ['40 x 3-byte chars (prefix 1 -> 2 bytes)', '€'.repeat(40)],
    ['5000 x 2-byte chars (prefix 2 -> 3 bytes)', 'é'.repeat(5000)],
    ['63 ASCII then one astral char', 'a'.repeat(63) + '😀'],
    ['64 ASCII chars', 'b'.repeat(64)],
  ])('%s', (_label, s) => {
    const w = new SbsWriter(8);
    w.string(s);
    const out = w.finish();
    const body = Buffer.from(s, 'utf8');
    const prefix = new SbsWriter(8);
    prefix.integer(body.length);
    expect(Buffer.from(out).equals(Buffer.concat([prefix.finish(), body]))).toBe(true);
    expect(new SbsReader(out).string()).toBe(s);
  });
});

describe('fast paths of the reader and writer', () => {
  const str = codec(
    'S',
    (w, v: string) => w.string(v),
    (r) => r.string(),
  );

  it('decodes ASCII and non-ASCII strings of every short length, strictly', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789{}[]';
    for (let n = 1; n <= 40; n++) {
      const ascii = chars.slice(0, n);
      expect(str.decode(str.encode(ascii))).toBe(ascii);
      for (let at = 0; at < n; at++) {
        // A non-ASCII character, and an invalid byte, at every position of the fast paths.
        const mixed = ascii.slice(0, at) + '\u00e9' + ascii.slice(at + 1);
        expect(str.decode(str.encode(mixed))).toBe(mixed);
        const bad = str.encode(ascii);
        bad[1 + at] = 0x80;
        const e = (() => {
          try {
            str.decode(bad);
          } catch (x) {
            return x;
          }
          return undefined;
        })();
        expect(e).toBeInstanceOf(SbsDecodeError);
        expect((e as SbsDecodeError).code).toBe('utf8');
        expect((e as SbsDecodeError).offset).toBe(1);
      }
    }
  });

  it('reads Integers of every width in the inline path as the general one does', () => {
    // Each value alone, and followed by filler so the inline path (7 bytes ahead) is taken.
    const first = (h: string): [number, number] => {
      const r = new SbsReader(bytes(h));
      return [r.integer(), r.pos];
    };
    for (const [v, h] of INTEGERS) {
      if (v > SAFE || v < -SAFE) continue;
      expect(read(h, (r) => r.integer())).toBe(Number(v));
      expect(first(h + ' 80 80 80 80 80 80 80')).toEqual([Number(v), bytes(h).length]);
    }
    for (let bits = 0; bits < 53; bits++)
      for (const v of [2 ** bits, -(2 ** bits), 2 ** bits - 1, -(2 ** bits) - 1]) {
        if (!Number.isSafeInteger(v)) continue;
        const h = write((w) => w.integer(v));
        expect(first(h + '808080808080'), h).toEqual([v, h.length / 2]);
      }
    const firstError = (h: string): string | undefined => {
      try {
        new SbsReader(bytes(h)).integer();
      } catch (e) {
        return (e as SbsDecodeError).code;
      }
      return undefined;
    };
    expect(firstError('00 81 80 80 80 80 80 80')).toBe('non-minimal');
    expect(firstError('7f c0 80 80 80 80 80 80')).toBe('non-minimal');
    expect(firstError('01 00 00 00 00 00 00 00 00')).toBe('truncated');
    expect(firstError('01 00 00')).toBe('truncated');
    // 8 groups: beyond the inline path, still exact, and out of range at 2^53.
    expect(read('00 7f 7f 7f 7f 7f 7f ff', (r) => r.integer())).toBe(2 ** 49 - 1);
    expect(decodeError('01 00 00 00 00 00 00 00 80', (r) => r.integer()).code).toBe('range');
  });

  it('keeps a grown buffer up to its retain limit, and hands large results over', () => {
    const w = new SbsWriter(256, 4 << 20);
    w.reset();
    for (let i = 0; i < 200_000; i++) w.integer(i);
    const grown = w.buf;
    expect(grown.length).toBeGreaterThan(256 * 1024);
    const small = w.finish();
    expect(small.buffer).not.toBe(grown.buffer);
    w.reset();
    // Kept: the next message of the same size does not regrow it.
    expect(w.buf).toBe(grown);
    w.reset();
    const payload = new Uint8Array(1 << 20).fill(5);
    w.bytes(payload);
    // One Bytes larger than the buffer grows it to exactly what is needed, then finish()
    // returns that buffer without a copy; the writer carries on with a new one.
    const out = w.finish();
    expect(out.length).toBe(payload.length + 4);
    expect(out.buffer.byteLength).toBe(payload.length + 4);
    expect(w.buf.buffer).not.toBe(out.buffer);
    w.reset();
    w.bytes(new Uint8Array(300_000).fill(9));
    expect(out.subarray(4).every((b) => b === 5)).toBe(true);
    // Beyond the retain limit the buffer is dropped at the next reset.
    w.reset();
    for (let i = 0; i < 3_000_000; i++) w.integer(i);
    expect(w.buf.length).toBeGreaterThan(4 << 20);
    w.reset();
    expect(w.buf.length).toBe(256);
  });

  it('zeroes what a handed-over buffer holds past the result', () => {
    const w = new SbsWriter(0);
    w.reset();
    // Grown by doubling to 512 KiB, of which ~400 KiB is written: handed over, tail zeroed.
    for (let i = 0; i < 100_000; i++) w.integer(2 ** 20 + i);
    const out = w.finish();
    const whole = new Uint8Array(out.buffer, out.byteOffset);
    expect(whole.length).toBeGreaterThan(out.length);
    expect(whole.subarray(out.length).every((b) => b === 0)).toBe(true);
  });
});
