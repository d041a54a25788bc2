// A validated schema back to the parser's AST, for `Repository.toJson()` when the Repository
// was built from a Schema alone. References come out fully qualified, which hat-sbs accepts.
import type { AstModule, AstType } from './ast.js';
import type { SbsType, Schema } from './model.js';

function astType(t: SbsType): AstType {
  switch (t.kind) {
    case 'None':
    case 'Boolean':
    case 'Integer':
    case 'Float':
    case 'String':
    case 'Bytes':
      return { module: null, name: t.kind, entries: [], args: [] };
    case 'Array':
      return { module: null, name: 'Array', entries: [], args: [astType(t.element)] };
    case 'Optional':
      return { module: null, name: 'Optional', entries: [], args: [astType(t.value)] };
    case 'Record':
    case 'Choice':
      return {
        module: null,
        name: t.kind,
        entries: t.entries.map((e) => ({ name: e.name, type: astType(e.type) })),
        args: [],
      };
    case 'Ref':
      return { module: t.module, name: t.name, entries: [], args: t.args.map(astType) };
    case 'Param':
      return { module: null, name: t.name, entries: [], args: [] };
  }
}

export function schemaToAst(schema: Schema): AstModule[] {
  return schema.modules.map((m) => ({
    name: m.name,
    file: m.file,
    typeDefs: m.types.map((d) => ({ name: d.name, args: d.params, type: astType(d.type) })),
  }));
}
