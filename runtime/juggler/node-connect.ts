import { WebSocket } from 'ws';
import { ConnectError } from './errors.js';
import { NodeFrameSocket } from './node-socket.js';

export interface NodeConnectOptions {
  auth?: { username: string; password: string };
  headers?: Record<string, string>;
  rejectUnauthorized: boolean;
  ca?: string | Buffer | (string | Buffer)[];
  maxPayload: number;
  handshakeTimeout?: number;
}

/** Opens a `ws` WebSocket (Node only; loaded lazily by the client so browsers never import `ws`). */
export function openNodeSocket(url: string, opts: NodeConnectOptions): Promise<NodeFrameSocket> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) {
    const token = Buffer.from(`${opts.auth.username}:${opts.auth.password}`, 'utf8').toString(
      'base64',
    );
    headers['Authorization'] = `Basic ${token}`;
  }
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers,
        rejectUnauthorized: opts.rejectUnauthorized,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        maxPayload: opts.maxPayload,
        perMessageDeflate: false,
        ...(opts.handshakeTimeout !== undefined ? { handshakeTimeout: opts.handshakeTimeout } : {}),
      });
    } catch (err) {
      reject(
        new ConnectError(`cannot connect to ${url}: ${(err as Error).message}`, undefined, {
          cause: err,
        }),
      );
      return;
    }
    const onError = (err: Error): void => {
      cleanup();
      const status = /Unexpected server response: (\d+)/.exec(err.message);
      reject(
        new ConnectError(
          `cannot connect to ${url}: ${err.message}`,
          status ? Number(status[1]) : undefined,
          { cause: err },
        ),
      );
    };
    const onClose = (): void => {
      cleanup();
      reject(new ConnectError(`cannot connect to ${url}: closed during handshake`));
    };
    const onOpen = (): void => {
      cleanup();
      // Wrap synchronously: frames in the same chunk as the 101 are emitted right after 'open'.
      resolve(new NodeFrameSocket(ws));
    };
    const cleanup = (): void => {
      ws.off('error', onError);
      ws.off('close', onClose);
      ws.off('open', onOpen);
    };
    ws.on('error', onError);
    ws.on('close', onClose);
    ws.on('open', onOpen);
  });
}
