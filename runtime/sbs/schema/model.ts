// The validated, resolved schema: what code generation and the dynamic Repository
// consume. Every name is resolved; every reference is fully qualified.

export type SbsType =
  | { readonly kind: 'None' }
  | { readonly kind: 'Boolean' }
  | { readonly kind: 'Integer' }
  | { readonly kind: 'Float' }
  | { readonly kind: 'String' }
  | { readonly kind: 'Bytes' }
  | { readonly kind: 'Array'; readonly element: SbsType }
  | { readonly kind: 'Record'; readonly entries: readonly SbsEntry[] }
  | { readonly kind: 'Choice'; readonly entries: readonly SbsEntry[] }
  | {
      readonly kind: 'Optional';
      readonly value: SbsType;
      /**
       * 'nullable': the JS value is `T | null` (the value type can never be null itself).
       * 'choice': the JS value is `{type: 'none'} | {type: 'value', value: T}`, used when T may
       * itself be null (None, a nullable Optional, a type parameter), so nothing is lost.
       * Decided once at the definition site, so generated code and Repository agree.
       */
      readonly form: 'nullable' | 'choice';
    }
  /** A named user type, possibly a generic applied to arguments. */
  | {
      readonly kind: 'Ref';
      readonly module: string;
      readonly name: string;
      readonly args: readonly SbsType[];
    }
  /** A type parameter inside a generic definition's body. */
  | { readonly kind: 'Param'; readonly name: string };

export interface SbsEntry {
  readonly name: string;
  readonly type: SbsType;
}

export interface SbsTypeDef {
  readonly module: string;
  readonly name: string;
  /** Type parameter names; non-empty for generic definitions. */
  readonly params: readonly string[];
  /** Body; inside it `Param` refers to `params`, and `Ref`s resolve in `module`. */
  readonly type: SbsType;
}

export interface SbsModule {
  readonly name: string;
  readonly file: string;
  /** In definition order. */
  readonly types: readonly SbsTypeDef[];
}

export interface Schema {
  /** In input order; names are unique. */
  readonly modules: readonly SbsModule[];
}
