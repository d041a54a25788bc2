import { createHash } from 'node:crypto';

/**
 * Apache `$apr1$` (MD5-crypt) hashing. Hand-written on Buffers instead of the
 * `apache-md5` package: that package feeds the password to MD5 with the
 * 'ascii' encoding, which truncates every UTF-16 unit to 8 bits, so non-ASCII
 * passwords hash differently from `openssl passwd -apr1` (what hat uses) and
 * distinct passwords collide (e.g. 'ā' and '\x01').
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAGIC = '$apr1$';

function md5(...parts: Buffer[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

function to64(value: number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    out += ITOA64[value & 0x3f];
    value >>>= 6;
  }
  return out;
}

/** Salt of an `$apr1$salt$hash` string (at most 8 chars), or null when not apr1. */
export function apr1Salt(hash: string): string | null {
  if (!hash.startsWith(MAGIC)) return null;
  const rest = hash.slice(MAGIC.length);
  const end = rest.indexOf('$');
  if (end < 0) return null;
  return rest.slice(0, Math.min(end, 8));
}

export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from(MAGIC, 'ascii');
  let alt = md5(pw, s, pw);
  const ctx: Buffer[] = [pw, magic, s];
  for (let left = pw.length; left > 0; left -= 16) ctx.push(alt.subarray(0, Math.min(left, 16)));
  const zero = Buffer.from([0]);
  const first = pw.subarray(0, 1);
  for (let i = pw.length; i > 0; i >>= 1) ctx.push(i & 1 ? zero : first);
  let final = md5(...ctx);
  for (let i = 0; i < 1000; i++) {
    const parts: Buffer[] = [i & 1 ? pw : final];
    if (i % 3) parts.push(s);
    if (i % 7) parts.push(pw);
    parts.push(i & 1 ? final : pw);
    final = md5(...parts);
  }
  alt = final;
  const b = (i: number): number => alt[i] as number;
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `${MAGIC}${salt.slice(0, 8)}$${encoded}`;
}
