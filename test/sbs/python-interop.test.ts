// Random values of every test-schema type, encoded by our generated codecs, decoded and
// re-encoded by the Python reference (hat-sbs PySerializer): the bytes must come back
// unchanged. Extends the fixed conformance vectors to arbitrary values (huge integers,
// astral strings, nested optionals, recursion). Runs when HAT_PYTHON_PATH makes `hat.sbs`
// importable (see README, Development); skipped otherwise.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSchema, readSources } from '../../compiler/index.js';
import type { Codec } from '../../runtime/sbs/index.js';
import { pythonAvailable, spawnPython, type PythonPeer } from '../python-peer.js';
import { SbsArbitraries, concreteTypes } from '../support/arbitrary.js';
import * as bigintMode from '../golden/bigint/index.js';
import { CONFORMANCE } from '../support/conformance.js';

const DIRS = [join(CONFORMANCE, 'schemas/hat'), join(CONFORMANCE, 'schemas/test')];

describe.skipIf(!pythonAvailable('hat.sbs'))('SBS against hat-sbs (Python)', () => {
  let py: PythonPeer | undefined;
  afterAll(() => py?.kill());

  it('re-encodes our encoding of random values of every type byte for byte', async () => {
    py = spawnPython('sbs_reencode.py', DIRS, 120_000);
    expect(await py.line(20_000)).toBe('READY');
    const schema = compileSchema(await readSources(DIRS));
    const arbs = new SbsArbitraries(schema, { int: 'bigint' });
    const modules = bigintMode as unknown as Record<string, Record<string, Codec<unknown>>>;
    let checked = 0;
    for (const name of concreteTypes(schema)) {
      const [module = '', type = ''] = name.split('.');
      const codec = modules[module]?.[type];
      if (!codec) throw new Error(`no generated codec ${name}`);
      for (const value of fc.sample(arbs.of(name), { numRuns: 25, seed: 42 })) {
        const hex = Buffer.from(codec.encode(value)).toString('hex');
        py.child.stdin?.write(`${name} ${hex}\n`);
        expect(await py.line(), `${name} ${hex}`).toBe(`ok ${hex}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
