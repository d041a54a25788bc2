import { ConnectionClosedError } from '../chatter/index.js';

/**
 * Races callback promises against a connection's close: a callback that never settles must
 * not keep a receive loop (and so `close()`) waiting. Unlike `Promise.race` with the
 * `closed` promise, it leaves no reaction behind per call on a long-lived connection.
 */
export class CloseWatch {
  private readonly pending = new Set<(e: unknown) => void>();
  private isClosed = false;

  constructor(closed: Promise<void>) {
    void closed.then(() => {
      this.isClosed = true;
      const error = new ConnectionClosedError();
      for (const reject of this.pending) reject(error);
      this.pending.clear();
    });
  }

  /** `p`'s outcome, or `ConnectionClosedError` once the connection closed first. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.isClosed) {
      p.catch(() => {});
      return Promise.reject(new ConnectionClosedError());
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      p.then(
        (v) => {
          this.pending.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          this.pending.delete(reject);
          reject(e);
        },
      );
    });
  }
}
