// Run by held-registrations.test.ts in its own process: holds the database's write lock (an
// open write transaction) from printing LOCKED until a line arrives on stdin (or stdin closes),
// so that the test's commits stay in flight for as long as it needs, whatever the machine's
// speed.
import { readSync } from 'node:fs';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';

const b = await LmdbBackend.open({
  path: process.argv[2] as string,
  config: parseConfig(JSON.parse(process.argv[3] as string)),
});
const env = (b as unknown as { env: { transactionSync(f: () => void): void } }).env;
env.transactionSync(() => {
  process.stdout.write('LOCKED\n');
  const buf = Buffer.alloc(1);
  for (;;)
    try {
      readSync(0, buf, 0, 1, null); // blocks until a byte or the end of stdin
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
});
await b.close();
