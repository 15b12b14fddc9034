/**
 * The type-specific part of a compiled job (`CompiledJob.spec`), one shape per job type
 * (SPEC 4.5), as the compile step writes it: defaults filled in, durations in seconds, and the
 * strings still holding their `@…@` variable references, which are substituted when the job
 * starts (R-VAR-4).
 *
 * Plain JSON types only; this module runs inside the Temporal workflow sandbox.
 */
/** Operators of a numeric `checkVariable` comparison (R-JOBT-6, WOI 8.1.6 `-num`). */
export type NumberOperator = 'EQ' | 'NE' | 'GT' | 'GE' | 'LT' | 'LE';

/** `sleep` (R-JOBT-2). */
export interface SleepSpec {
  seconds: number;
}

/** `waitTime` (R-JOBT-3): times `HHMM` relative to the calendar's day change. */
export interface WaitTimeSpec {
  until: string;
  latest?: string;
}

/** `raiseEvent` (R-JOBT-4, R-EVT-1). */
export interface RaiseEventSpec {
  event: string;
  project?: string;
  jobnet?: string;
  param?: string;
  suffix?: string;
}

/** `waitEvent` (R-JOBT-5). */
export interface WaitEventSpec {
  event: string;
}

/** One comparison of a numeric check (R-JOBT-6). */
export interface NumberComparisonSpec {
  op: NumberOperator;
  value: number;
}

/** `checkVariable` (R-JOBT-6): exactly one of `number`, `string`, or neither (existence). */
export interface CheckVariableSpec {
  variable: string;
  number?: NumberComparisonSpec | { from: NumberComparisonSpec; to: NumberComparisonSpec };
  string?: { op: 'EQ' | 'NE' | 'IN' | 'NI'; value: string };
  invert: boolean;
}

/** `jobnet` (R-JOBT-7, R-JN-2): the child's compiled form is in `CompiledJobnet.children`. */
export interface ChildJobnetSpec {
  jobnet: string;
}

/** `command` (R-JOBT-8). */
export interface CommandSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  timeoutSeconds?: number;
}

/**
 * `rest` (R-REST): the request, monitoring and termination objects as written (durations are
 * converted by the REST job itself), and the credential reference by name.
 */
export interface RestSpec {
  credential?: string;
  request: Record<string, unknown>;
  monitoring?: Record<string, unknown>;
  termination?: Record<string, unknown>;
}
