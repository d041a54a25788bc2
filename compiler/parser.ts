// The `.sbs` grammar as one singleton chevrotain CstParser (reset per parse, as chevrotain's
// performance guide recommends).
//
// The grammar is deliberately uniform: every type is `Name ('.' Name)? ('(' Type* ')')?
// ('{' Entry* '}')?`. Whether a name is a builtin, whether it may take arguments or entries and
// whether a Record/Choice is empty are decided by the validator, which can then say exactly
// what is wrong ("'Array' takes exactly 1 type argument") instead of a generic syntax error.
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { CstParser, EOF } from './chevrotain.js';
import {
  allTokens,
  Colon,
  Dot,
  Equals,
  Identifier,
  LCurly,
  LParen,
  ModuleKw,
  RCurly,
  RParen,
} from './tokens.js';

export function describeToken(token: IToken): string {
  return token.tokenType === EOF ? 'end of file' : `'${token.image}'`;
}

function labelOf(t: TokenType): string {
  return t.LABEL ?? t.name;
}

// Used only where a CONSUME has no ERR_MSG of its own (chevrotain's defaults mention rule
// names and token-type names, which mean nothing to a schema author).
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected }) {
    // Where a definition ended and something else than the next one follows.
    if (expected === EOF) return 'expected a type definition (Name = Type)';
    return `expected ${labelOf(expected)}`;
  },
  buildNotAllInputParsedMessage() {
    return 'expected a type definition (Name = Type)';
  },
  buildNoViableAltMessage() {
    return 'unexpected input';
  },
  buildEarlyExitMessage() {
    return 'unexpected input';
  },
};

/**
 * Syntax errors collected per file before the parser gives up. Each error recovered inside a
 * repetition nests chevrotain's call stack a few frames deeper, so without a cap a file of
 * thousands of bad lines overflowed the stack (and took seconds to get there).
 */
export const MAX_SYNTAX_ERRORS = 100;

class SbsParser extends CstParser {
  // A repetition neither continues nor resumes after recovery once the cap is reached.
  private readonly more = (): boolean => this.errors.length < MAX_SYNTAX_ERRORS;

  constructor() {
    super(allTokens, { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  /**
   * `Name =` starts a definition and can appear nowhere inside a type, so a repetition inside a
   * type stops there: an unclosed `{` or `(` then costs one error (the missing closer is
   * inserted) instead of swallowing, and misreporting, every definition after it.
   */
  private readonly notAtDefinition = (): boolean =>
    this.more() && !(this.LA(1).tokenType === Identifier && this.LA(2).tokenType === Equals);

  readonly module = this.RULE('module', () => {
    this.CONSUME(ModuleKw, { ERR_MSG: "expected 'module' directive at start of schema" });
    this.CONSUME(Identifier, { ERR_MSG: "expected module name after 'module'" });
    this.MANY({ GATE: this.more, DEF: () => this.SUBRULE(this.typeDef) });
  });

  /** The definitions of a file whose `module` line is broken (parse.ts skips that line). */
  readonly definitions = this.RULE('definitions', () => {
    this.MANY({ GATE: this.more, DEF: () => this.SUBRULE(this.typeDef) });
  });

  readonly typeDef = this.RULE('typeDef', () => {
    this.CONSUME(Identifier, { ERR_MSG: 'expected a type definition (Name = Type)' });
    this.OPTION(() => this.SUBRULE(this.params));
    this.CONSUME(Equals, { ERR_MSG: "expected '=' after type name" });
    this.SUBRULE(this.type);
  });

  readonly params = this.RULE('params', () => {
    this.CONSUME(LParen);
    this.MANY({
      GATE: this.more,
      DEF: () => this.CONSUME(Identifier, { ERR_MSG: 'expected a type parameter name' }),
    });
    this.CONSUME(RParen, { ERR_MSG: "expected a type parameter name or ')'" });
  });

  readonly type = this.RULE('type', () => {
    this.CONSUME(Identifier, { ERR_MSG: 'expected a type' });
    this.OPTION(() => {
      this.CONSUME(Dot);
      this.CONSUME2(Identifier, { ERR_MSG: "expected a type name after '.'" });
    });
    this.OPTION2(() => this.SUBRULE(this.args));
    this.OPTION3(() => this.SUBRULE(this.entries));
  });

  readonly args = this.RULE('args', () => {
    this.CONSUME(LParen);
    this.MANY({ GATE: this.notAtDefinition, DEF: () => this.SUBRULE(this.type) });
    this.CONSUME(RParen, { ERR_MSG: "expected a type argument or ')'" });
  });

  readonly entries = this.RULE('entries', () => {
    this.CONSUME(LCurly);
    this.MANY({ GATE: this.notAtDefinition, DEF: () => this.SUBRULE(this.entry) });
    this.CONSUME(RCurly, { ERR_MSG: "expected an entry (name: Type) or '}'" });
  });

  readonly entry = this.RULE('entry', () => {
    this.CONSUME(Identifier, { ERR_MSG: 'expected an entry name' });
    this.CONSUME(Colon, { ERR_MSG: "expected ':' after entry name" });
    this.SUBRULE(this.type);
  });
}

export const sbsParser = new SbsParser();
