// Run by unhandled.test.ts: a command whose main leaves a rejected promise nobody handles, as
// lmdb-js does after a failed commit, and keeps running like a server.
import { runMain } from '../../runtime/cli/args.js';

runMain('demo', () => {
  void Promise.reject(new Error('MDB_DISK_FULL:\nno space left'));
  setTimeout(() => undefined, 10_000);
  return Promise.resolve();
});
