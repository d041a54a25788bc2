// prettier's documents for the TypeScript the generator emits (prettier 3 with printWidth 100,
// singleQuote, trailing commas "all"), built directly instead of parsing printed text. Each
// builder follows the printer of the same construct in prettier's language-js/print/, for the
// shapes the generator produces (test/compiler/prettier-style.test.ts runs prettier over varied
// generated schemas to keep the two in step).
import {
  align,
  conditionalGroup,
  type Doc,
  group,
  hardline,
  ifBreak,
  ifWillBreak,
  indent,
  indentIfBreak,
  join,
  line,
  softline,
} from '../printer.js';

/** TypeScript type expressions, as a tree: prettier's layout depends on where a type sits. */
export type TypeNode =
  | { readonly k: 'name'; readonly text: string }
  | { readonly k: 'ref'; readonly name: string; readonly args: readonly TypeNode[] }
  | { readonly k: 'array'; readonly element: TypeNode }
  | { readonly k: 'union'; readonly types: readonly TypeNode[] }
  | { readonly k: 'object'; readonly members: readonly Member[] };

export interface Member {
  readonly name: string;
  readonly optional: boolean;
  readonly type: TypeNode;
}

export const name = (text: string): TypeNode => ({ k: 'name', text });

/** A union, flattened as TypeScript reads `A | B` where A is itself a union. */
export function union(types: readonly TypeNode[]): TypeNode {
  const flat = types.flatMap((t) => (t.k === 'union' ? t.types : [t]));
  return flat.length === 1 ? (flat[0] as TypeNode) : { k: 'union', types: flat };
}

const NULL_TYPES = new Set(['null', 'void']);
const KEYWORDS = new Set([
  'null',
  'void',
  'number',
  'bigint',
  'string',
  'boolean',
  'unknown',
  'undefined',
  'never',
  'any',
  'object',
  'symbol',
]);

function isSimple(t: TypeNode): boolean {
  // keywords and references without type arguments; string literal types are not
  return (t.k === 'name' && !t.text.startsWith("'")) || (t.k === 'ref' && t.args.length === 0);
}

/** prettier's shouldHugUnionType: one object-like member (a type literal or reference), the rest null. */
function hugsUnion(t: TypeNode & { k: 'union' }): boolean {
  const objects = t.types.filter(
    (m) =>
      m.k === 'object' ||
      m.k === 'ref' ||
      (m.k === 'name' && !KEYWORDS.has(m.text) && !m.text.startsWith("'")),
  );
  return (
    objects.length === 1 &&
    t.types.every((m) => m === objects[0] || (m.k === 'name' && NULL_TYPES.has(m.text)))
  );
}

function hugsType(t: TypeNode): boolean {
  return isSimple(t) || t.k === 'object' || (t.k === 'union' && hugsUnion(t));
}

/** Where a type is printed, which decides how a union breaks. */
export type TypeContext = 'annotation' | 'typeArg' | 'aliasBreakAfterOperator' | 'arrayElement';

export function typeDoc(t: TypeNode, ctx: TypeContext = 'annotation'): Doc {
  switch (t.k) {
    case 'name':
      return t.text;
    case 'ref': {
      if (t.args.length === 0) return t.name;
      const args = t.args.map((a) => typeDoc(a, 'typeArg'));
      if (t.args.length === 1 && hugsType(t.args[0] as TypeNode))
        return [t.name, '<', ...args, '>'];
      return [t.name, group(['<', indent([softline, join([',', line], args)]), softline, '>'])];
    }
    case 'array': {
      const element = typeDoc(t.element, 'arrayElement');
      return t.element.k === 'union' ? ['(', element, ')[]'] : [element, '[]'];
    }
    case 'object':
      return objectType(t.members);
    case 'union': {
      const members = t.types.map((m) => typeDoc(m));
      if (hugsUnion(t)) return join(' | ', members);
      const printed = group(
        members.map((m, i) => [i === 0 ? ifBreak('| ') : [line, '| '], align(2, m)]),
      );
      switch (ctx) {
        case 'arrayElement':
          return group([indent([softline, printed]), softline]);
        case 'typeArg':
        case 'aliasBreakAfterOperator':
          return printed;
        case 'annotation':
          return group(indent([softline, printed]));
      }
    }
  }
}

