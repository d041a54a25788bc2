// Run by lmdb-atomic.test.ts in its own process: registers one event, then makes LMDB refuse
// the writes to the second partition (an unknown table handle, failing in lmdb's write thread
// after the other writes of the transaction were applied) and registers two more, then
// closes. Prints one JSON line: the first event, and how the second registration ended.
// Its own process because lmdb-js 3.5 leaves one internal promise of a failed commit (its
// batch-start instruction's) without a handler, which a test runner reports as an error.
import { jsonPayload } from '../../../runtime/eventer/event.js';
import { LmdbBackend, parseConfig } from '../../../runtime/eventer/lmdb/index.js';

const path = process.argv[2] as string;
const stray: string[] = [];
process.on('unhandledRejection', (e) => stray.push((e as Error).message));

const b = await LmdbBackend.open({
  path,
  config: parseConfig({
    timeseries: [
      { order_by: 'TIMESTAMP', subscriptions: [['*']] },
      { order_by: 'SOURCE_TIMESTAMP', subscriptions: [['*']] },
    ],
  }),
});
const [first] = await b.register([
  { type: ['t', '1'], sourceTimestamp: { s: 1, us: 0 }, payload: jsonPayload(1) },
]);
const handle = (b as unknown as { partitions: { db: { db: { dbi: number } } }[] }).partitions[1]?.db
  .db as { dbi: number };
const dbi = handle.dbi;
handle.dbi = 250;
let failure: string | null = null;
try {
  await b.register([
    { type: ['t', '1'], sourceTimestamp: { s: 2, us: 0 }, payload: jsonPayload(2) },
    { type: ['t', '2'], sourceTimestamp: { s: 3, us: 0 }, payload: jsonPayload(3) },
  ]);
} catch (e) {
  failure = (e as Error).message;
}
handle.dbi = dbi;
await new Promise((resolve) => setTimeout(resolve, 100));
// Closes although the last commit failed.
await b.close();
process.stdout.write(JSON.stringify({ first, failure, stray }) + '\n');
