import type { IncomingMessage } from 'node:http';

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

/**
 * Client address as hat computes it: the last `for=` of `Forwarded`, else —
 * when exactly one `X-Forwarded-For` header line exists — its last entry,
 * else the socket peer address.
 */
export function remoteAddress(req: IncomingMessage): string {
  const forwarded = req.headers['forwarded'];
  if (typeof forwarded === 'string') {
    const value = forwardedFor(forwarded);
    if (value) return value;
  }
  const xff: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === 'x-forwarded-for')
      xff.push(req.rawHeaders[i + 1] as string);
  }
  if (xff.length === 1) {
    const parts = (xff[0] as string).split(',');
    const last = (parts[parts.length - 1] as string).trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}
