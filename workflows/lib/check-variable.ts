/**
 * The `checkVariable` job (R-JOBT-6, WOI 8.1.6 `jobschchknetvar`): compares a jobnet variable
 * `PREFIX.NAME` (R-VAR-1) as a 32-bit integer, as a string, or only checks that it exists, and
 * ends 0 on a match, 1 on no match (both normal ends) and 2 or more on an error (R-EXIT-4).
 *
 * The run workflow calls {@link evaluateCheckVariable} directly (there is nothing to wait for), so
 * this module runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no
 * randomness. It never throws: a bad specification or a value that cannot be compared is an error
 * exit with a message, because the job, not the workflow, fails.
 */
import { checkVariableExitCodes } from './exit-classification.js';
import type { CheckVariableSpec, NumberComparisonSpec, NumberOperator } from './job-specs.js';

/**
 * How a job that the run workflow evaluates by itself (no activity) ended: its exit code, its
 * standard output (`NAME=VALUE` lines, R-VAR-1) and, when the code is an error, why.
 *
 * Shared by the built-in job types (`checkVariable`, the ending branch of `waitTime`).
 */
export interface JobEvaluation {
  /** The job's exit code (R-EXIT-4). */
  exitCode: number;
  /** The job's standard output: lines separated by `\n`, no trailing newline; empty for none. */
  output: string;
  /** Why the job ended with an error code; absent on a normal end (match, no match, reached time). */
  message?: string;
}

/** Bounds of a 32-bit integer: the range of WOI 8.1.6 `-num` values. */
const int32Min = -2_147_483_648;
const int32Max = 2_147_483_647;

const integerPattern = /^[+-]?[0-9]+$/;

/**
 * Reads a variable value as a 32-bit integer: an optional sign and decimal digits (leading zeros
 * allowed), nothing else — no spaces, no fraction, no exponent, no hex. `undefined` otherwise.
 */
function parseInt32(text: string): number | undefined {
  if (!integerPattern.test(text)) return undefined;
  const value = Number(text);
  return value >= int32Min && value <= int32Max ? value : undefined;
}

const isInt32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= int32Min && value <= int32Max;

function compare(op: NumberOperator, actual: number, expected: number): boolean {
  switch (op) {
    case 'EQ':
      return actual === expected;
    case 'NE':
      return actual !== expected;
    case 'GT':
      return actual > expected;
    case 'GE':
      return actual >= expected;
    case 'LT':
      return actual < expected;
    case 'LE':
      return actual <= expected;
  }
}

const numberOperators: readonly string[] = ['EQ', 'NE', 'GT', 'GE', 'LT', 'LE'];
const stringOperators: readonly string[] = ['EQ', 'NE', 'IN', 'NI'];

/** A condition ready to test a value, or why the specification is wrong. */
type Condition = { ok: true; test: (value: string) => boolean | { error: string } } | { ok: false; message: string };

function comparisonProblem(
  comparison: NumberComparisonSpec,
  allowed: readonly string[],
  where: string,
): string | undefined {
  if (!allowed.includes(comparison.op))
    return `${where}op ${JSON.stringify(comparison.op)} is not one of ${allowed.join(', ')}`;
  if (!isInt32(comparison.value))
    return `${where}value ${String(comparison.value)} is not an integer from ${int32Min} to ${int32Max}`;
  return undefined;
}

function numberCondition(variable: string, number: NonNullable<CheckVariableSpec['number']>): Condition {
  const asNumber = (value: string): number | { error: string } =>
    parseInt32(value) ?? {
      error: `variable ${variable} has value ${JSON.stringify(value)}, which is not an integer from ${int32Min} to ${int32Max}`,
    };
  if ('from' in number) {
    const { from, to } = number;
    const problem =
      comparisonProblem(from, ['GT', 'GE'], 'number.from: ') ?? comparisonProblem(to, ['LT', 'LE'], 'number.to: ');
    if (problem !== undefined) return { ok: false, message: problem };
    // WOI 8.1.6: "比較値1 には 比較値2 より小さい数値を指定します".
    if (from.value >= to.value)
      return { ok: false, message: `number.from.value ${from.value} must be smaller than number.to.value ${to.value}` };
    return {
      ok: true,
      test: (value) => {
        const actual = asNumber(value);
        return typeof actual === 'number'
          ? compare(from.op, actual, from.value) && compare(to.op, actual, to.value)
          : actual;
      },
    };
  }
  const problem = comparisonProblem(number, numberOperators, 'number.');
  if (problem !== undefined) return { ok: false, message: problem };
  return {
    ok: true,
    test: (value) => {
      const actual = asNumber(value);
      return typeof actual === 'number' ? compare(number.op, actual, number.value) : actual;
    },
  };
}

