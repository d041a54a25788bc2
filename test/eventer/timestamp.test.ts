import { describe, expect, it, vi } from 'vitest';
import { EventerValueError } from '../../runtime/eventer/errors.js';
import {
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  addSeconds,
  compareTimestamps,
  now,
  timestamp,
  timestampEquals,
  timestampFromBytes,
  timestampFromDate,
  timestampFromFloat,
  timestampToBytes,
  timestampToDate,
  timestampToFloat,
  timestampToIso,
  type Timestamp,
} from '../../runtime/eventer/timestamp.js';

const t = (s: number, us: number): Timestamp => ({ s, us });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('timestamp (hat test_timestamp.py)', () => {
  const points = [t(0, 0), t(0, 1), t(1, 0), t(1, 1), t(-1, 0), t(-1, 1), t(-1, 999999)];
  it('orders as total microseconds', () => {
    for (const a of points)
      for (const b of points) {
        const ua = a.s * 1e6 + a.us;
        const ub = b.s * 1e6 + b.us;
        expect(Math.sign(compareTimestamps(a, b))).toBe(Math.sign(ua - ub));
        expect(timestampEquals(a, b)).toBe(ua === ub);
      }
  });

  it.each([
    [t(0, 0), 0, t(0, 0)],
    [t(0, 0), 0.001, t(0, 1000)],
    [t(0, 0), -0.001, t(-1, 999000)],
    [t(0, 0), 1, t(1, 0)],
    [t(0, 0), 1.001, t(1, 1000)],
    [t(0, 0), -1.001, t(-2, 999000)],
  ])('add %o + %d = %o and back', (t1, s, t2) => {
    expect(addSeconds(t1, s)).toEqual(t2);
    expect(addSeconds(t2, -s)).toEqual(t1);
  });

  it.each([
    [t(0, 0), '800000000000000000000000'],
    [t(2145916800, 99999), '800000007fe81780000186 9f'.replace(' ', '')],
    [t(12321, 99999), '80000000000030210001869f'],
  ])('bytes %o', (ts, h) => {
    expect(hex(timestampToBytes(ts))).toBe(h);
    expect(timestampFromBytes(Buffer.from(h, 'hex'))).toEqual(ts);
  });

  it.each([
    [t(0, 0), 0.0],
    [t(1, 0), 1.0],
    [t(1000, 10000), 1000.01],
    [t(-473385600, 123), -473385600 + 123e-6],
    [t(473385600, 123), 473385600 + 123e-6],
    [t(4099680000, 123), 4099680000 + 123e-6],
    [t(409968, 999999), 409968 + 999999e-6],
  ])('float %o <-> %d', (ts, f) => {
    expect(Math.abs(timestampToFloat(ts) - f)).toBeLessThan(1e-6);
    expect(timestampFromFloat(f)).toEqual(ts);
  });

  it.each([
    [t(409968, 999999), 409968 + 9999994e-7],
    [t(409969, 0), 409968 + 9999996e-7],
    [t(409969, 0), 409968 + 9999999e-7],
    [t(-409969, 1), -409968 - 9999994e-7],
    [t(-409969, 0), -409968 - 9999996e-7],
    [t(-409968, 0), -409968 - 4e-7],
    [t(-409969, 999999), -409968 - 6e-7],
  ])('from float rounds %o <- %d', (ts, f) => {
    expect(timestampFromFloat(f)).toEqual(ts);
  });

  it.each([
    [t(-2208988800, 999999), '1900-01-01T00:00:00.999999Z'],
    [t(0, 0), '1970-01-01T00:00:00.000000Z'],
    [t(0, 123), '1970-01-01T00:00:00.000123Z'],
    [t(2145916800, 99999), '2038-01-01T00:00:00.099999Z'],
    [t(4133980799, 1), '2100-12-31T23:59:59.000001Z'],
  ])('datetime %o', (ts, iso) => {
    expect(timestampToIso(ts)).toBe(iso);
    // Date has millisecond resolution: microseconds are truncated.
    const d = timestampToDate(ts);
    expect(d.toISOString()).toBe(iso.slice(0, 23) + 'Z');
    expect(timestampFromDate(d)).toEqual(t(ts.s, Math.floor(ts.us / 1000) * 1000));
  });

  it('now is within a second of the wall clock and non-decreasing', () => {
    // Many calls: resynchronising on the millisecond truncation of Date.now() once moved it back.
    let prev = now();
    let backwards = 0;
    for (let i = 0; i < 100_000; i++) {
      const n = now();
      if (compareTimestamps(n, prev) < 0) backwards++;
      prev = n;
    }
    expect(backwards).toBe(0);
    expect(Math.abs(timestampToFloat(prev) - Date.now() / 1000)).toBeLessThan(1);
  });

  it('now follows the wall clock when it steps (NTP, suspend), keeping microseconds', () => {
    const realNow = Date.now.bind(Date);
    let step = 0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + step);
    try {
      for (step of [3_600_000, -7_200_000, 0]) {
        const n = now();
        expect(Math.abs(timestampToFloat(n) * 1000 - Date.now())).toBeLessThan(1000);
      }
      const fractions = new Set<number>();
      for (let i = 0; i < 200; i++) fractions.add(now().us % 1000);
      expect(fractions.size).toBeGreaterThan(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects invalid parts', () => {
    expect(() => timestamp(1, 1_000_000)).toThrow(/invalid timestamp/);
    expect(() => timestamp(1.5, 0)).toThrow(/invalid timestamp/);
    expect(timestamp(-1, 5)).toEqual(t(-1, 5));
    expect(() => timestampFromBytes(new Uint8Array(3))).toThrow(/12 bytes/);
  });

  it('bytes of the extremes sort at the ends; parts the bytes cannot hold are refused, not wrapped', () => {
    expect(hex(timestampToBytes(MIN_TIMESTAMP))).toBe('000000000000000000000000');
    // Within hat's range (s < 2^63), so a Python peer can encode it too.
    expect(hex(timestampToBytes(MAX_TIMESTAMP))).toBe('fffffffffffffc00000f423f');
    expect(BigInt(MAX_TIMESTAMP.s)).toBeLessThan(2n ** 63n);
    for (const bad of [
      t(2 ** 63, 0),
      t(-(2 ** 63) - 4096, 0),
      t(1.5, 0),
      t(0, -1),
      t(0, 2 ** 32),
      t(NaN, 0),
    ])
      expect(() => timestampToBytes(bad), JSON.stringify(bad)).toThrow(EventerValueError);
  });

  it('typed errors for times a Date or hat cannot hold; ISO text of years beyond 9999', () => {
    expect(() => addSeconds(t(0, 0), NaN)).toThrow(EventerValueError);
    expect(() => addSeconds(t(0, 0), -Infinity)).toThrow(EventerValueError);
    expect(() => timestampToDate(MAX_TIMESTAMP)).toThrow(EventerValueError);
    expect(() => timestampToIso(t(1e15, 0))).toThrow(EventerValueError);
    expect(timestampToIso(t(253402300801, 5))).toBe('+010000-01-01T00:00:01.000005Z');
    expect(timestampToIso(t(-62198755199, 7))).toBe('-000001-01-01T00:00:01.000007Z');
  });
});
