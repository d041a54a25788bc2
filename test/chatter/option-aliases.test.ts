// One option name per idea across Chatter, Juggler and Eventer: `maxMessageSize` (largest
// accepted message) and `writeBufferLimit` (socket write backpressure). The old names keep
// working as deprecated aliases; both names with different values is a TypeError, since
// silently taking one would hide a caller's mistake.
import { afterEach, describe, expect, it } from 'vitest';
import {
  FrameTooLargeError,
  connect,
  listen,
  type Connection,
  type Server,
} from '../../runtime/chatter/index.js';
import { listen as eventerListen } from '../../runtime/eventer/index.js';
import { listen as jugglerListen, connect as jugglerConnect } from '../../runtime/juggler/index.js';
import { transportOptions } from '../../runtime/juggler/transport.js';
import { noopLogger } from '../../runtime/logger.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pair(options: Parameters<typeof connect>[1]): Promise<Connection> {
  const server: Server = await listen('127.0.0.1:0', { pingDelay: null });
  cleanups.push(() => server.close());
  const conn = await connect(server.address, { pingDelay: null, ...options });
  cleanups.push(() => conn.close());
  return conn;
}

describe('chatter maxMessageSize (alias maxFrameSize)', () => {
  it.each([
    { maxMessageSize: 1000 },
    { maxFrameSize: 1000 },
    { maxMessageSize: 1000, maxFrameSize: 1000 },
  ])('%j bounds what send accepts', async (options) => {
    const conn = await pair(options);
    const err = await conn
      .send({ type: 'Big', data: new Uint8Array(2000) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err).toMatchObject({ limit: 1000 });
    await conn.send({ type: 'Small', data: new Uint8Array(900) });
  });

  it('refuses both names with different values, before opening anything', async () => {
    const both = { maxMessageSize: 1000, maxFrameSize: 2000 };
    await expect(listen('127.0.0.1:0', both)).rejects.toThrow(TypeError);
    await expect(connect('127.0.0.1:1', both)).rejects.toThrow(
      /maxMessageSize \(1000\) and its deprecated alias maxFrameSize \(2000\) differ/,
    );
    await expect(eventerListen('127.0.0.1:0', both)).rejects.toThrow(TypeError);
  });

  it('names the option given in a range error', async () => {
    await expect(connect('127.0.0.1:1', { maxFrameSize: -1 })).rejects.toThrow(
      /^maxFrameSize must/,
    );
    await expect(connect('127.0.0.1:1', { maxMessageSize: -1 })).rejects.toThrow(
      /^maxMessageSize must/,
    );
  });
});

describe('juggler writeBufferLimit (alias highWaterMark)', () => {
  it('takes either name', () => {
    expect(transportOptions({ writeBufferLimit: 4096 }, noopLogger).writeBufferLimit).toBe(4096);
    expect(transportOptions({ highWaterMark: 4096 }, noopLogger).writeBufferLimit).toBe(4096);
    expect(
      transportOptions({ highWaterMark: 4096, writeBufferLimit: 4096 }, noopLogger)
        .writeBufferLimit,
    ).toBe(4096);
    expect(transportOptions({}, noopLogger).writeBufferLimit).toBe(1024 * 1024);
  });

  it('refuses both names with different values, before opening anything', async () => {
    const both = { writeBufferLimit: 1024, highWaterMark: 2048 };
    await expect(jugglerListen(both)).rejects.toThrow(TypeError);
    await expect(jugglerConnect('ws://127.0.0.1:1/ws', both)).rejects.toThrow(
      /writeBufferLimit \(1024\) and its deprecated alias highWaterMark \(2048\) differ/,
    );
  });
});
