/**
 * How an exit code ends a job (R-EXIT): `normal`, `pseudoNormal` or `abnormal`, and what the
 * codes the scheduler assigns by itself mean (R-EXIT-2, WOI 8.5.1), what REST job codes mean
 * (R-EXIT-3, WOI 8.1.1) and what the built-in job types return (R-EXIT-4, R-JOBT).
 *
 * The run engine classifies every job end with this module, and incidents and the job
 * management log print the meanings from here (R-INC-2), so there is one table, not two.
 *
 * This module runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no
 * randomness. It never throws.
 */

/** Outcome class of an exit code (R-EXIT-1). */
export type ExitClass = 'normal' | 'pseudoNormal' | 'abnormal';

/**
 * Why a job was force-terminated (R-EXIT-2): by an operator (WOI 0x40000222) or because its
 * `timeLimit` passed (WOI 0x40000322). Incident rules depend on it (R-INC-4).
 */
export type ForcedEndReason = 'operator' | 'timeLimit';

/** The job types of docs/specification.md §4.5. */
export type JobType =
  'rest' | 'sleep' | 'waitTime' | 'raiseEvent' | 'waitEvent' | 'checkVariable' | 'jobnet' | 'command';

/** Exit codes the scheduler assigns by itself (R-EXIT-2, WOI 8.5.1). */
export const schedulerExitCodes = {
  /** The job management environment stopped while the job was running. */
  environmentStopped: 239,
  /** A copy start of the jobnet failed (R-JN-3). */
  copyStartFailed: 242,
  /** A value contains forbidden characters after variable substitution (R-VAR-4). */
  forbiddenCharacters: 245,
  /** A length or count limit was exceeded after substitution, or more than 640 jobnet variables (R-VAR-4, R-JN-4). */
  limitExceeded: 246,
  /** A jobnet or job-definition variable could not be read or written. */
  variableAccessFailed: 247,
  /** OR join: another predecessor ended normally and the successor started, so this job no longer runs (R-DEP-1). */
  orJoinFired: 248,
  /** OR join: another predecessor ended abnormally, so the join could no longer be evaluated (R-DEP-1). */
  orJoinBroken: 249,
  /** The job's definition was not found when it was to start. */
  jobDefinitionNotFound: 250,
  /** The job could not be started. */
  jobStartFailed: 254,
  /** The job was force-terminated (by an operator or its time limit). */
  forceTerminated: 256,
} as const;

/** Exit codes of a `rest` job (R-EXIT-3, WOI 8.1.1). */
export const restExitCodes = {
  normal: 0,
  connectionInfoError: 2,
  httpRequestFailed: 4,
  httpTimeout: 5,
  pollingExhausted: 6,
  unexpectedResult: 7,
  responseUnreadable: 8,
  credentialUnavailable: 10,
  internalError: 99,
} as const;

/** Exit codes of a `waitTime` job (R-EXIT-4, R-JOBT-3, WOI 8.1.4). */
export const waitTimeExitCodes = {
  /** Waited until `until`, or started between `until` and `latest` (or after `until` with no `latest`). */
  normal: 0,
  /** Started after `latest`: an abnormal end in WOI, so its successors do not run. */
  startedAfterLatest: 1,
  /** The specification is wrong (`latest` before `until`). */
  badSpecification: 21,
} as const;

/** Exit codes of a `checkVariable` job (R-EXIT-4, R-JOBT-6). */
export const checkVariableExitCodes = {
  /** The condition holds (or, with `invert: true`, does not hold). */
  match: 0,
  /** The condition does not hold (or, with `invert: true`, holds). A normal end too. */
  noMatch: 1,
  /** The lowest error code: 2 and above mean the check could not be made. */
  firstError: 2,
} as const;

/** Meanings of the scheduler-assigned codes, as printed in incidents and logs (R-INC-2). */
export const schedulerExitCodeMeanings: Readonly<Record<number, string>> = {
  239: 'the job management environment stopped while the job was running',
  242: 'the copy start of the jobnet failed',
  245: 'a variable parameter, job-definition variable or jobnet variable contains forbidden characters',
  246: 'a length limit was exceeded after variable substitution, or the run would hold more than 640 jobnet variables',
  247: 'a job-definition variable or jobnet variable could not be read or written',
  248: 'ended without running: another predecessor of an OR join ended normally and the successor started',
  249: 'ended without running: another predecessor of an OR join ended abnormally, so the join could not be evaluated',
  250: 'the job information could not be obtained when the job was to start (the job definition was not found)',
  254: 'the job could not be started',
  256: 'the job was force-terminated',
};

