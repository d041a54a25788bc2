// CST -> AST (compiler/ast.ts), with source positions for diagnostics.
import type { CstNode, IToken } from 'chevrotain';
import type {
  AstEntry,
  AstModule,
  AstType,
  AstTypeDef,
  Diagnostic,
  SourcePos,
} from 'hat-open-ts/schema';
import { sbsParser } from './parser.js';

interface ModuleCtx {
  Identifier?: IToken[];
  typeDef?: CstNode[];
}
interface TypeDefCtx {
  Identifier?: IToken[];
  params?: CstNode[];
  type?: CstNode[];
}
interface ParamsCtx {
  Identifier?: IToken[];
}
interface TypeCtx {
  Identifier?: IToken[];
  Dot?: IToken[];
  args?: CstNode[];
  entries?: CstNode[];
}
interface ArgsCtx {
  type?: CstNode[];
}
interface EntriesCtx {
  entry?: CstNode[];
}
interface EntryCtx {
  Identifier?: IToken[];
  type?: CstNode[];
}

const BaseVisitor = sbsParser.getBaseCstVisitorConstructor<void, unknown>();

// The visitor runs only on CSTs without syntax errors, so the required tokens are present;
// `at` still fails loudly rather than inventing names if that invariant is ever broken.
function at<T>(xs: readonly T[] | undefined, i: number): T {
  const x = xs?.[i];
  if (x === undefined) throw new Error('internal: incomplete CST');
  return x;
}

class AstBuilder extends BaseVisitor {
  file = '';
  diagnostics: Diagnostic[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  private pos(t: IToken): SourcePos {
    return { file: this.file, line: t.startLine ?? 0, column: t.startColumn ?? 0 };
  }

  module(ctx: ModuleCtx): AstModule {
    const name = at(ctx.Identifier, 0);
    return {
      name: name.image,
      typeDefs: (ctx.typeDef ?? []).map((n) => this.visit(n) as AstTypeDef),
      file: this.file,
      pos: this.pos(name),
    };
  }

  typeDef(ctx: TypeDefCtx): AstTypeDef {
    const name = at(ctx.Identifier, 0);
    const params = ctx.params ? (this.visit(ctx.params) as string[]) : [];
    return {
      name: name.image,
      args: params,
      type: this.visit(at(ctx.type, 0)) as AstType,
      pos: this.pos(name),
    };
  }

  params(ctx: ParamsCtx): string[] {
    return (ctx.Identifier ?? []).map((t) => t.image);
  }

  type(ctx: TypeCtx): AstType {
    const first = at(ctx.Identifier, 0);
    let module: string | null = null;
    let name = first.image;
    const dot = ctx.Dot?.[0];
    if (dot) {
      const second = at(ctx.Identifier, 1);
      // The grammar skips whitespace everywhere, but `M . T` is not a qualified name in SBS.
      if (
        dot.startOffset !== (first.endOffset ?? 0) + 1 ||
        second.startOffset !== (dot.endOffset ?? 0) + 1
      ) {
        this.diagnostics.push({
          ...this.pos(dot),
          message: `no whitespace allowed around '.' in '${first.image}.${second.image}'`,
        });
      }
      module = first.image;
      name = second.image;
    }
    return {
      module,
      name,
      entries: ctx.entries ? (this.visit(ctx.entries) as AstEntry[]) : [],
      args: ctx.args ? (this.visit(ctx.args) as AstType[]) : [],
      pos: this.pos(first),
    };
  }

  args(ctx: ArgsCtx): AstType[] {
    return (ctx.type ?? []).map((n) => this.visit(n) as AstType);
  }

  entries(ctx: EntriesCtx): AstEntry[] {
    return (ctx.entry ?? []).map((n) => this.visit(n) as AstEntry);
  }

  entry(ctx: EntryCtx): AstEntry {
    const name = at(ctx.Identifier, 0);
    return { name: name.image, type: this.visit(at(ctx.type, 0)) as AstType, pos: this.pos(name) };
  }
}

const builder = new AstBuilder();

export function buildAst(
  cst: CstNode,
  file: string,
): { module: AstModule; diagnostics: Diagnostic[] } {
  builder.file = file;
  builder.diagnostics = [];
  const module = builder.visit(cst) as AstModule;
  return { module, diagnostics: builder.diagnostics };
}
