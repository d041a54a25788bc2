// Eventer messages whose Integers go beyond ±(2^53-1), as a Python peer may send them (hat's
// `min_timestamp`/`max_timestamp` as query bounds, a `max_results` of 2^60). hat accepts them,
// so they must not close the connection. The number-mode codecs stay the fast path; only a
// message one of them refuses with `range` is read again by a reader that takes such Integers
// as the nearest double. What each field then means is decided in convert.ts (clamping).
import { UnexpectedTypeError, type Msg } from '../chatter/index.js';
import { at, SbsDecodeError, SbsReader, type Codec } from '../sbs/index.js';

/**
 * Integers are read up to this magnitude; beyond it every value means the same to the
 * Eventer (past any timestamp, id or count it knows), and the value stays finite.
 */
export const WIDE_INTEGER_LIMIT = 2 ** 64;

/** Groups of 7 bits a bigint conversion is worth for: beyond 70 bits the value is past the limit anyway. */
const EXACT_GROUPS = 10;

/**
 * A reader whose `integer()` takes any size: beyond ±(2^53-1) the nearest double, limited to
 * ±WIDE_INTEGER_LIMIT. Encoding errors (truncated, non-minimal) are still errors.
 */
class WideIntegerReader extends SbsReader {
  override integer(): number {
    const start = this.pos;
    try {
      return super.integer();
    } catch (e) {
      if (!(e instanceof SbsDecodeError) || e.code !== 'range') throw e;
    }
    // The number-mode read checked the encoding (complete, minimal) before the range.
    const b = this.buf;
    let last = start;
    while (((b[last] as number) & 0x80) === 0) last++;
    if (last - start + 1 <= EXACT_GROUPS) {
      this.pos = start;
      const v = Number(this.bigint());
      return Math.max(-WIDE_INTEGER_LIMIT, Math.min(WIDE_INTEGER_LIMIT, v));
    }
    this.pos = last + 1;
    return (b[start] as number) & 0x40 ? -WIDE_INTEGER_LIMIT : WIDE_INTEGER_LIMIT;
  }
}

/**
 * `codec.decode(bytes)`, except that Integers beyond ±(2^53-1) decode (see WideIntegerReader)
 * instead of failing with `range`. Messages without such Integers take the generated decoder
 * alone: the second reading costs only the rare message that needs it.
 */
export function decodeWide<T>(codec: Codec<T>, bytes: Uint8Array): T {
  try {
    return codec.decode(bytes);
  } catch (e) {
    if (!(e instanceof SbsDecodeError) || e.code !== 'range') throw e;
  }
  const r = new WideIntegerReader(bytes);
  try {
    const value = codec.read(r);
    r.end();
    return value;
  } catch (e) {
    throw at(e, codec.name);
  }
}

/** `decodeMsg` (chatter) with `decodeWide`: `UnexpectedTypeError` for a message of another type. */
export function decodeMsgWide<T>(msg: Msg, codec: Codec<T>): T {
  if (msg.data.type !== codec.name) throw new UnexpectedTypeError(msg.data.type, [codec.name]);
  return decodeWide(codec, msg.data.data);
}
