import { describe, expect, it } from 'vitest';
import { evaluateCheckVariable, type JobEvaluation } from '../../workflows/lib/check-variable.js';
import type { CheckVariableSpec } from '../../workflows/lib/job-specs.js';

/** Jobnet variables of a run, as captured from earlier jobs (R-VAR-1). */
const variables: Readonly<Record<string, string>> = {
  'JOB.N': '42',
  'JOB.NEG': '-7',
  'JOB.ZERO': '0',
  'JOB.LEAD': '007',
  'JOB.PLUS': '+5',
  'JOB.MAX': '2147483647',
  'JOB.MIN': '-2147483648',
  'JOB.OVER': '2147483648',
  'JOB.UNDER': '-2147483649',
  'JOB.FRAC': '1.5',
  'JOB.SPACE': ' 7',
  'JOB.HEX': '0x10',
  'JOB.EXP': '1e3',
  'JOB.WORD': 'abc',
  'JOB.EMPTY': '',
  'JOB.S': 'hello world',
};

const check = (variable: string, condition: Partial<CheckVariableSpec> = {}): CheckVariableSpec => ({
  variable,
  invert: false,
  ...condition,
});
const num = (op: 'EQ' | 'NE' | 'GT' | 'GE' | 'LT' | 'LE', value: number): Partial<CheckVariableSpec> => ({
  number: { op, value },
});
const range = (fromOp: 'GT' | 'GE', from: number, toOp: 'LT' | 'LE', to: number): Partial<CheckVariableSpec> => ({
  number: { from: { op: fromOp, value: from }, to: { op: toOp, value: to } },
});
const str = (op: 'EQ' | 'NE' | 'IN' | 'NI', value: string): Partial<CheckVariableSpec> => ({ string: { op, value } });

const match = 0;
const noMatch = 1;

describe('evaluateCheckVariable without a condition checks existence (R-JOBT-6, WOI 8.1.6)', () => {
  it.each<[string, CheckVariableSpec, JobEvaluation]>([
    ['an existing variable matches and is printed', check('JOB.N'), { exitCode: match, output: 'JOB.N=42' }],
    [
      'a variable with an empty value exists, so it matches',
      check('JOB.EMPTY'),
      { exitCode: match, output: 'JOB.EMPTY=' },
    ],
    ['a missing variable does not match and prints nothing', check('JOB.MISSING'), { exitCode: noMatch, output: '' }],
    [
      'invert: a missing variable is a match ("the variable does not exist")',
      check('JOB.MISSING', { invert: true }),
      { exitCode: match, output: '' },
    ],
    [
      'invert: an existing variable is no match',
      check('JOB.N', { invert: true }),
      { exitCode: noMatch, output: 'JOB.N=42' },
    ],
    ['an inherited Object.prototype name is not a variable', check('constructor'), { exitCode: noMatch, output: '' }],
  ])('%s', (_name, spec, expected) => {
    expect(evaluateCheckVariable(spec, variables)).toEqual(expected);
  });
});

