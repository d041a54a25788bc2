// chevrotain's package entry (lib/src/api.js) imports lodash-es as hundreds of modules, which
// cost about 0.3 s of CPU on every sbs-gen run, more than compiling and printing a schema.
// The same release ships one ESM bundle of itself, lib/chevrotain.mjs (in its `files`, not its
// `exports` map), which loads in a fraction of that; it is loaded by path next to the entry,
// and the entry is the fallback should a release stop shipping it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  try {
    // resolves to <package>/lib/src/api.js
    const entry = createRequire(import.meta.url).resolve('chevrotain');
    return (await import(
      pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href
    )) as Chevrotain;
  } catch {
    return import('chevrotain');
  }
}

const chevrotain = await load();

export const { createToken, CstParser, EOF, Lexer } = chevrotain;
