// The parsed form of `.sbs` files. Shapes follow hat-sbs's Python AST (AstModule,
// AstTypeDef, AstType, AstEntry) so the Python repository JSON maps onto them 1:1;
// positions are ours, for diagnostics, and are absent on ASTs imported from JSON.

export interface SourcePos {
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based, in UTF-16 code units */
  readonly column: number;
}

export interface AstType {
  /** Module qualifier as written (`M.T`), null when unqualified. */
  readonly module: string | null;
  /** Builtin (`Integer`, `Array`, `Record`, `Choice`, `Optional`...), user type or type parameter name. */
  readonly name: string;
  /** Record/Choice entries; empty otherwise. */
  readonly entries: readonly AstEntry[];
  /** Type arguments (`Array(T)`, `M.P(A B)`); empty otherwise. */
  readonly args: readonly AstType[];
  readonly pos?: SourcePos;
}

export interface AstEntry {
  readonly name: string;
  readonly type: AstType;
  readonly pos?: SourcePos;
}

export interface AstTypeDef {
  readonly name: string;
  /** Type parameter names; `T() = ...` has none. */
  readonly args: readonly string[];
  readonly type: AstType;
  readonly pos?: SourcePos;
}

export interface AstModule {
  readonly name: string;
  /** In definition order (duplicates are kept here and reported by the validator). */
  readonly typeDefs: readonly AstTypeDef[];
  /** Path or label of the source; `<json>` for imported modules. */
  readonly file: string;
  readonly pos?: SourcePos;
}
