import { describe, expect, it } from 'vitest';
import {
  exitCodeMatches,
  formatExitCodeCondition,
  parseExitCodeCondition,
  type ExitCodeCondition,
} from '../../workflows/lib/exit-code-condition.js';

function conditionOf(text: string): ExitCodeCondition {
  const parsed = parseExitCodeCondition(text);
  if (!parsed.ok) throw new Error(`unexpected parse error: ${parsed.message}`);
  return parsed.condition;
}

describe('parseExitCodeCondition reads every form of R-DEP-2', () => {
  it.each<[string, ExitCodeCondition]>([
    ['0', { kind: 'compare', operator: '==', value: 0 }],
    ['42', { kind: 'compare', operator: '==', value: 42 }],
    ['!=0', { kind: 'compare', operator: '!=', value: 0 }],
    ['>=4', { kind: 'compare', operator: '>=', value: 4 }],
    ['>4', { kind: 'compare', operator: '>', value: 4 }],
    ['<=2', { kind: 'compare', operator: '<=', value: 2 }],
    ['<2', { kind: 'compare', operator: '<', value: 2 }],
    ['3-5', { kind: 'range', from: 3, to: 5 }],
    ['7-7', { kind: 'range', from: 7, to: 7 }],
    ['  >= 4 ', { kind: 'compare', operator: '>=', value: 4 }],
    ['\t3 - 5\n', { kind: 'range', from: 3, to: 5 }],
    ['256', { kind: 'compare', operator: '==', value: 256 }],
    ['2147483647', { kind: 'compare', operator: '==', value: 2147483647 }],
  ])('%j', (text, condition) => {
    expect(parseExitCodeCondition(text)).toEqual({ ok: true, condition });
  });
});

describe('parseExitCodeCondition explains what it expected', () => {
  it.each<[string, string]>([
    ['', 'found an empty text'],
    ['   ', 'found an empty text'],
    ['abc', 'found "abc"'],
    ['-1', 'never negative'],
    ['>=-1', 'found ">=-1"'],
    ['5-3', 'the range "5-3" is empty'],
    ['>=', 'found ">="'],
    ['=>3', 'found "=>3"'],
    ['==3', 'found "==3"'],
    ['3 4', 'found "3 4"'],
    ['1.5', 'found "1.5"'],
    ['+3', 'found "+3"'],
    ['3-', 'found "3-"'],
    ['2147483648', 'at most 2147483647'],
    ['1-99999999999', 'at most 2147483647'],
  ])('%j', (text, message) => {
    const parsed = parseExitCodeCondition(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
    if (message.startsWith('found')) expect(parsed.ok ? '' : parsed.message).toContain('"N-M"');
  });
});

describe('exitCodeMatches', () => {
  it.each<[string, number[], number[]]>([
    ['0', [0], [1, 2, 256]],
    ['!=0', [1, 2, 256], [0]],
    ['>=4', [4, 5, 255], [0, 3]],
    ['>4', [5, 255], [0, 4]],
    ['<=2', [0, 1, 2], [3, 256]],
    ['<2', [0, 1], [2, 3]],
    ['3-5', [3, 4, 5], [0, 2, 6, 256]],
    ['7-7', [7], [6, 8]],
  ])('%s holds for %j and not for %j', (text, holding, failing) => {
    const condition = conditionOf(text);
    for (const code of holding) expect(exitCodeMatches(condition, code), `code ${code}`).toBe(true);
    for (const code of failing) expect(exitCodeMatches(condition, code), `code ${code}`).toBe(false);
  });
});

describe('formatExitCodeCondition', () => {
  it.each([
    [' 0 ', '0'],
    ['!= 1', '!=1'],
    ['>=4', '>=4'],
    ['>4', '>4'],
    ['<=2', '<=2'],
    ['<2', '<2'],
    ['3 - 5', '3-5'],
  ])('%j is written %j and reads back the same', (text, canonical) => {
    const condition = conditionOf(text);
    expect(formatExitCodeCondition(condition)).toBe(canonical);
    expect(conditionOf(canonical)).toEqual(condition);
  });
});
