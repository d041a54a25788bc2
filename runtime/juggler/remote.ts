import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Proxies whose `Forwarded`/`X-Forwarded-For` are believed when `trustProxy` is not given. */
export const defaultTrustProxy: readonly string[] = ['127.0.0.0/8', '::1'];

/**
 * The `trustProxy` list as a `BlockList` (which also matches IPv4-mapped IPv6
 * peers such as `::ffff:127.0.0.1` against IPv4 entries). Entries are
 * addresses or CIDRs, IPv4 or IPv6; anything else is a RangeError, so a typo
 * fails `listen` instead of silently trusting nobody (or everybody).
 */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  if (!Array.isArray(entries))
    throw new RangeError('trustProxy must be an array of addresses or CIDRs');
  for (const entry of entries) {
    const match =
      typeof entry === 'string' ? /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?$/.exec(entry) : null;
    const address = match?.[1] ?? '';
    const version = isIP(address);
    const prefix = match?.[2] === undefined ? null : Number(match[2]);
    if (version === 0 || (prefix !== null && prefix > (version === 4 ? 32 : 128)))
      throw new RangeError(`trustProxy entry ${JSON.stringify(entry)} is not an address or CIDR`);
    const type = version === 4 ? 'ipv4' : 'ipv6';
    if (prefix === null) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/**
 * The address (with an optional port) a proxy put in a header, or null when the
 * value is anything else (RFC 7239's `unknown` and `_obfuscated` names, host
 * names, zone ids, markup): `IPv4`, `IPv4:port`, `IPv6`, `[IPv6]`, `[IPv6]:port`.
 */
export function forwardedNode(value: string): string | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)|([0-9A-Fa-f:.]+))(?::(\d{1,5}))?$/.exec(value);
  if (!match) return null;
  const [, bracketed, v4, bare, port] = match;
  if (bare !== undefined && port !== undefined) return null; // ambiguous: unbracketed IPv6
  if (port !== undefined && Number(port) > 65535) return null;
  if (
    bracketed !== undefined
      ? isIP(bracketed) !== 6
      : v4 !== undefined
        ? isIP(v4) !== 4
        : isIP(bare as string) !== 6
  )
    return null;
  return value;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** `for` of the last element of an RFC 7239 Forwarded header, if that element has one. */
function forwardedFor(header: string): string | null {
  const elements = header.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const last = elements[elements.length - 1];
  if (last === undefined) return null;
  for (const pair of last.match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === 'for')
      return unquote(pair.slice(eq + 1));
  }
  return null;
}

function isTrusted(peer: string | undefined, trusted: BlockList): boolean {
  if (peer === undefined) return false;
  const version = isIP(peer);
  return version !== 0 && trusted.check(peer, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Client address. When the socket peer is in `trusted` (the `trustProxy`
 * option), as hat computes it: the last `for=` of `Forwarded`, else — when
 * exactly one `X-Forwarded-For` header line exists — its last entry. A header
 * value that is not an address (with an optional port) is ignored. Otherwise,
 * and for untrusted peers, the socket peer address.
 */
export function remoteAddress(req: IncomingMessage, trusted: BlockList): string {
  const peer = req.socket.remoteAddress;
  if (isTrusted(peer, trusted)) {
    const forwarded = req.headers['forwarded'];
    if (typeof forwarded === 'string') {
      const value = forwardedFor(forwarded);
      const node = value === null ? null : forwardedNode(value);
      if (node !== null) return node;
    }
    const xff: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if ((req.rawHeaders[i] as string).toLowerCase() === 'x-forwarded-for')
        xff.push(req.rawHeaders[i + 1] as string);
    }
    if (xff.length === 1) {
      const parts = (xff[0] as string).split(',');
      const node = forwardedNode((parts[parts.length - 1] as string).trim());
      if (node !== null) return node;
    }
  }
  return peer ?? '';
}
