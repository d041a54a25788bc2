import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const runtime = fileURLToPath(new URL('./runtime/', import.meta.url));

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // The package's own subpaths (imported by generated code) must be the very modules tests
    // import by relative path; resolved through `exports` they load as a second copy, so
    // `instanceof SbsEncodeError` fails for errors thrown by generated codecs.
    alias: [
      {
        find: /^hat-open-ts\/(sbs|chatter|juggler|eventer)$/,
        replacement: `${runtime}$1/index.ts`,
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
