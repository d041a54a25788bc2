import * as net from 'node:net';
import * as tls from 'node:tls';
import { parseAddress, type AddressLike } from './address.js';
import { checkConnectionOptions, Connection, type ConnectionOptions } from './connection.js';

export interface ConnectOptions extends ConnectionOptions {
  /**
   * TLS client options (`ca`, `cert`, `key`, `rejectUnauthorized`, `servername`, ...);
   * `true` for the defaults. Node verifies the server certificate by default, unlike hat's
   * `create_ssl_ctx` (pass `rejectUnauthorized: false` to match it).
   */
  readonly tls?: tls.ConnectionOptions | boolean;
  /** Aborts connecting (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Opens a Chatter connection. Rejects with the socket error (e.g. code `ECONNREFUSED`). */
export function connect(address: AddressLike, options: ConnectOptions = {}): Promise<Connection> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  // Everything that can throw runs in the executor: a bad address or TLS option rejects
  // instead of throwing out of a function that returns a promise.
  return new Promise((resolve, reject) => {
    checkConnectionOptions(options);
    const { host, port } = parseAddress(address);
    const useTls = options.tls !== undefined && options.tls !== false;
    const ready = useTls ? 'secureConnect' : 'connect';
    const socket: net.Socket = useTls
      ? tls.connect({ ...(options.tls === true ? {} : options.tls), host, port })
      : net.connect({ host, port });
    const onError = (e: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(e);
    };
    const onAbort = (): void => onError(signal?.reason as Error);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(ready, () => {
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      resolve(new Connection(socket, options));
    });
  });
}
