// The SBS schema model shared by the Repository and sbs-gen: AST, resolved model, validation,
// the Python repository JSON and the facts both codec paths need. No parser here: turning `.sbs`
// text into an AST is the generator package's job (`hat-open-ts-gen`), so the runtime carries no
// chevrotain and nothing that reads files.
export type { AstEntry, AstModule, AstType, AstTypeDef, SourcePos } from './ast.js';
export type { Schema, SbsEntry, SbsModule, SbsType, SbsTypeDef } from './model.js';
export {
  type Diagnostic,
  diagnosticAt,
  formatDiagnostic,
  SbsSchemaError,
  sortDiagnostics,
} from './diagnostics.js';
export { validate, validateModules, type ValidateOptions } from './validator.js';
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
  childTypes,
  findTypeDef,
  forEachNode,
  forEachRef,
  instantiate,
  isNullable,
  recursiveTypeDefs,
  referenceComponents,
  resolveType,
  typeToString,
} from './schema-utils.js';
export { optionalEntries, type RefType, SchemaIndex, typeKey } from './schema-index.js';
export { schemaToAst } from './schema-ast.js';
export { isInheritedName } from '../writer.js';
export type {
  ArrayNode,
  ChoiceEntry,
  ChoiceNode,
  NullableNode,
  PlanNode,
  PrimKind,
  PrimNode,
  RecordField,
  RecordNode,
  RefNode,
} from '../plan.js';
export { CodecPlan, isIntegerArray } from '../plan.js';
