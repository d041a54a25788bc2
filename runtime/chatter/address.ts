/** A TCP endpoint. `host` is a name or an IP literal (IPv6 without brackets). */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** `{host, port}` or `'host:port'` (IPv6 as `'[::1]:port'`). */
export type AddressLike = Address | string;

export function parseAddress(address: AddressLike): Address {
  if (typeof address === 'string') {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
    if (!m) throw new TypeError(`invalid address ${JSON.stringify(address)}, expected 'host:port'`);
    return checked({ host: m[1] as string, port: Number(m[2]) });
  }
  if (typeof address !== 'object' || address === null || typeof address.host !== 'string')
    throw new TypeError('invalid address, expected {host, port} or "host:port"');
  return checked({ host: address.host, port: address.port });
}

function checked(a: Address): Address {
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535)
    throw new TypeError(`invalid port ${String(a.port)}`);
  return a;
}

/** `'host:port'`, bracketing IPv6 literals. */
export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
