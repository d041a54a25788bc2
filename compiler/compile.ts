// Sources -> AST modules -> validated Schema, collecting every diagnostic of the run.
import {
  type AstModule,
  type Diagnostic,
  SbsSchemaError,
  type Schema,
  sortDiagnostics,
  validateModules,
} from 'hat-open-ts/schema';
import { parseModuleRecovering } from './parse.js';
import type { SourceText } from './sources.js';

// Best-effort name of a module whose file failed to parse, so references into it are not
// reported as "unknown module" on top of its syntax errors.
const MODULE_HEADER = /^(?:[\s,]|#[^\r\n]*)*module[\s,]+([A-Za-z][A-Za-z0-9_]*)/;

export function compileSources(sources: readonly SourceText[]): {
  modules: AstModule[];
  schema?: Schema;
  diagnostics: Diagnostic[];
} {
  const modules: AstModule[] = [];
  const diagnostics: Diagnostic[] = [];
  const unavailableModules = new Set<string>();
  const unavailableTypes = new Set<string>();
  for (const s of sources) {
    const r = parseModuleRecovering(s);
    for (const d of r.diagnostics) diagnostics.push(d);
    if (r.module) {
      // Possibly partial (syntax errors): its intact definitions still get semantic checks.
      modules.push(r.module);
      for (const t of r.brokenTypes) unavailableTypes.add(`${r.module.name}.${t}`);
      if (r.incomplete) unavailableModules.add(r.module.name);
    } else {
      const name = MODULE_HEADER.exec(s.text)?.[1];
      if (name !== undefined) unavailableModules.add(name);
    }
  }
  const v = validateModules(modules, { unavailableModules, unavailableTypes });
  // Not `push(...)`: a hostile schema can have 100k+ diagnostics, too many arguments.
  for (const d of v.diagnostics) diagnostics.push(d);
  const sorted = sortDiagnostics(
    diagnostics,
    sources.map((s) => s.file),
  );
  return sorted.length === 0 && v.schema
    ? { modules, schema: v.schema, diagnostics: [] }
    : { modules, diagnostics: sorted };
}

/** Compiles schema sources; throws SbsSchemaError with every diagnostic on any error. */
export function compileSchema(sources: readonly SourceText[]): Schema {
  const r = compileSources(sources);
  if (!r.schema) throw new SbsSchemaError(r.diagnostics);
  return r.schema;
}