describe('evaluateCheckVariable compares numbers as 32-bit integers (R-JOBT-6)', () => {
  it.each<[string, CheckVariableSpec, number]>([
    ['EQ equal', check('JOB.N', num('EQ', 42)), match],
    ['EQ not equal', check('JOB.N', num('EQ', 41)), noMatch],
    ['NE not equal', check('JOB.N', num('NE', 41)), match],
    ['NE equal', check('JOB.N', num('NE', 42)), noMatch],
    ['GT greater', check('JOB.N', num('GT', 41)), match],
    ['GT equal is not greater', check('JOB.N', num('GT', 42)), noMatch],
    ['GE equal', check('JOB.N', num('GE', 42)), match],
    ['GE smaller', check('JOB.N', num('GE', 43)), noMatch],
    ['LT smaller', check('JOB.N', num('LT', 43)), match],
    ['LT equal is not smaller', check('JOB.N', num('LT', 42)), noMatch],
    ['LE equal', check('JOB.N', num('LE', 42)), match],
    ['LE greater', check('JOB.N', num('LE', 41)), noMatch],
    ['a negative value compares as a number', check('JOB.NEG', num('LT', 0)), match],
    ['numerically, not as text: 42 > 7', check('JOB.N', num('GT', 7)), match],
    ['leading zeros are allowed: 007 EQ 7', check('JOB.LEAD', num('EQ', 7)), match],
    ['a plus sign is allowed: +5 EQ 5', check('JOB.PLUS', num('EQ', 5)), match],
    ['the largest 32-bit value is read', check('JOB.MAX', num('EQ', 2147483647)), match],
    ['the smallest 32-bit value is read', check('JOB.MIN', num('EQ', -2147483648)), match],
    ['invert swaps a match to 1', check('JOB.N', { ...num('EQ', 42), invert: true }), noMatch],
    ['invert swaps no match to 0', check('JOB.N', { ...num('EQ', 41), invert: true }), match],
    ['a missing variable never matches, even NE', check('JOB.MISSING', num('NE', 42)), noMatch],
    ['a missing variable with invert is 0', check('JOB.MISSING', { ...num('EQ', 42), invert: true }), match],
  ])('%s', (_name, spec, exitCode) => {
    const result = evaluateCheckVariable(spec, variables);
    expect(result.exitCode).toBe(exitCode);
    expect(result.message).toBeUndefined();
    expect(result.output).toBe(spec.variable in variables ? `${spec.variable}=${variables[spec.variable]}` : '');
  });

  it.each<[string, CheckVariableSpec, number]>([
    ['GE…LE includes the lower end', check('JOB.N', range('GE', 42, 'LE', 50)), match],
    ['GE…LE includes the upper end', check('JOB.N', range('GE', 30, 'LE', 42)), match],
    ['GT…LT excludes the lower end', check('JOB.N', range('GT', 42, 'LT', 50)), noMatch],
    ['GT…LT excludes the upper end', check('JOB.N', range('GT', 30, 'LT', 42)), noMatch],
    ['GT…LT inside', check('JOB.N', range('GT', 41, 'LT', 43)), match],
    ['below the range', check('JOB.NEG', range('GE', 0, 'LE', 100)), noMatch],
    ['above the range', check('JOB.N', range('GE', 0, 'LE', 10)), noMatch],
    [
      'invert: outside the range is 0 ("does not match the range")',
      check('JOB.N', { ...range('GE', 0, 'LE', 10), invert: true }),
      match,
    ],
    ['invert: inside the range is 1', check('JOB.N', { ...range('GE', 0, 'LE', 100), invert: true }), noMatch],
    ['the full 32-bit range holds the bounds', check('JOB.MIN', range('GE', -2147483648, 'LE', 2147483647)), match],
    [
      'a missing variable is never in a range',
      check('JOB.MISSING', range('GE', -2147483648, 'LE', 2147483647)),
      noMatch,
    ],
  ])('range: %s', (_name, spec, exitCode) => {
    expect(evaluateCheckVariable(spec, variables).exitCode).toBe(exitCode);
  });

  it.each<[string, string]>([
    ['one above the largest 32-bit value', 'JOB.OVER'],
    ['one below the smallest 32-bit value', 'JOB.UNDER'],
    ['a fraction', 'JOB.FRAC'],
    ['a value with a leading space', 'JOB.SPACE'],
    ['a hexadecimal value', 'JOB.HEX'],
    ['an exponent', 'JOB.EXP'],
    ['a word', 'JOB.WORD'],
    ['an empty value', 'JOB.EMPTY'],
  ])('a value that is not a 32-bit integer (%s) is an error 2 that still prints the variable', (_name, variable) => {
    const result = evaluateCheckVariable(check(variable, num('EQ', 0)), variables);
    expect(result.exitCode).toBe(2);
    expect(result.output).toBe(`${variable}=${variables[variable]}`);
    expect(result.message).toMatch(new RegExp(`variable ${variable} .* not an integer`));
  });

  it('invert does not turn an error into a match', () => {
    expect(evaluateCheckVariable(check('JOB.WORD', { ...num('EQ', 0), invert: true }), variables).exitCode).toBe(2);
  });

  it('a range check of a value that is not an integer is an error too', () => {
    expect(evaluateCheckVariable(check('JOB.FRAC', range('GE', 0, 'LE', 2)), variables)).toMatchObject({
      exitCode: 2,
      output: 'JOB.FRAC=1.5',
    });
  });
});

