import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repository, SbsDecodeError } from '../../runtime/sbs/index.js';
import { sameValue } from '../../scripts/conformance/vectors.js';
import { SbsArbitraries, concreteTypes } from '../support/arbitrary.js';
import { CONFORMANCE } from '../support/conformance.js';
import { repositoryFromFiles } from '../../compiler/index.js';

const SCHEMAS = join(CONFORMANCE, 'schemas/test');
const RUNS = 100;

let repo: Repository;
let types: string[];

beforeAll(async () => {
  repo = await repositoryFromFiles([SCHEMAS]);
  types = concreteTypes(repo.schema, ['Interop', 'InteropExt']);
});

/** Decoding must either succeed or throw SbsDecodeError; anything else fails the property. */
function decodesOrRejects(r: Repository, type: string, input: Uint8Array): void {
  try {
    r.decode(type, input);
  } catch (e) {
    if (!(e instanceof SbsDecodeError)) throw e;
  }
}

describe.each(['number', 'bigint'] as const)('Repository (%s integers)', (int) => {
  it('covers every concrete type of Interop and InteropExt', () => {
    expect(types.length).toBe(33);
    expect(types).toContain('InteropExt.Json');
  });

  it('round-trips random values of every type', () => {
    const r = repo.withIntegers(int);
    const arbs = new SbsArbitraries(r.schema, { int });
    for (const type of types) {
      fc.assert(
        fc.property(arbs.of(type), (value) => {
          const encoded = r.encode(type, value);
          const decoded = r.decode(type, encoded);
          if (!sameValue(decoded, value)) return false;
          // Encoding is deterministic: the decoded value gives the same bytes.
          return Buffer.compare(r.encode(type, decoded), encoded) === 0;
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('rejects random bytes only with SbsDecodeError', () => {
    const r = repo.withIntegers(int);
    for (const type of types) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 48 }), (input) => decodesOrRejects(r, type, input)),
        { numRuns: RUNS },
      );
    }
  });

  it('rejects mutated valid encodings only with SbsDecodeError', () => {
    const r = repo.withIntegers(int);
    const arbs = new SbsArbitraries(r.schema, { int });
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    );
    for (const type of types) {
      fc.assert(
        fc.property(
          arbs.of(type),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          (value, mutations) => {
            let b = Array.from(r.encode(type, value));
            for (const m of mutations) {
              const at = b.length === 0 ? 0 : m.at % b.length;
              if (m.kind === 'set' && b.length > 0) b[at] = m.byte;
              else if (m.kind === 'truncate') b = b.slice(0, at);
              else if (m.kind === 'insert') b.splice(at, 0, m.byte);
              else if (m.kind === 'delete') b.splice(at, 1);
            }
            decodesOrRejects(r, type, Uint8Array.from(b));
          },
        ),
        { numRuns: RUNS },
      );
    }
  });
});
