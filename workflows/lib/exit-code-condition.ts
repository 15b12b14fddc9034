/**
 * Exit-code conditions of conditional edges (R-DEP-2): `after: [{job: check, exitCode: ">=4"}]`.
 * A successor whose edge condition does not hold is `passed`.
 *
 * The validator parses conditions to report mistakes at the source; the jobnet workflow evaluates
 * them when a predecessor ends. So this module runs inside the Temporal workflow sandbox: no Node
 * built-ins, no I/O, no clock, no randomness.
 */

/** Comparison operators of a single-value condition. */
export type ExitCodeOperator = '==' | '!=' | '>=' | '>' | '<=' | '<';

/** A parsed condition: a comparison with one exit code, or an inclusive range `N-M`. */
export type ExitCodeCondition =
  { kind: 'compare'; operator: ExitCodeOperator; value: number } | { kind: 'range'; from: number; to: number };

export type ExitCodeConditionParse = { ok: true; condition: ExitCodeCondition } | { ok: false; message: string };

/** Largest exit code a condition may name (exit codes are 32-bit; the scheduler's own reach 256). */
export const exitCodeConditionMaxValue = 2147483647;

const comparison = /^(!=|>=|<=|>|<)?\s*([0-9]+)$/;
const range = /^([0-9]+)\s*-\s*([0-9]+)$/;

const expected =
  'expected an exit-code condition: "N", "!=N", ">=N", ">N", "<=N", "<N" or "N-M" with whole numbers N, M ≥ 0';

function exitCodeValue(digits: string): number | undefined {
  const value = Number(digits);
  return value <= exitCodeConditionMaxValue ? value : undefined;
}

/**
 * Parses an exit-code condition (R-DEP-2): `"N"`, `"!=N"`, `">=N"`, `">N"`, `"<=N"`, `"<N"` or the
 * inclusive range `"N-M"` (N ≤ M), with whole numbers from 0 to 2147483647. Whitespace around the
 * condition, after an operator and around the `-` of a range is tolerated. Returns the reason when
 * the text is not a condition. Never throws.
 */
export function parseExitCodeCondition(text: string): ExitCodeConditionParse {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, message: `${expected}; found an empty text` };

  const rangeMatch = range.exec(trimmed);
  if (rangeMatch) {
    const from = exitCodeValue(rangeMatch[1] ?? '');
    const to = exitCodeValue(rangeMatch[2] ?? '');
    if (from === undefined || to === undefined) {
      return { ok: false, message: `exit codes in a condition are at most ${exitCodeConditionMaxValue}` };
    }
    if (from > to) {
      return {
        ok: false,
        message: `the range "${trimmed}" is empty: in "N-M" the first code must not exceed the second`,
      };
    }
    return { ok: true, condition: { kind: 'range', from, to } };
  }

  const comparisonMatch = comparison.exec(trimmed);
  if (comparisonMatch) {
    const value = exitCodeValue(comparisonMatch[2] ?? '');
    if (value === undefined) {
      return { ok: false, message: `exit codes in a condition are at most ${exitCodeConditionMaxValue}` };
    }
    const operator = (comparisonMatch[1] ?? '==') as ExitCodeOperator;
    return { ok: true, condition: { kind: 'compare', operator, value } };
  }

  if (/^-\s*[0-9]/.test(trimmed)) return { ok: false, message: `${expected}; exit codes are never negative` };
  return { ok: false, message: `${expected}; found "${trimmed}"` };
}

/** Whether exit code `code` satisfies `condition` (R-DEP-2). Never throws. */
export function exitCodeMatches(condition: ExitCodeCondition, code: number): boolean {
  if (condition.kind === 'range') return code >= condition.from && code <= condition.to;
  switch (condition.operator) {
    case '==':
      return code === condition.value;
    case '!=':
      return code !== condition.value;
    case '>=':
      return code >= condition.value;
    case '>':
      return code > condition.value;
    case '<=':
      return code <= condition.value;
    case '<':
      return code < condition.value;
  }
}

/** The canonical text of a condition (`"3"`, `"!=0"`, `"3-5"`), for plans and messages. */
export function formatExitCodeCondition(condition: ExitCodeCondition): string {
  if (condition.kind === 'range') return `${condition.from}-${condition.to}`;
  return condition.operator === '==' ? String(condition.value) : `${condition.operator}${condition.value}`;
}
