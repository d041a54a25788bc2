// Repositories from `.sbs` text and files. They live with the parser: the runtime's Repository
// takes an already validated schema or the Python JSON, so it never loads chevrotain or `node:fs`.
import { Repository, type RepositoryOptions } from 'hat-open-ts/sbs';
import { SbsSchemaError } from 'hat-open-ts/schema';
import { compileSources } from './compile.js';
import { readSources, type SourceText } from './sources.js';

function fromSources(sources: readonly SourceText[], options?: RepositoryOptions): Repository {
  const { modules, schema, diagnostics } = compileSources(sources);
  if (!schema || diagnostics.length > 0) throw new SbsSchemaError(diagnostics);
  return new Repository(schema, { ...options, modules });
}

/** A Repository from `.sbs` source texts; plain strings are labelled `<text 1>`, `<text 2>`... in errors. */
export function repositoryFromText(
  sources: readonly (string | SourceText)[],
  options?: RepositoryOptions,
): Repository {
  return fromSources(
    sources.map((s, i) => (typeof s === 'string' ? { file: `<text ${i + 1}>`, text: s } : s)),
    options,
  );
}

/** A Repository from `.sbs` files and directories (directories are searched recursively). */
export async function repositoryFromFiles(
  paths: readonly string[],
  options?: RepositoryOptions,
): Promise<Repository> {
  return fromSources(await readSources(paths), options);
}
