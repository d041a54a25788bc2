// Public API of the sbs-gen front end.
export type { AstEntry, AstModule, AstType, AstTypeDef, SourcePos } from './ast.js';
export type { Schema, SbsEntry, SbsModule, SbsType, SbsTypeDef } from './model.js';
export { type Diagnostic, formatDiagnostic, SbsSchemaError } from './diagnostics.js';
export { type SourceText, readSources } from './sources.js';
export { parseModule } from './parse.js';
export { validate } from './validator.js';
export { compileSchema, compileSources } from './compile.js';
export {
  fromPythonJson,
  JSON_FILE,
  type PythonAstEntry,
  type PythonAstModule,
  type PythonAstType,
  type PythonAstTypeDef,
  type PythonRepositoryJson,
  toPythonJson,
} from './python-json.js';
export {
  findTypeDef,
  instantiate,
  isNullable,
  recursiveTypeDefs,
  resolveType,
  typeToString,
} from './schema-utils.js';
