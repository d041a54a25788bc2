import { describe, expect, it } from 'vitest';
import { InvalidQueryTypeError } from '../../runtime/eventer/errors.js';
import type { EventType } from '../../runtime/eventer/event.js';
import { Subscription, matchesQueryType } from '../../runtime/eventer/subscription.js';
import { growthRatio } from '../support/growth.js';

const sortTypes = (ts: EventType[]): string[] => ts.map((t) => JSON.stringify(t)).sort();

describe('matchesQueryType (hat test_matches.py)', () => {
  it.each<[EventType, EventType, boolean]>([
    [[], [], true],
    [[], ['*'], true],
    [[], ['?'], false],
    [['a'], [], false],
    [['a'], ['*'], true],
    [['a'], ['?'], true],
    [['a'], ['?', '*'], true],
    [['a'], ['?', '?'], false],
    [['a'], ['a'], true],
    [['a'], ['a', '*'], true],
    [['a'], ['a', '?'], false],
    [['a'], ['b'], false],
    [['a'], ['a', 'b'], false],
    [['a', 'b'], [], false],
    [['a', 'b'], ['*'], true],
    [['a', 'b'], ['?'], false],
    [['a', 'b'], ['?', '*'], true],
    [['a', 'b'], ['?', '?'], true],
    [['a', 'b'], ['?', '?', '*'], true],
    [['a', 'b'], ['?', '?', '?'], false],
    [['a', 'b'], ['a'], false],
    [['a', 'b'], ['a', '*'], true],
    [['a', 'b'], ['a', '?'], true],
    [['a', 'b'], ['a', '?', '*'], true],
    [['a', 'b'], ['a', '?', '?'], false],
    [['a', 'b'], ['?', 'b'], true],
    [['a', 'b'], ['?', 'b', '*'], true],
    [['a', 'b'], ['?', 'b', '?'], false],
    [['a', 'b'], ['b', 'a'], false],
    [['a', 'b'], ['a', 'b', 'c'], false],
  ])('%j vs %j -> %s', (eventType, queryType, expected) => {
    expect(matchesQueryType(eventType, queryType)).toBe(expected);
    // The trie agrees with the single-pattern function.
    expect(Subscription.of([queryType]).matches(eventType)).toBe(expected);
  });
});

