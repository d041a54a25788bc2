// Text -> AST for one `.sbs` source: lexing, parsing with recovery (to report several syntax
// errors per file) and AST building. Definitions a syntax error did not touch are kept, so the
// validator can report their semantic errors in the same run (as buf does).
import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
import type { AstModule, AstTypeDef, Diagnostic } from 'hat-open-ts/schema';
import { buildTypeDef } from './ast-builder.js';
import { describeToken, MAX_SYNTAX_ERRORS, sbsParser } from './parser.js';
import type { SourceText } from './sources.js';
import {
  Equals,
  Identifier,
  LCurly,
  LParen,
  ModuleKw,
  RCurly,
  RParen,
  sbsLexer,
} from './tokens.js';

export const MAX_NESTING = 256;

/** A module as far as it could be read. */
export interface ParsedModule {
  /**
   * Complete when `diagnostics` is empty. Otherwise only the definitions no syntax error
   * touched, for semantic checks; absent when the module's name is unknown.
   */
  readonly module?: AstModule;
  readonly diagnostics: Diagnostic[];
  /** Names of definitions left out for syntax errors in them. */
  readonly brokenTypes: readonly string[];
  /** Whether parts of the file were skipped whole (so any name may be defined there). */
  readonly incomplete: boolean;
}

function syntaxDiagnostic(file: string, e: IRecognitionException, text: string): Diagnostic {
  const t = e.token;
  let line = t.startLine;
  let column = t.startColumn;
  if (line === undefined || column === undefined || Number.isNaN(line) || Number.isNaN(column)) {
    // EOF has no position: point just past the last character.
    const lines = text.split(/\r\n|\r|\n/);
    line = lines.length;
    column = (lines[lines.length - 1] ?? '').length + 1;
  }
  const found =
    e.name === 'NotAllInputParsedException'
      ? `, found ${describeToken(t)}`
      : ` but found ${describeToken(t)}`;
  return { file, line, column, message: `${e.message}${found}` };
}

function tokenDiagnostic(file: string, t: IToken, message: string): Diagnostic {
  return { file, line: t.startLine ?? 0, column: t.startColumn ?? 0, message };
}

/** The parse of a file, as the strict entry point: a module only when there is no error. */
export function parseModule(source: SourceText): { module?: AstModule; diagnostics: Diagnostic[] } {
  const r = parseModuleRecovering(source);
  return r.diagnostics.length === 0 && r.module
    ? { module: r.module, diagnostics: [] }
    : { diagnostics: r.diagnostics };
}

/**
 * The `module Name` line, checked here rather than by the parser: when it is broken
 * (`modul M`, `module` without a name) recovery inside the grammar took the following
 * definitions for the module name and reported every line after it.
 */
function readHeader(
  tokens: readonly IToken[],
  file: string,
): { name?: IToken; body: IToken[]; diagnostic?: Diagnostic } | undefined {
  const [first, second, third] = tokens;
  if (!first) return undefined; // the parser reports the empty file
  const startsDefinition = (t: IToken | undefined): boolean =>
    t?.tokenType === Equals || t?.tokenType === LParen;
  if (first.tokenType === ModuleKw) {
    // `module` followed directly by a definition: the name is missing.
    if (second?.tokenType === Identifier && startsDefinition(third))
      return {
        body: tokens.slice(1),
        diagnostic: tokenDiagnostic(file, first, "expected module name after 'module'"),
      };
    return undefined;
  }
  const diagnostic = tokenDiagnostic(
    file,
    first,
    `expected 'module' directive at start of schema but found ${describeToken(first)}`,
  );
  // No header at all: the file starts with a definition.
  if (startsDefinition(second)) return { body: [...tokens], diagnostic };
  // A misspelt header (`modul M`, `Module M`): skip its line; its last name is the module's.
  const line = tokens.filter((t) => t.startLine === first.startLine);
  const last = line[line.length - 1];
  return {
    ...(line.length === 2 && last?.tokenType === Identifier ? { name: last } : {}),
    body: tokens.slice(line.length),
    diagnostic,
  };
}

function nestingDiagnostic(tokens: readonly IToken[], file: string): Diagnostic | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === LParen || t.tokenType === LCurly) depth++;
    else if (t.tokenType === RParen || t.tokenType === RCurly) depth--;
    if (depth > MAX_NESTING)
      return tokenDiagnostic(file, t, `types nested deeper than ${MAX_NESTING} levels`);
  }
  return undefined;
}

/** Whether recovery built any part of this CST node (an inserted token or a re-synced rule). */
function recovered(node: CstNode): boolean {
  if (node.recoveredNode) return true;
  for (const children of Object.values(node.children))
    for (const c of children)
      if ('children' in c ? recovered(c) : c.isInsertedInRecovery === true) return true;
  return false;
}