function objectType(members: readonly Member[]): Doc {
  if (members.length === 0) return '{}';
  const parts = members.map((m, i) => [
    m.name,
    m.optional ? '?' : '',
    ': ',
    typeDoc(m.type),
    i === members.length - 1 ? ifBreak(';') : [';', line],
  ]);
  return group(['{', indent([line, parts]), line, '}'], { sticky: true });
}

/** `name?: type;` lines of an interface body. */
export function interfaceDecl(
  head: string,
  typeParams: readonly string[],
  members: readonly Member[],
): Doc {
  const body =
    members.length === 0
      ? '{}'
      : [
          '{',
          indent([
            hardline,
            join(
              hardline,
              members.map((m) => [m.name, m.optional ? '?' : '', ': ', typeDoc(m.type), ';']),
            ),
          ]),
          hardline,
          '}',
        ];
  return [head, typeParamsDecl(typeParams), ' ', body];
}

function typeParamsDecl(params: readonly string[]): Doc {
  if (params.length === 0) return '';
  return group(['<', indent([softline, join([',', line], params)]), ifBreak(','), softline, '>']);
}

/** `export type Name<T> = type;` */
export function typeAliasDecl(head: string, typeParams: readonly string[], type: TypeNode): Doc {
  const left = [head, typeParamsDecl(typeParams)];
  if (type.k === 'union' && !hugsUnion(type))
    return [
      group([group(left), ' =', group(indent([line, typeDoc(type, 'aliasBreakAfterOperator')]))]),
      ';',
    ];
  return [fluid(left, typeDoc(type)), ';'];
}

/** prettier's "fluid" assignment layout: break after `=` only if the right side cannot break. */
function fluid(left: Doc, right: Doc): Doc {
  const id = Symbol('assignment');
  return group([group(left), ' =', group(indent(line), { id }), indentIfBreak(group(right), id)]);
}

/** prettier's "break-after-operator" assignment layout. */
function breakAfterOperator(left: Doc, operator: string, right: Doc): Doc {
  return group([group(left), operator, group(indent([line, right]))]);
}

/** `export const Name: $Codec<Name> = /*#__PURE__*\/ $codec(...);` */
export function codecConst(left: string, comment: string, callee: string, args: Doc[]): Doc {
  return ['export const ', fluid(left, [comment, ' ', call(callee, args)]), ';'];
}

export function importNamed(specifiers: readonly string[], source: string): Doc {
  return group([
    'import {',
    indent([line, join([',', line], specifiers)]),
    ifBreak(','),
    line,
    `} from '${source}';`,
  ]);
}

// ---- expressions ----

/** A call; an array as last argument is hugged (prettier's last-argument expansion). */
export function call(callee: Doc, args: readonly Doc[], lastIsArray = false): Doc {
  if (args.length === 0) return [callee, '()'];
  const printed = args.map((a, i) => (i === args.length - 1 ? a : [a, ',', line]));
  const allBroken = (): Doc =>
    group(['(', indent([line, ...printed]), ifBreak(','), line, ')'], { break: true });
  if (lastIsArray) {
    const head = printed.slice(0, -1);
    const last = args.at(-1) as Doc;
    return [
      callee,
      conditionalGroup([
        ['(', ...head, last, ')'],
        ['(', ...head, group(last, { break: true }), ')'],
        allBroken(),
      ]),
    ];
  }
  return [callee, group(['(', indent([softline, ...printed]), ifBreak(','), softline, ')'])];
}

export function arrayLiteral(items: readonly Doc[]): Doc {
  if (items.length === 0) return '[]';
  return group(['[', indent([softline, join([',', line], items)]), ifBreak(','), softline, ']']);
}

/** `{ key: value, ... }` of identifiers, strings and calls. */
export function objectLiteral(props: readonly [string, Doc, 'call' | 'plain'][]): Doc {
  if (props.length === 0) return '{}';
  const parts = props.map(([key, value, kind]) =>
    kind === 'call'
      ? key.length < 5
        ? [key, ': ', value]
        : breakAfterOperator(key, ':', value)
      : key.length < 5
        ? [key, ': ', value]
        : group([key, ':', group(indent(line)), value]),
  );
  return group(['{', indent([line, join([',', line], parts)]), ifBreak(','), line, '}'], {
    sticky: true,
  });
}

// ---- statements ----

