// Lexical tokens of the `.sbs` schema language.
//
// Only `module` is a keyword token. The builtin type names (None, Integer, Record, ...) are
// lexed as plain identifiers and recognised by the validator from their position, which is
// what fixes the Python parser's prefix quirk by construction: maximal munch makes
// `StringList` one identifier, never `String` + `List`.
import { createToken, Lexer } from './chevrotain.js';
import { NAME } from './sbs-name.js';

export { NAME };

export const Identifier = createToken({
  name: 'Identifier',
  pattern: NAME,
  label: 'a name',
});

// `longer_alt` keeps `modules`/`moduleX` identifiers; the Identifier category lets the
// parser accept `module` wherever a name is expected (a type, entry or module named `module`).
export const ModuleKw = createToken({
  name: 'ModuleKw',
  pattern: /module/,
  longer_alt: Identifier,
  categories: [Identifier],
  label: "'module'",
});

export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });

// `,` is whitespace in SBS (`Record { a: Integer, b: String }`).
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n,]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

// Unlike Python's grammar, a comment may end at end of file without a newline.
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });

export const allTokens = [
  WhiteSpace,
  Comment,
  ModuleKw,
  Identifier,
  Dot,
  LParen,
  RParen,
  LCurly,
  RCurly,
  Colon,
  Equals,
];

export const sbsLexer = new Lexer(allTokens, {
  ensureOptimizations: true,
  // LF, CRLF and lone CR all end a line, for correct line numbers in diagnostics.
  lineTerminatorsPattern: /\n|\r\n?/g,
  lineTerminatorCharacters: ['\n', '\r'],
});
