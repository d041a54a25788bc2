import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import type { JsonValue } from '../../runtime/juggler/index.js';

export { sleep, until } from '../support/wait.js';

/** Returns a list whose functions run, last added first, after each test of the calling file. */
export function cleanupAfterEach(): (() => Promise<unknown> | void)[] {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

/** Resolves true if `p` settles within `ms`, false otherwise. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return result;
}

/** A bare `ws` client speaking raw Juggler frames, for wire-level checks. */
export class RawClient {
  readonly frames: string[] = [];
  readonly messages: JsonValue[] = [];
  closed = false;
  closeCode: number | undefined;
  private parts: string[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = (data as Buffer).toString();
      this.frames.push(frame);
      if (frame[0] === '1') this.parts.push(frame.slice(1));
      else if (frame[0] === '0') {
        this.parts.push(frame.slice(1));
        this.messages.push(JSON.parse(this.parts.join('')) as JsonValue);
        this.parts = [];
      }
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
    ws.on('error', () => {});
  }

  static open(url: string, headers?: Record<string, string>): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  sendFrame(frame: string): void {
    this.ws.send(frame);
  }

  sendMsg(msg: JsonValue): void {
    this.ws.send('0' + JSON.stringify(msg));
  }

  close(): void {
    this.ws.terminate();
  }
}
