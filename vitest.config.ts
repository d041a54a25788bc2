import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: {
    // The packages' own names resolve to their sources (as tsconfig.json's `paths` do for tsc
    // and tsx), so generated code and tests load one copy of the runtime: through `exports` a
    // second copy would load from dist and `instanceof SbsEncodeError` would fail for errors
    // thrown by generated codecs.
    alias: [
      { find: /^hat-open-ts\/schema$/, replacement: `${root}runtime/sbs/schema/index.ts` },
      { find: /^hat-open-ts\/eventer\/lmdb$/, replacement: `${root}runtime/eventer/lmdb/index.ts` },
      {
        find: /^hat-open-ts\/eventer\/hat-db$/,
        replacement: `${root}runtime/eventer/lmdb/hat/index.ts`,
      },
      {
        find: /^hat-open-ts\/(sbs|chatter|juggler|eventer)$/,
        replacement: `${root}runtime/$1/index.ts`,
      },
      { find: /^hat-open-ts-gen$/, replacement: `${root}compiler/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
