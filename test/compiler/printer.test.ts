// The document printer (compiler/printer.ts) and the prettier layouts built on it
// (compiler/codegen/ts-print.ts): each case is prettier's own output for the same code.
import { describe, expect, it } from 'vitest';
import {
  call,
  functionDecl,
  interfaceDecl,
  name,
  typeAliasDecl,
  type TypeNode,
  union,
} from '../../compiler/codegen/ts-print.js';
import {
  conditionalGroup,
  group,
  hardline,
  ifBreak,
  indent,
  join,
  line,
  printDoc,
  type PrintStats,
  softline,
} from '../../compiler/printer.js';

const choice = (names: readonly string[]): TypeNode =>
  union(
    names.map((n) => ({
      k: 'object' as const,
      members: [
        { name: 'type', optional: false, type: name(`'${n}'`) },
        { name: 'value', optional: false, type: name('number') },
      ],
    })),
  );

describe('printDoc', () => {
  const list = (items: string[]) =>
    group(['[', indent([softline, join([',', line], items)]), ifBreak(','), softline, ']']);

  it('keeps a group flat when it fits and breaks it otherwise', () => {
    expect(printDoc(list(['a', 'b']), 20)).toBe('[a, b]');
    expect(printDoc(list(['aaaaaaaa', 'bbbbbbbb', 'cccc']), 20)).toBe(
      '[\n  aaaaaaaa,\n  bbbbbbbb,\n  cccc,\n]',
    );
  });

  it('counts what follows a group up to the next line break', () => {
    // `[a, b]` fits alone in 10 columns but not with the text after it.
    expect(printDoc([list(['a', 'b']), ' + something'], 10)).toBe('[\n  a,\n  b,\n] + something');
    expect(printDoc([list(['a', 'b']), hardline, 'something long'], 10)).toBe(
      '[a, b]\nsomething long',
    );
  });

  it('breaks every group around a hard line', () => {
    expect(printDoc(group(['{', indent([line, 'a;', hardline, 'b;']), line, '}']), 80)).toBe(
      '{\n  a;\n  b;\n}',
    );
  });

  it('takes the first state of a conditional group that fits, else the last broken', () => {
    const last = list(['xxxxxx', 'yyyyyy']);
    const doc = [
      'f',
      conditionalGroup([
        ['(', 'a, ', last, ')'],
        ['(', 'a, ', group(last, { break: true }), ')'],
        group(['(', indent([line, 'a,', line, last]), ifBreak(','), line, ')'], { break: true }),
      ]),
    ];
    expect(printDoc(doc, 80)).toBe('f(a, [xxxxxx, yyyyyy])');
    expect(printDoc(doc, 15)).toBe('f(a, [\n  xxxxxx,\n  yyyyyy,\n])');
  });

  it('leaves no trailing spaces before a line break', () => {
    expect(printDoc(['a: ', group(indent([softline, 'b'])), ';'], 4)).toBe('a:\n  b;');
  });

  it('keeps an object broken once printed broken (prettier keeps a line break after `{`)', () => {
    // Printed broken once, the object breaks its enclosing group on the next pass too.
    const object = group(['{', indent([line, 'key: value']), line, '}'], { sticky: true });
    expect(printDoc(group(['(', object, ')', line, 'tail']), 12)).toBe(
      '({\n  key: value\n})\ntail',
    );
  });
});

describe('prettier layouts', () => {
  it('a long union type alias: one member per line after `=`', () => {
    const doc = typeAliasDecl('export type C', [], choice(['alpha', 'beta', 'gamma', 'delta']));
    expect(printDoc(doc, 100)).toBe(
      [
        'export type C =',
        "  | { type: 'alpha'; value: number }",
        "  | { type: 'beta'; value: number }",
        "  | { type: 'gamma'; value: number }",
        "  | { type: 'delta'; value: number };",
      ].join('\n'),
    );
  });

  it('a union property breaks after the colon', () => {
    const doc = interfaceDecl(
      'export interface R',
      [],
      [{ name: 'field', optional: false, type: choice(['a'.repeat(30), 'b'.repeat(30)]) }],
    );
    expect(printDoc(doc, 100)).toBe(
      [
        'export interface R {',
        '  field:',
        `    | { type: '${'a'.repeat(30)}'; value: number }`,
        `    | { type: '${'b'.repeat(30)}'; value: number };`,
        '}',
      ].join('\n'),
    );
  });

  it('an array as last argument is hugged', () => {
    const names = group([
      '[',
      indent([softline, join([',', line], ["'standby'", "'starting'", "'operational'"])]),
      ifBreak(','),
      softline,
      ']',
    ]);
    expect(
      printDoc(['throw ', call('$unknownEntry', ['(v as X).type', names], true), ';'], 50),
    ).toBe(
      [
        'throw $unknownEntry((v as X).type, [',
        "  'standby',",
        "  'starting',",
        "  'operational',",
        ']);',
      ].join('\n'),
    );
  });

  it('a lone parameter breaks before a long union return type, unless an object in it breaks', () => {
    const fn = (second: string) =>
      printDoc(
        functionDecl('$r_X', [{ name: 'r', type: name('$Reader') }], choice(['a', second]), [
          'return x;',
        ]),
        40,
      );
    expect(fn('b')).toBe(
      [
        'function $r_X(',
        '  r: $Reader,',
        '):',
        "  | { type: 'a'; value: number }",
        "  | { type: 'b'; value: number } {",
        '  return x;',
        '}',
      ].join('\n'),
    );
    // prettier's first run breaks the parameters too; its second (what --check compares with)
    // sees the object's line break and keeps `(r: $Reader)` together.
    expect(fn('b'.repeat(40))).toBe(
      [
        'function $r_X(r: $Reader):',
        "  | { type: 'a'; value: number }",
        '  | {',
        `      type: '${'b'.repeat(40)}';`,
        '      value: number;',
        '    } {',
        '  return x;',
        '}',
      ].join('\n'),
    );
  });
});

describe('printer cost', () => {
  // Linear work gives a ratio of about 4 between n and 4n; a quadratic step (a fits check
  // scanning all that follows, say) gives about 16.
  const steps = (doc: () => Parameters<typeof printDoc>[0]): number => {
    const stats: PrintStats = { steps: 0 };
    printDoc(doc(), 100, stats);
    return stats.steps;
  };
  const members = (n: number) => Array.from({ length: n }, (_, i) => `entry${i}`);

  it.each([
    ['a union of n members', (n: number) => typeAliasDecl('export type U', [], choice(members(n)))],
    [
      'an interface of n properties',
      (n: number) =>
        interfaceDecl(
          'export interface R',
          [],
          members(n).map((m) => ({ name: m, optional: false, type: choice(['a', 'b']) })),
        ),
    ],
    ['a call of n arguments', (n: number) => call('f', members(n))],
  ])('grows linearly for %s', (_, make) => {
    const ratio = steps(() => make(4000)) / steps(() => make(1000));
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(6);
  });
});
