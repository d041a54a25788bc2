// Text -> AST for one `.sbs` source: lexing, parsing with recovery (to report several syntax
// errors per file) and AST building.
import type { IRecognitionException } from 'chevrotain';
import type { AstModule, Diagnostic } from 'hat-open-ts/schema';
import { buildAst } from './ast-builder.js';
import { describeToken, MAX_SYNTAX_ERRORS, sbsParser } from './parser.js';
import type { SourceText } from './sources.js';
import { LCurly, LParen, RCurly, RParen, sbsLexer } from './tokens.js';

export const MAX_NESTING = 256;

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

export function parseModule(source: SourceText): { module?: AstModule; diagnostics: Diagnostic[] } {
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
  let depth = 0;
  for (const t of lexed.tokens) {
    if (t.tokenType === LParen || t.tokenType === LCurly) depth++;
    else if (t.tokenType === RParen || t.tokenType === RCurly) depth--;
    if (depth > MAX_NESTING) {
      diagnostics.push({
        file,
        line: t.startLine ?? 0,
        column: t.startColumn ?? 0,
        message: `types nested deeper than ${MAX_NESTING} levels`,
      });
      return { diagnostics };
    }
  }
  sbsParser.input = lexed.tokens;
  const cst = sbsParser.module();
  // Recovery can cascade; past the first error on a line, further ones there add nothing.
  const seenLines = new Set<number>();
  // Tokens dropped by the lexer make the parser fail right after them; only parse errors
  // before the first bad character are independent of it.
  const firstLexError = lexed.errors[0]?.offset ?? Infinity;
  // Past the cap the parser stops; the error it reports for stopping is not the schema's.
  const capped = sbsParser.errors.length >= MAX_SYNTAX_ERRORS;
  let last: Diagnostic | undefined;
  for (const e of sbsParser.errors.slice(0, MAX_SYNTAX_ERRORS)) {
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
  if (diagnostics.length > 0) return { diagnostics };
  const built = buildAst(cst, file);
  if (built.diagnostics.length > 0) return { diagnostics: built.diagnostics };
  return { module: built.module, diagnostics: [] };
}