/** Meanings of the REST job codes (R-EXIT-3), as printed in incidents and logs. */
export const restExitCodeMeanings: Readonly<Record<number, string>> = {
  0: 'normal end',
  2: 'the connection information is wrong',
  4: 'the HTTP request failed (network error or a status other than 2xx)',
  5: 'the HTTP request timed out',
  6: 'the completion wait was exhausted (pollingCount polls without an end value)',
  7: 'the result value is not one of checkResultVal',
  8: 'the response could not be parsed, or a key was not found in it',
  10: 'the credential could not be obtained',
  99: 'internal error of the REST job',
};

/** Meanings of the `waitTime` codes (R-JOBT-3). */
export const waitTimeExitCodeMeanings: Readonly<Record<number, string>> = {
  0: 'the wait time was reached',
  1: 'the job started after its latest time',
  21: 'the wait specification is wrong',
};

/** Meanings of the `checkVariable` codes (R-JOBT-6); codes from 2 up are errors. */
export const checkVariableExitCodeMeanings: Readonly<Record<number, string>> = {
  0: 'the variable matched the condition',
  1: 'the variable did not match the condition',
};

/** WOI codes and meanings of the forced-end reasons (R-EXIT-2, WOI 8.5.2). */
export const forcedEndReasons: Readonly<Record<ForcedEndReason, { woiCode: string; meaning: string }>> = {
  operator: { woiCode: '0x40000222', meaning: 'the job was force-terminated by an operator' },
  timeLimit: { woiCode: '0x40000322', meaning: 'the job was force-terminated because its time limit passed' },
};

/** The fields of a job that decide how its exit codes are classified. */
export interface ExitClassificationSettings {
  type: JobType;
  /** Codes 1…normalExitMax are pseudo-normal (R-EXIT-1). */
  normalExitMax: number;
  /** Any code is normal (R-EXIT-1). */
  alwaysNormal: boolean;
}

/**
 * Classifies an exit code for a job (R-EXIT-1, R-EXIT-4):
 * - `alwaysNormal: true`: every code is `normal`;
 * - 0 is `normal`;
 * - `checkVariable`: 1 (no match) is `normal` too — both 0 and 1 are normal ends (R-EXIT-4);
 * - 1 … `normalExitMax` is `pseudoNormal`;
 * - anything else is `abnormal`.
 *
 * `waitTime` has no exception: its 1 ("started after `latest`") is abnormal, as in WOI (8.1.4:
 * "復帰値1で異常終了"), which is what makes a `latest` time keep its successors from starting;
 * a job that should continue anyway sets `normalExitMax: 1` (then it is pseudo-normal).
 * Forced ends are not classified here: a force-terminated job is `forced` whatever its settings.
 * Negative or fractional codes are `abnormal`. Never throws.
 */
export function classifyExitCode(job: ExitClassificationSettings, exitCode: number): ExitClass {
  if (job.alwaysNormal) return 'normal';
  if (!Number.isInteger(exitCode) || exitCode < 0) return 'abnormal';
  if (exitCode === 0) return 'normal';
  if (job.type === 'checkVariable' && exitCode === checkVariableExitCodes.noMatch) return 'normal';
  if (exitCode <= job.normalExitMax) return 'pseudoNormal';
  return 'abnormal';
}

/**
 * The meaning of an exit code of a job of type `type`, for incidents and logs (R-INC-2): the
 * scheduler's own codes first (R-EXIT-2), then the type's codes (R-EXIT-3, R-EXIT-4), then the
 * generic WOI reading (≤ 200: the job's program ended with this code; 201–231: the job ended
 * abnormally). Never throws.
 */
export function describeExitCode(type: JobType, exitCode: number): string {
  const scheduler = schedulerExitCodeMeanings[exitCode];
  if (scheduler !== undefined) return scheduler;
  const typed =
    type === 'rest'
      ? restExitCodeMeanings[exitCode]
      : type === 'waitTime'
        ? waitTimeExitCodeMeanings[exitCode]
        : type === 'checkVariable'
          ? (checkVariableExitCodeMeanings[exitCode] ??
            (exitCode >= checkVariableExitCodes.firstError ? 'the variable could not be checked' : undefined))
          : undefined;
  if (typed !== undefined) return typed;
  if (exitCode === 0) return 'normal end';
  if (exitCode >= 201 && exitCode <= 231) return 'the job ended abnormally';
  return `the job ended with exit code ${exitCode}`;
}
