// CST -> AST (hat-open-ts/schema's ast.ts), with source positions for diagnostics.
import type { CstNode, IToken } from 'chevrotain';
import type { AstEntry, AstType, AstTypeDef, Diagnostic, SourcePos } from 'hat-open-ts/schema';
import { sbsParser } from './parser.js';

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

// The visitor runs only on definitions without syntax errors, so the required tokens are
// present; `at` still fails loudly rather than inventing names if that invariant is broken.
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

  // parse.ts walks the rules above a definition itself, to leave out broken definitions.
  module(): never {
    throw new Error('internal: build definitions one by one');
  }

  definitions(): never {
    throw new Error('internal: build definitions one by one');
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

/** One definition's CST -> AST; the CST must hold no syntax error (see parse.ts). */
export function buildTypeDef(
  cst: CstNode,
  file: string,
): { typeDef: AstTypeDef; diagnostics: Diagnostic[] } {
  builder.file = file;
  builder.diagnostics = [];
  const typeDef = builder.visit(cst) as AstTypeDef;
  return { typeDef, diagnostics: builder.diagnostics };
}