/** Offset of the node's first real token (tokens inserted by recovery have none). */
function firstOffset(node: CstNode): number {
  let min = Infinity;
  for (const children of Object.values(node.children))
    for (const c of children) {
      const offset = 'children' in c ? firstOffset(c) : c.startOffset;
      if (offset < min) min = offset;
    }
  return min;
}

/** Parses with recovery; see ParsedModule. */
export function parseModuleRecovering(source: SourceText): ParsedModule {
  const { file, text } = source;
  const lexed = sbsLexer.tokenize(text);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) => ({
    file,
    line: e.line ?? 0,
    column: e.column ?? 0,
    message: `unexpected character ${JSON.stringify(text.slice(e.offset, e.offset + e.length))}`,
  }));
  // The parser, builder and validator recurse per nesting level; bound it like the JSON import
  // does so a hostile file gets a diagnostic instead of a stack overflow.
  const tooDeep = nestingDiagnostic(lexed.tokens, file);
  if (tooDeep) return { diagnostics: [...diagnostics, tooDeep], brokenTypes: [], incomplete: true };

  const header = readHeader(lexed.tokens, file);
  if (header?.diagnostic) diagnostics.push(header.diagnostic);
  sbsParser.input = header ? header.body : lexed.tokens;
  const cst = header ? sbsParser.definitions() : sbsParser.module();
  const nameToken = header ? header.name : (cst.children['Identifier']?.[0] as IToken | undefined);

  // Recovery can cascade; past the first error on a line, further ones there add nothing.
  const seenLines = new Set<number>(diagnostics.map((d) => d.line));
  // Tokens dropped by the lexer make the parser fail right after them; only parse errors
  // before the first bad character are independent of it.
  const firstLexError = lexed.errors[0]?.offset ?? Infinity;
  // Past the cap the parser stops; the error it reports for stopping is not the schema's.
  const capped = sbsParser.errors.length >= MAX_SYNTAX_ERRORS;
  const errors = sbsParser.errors.slice(0, MAX_SYNTAX_ERRORS);
  let last: Diagnostic | undefined;
  for (const e of errors) {
    if (lexed.errors.length > 0 && !(e.token.startOffset < firstLexError)) continue;
    const d = syntaxDiagnostic(file, e, text);
    last = d;
    if (seenLines.has(d.line)) continue;
    seenLines.add(d.line);
    diagnostics.push(d);
  }
  if (capped && last)
    diagnostics.push({
      ...last,
      message: `too many syntax errors; the rest of the file was not checked`,
    });

  const defs = (cst.children['typeDef'] ?? []) as CstNode[];
  const errorOffsets = [
    ...lexed.errors.map((e) => e.offset),
    ...errors.map((e) => (Number.isNaN(e.token.startOffset) ? Infinity : e.token.startOffset)),
  ];
  const broken = brokenDefinitions(defs, errorOffsets);
  let incomplete =
    capped ||
    errors.some((e) => e.name === 'NotAllInputParsedException' || e.resyncedTokens.length > 0);
  const typeDefs: AstTypeDef[] = [];
  const brokenTypes: string[] = [];
  defs.forEach((node, i) => {
    const name = (node.children['Identifier']?.[0] as IToken | undefined)?.image;
    if (broken.has(i)) {
      if (name === undefined) incomplete = true;
      else brokenTypes.push(name);
      return;
    }
    const built = buildTypeDef(node, file);
    for (const d of built.diagnostics) diagnostics.push(d);
    typeDefs.push(built.typeDef);
  });
  return {
    ...(nameToken
      ? {
          module: {
            name: nameToken.image,
            typeDefs,
            file,
            pos: { file, line: nameToken.startLine ?? 0, column: nameToken.startColumn ?? 0 },
          },
        }
      : {}),
    diagnostics,
    brokenTypes,
    incomplete: incomplete || !nameToken,
  };
}

/**
 * Indexes of the definitions a syntax error touched: a recovered CST, or an error (or bad
 * character) from the definition's start to the next one's. An error at a definition's very
 * first token belongs to the one before it, which was still open (`A = Record { x: Integer`
 * then `B = ...`).
 */
function brokenDefinitions(defs: readonly CstNode[], errorOffsets: readonly number[]): Set<number> {
  const starts = defs.map(firstOffset);
  const broken = new Set<number>();
  defs.forEach((d, i) => {
    if (recovered(d)) broken.add(i);
  });
  for (const offset of errorOffsets) {
    // Binary search (there can be as many bad characters as definitions) for the last
    // definition starting before the error.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) broken.add(lo - 1);
  }
  return broken;
}
