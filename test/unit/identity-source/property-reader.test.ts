import { describe, expect, it } from 'vitest';
import {
  formatProblems,
  isRecord,
  PropertyReader,
} from '../../../src/identity-source/property-reader.js';

const problems = (reader: PropertyReader) => reader.problems.map((p) => `${p.path}: ${p.message}`);

describe('PropertyReader', () => {
  it('reads a string by its rule and reports each broken rule at its path', () => {
    const reader = new PropertyReader();
    const rule = { required: true, min: 2, max: 4, pattern: /^[a-z]*$/, expected: 'letters' };
    const parent = { ok: 'abc', short: 'a', upper: 'ABC', empty: '', number: 7 };
    expect(reader.string(parent, 'ok', 'A.B', rule)).toBe('abc');
    for (const key of ['short', 'upper', 'empty', 'number', 'absent']) {
      expect(reader.string(parent, key, 'A.B', rule)).toBeUndefined();
    }
    expect(problems(reader)).toEqual([
      'A.B.short: must be 2 to 4 characters long (got 1)',
      'A.B.upper: must be letters',
      'A.B.empty: must not be empty (got 0)',
      'A.B.number: must be a string (got a number)',
      'A.B.absent: is required',
    ]);
  });

  it('accepts any test of the whole value as a pattern', () => {
    const reader = new PropertyReader();
    const even = { required: true, pattern: { test: (v: string) => v.length % 2 === 0 } };
    expect(reader.string({ v: 'ab' }, 'v', '', even)).toBe('ab');
    expect(reader.string({ v: 'abc' }, 'v', '', even)).toBeUndefined();
    expect(problems(reader)).toEqual(['v: must be a value matching its rule']);
  });

  it('reads a list of strings, naming the item that breaks the rule', () => {
    const reader = new PropertyReader();
    const rule = { minItems: 1, maxItems: 2, item: { min: 1 } };
    expect(reader.stringList({ l: ['a'] }, 'l', '', rule)).toEqual(['a']);
    expect(reader.stringList({ l: ['a', '', 'c'] }, 'l', 'P', rule)).toBeUndefined();
    expect(reader.stringList({ l: 'a' }, 'l', 'P', rule)).toBeUndefined();
    expect(problems(reader)).toEqual([
      'P.l: must have 1 to 2 items (got 3)',
      'P.l[1]: must not be empty (got 0)',
      'P.l: must be a list of strings (got a string)',
    ]);
  });

  it('reads objects, refuses unknown keys and requires exactly one member of a union', () => {
    const reader = new PropertyReader();
    expect(reader.object({ o: { a: 1 } }, 'o', '', { required: true })).toEqual({ a: 1 });
    expect(reader.object({ o: [1] }, 'o', 'P', { required: true })).toBeUndefined();
    reader.onlyKeys({ A: 1, Typo: 2 }, 'P', ['A', 'B']);
    expect(reader.oneOf({ A: 1 }, 'U', ['A', 'B'])).toBe('A');
    expect(reader.oneOf({}, 'U', ['A', 'B'])).toBeUndefined();
    expect(reader.oneOf({ A: 1, B: 2 }, 'U', ['A', 'B'])).toBeUndefined();
    expect(problems(reader)).toEqual([
      'P.o: must be an object (got a list)',
      'P.Typo: is not a known property (expected one of: A, B)',
      'U: must set exactly one of A, B (none is set)',
      'U: must set exactly one of A, B (A and B are both set)',
    ]);
  });
});

describe('formatProblems', () => {
  it('renders every problem with its path in one reason', () => {
    expect(
      formatProblems([
        { path: 'A.B', message: 'is required' },
        { path: 'C', message: 'must be x' },
      ]),
    ).toBe('Invalid properties: A.B: is required; C: must be x');
  });
});

describe('isRecord', () => {
  it('is true for objects only', () => {
    expect([{}, { a: 1 }, [], null, 'x', 1].map(isRecord)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
