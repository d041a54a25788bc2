import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** Every module statically (non-type) imported from `entry`, transitively. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.ts')) return;
    const text = readFileSync(file, 'utf8');
    const re = /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms;
    for (const m of text.matchAll(re)) {
      const spec = m[1] as string;
      if (/^(?:import|export)\s+(?:type\s|\{\s*type\s[^}]*\}\s+from)/.test(m[0])) continue;
      visit(spec.startsWith('.') ? resolve(dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
    }
  };
  visit(entry);
  return seen;
}

describe('runtime/sbs imports', () => {
  it('does not load the parser or the file system eagerly (generated code imports this entry)', () => {
    const mods = [...staticImports(join(ROOT, 'runtime/sbs/index.ts'))];
    // The check itself sees the parser where it is imported.
    // (chevrotain itself is loaded by compiler/chevrotain.ts, from its one-file bundle)
    const compiler = [...staticImports(join(ROOT, 'compiler/index.ts'))];
    expect(compiler.some((m) => m.endsWith('compiler/chevrotain.ts'))).toBe(true);
    expect(mods.some((m) => m.endsWith('runtime/sbs/repository.ts'))).toBe(true);
    expect(
      mods.filter(
        (m) =>
          m === 'chevrotain' ||
          m.startsWith('node:') ||
          /compiler\/(chevrotain|parse|parser|tokens|compile|sources)\.ts$/.test(m),
      ),
    ).toEqual([]);
  });
});
