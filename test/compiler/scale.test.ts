// Issue 11 item 12: a valid 20,000-type schema (about 1 MB of .sbs) died with a V8
// out-of-memory abort when code was formatted by ts-morph and prettier (~340 KB per type). It
// is now printed a declaration at a time; generation holds about the output's size.
import { describe, expect, it } from 'vitest';
import { generateFiles } from '../../compiler/generate.js';
import { compileSchema } from '../../compiler/index.js';

/** `n` definitions in the shapes real schemas use, each referring to the one before. */
function schemaOf(n: number): string {
  const lines = ['module Big', 'Pair(a, b) = Record { first: a second: b }'];
  for (let i = 1; i < n; i++) {
    const prev = `T${Math.max(1, i - 1)}`;
    const body = [
      `Record { id: Integer name: String flag: Boolean data: Bytes }`,
      `Record { parent: Optional(${prev}) children: Array(${prev}) }`,
      `Choice { none: None value: ${prev} list: Array(String) }`,
      `Pair(Integer, ${prev})`,
      `Array(Optional(${prev}))`,
    ][i % 5];
    lines.push(`T${i} = ${body}`);
  }
  return lines.join('\n') + '\n';
}

describe('a large schema', () => {
  it('generates 20,000 types', { timeout: 180_000 }, async () => {
    const n = 20_000;
    const schema = compileSchema([{ file: 'big.sbs', text: schemaOf(n) }]);
    const before = process.memoryUsage().heapUsed;
    const [file] = await generateFiles(schema);
    const content = file?.content ?? '';
    expect(content).toContain(`export const T${n - 1}: $Codec<T${n - 1}> =`);
    expect(content).toContain(`function $r_T${n - 1}(r: $Reader): T${n - 1} {`);
    // What generation kept is of the order of its output (UTF-16: 2 bytes a character), not
    // the ~7 GB the formatter needed; generous, as the collector runs when it likes.
    const kept = process.memoryUsage().heapUsed - before;
    expect(kept).toBeLessThan(20 * content.length);
  });
});
