// Public API of the generator package: the `.sbs` front end, loaders and code generation.
// The schema model (AST, resolved model, validation, Python JSON) is the runtime's
// (`hat-open-ts/schema`); it is re-exported here so tools need only one import.
export {
  type AstEntry,
  type AstModule,
  type AstType,
  type AstTypeDef,
  type Diagnostic,
  findTypeDef,
  formatDiagnostic,
  fromPythonJson,
  instantiate,
  isNullable,
  JSON_FILE,
  type PythonAstEntry,
  type PythonAstModule,
  type PythonAstType,
  type PythonAstTypeDef,
  type PythonRepositoryJson,
  recursiveTypeDefs,
  resolveType,
  type SbsEntry,
  type SbsModule,
  SbsSchemaError,
  type SbsType,
  type SbsTypeDef,
  type Schema,
  type SourcePos,
  toPythonJson,
  typeToString,
  validate,
} from 'hat-open-ts/schema';
export { type SourceText, readSources } from './sources.js';
export { parseModule } from './parse.js';
export { compileSchema, compileSources } from './compile.js';
export { repositoryFromFiles, repositoryFromText } from './load.js';
export {
  compareSchemas,
  type ChangeKind,
  type ChangeSeverity,
  type SchemaChange,
  type SchemaVersion,
} from './breaking.js';
