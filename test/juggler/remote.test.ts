import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connect, listen, type Connection } from '../../runtime/juggler/index.js';
import {
  defaultTrustProxy,
  forwardedNode,
  remoteAddress,
  trustedProxies,
} from '../../runtime/juggler/remote.js';
import { cleanupAfterEach, until } from './helpers.js';

const cleanups = cleanupAfterEach();

/** Just what `remoteAddress` reads of a request. */
function request(peer: string | undefined, headers: [string, string][]): IncomingMessage {
  const lower: Record<string, string> = {};
  for (const [k, v] of headers) lower[k.toLowerCase()] = v;
  return {
    socket: { remoteAddress: peer },
    headers: lower,
    rawHeaders: headers.flat(),
  } as unknown as IncomingMessage;
}

const hostile = [
  '<script>alert(1)</script>',
  'unknown',
  '_hidden',
  'proxy.example.com',
  '1.2.3.4:99999',
  '1.2.3.4:80:81',
  '1.2.3.4:',
  '999.1.1.1',
  '1.2.3',
  '[1.2.3.4]',
  '[::1',
  '::1]:80',
  'fe80::1%eth0',
  '[fe80::1%25eth0]:80',
  '1.2.3.4 5.6.7.8',
  '1.2.3.4\u0000',
  '',
  'x'.repeat(10_000),
];

describe('forwardedNode', () => {
  it('accepts an address with an optional port, in RFC 7239 form', () => {
    for (const v of [
      '192.0.2.43',
      '192.0.2.43:47011',
      '2001:db8::1',
      '[2001:db8::1]',
      '[2001:db8::1]:4711',
      '::ffff:10.0.0.1',
      '[::ffff:10.0.0.1]:65535',
    ])
      expect(forwardedNode(v), v).toBe(v);
  });

  it('refuses anything else', () => {
    for (const v of hostile) expect(forwardedNode(v), v).toBeNull();
  });
});

describe('trustedProxies', () => {
  it('rejects entries that are not addresses or CIDRs', () => {
    for (const bad of [
      'localhost',
      '127.0.0.1/33',
      '::1/129',
      '10.0.0.0/',
      '*',
      'fe80::1%eth0',
      '',
    ])
      expect(() => trustedProxies([bad]), bad).toThrow(RangeError);
    expect(() => trustedProxies('127.0.0.1' as unknown as string[])).toThrow(RangeError);
  });
});

describe('remoteAddress', () => {
  const byDefault = trustedProxies(defaultTrustProxy);
  const fwd: [string, string][] = [['Forwarded', 'for="[2001:db8::7]:80"']];
  const xff: [string, string][] = [['X-Forwarded-For', '10.1.1.1, 10.2.2.2']];

  it('believes the headers of loopback peers by default (IPv4, IPv6, IPv4-mapped)', () => {
    for (const peer of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) {
      expect(remoteAddress(request(peer, fwd), byDefault), peer).toBe('[2001:db8::7]:80');
      expect(remoteAddress(request(peer, xff), byDefault), peer).toBe('10.2.2.2');
    }
  });

  it('ignores the headers of other peers', () => {
    for (const peer of ['10.0.0.1', '192.168.1.1', '::2', '::ffff:10.0.0.1', '128.0.0.1']) {
      expect(remoteAddress(request(peer, fwd), byDefault), peer).toBe(peer);
      expect(remoteAddress(request(peer, xff), byDefault), peer).toBe(peer);
    }
    expect(remoteAddress(request(undefined, fwd), byDefault)).toBe('');
  });

  it('trusts exactly the configured addresses and CIDRs', () => {
    const list = trustedProxies(['10.0.0.0/8', '2001:db8::/32', '192.168.1.5']);
    for (const peer of ['10.200.0.1', '2001:db8:ffff::1', '192.168.1.5', '::ffff:10.0.0.9'])
      expect(remoteAddress(request(peer, xff), list), peer).toBe('10.2.2.2');
    for (const peer of ['127.0.0.1', '::1', '192.168.1.6', '2001:db9::1'])
      expect(remoteAddress(request(peer, xff), list), peer).toBe(peer);
    expect(remoteAddress(request('127.0.0.1', xff), trustedProxies([]))).toBe('127.0.0.1');
  });

  it('uses the socket address when a trusted header holds no valid address', () => {
    for (const v of hostile) {
      const quoted = `"${v.replace(/["\\]/g, '\\$&')}"`;
      expect(remoteAddress(request('127.0.0.1', [['Forwarded', `for=${quoted}`]]), byDefault)).toBe(
        '127.0.0.1',
      );
      expect(
        remoteAddress(request('127.0.0.1', [['X-Forwarded-For', `1.1.1.1, ${v}`]]), byDefault),
      ).toBe('127.0.0.1');
    }
    // an invalid Forwarded does not hide a valid X-Forwarded-For
    expect(remoteAddress(request('::1', [['Forwarded', 'for=unknown'], ...xff]), byDefault)).toBe(
      '10.2.2.2',
    );
  });
});

describe('trustProxy server option', () => {
  it('never lets a client put markup in conn.remote', async () => {
    const conns: Connection[] = [];
    const server = await listen({ onConnection: (c) => void conns.push(c) });
    cleanups.push(() => server.close());
    const cases: [Record<string, string>, string][] = [
      [{ Forwarded: 'for="<script>alert(1)</script>"' }, '127.0.0.1'],
      [{ 'X-Forwarded-For': '<script>alert(1)</script>' }, '127.0.0.1'],
      [{ 'X-Forwarded-For': '203.0.113.9' }, '203.0.113.9'],
    ];
    for (const [headers, expected] of cases) {
      const c = await connect(server.wsUrl, { headers });
      await until(() => conns.length === 1);
      expect(conns.pop()!.remote).toBe(expected);
      await c.close();
    }
  });

  it('ignores the headers of peers outside trustProxy', async () => {
    const conns: Connection[] = [];
    const server = await listen({
      trustProxy: ['10.0.0.0/8'],
      onConnection: (c) => void conns.push(c),
    });
    cleanups.push(() => server.close());
    const c = await connect(server.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    await until(() => conns.length === 1);
    expect(conns.pop()!.remote).toBe('127.0.0.1');
    await c.close();
  });

  it('rejects an invalid trustProxy at listen', async () => {
    await expect(listen({ trustProxy: ['localhost'] })).rejects.toThrow(RangeError);
  });
});
