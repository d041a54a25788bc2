import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  FrameTooLargeError,
  ProtocolError,
  frame,
  lengthSize,
} from '../../runtime/chatter/index.js';
import { HatChatter } from '../../generated/index.js';
import { hex, unhex } from './helpers.js';

// Worked frames from hat-behavior §5.1 (verified against the Python reference).
const USER = '010d818101010083616263837879 7a'.replace(/ /g, '');
const PING = '011681810101008f486174436861747465722e50696e6780';
const PONG = '011681810001018f486174436861747465722e506f6e6780';

function collect(max = 1 << 20): { d: FrameDecoder; bodies: string[] } {
  const bodies: string[] = [];
  const d = new FrameDecoder(max, (b) => bodies.push(hex(b)));
  return { d, bodies };
}

describe('chatter framing', () => {
  it('encodes the reference frames', () => {
    const user = HatChatter.Msg.encode({
      id: 1,
      first: 1,
      owner: true,
      token: true,
      last: false,
      data: { type: 'abc', data: unhex('78797a') },
    });
    expect(hex(frame(user))).toBe(USER);
    const ping = HatChatter.Msg.encode({
      id: 1,
      first: 1,
      owner: true,
      token: true,
      last: false,
      data: { type: 'HatChatter.Ping', data: new Uint8Array(0) },
    });
    expect(hex(frame(ping))).toBe(PING);
  });

  it('uses the minimal length size', () => {
    expect(
      [0, 255, 256, 65535, 65536, 2 ** 24 - 1, 2 ** 24, 2 ** 32 - 1, 2 ** 32].map(lengthSize),
    ).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect(hex(frame(new Uint8Array(310))).slice(0, 6)).toBe('020136');
  });

  it('splits a stream cut at every position', () => {
    const stream = unhex(USER + PING + PONG + hex(frame(new Uint8Array(300).fill(7))));
    const expected = [USER.slice(4), PING.slice(4), PONG.slice(4), '07'.repeat(300)];
    for (let cut = 0; cut <= stream.length; cut++) {
      const { d, bodies } = collect();
      d.push(stream.subarray(0, cut));
      d.push(stream.subarray(cut));
      expect(bodies).toEqual(expected);
      expect(d.buffered).toBe(0);
    }
    const { d, bodies } = collect();
    for (const b of stream) d.push(Uint8Array.of(b));
    expect(bodies).toEqual(expected);
  });

  it('accepts non-minimal m and m = 0', () => {
    const { d, bodies } = collect();
    d.push(unhex('0400000003616263' + '00'));
    expect(bodies).toEqual(['616263', '']);
  });

  it('rejects an announced length above the limit before receiving the body', () => {
    const { d, bodies } = collect(1000);
    d.push(unhex('0203e8' + '00'.repeat(1000)));
    expect(bodies).toHaveLength(1);
    expect(() => d.push(unhex('0203e9'))).toThrow(FrameTooLargeError);
    // Also when the header straddles chunks.
    const { d: d1 } = collect(1000);
    d1.push(unhex('0203'));
    expect(() => d1.push(unhex('e9'))).toThrow(FrameTooLargeError);
    // A hostile 255-byte length fails without allocating anything of that size.
    const { d: d2 } = collect(64 << 20);
    expect(() => d2.push(unhex('ff' + 'ff'.repeat(255)))).toThrow(
      'frame body of more than 2^53 bytes exceeds maxMessageSize (67108864 bytes)',
    );
  });

  it('reports a stream that ends inside a frame', () => {
    const { d } = collect();
    d.push(unhex('0105616263'));
    expect(d.buffered).toBe(5);
    expect(() => d.end()).toThrow(ProtocolError);
  });
});
