// Every conformance vector holds both ways through the GENERATED codecs, in both integer
// modes. The codecs are the committed golden output (test/golden/, kept current by
// test/compiler/golden.test.ts) of the hat and test schemas.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSchema, readSources } from '../../compiler/index.js';
import { checkVector, formatFailure, generatedTarget } from '../../scripts/conformance/check.js';
import { readVectors, VectorConverter } from '../../scripts/conformance/vectors.js';
import * as numberMode from '../golden/number/index.js';
import * as bigintMode from '../golden/bigint/index.js';
import { CONFORMANCE } from '../support/conformance.js';

const MODES = { number: numberMode, bigint: bigintMode } as const;

describe('conformance vectors through generated codecs', async () => {
  const schema = compileSchema(
    await readSources([join(CONFORMANCE, 'schemas/hat'), join(CONFORMANCE, 'schemas/test')]),
  );
  const converter = new VectorConverter(schema);
  const files = readdirSync(join(CONFORMANCE, 'vectors')).filter((f) => f.endsWith('.json'));

  describe.each(['number', 'bigint'] as const)('%s integers', (int) => {
    it.each(files)('%s', async (file) => {
      const vectors = await readVectors(join(CONFORMANCE, 'vectors', file));
      expect(vectors.length).toBeGreaterThan(0);
      const failures = vectors.flatMap((v) =>
        checkVector(generatedTarget(int, MODES[int]), converter, v),
      );
      expect(failures.map(formatFailure)).toEqual([]);
    });
  });
});
