// ARCHITECTURE.md stays true to the tree: every folder it names exists, and every source folder
// of the two packages is described there (so a new folder comes with its paragraph).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
/** Every `path/` in backticks: the folders the document names. */
const named = [...new Set([...text.matchAll(/`([\w.-]+(?:\/[\w.-]+)*)\/`/g)].map((m) => m[1]!))];

function sourceFolders(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !['dist', 'node_modules', 'bin'].includes(e.name))
    .flatMap((e) => {
      const path = `${dir}/${e.name}`;
      return [path, ...sourceFolders(path)];
    });
}

describe('ARCHITECTURE.md', () => {
  it('names folders', () => {
    expect(named.length).toBeGreaterThan(10);
  });

  it.each(named)('`%s/` exists', (folder) => {
    const path = join(ROOT, folder);
    expect(existsSync(path) && statSync(path).isDirectory()).toBe(true);
  });

  it.each([...sourceFolders('runtime'), ...sourceFolders('compiler')])(
    '`%s/` is described',
    (folder) => {
      expect(named).toContain(folder);
    },
  );
});

describe('the runtime package stands alone', () => {
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) return ['dist', 'node_modules'].includes(e.name) ? [] : files(path);
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
    });

  it.each(files('runtime'))('%s imports nothing outside runtime/', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const target = join(ROOT, file, '..', m[1]!);
      expect(target.startsWith(join(ROOT, 'runtime') + '/'), `${file}: ${m[1]}`).toBe(true);
    }
  });
});
