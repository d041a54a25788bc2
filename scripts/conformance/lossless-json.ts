// A JSON parser that keeps every number's source text, because conformance vectors hold
// integers beyond 2^53 that JSON.parse would round. Hand-written: Node 20's JSON.parse
// reviver has no access to the source text, and the npm options (lossless-json,
// json-bigint) decide number types globally, while here the schema decides per value.
// Strings are sliced out and handed to JSON.parse, so escapes follow the standard exactly.

/** A JSON number as written; the schema type decides whether it is an Integer or a Float. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue =
  null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Control characters must be escaped inside JSON strings, so the class excludes them.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]+|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;
/** Deeper nesting fails as a syntax error instead of overflowing the stack (RangeError). */
const MAX_DEPTH = 1000;

export function parseLosslessJson(text: string): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`invalid JSON at offset ${pos}: ${what}`);
  };
  const skip = (): void => {
    SPACE.lastIndex = pos;
    SPACE.test(text);
    pos = SPACE.lastIndex;
  };
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const literal = (word: string): void => {
    if (!text.startsWith(word, pos)) fail('unexpected token');
    pos += word.length;
  };
  const string = (): string => JSON.parse(match(STRING) ?? fail('bad string')) as string;

  const value = (depth: number): JsonValue => {
    skip();
    const c = text[pos];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH)
      fail(`nested deeper than ${MAX_DEPTH} levels`);
    switch (c) {
      case '{': {
        pos++;
        // Null prototype: a `__proto__` key is an ordinary key here.
        const out = Object.create(null) as { [key: string]: JsonValue };
        skip();
        if (text[pos] === '}') {
          pos++;
          return out;
        }
        for (;;) {
          skip();
          const key = string();
          skip();
          if (text[pos++] !== ':') fail("expected ':'");
          out[key] = value(depth + 1);
          skip();
          const sep = text[pos++];
          if (sep === '}') return out;
          if (sep !== ',') fail("expected ',' or '}'");
        }
      }
      case '[': {
        pos++;
        const out: JsonValue[] = [];
        skip();
        if (text[pos] === ']') {
          pos++;
          return out;
        }
        for (;;) {
          out.push(value(depth + 1));
          skip();
          const sep = text[pos++];
          if (sep === ']') return out;
          if (sep !== ',') fail("expected ',' or ']'");
        }
      }
      case '"':
        return string();
      case 't':
        literal('true');
        return true;
      case 'f':
        literal('false');
        return false;
      case 'n':
        literal('null');
        return null;
      default:
        return new JsonNumber(match(NUMBER) ?? fail('unexpected token'));
    }
  };

  const result = value(0);
  skip();
  if (pos !== text.length) fail('trailing characters');
  return result;
}
