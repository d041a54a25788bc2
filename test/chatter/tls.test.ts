import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, listen, type Connection } from '../../runtime/chatter/index.js';
import { bytes, rawClient, until } from './helpers.js';

let dir = '';
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chatter-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(path.join(dir, 'key.pem'));
  cert = readFileSync(path.join(dir, 'cert.pem'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chatter over TLS', () => {
  it('exchanges messages with a verified self-signed certificate', async () => {
    const server = await listen('127.0.0.1:0', {
      tls: { key, cert },
      onConnection: async (c) => {
        for await (const m of c) await c.send(m.data, { conv: m.conv });
      },
    });
    const conn = await connect(server.address, { tls: { ca: cert } });
    expect(conn.info.tls).toBe(true);
    expect((conn.socket as TLSSocket).getPeerCertificate().subject?.CN).toBe('localhost');
    const big = new Uint8Array(3 * 1024 * 1024).fill(9);
    const reply = await conn.request({ type: 'echo', data: big }, { timeout: 10_000 });
    expect(Buffer.compare(reply.data.data, big)).toBe(0);
    expect(reply.last).toBe(true);
    await server.close();
    await conn.closed;
  });

  it('rejects an unverified certificate by default and accepts it with rejectUnauthorized: false', async () => {
    let accepted: Connection | undefined;
    const server = await listen('127.0.0.1:0', {
      tls: { key, cert },
      onConnection: (c) => void (accepted = c),
    });
    await expect(connect(server.address, { tls: true })).rejects.toThrow(/self[- ]signed/);
    const conn = await connect(server.address, { tls: { rejectUnauthorized: false } });
    await conn.send({ type: 'hello', data: bytes('tls') });
    await expect.poll(() => accepted).toBeDefined();
    expect((await accepted?.receive())?.data.type).toBe('hello');
    expect(accepted?.info.tls).toBe(true);
    await server.close();
  });

  it('closes the server while a client stalls in the TLS handshake', async () => {
    const server = await listen('127.0.0.1:0', { tls: { key, cert } });
    const conn = await connect(server.address, { tls: { ca: cert } });
    // A client that connects and never sends a ClientHello.
    const stalled = await rawClient(server.address.port);
    // A stalled handshake used to hold close() for TLS's 120 s handshake timeout.
    await server.close();
    await conn.closed;
    await until(() => stalled.ended);
  });
});