describe('Subscription (hat test_subscription.py)', () => {
  it.each<[EventType[], EventType[]]>([
    [[], []],
    [[[]], [[]]],
    [
      [['a'], ['b'], ['c']],
      [['a'], ['b'], ['c']],
    ],
    [[['a'], ['b', '*'], [], ['*']], [['*']]],
    [[['a', '*'], ['a']], [['a', '*']]],
    [
      [['a', '*'], ['b'], ['c', '?'], ['c', '*']],
      [['a', '*'], ['b'], ['c', '*']],
    ],
    [
      [[''], ['a']],
      [[''], ['a']],
    ],
    [[[''], ['*']], [['*']]],
  ])('queryTypes %j -> %j', (input, expected) => {
    expect(sortTypes(Subscription.of(input).queryTypes())).toEqual(sortTypes(expected));
  });

  it.each<[EventType[], EventType[], EventType[]]>([
    [[], [], [['a'], ['a', 'b'], []]],
    [[[]], [[]], [['a'], ['a', 'b']]],
    [[['*']], [[], ['a'], ['a', 'b']], []],
    [[['a']], [['a']], [[], ['a', 'b'], ['b']]],
    [
      [['a', '?'], ['a']],
      [['a'], ['a', 'b'], ['a', '']],
      [[], ['a', 'b', 'c'], ['b'], ['']],
    ],
  ])('matches %j', (queryTypes, matching, notMatching) => {
    const s = Subscription.of(queryTypes);
    for (const t of matching) expect(s.matches(t)).toBe(true);
    for (const t of notMatching) expect(s.matches(t)).toBe(false);
  });

  it('rejects * before the last position with hat message', () => {
    expect(() => Subscription.of([['a', '*', 'b']])).toThrow(InvalidQueryTypeError);
    expect(() => Subscription.of([['*', 'a']])).toThrow('invalid query event type');
  });

  it.each<[EventType[][], EventType[]]>([
    [[], []],
    [[[]], []],
    [
      [[['a']], [['b']]],
      [['a'], ['b']],
    ],
    [[[['a']], [['b']], [['*']]], [['*']]],
    [
      [[['a', 'b']], [['a', 'c']]],
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
    ],
    [
      [[['a', '']], [['', 'a']]],
      [
        ['a', ''],
        ['', 'a'],
      ],
    ],
  ])('union %j', (subs, expected) => {
    const u = Subscription.of([]).union(...subs.map((s) => Subscription.of(s)));
    expect(sortTypes(u.queryTypes())).toEqual(sortTypes(expected));
  });

  it.each<[EventType[], EventType[], boolean]>([
    [[], [], true],
    [[['a']], [['b']], true],
    [[['a']], [['a']], false],
    [[['a']], [['?']], false],
    [[['?']], [['?']], false],
    [[['?', 'a']], [['?', 'b']], true],
    [[['a', 'b']], [['*']], false],
    [[['a', 'b', '*']], [['a', 'b']], false],
    [[['a', '', '?']], [['a', '', 'b']], false],
    [[['?']], [[]], true],
    [[['*']], [[]], false],
    [[['*']], [], true],
  ])('isDisjoint %j %j -> %s', (a, b, expected) => {
    expect(Subscription.of(a).isDisjoint(Subscription.of(b))).toBe(expected);
    expect(Subscription.of(b).isDisjoint(Subscription.of(a))).toBe(expected);
  });

  it.each<[EventType[], EventType[], EventType[]]>([
    [[], [], []],
    [[['a']], [['b']], []],
    [[['*']], [['a'], ['b'], ['c']], [['a'], ['b'], ['c']]],
    [[['a'], ['b']], [['b'], ['c']], [['b']]],
    [[['?', 'b']], [['a', 'b']], [['a', 'b']]],
    [[[''], ['a']], [[''], ['b']], [['']]],
  ])('intersection %j %j', (a, b, expected) => {
    const i = Subscription.of(a).intersection(Subscription.of(b));
    expect(sortTypes(i.queryTypes())).toEqual(sortTypes(expected));
  });

  it.each<[EventType[], EventType[], boolean]>([
    [[], [], true],
    [[], [['a']], true],
    [[['a']], [], false],
    [[['a']], [['?']], true],
    [[['?']], [['a']], false],
    [[['?']], [['a'], ['?']], true],
    [[['a', 'b']], [['a', '*']], true],
    [[['a', '*']], [['a', 'b']], false],
    [[['a', '*']], [['a', '*'], ['b']], true],
    [[['a', '*']], [['*']], true],
    [[['*']], [['a', '*']], false],
    [[[]], [['*']], true],
    [
      [['a', 'x']],
      [
        ['?', 'x'],
        ['a', 'y'],
      ],
      true,
    ],
    [
      [['a', '?']],
      [
        ['a', 'x'],
        ['?', 'y'],
      ],
      false,
    ],
  ])('isSubsetOf %j %j -> %s', (a, b, expected) => {
    expect(Subscription.of(a).isSubsetOf(Subscription.of(b))).toBe(expected);
  });

  it('matches in time independent of the number of query types', () => {
    const subscription = (n: number): Subscription => {
      const types: EventType[] = [];
      for (let i = 0; i < n; i++) types.push(['device', String(i), i % 2 ? '?' : 'value', '*']);
      return Subscription.of(types);
    };
    const small = subscription(500);
    const large = subscription(5000);
    const count = (s: Subscription): number => {
      let hits = 0;
      for (let i = 0; i < 20_000; i++)
        if (s.matches(['device', String(i % 6000), 'value', 'x'])) hits++;
      return hits;
    };
    let expected = 0;
    for (let i = 0; i < 20_000; i++) if (i % 6000 < 5000) expected++;
    expect(count(large)).toBe(expected);
    // 10x the patterns: a loop over the patterns per call would be ~10x slower.
    expect(
      growthRatio(
        () => count(small),
        () => count(large),
      ),
    ).toBeLessThan(4);
  });
});