describe('evaluateCheckVariable compares strings with the WOI empty-string rules (R-JOBT-6, WOI 8.1.6)', () => {
  it.each<[string, CheckVariableSpec, number]>([
    ['EQ equal', check('JOB.S', str('EQ', 'hello world')), match],
    ['EQ is case-sensitive', check('JOB.S', str('EQ', 'Hello world')), noMatch],
    ['EQ compares the whole value', check('JOB.S', str('EQ', 'hello')), noMatch],
    ['NE different', check('JOB.S', str('NE', 'hello')), match],
    ['NE equal', check('JOB.S', str('NE', 'hello world')), noMatch],
    ['IN contains', check('JOB.S', str('IN', 'lo wo')), match],
    ['IN does not contain', check('JOB.S', str('IN', 'xyz')), noMatch],
    ['NI does not contain', check('JOB.S', str('NI', 'xyz')), match],
    ['NI contains', check('JOB.S', str('NI', 'world')), noMatch],
    ['a number-like value compares as text: "007" NE "7"', check('JOB.LEAD', str('NE', '7')), match],
    ['EQ "" matches an empty value', check('JOB.EMPTY', str('EQ', '')), match],
    ['EQ "" does not match a non-empty value', check('JOB.S', str('EQ', '')), noMatch],
    ['NE "" matches a non-empty value', check('JOB.S', str('NE', '')), match],
    ['NE "" does not match an empty value', check('JOB.EMPTY', str('NE', '')), noMatch],
    ['IN "" never matches a non-empty value', check('JOB.S', str('IN', '')), noMatch],
    ['IN "" never matches an empty value', check('JOB.EMPTY', str('IN', '')), noMatch],
    ['NI "" always matches a non-empty value', check('JOB.S', str('NI', '')), match],
    ['NI "" always matches an empty value', check('JOB.EMPTY', str('NI', '')), match],
    ['a missing variable never matches, even NE', check('JOB.MISSING', str('NE', 'x')), noMatch],
    ['a missing variable never matches, even NI ""', check('JOB.MISSING', str('NI', '')), noMatch],
    ['invert swaps a match to 1', check('JOB.S', { ...str('IN', 'world'), invert: true }), noMatch],
    ['invert swaps no match to 0', check('JOB.S', { ...str('IN', 'xyz'), invert: true }), match],
  ])('%s', (_name, spec, exitCode) => {
    const result = evaluateCheckVariable(spec, variables);
    expect(result.exitCode).toBe(exitCode);
    expect(result.message).toBeUndefined();
  });

  it('prints the checked variable as <variable>=<value>, like WOI "JOB.ABC=xyz"', () => {
    expect(evaluateCheckVariable(check('JOB.ABC', str('EQ', 'xyz')), { 'JOB.ABC': 'xyz' })).toEqual({
      exitCode: match,
      output: 'JOB.ABC=xyz',
    });
  });
});

describe('evaluateCheckVariable reports a wrong specification as error 2 (R-EXIT-4)', () => {
  const bad = (condition: unknown): CheckVariableSpec => ({
    variable: 'JOB.N',
    invert: false,
    ...(condition as Partial<CheckVariableSpec>),
  });
  it.each<[string, CheckVariableSpec, RegExp]>([
    ['both number and string', bad({ ...num('EQ', 1), ...str('EQ', '1') }), /not both/],
    ['an unknown number operator', bad({ number: { op: 'XX', value: 1 } }), /op "XX"/],
    ['a comparison value beyond 32 bits', bad(num('EQ', 2147483648)), /not an integer/],
    ['a fractional comparison value', bad(num('EQ', 1.5)), /not an integer/],
    [
      'a range starting with LT',
      bad({ number: { from: { op: 'LT', value: 0 }, to: { op: 'LE', value: 5 } } }),
      /number\.from: op "LT"/,
    ],
    [
      'a range ending with GE',
      bad({ number: { from: { op: 'GE', value: 0 }, to: { op: 'GE', value: 5 } } }),
      /number\.to: op "GE"/,
    ],
    ['a range whose from is not below to (WOI: 比較値1 < 比較値2)', bad(range('GE', 5, 'LE', 5)), /smaller/],
    ['a range the wrong way round', bad(range('GE', 10, 'LE', 0)), /smaller/],
    ['an unknown string operator', bad({ string: { op: 'LIKE', value: 'x' } }), /op "LIKE"/],
  ])('%s', (_name, spec, message) => {
    const result = evaluateCheckVariable(spec, variables);
    expect(result.exitCode).toBe(2);
    expect(result.message).toMatch(message);
    expect(result.output).toBe('JOB.N=42');
  });

  it('a wrong specification is an error even with invert and a missing variable', () => {
    expect(
      evaluateCheckVariable({ ...bad(range('GE', 5, 'LE', 1)), variable: 'JOB.MISSING', invert: true }, variables),
    ).toMatchObject({
      exitCode: 2,
      output: '',
    });
  });
});