export function block(statements: readonly Doc[]): Doc {
  if (statements.length === 0) return '{}';
  return ['{', indent([hardline, join(hardline, statements)]), hardline, '}'];
}

export function tryCatch(body: readonly Doc[], handler: readonly Doc[]): Doc {
  return ['try ', block(body), ' catch (e) ', block(handler)];
}

/** `kind name = init;` where init is a call, a member chain or a string (break after `=`). */
export function declare(kind: 'const' | 'let', left: string, init: Doc): Doc {
  return [kind, ' ', breakAfterOperator(left, ' =', init), ';'];
}

/** `const name = init;` for the initialisers prettier lays out "fluid" (`null`, `[]`...). */
export function declareFluid(kind: 'const' | 'let', left: Doc, init: Doc): Doc {
  return [kind, ' ', fluid(left, init), ';'];
}

/**
 * `const name: type = init;`. prettier breaks the type first ("break-lhs") when it is generic
 * with several arguments, one of them generic itself.
 */
export function declareTyped(kind: 'const' | 'let', id: string, type: TypeNode, init: Doc): Doc {
  const left = [id, ': ', typeDoc(type)];
  const complex =
    type.k === 'ref' &&
    type.args.length > 1 &&
    type.args.some((a) => a.k === 'ref' && a.args.length > 0);
  return [kind, ' ', complex ? group([left, ' = ', group(init)]) : fluid(left, init), ';'];
}

export function assign(left: string, right: Doc): Doc {
  return [breakAfterOperator(left, ' =', right), ';'];
}

export function returnStatement(value: Doc): Doc {
  return ['return ', value, ';'];
}

export function throwStatement(value: Doc): Doc {
  return ['throw ', value, ';'];
}

/** `for (; test; update) body` with a single statement or a block as body. */
export function forStatement(test: string, update: string, body: Doc, isBlock: boolean): Doc {
  return group([
    'for (',
    group([indent([softline, ';', line, test, ';', line, update]), softline]),
    ')',
    isBlock ? [' ', body] : indent([line, body]),
  ]);
}

/** `if (test) statement;` then `else { ... }` on its own line. */
export function ifElse(test: Doc, consequent: Doc, alternate: readonly Doc[]): Doc {
  return group([
    group([
      'if (',
      group([indent([softline, test]), softline]),
      ')',
      group(indent([line, consequent])),
    ]),
    hardline,
    'else',
    group([' ', block(alternate)]),
  ]);
}

export function switchStatement(discriminant: Doc, cases: readonly [Doc, readonly Doc[]][]): Doc {
  return [
    group(['switch (', indent([softline, discriminant]), softline, ')']),
    ' {',
    indent([
      hardline,
      join(
        hardline,
        cases.map(([label, body]) => [label, indent([hardline, join(hardline, body)])]),
      ),
    ]),
    hardline,
    '}',
  ];
}

/** `return test ? consequent : alternate;` */
export function ternary(test: Doc, consequent: Doc, alternate: Doc): Doc {
  return group([test, indent([line, '? ', align(2, consequent), line, ': ', align(2, alternate)])]);
}

export interface Param {
  readonly name: string;
  readonly type: TypeNode;
}

/** A function declaration; `docs` is a one-line JSDoc. */
export function functionDecl(
  fnName: string,
  params: readonly Param[],
  returnType: TypeNode,
  body: readonly Doc[],
  docs?: string,
): Doc {
  const printedParams = params.map((p, i) => [
    p.name,
    ': ',
    typeDoc(p.type),
    i === params.length - 1 ? '' : [',', line],
  ]);
  const paramsDoc = ['(', indent([softline, ...printedParams]), ifBreak(','), softline, ')'];
  const returnDoc = [': ', typeDoc(returnType)];
  // prettier's shouldGroupFunctionParameters: a lone parameter stays together when the return
  // type is an object type or will break
  const signature =
    params.length !== 1
      ? group([paramsDoc, returnDoc])
      : returnType.k === 'object'
        ? group([group(paramsDoc), returnDoc])
        : ifWillBreak(
            returnDoc,
            group([group(paramsDoc), returnDoc]),
            group([paramsDoc, returnDoc]),
          );
  return [
    docs === undefined ? '' : [`/** ${docs} */`, hardline],
    'function ',
    fnName,
    signature,
    ' ',
    block(body),
  ];
}