function stringCondition(string: NonNullable<CheckVariableSpec['string']>): Condition {
  const { op, value: expected } = string;
  if (!stringOperators.includes(op))
    return { ok: false, message: `string.op ${JSON.stringify(op)} is not one of ${stringOperators.join(', ')}` };
  if (typeof expected !== 'string') return { ok: false, message: 'string.value is not a string' };
  switch (op) {
    case 'EQ':
      return { ok: true, test: (value) => value === expected };
    case 'NE':
      return { ok: true, test: (value) => value !== expected };
    // WOI 8.1.6 empty comparison string: IN never matches, NI always matches (every string
    // "contains" the empty string, so the natural reading would be the other way round).
    case 'IN':
      return { ok: true, test: (value) => expected !== '' && value.includes(expected) };
    case 'NI':
      return { ok: true, test: (value) => expected === '' || !value.includes(expected) };
  }
}

function conditionOf(spec: CheckVariableSpec): Condition {
  if (spec.number !== undefined && spec.string !== undefined) {
    return { ok: false, message: 'give number or string, not both' };
  }
  if (spec.number !== undefined) return numberCondition(spec.variable, spec.number);
  if (spec.string !== undefined) return stringCondition(spec.string);
  // Existence: a variable that exists matches, even with an empty value (WOI 8.1.6).
  return { ok: true, test: () => true };
}

/**
 * What is wrong with a `checkVariable` specification — the problems {@link evaluateCheckVariable}
 * ends the job with 2 for — or undefined. The validator reports them before anything runs.
 */
export function checkVariableSpecProblem(spec: CheckVariableSpec): string | undefined {
  const condition = conditionOf(spec);
  return condition.ok ? undefined : condition.message;
}

/**
 * Evaluates a `checkVariable` job (R-JOBT-6, WOI 8.1.6) against the run's jobnet variables
 * (already including inherited ones):
 * - no `number` and no `string`: matches when the variable exists, even with an empty value;
 * - a variable that does not exist never matches, whatever the condition (also `NE` and `NI`);
 * - `number`: the value is read as a 32-bit integer (optional sign and decimal digits only) and
 *   compared with `op` (`EQ NE GT GE LT LE`), or with a range `from` (`GT`/`GE`) and `to`
 *   (`LT`/`LE`), both of which must hold; a value that is not such an integer (empty, `1.5`,
 *   ` 7`, `2147483648`) cannot be compared: exit 2 with a message;
 * - `string`: `EQ`, `NE`, `IN` (contains), `NI` (does not contain); with an empty comparison
 *   string `EQ` matches an empty value, `NE` a non-empty one, `IN` never matches and `NI` always;
 * - `invert: true` swaps 0 and 1; errors stay 2.
 *
 * A wrong specification (both `number` and `string`, an unknown operator, a range operator other
 * than `GT`/`GE` … `LT`/`LE`, a range whose `from.value` is not below `to.value`, a comparison value
 * outside 32 bits) is exit 2 with a message, checked before the variable is looked at.
 *
 * The output is `<variable>=<value>` whenever the variable exists — also on an error — and empty
 * when it does not. Never throws.
 */
export function evaluateCheckVariable(
  spec: CheckVariableSpec,
  variables: Readonly<Record<string, string>>,
): JobEvaluation {
  const exists = Object.prototype.hasOwnProperty.call(variables, spec.variable);
  const value = exists ? variables[spec.variable] : undefined;
  const output = value === undefined ? '' : `${spec.variable}=${value}`;
  const error = (message: string): JobEvaluation => ({ exitCode: checkVariableExitCodes.firstError, output, message });

  const condition = conditionOf(spec);
  if (!condition.ok) return error(`checkVariable ${spec.variable}: ${condition.message}`);
  const outcome = value === undefined ? false : condition.test(value);
  if (typeof outcome === 'object') return error(outcome.error);
  const matched = spec.invert === true ? !outcome : outcome;
  return { exitCode: matched ? checkVariableExitCodes.match : checkVariableExitCodes.noMatch, output };
}
