/**
 * The compiled jobnet a run executes: the jobnet definition normalised (defaults filled in,
 * durations in seconds, `after` entries as predecessor edges with parsed exit-code conditions)
 * and pinned to the revision it came from (R-GIT-3: a running run keeps the revision it started
 * with).
 *
 * The controller's compile step produces it; the run workflow receives it as input and hands it
 * to the run state machine (`run-state.ts`). It is plain JSON, so it can travel through Temporal
 * unchanged. This module holds its types, a constructor that fills in the defaults, and small
 * graph questions (successors, descendants, recovery jobs) shared by everyone who reads it.
 *
 * This module runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no
 * randomness. It does not validate definitions for users (the validator does, with located
 * diagnostics); {@link compiledJobnetProblems} only guards against a compile bug.
 */
import type { BusinessCalendar } from './business-calendar.js';
import type { CompiledSchedule } from './compiled-schedule.js';
import type { ExitCodeCondition } from './exit-code-condition.js';
import type { JobType } from './exit-classification.js';
import type { JobSpecs, TypedJobSpec } from './job-specs.js';

export type { JobType } from './exit-classification.js';

/** A predecessor edge (R-DEP-1, R-DEP-2): without a condition it holds for a normal or pseudo-normal end. */
export interface CompiledPredecessor {
  job: string;
  condition?: ExitCodeCondition;
}

/** Automatic re-runs of a job that ended abnormally (R-JOB). */
export interface CompiledRetry {
  /** Most re-runs after the first run (1–99). */
  attempts: number;
  /** Wait between the failure and the re-run. */
  intervalSeconds: number;
  /** Re-run only after these exit codes; omitted: after any abnormal code. */
  onExitCodes?: number[];
}

/** What every compiled job has, whatever its type, with every default filled in. */
export interface CompiledJobBase {
  name: string;
  title?: string;
  /** Predecessors in definition order (R-JN-1). */
  predecessors: CompiledPredecessor[];
  /** AND join (`all`) or OR join (`any`) over the predecessors (R-DEP-1). */
  join: 'all' | 'any';
  /** Codes 1…normalExitMax are pseudo-normal (R-EXIT-1). */
  normalExitMax: number;
  /** Every exit code is normal (R-EXIT-1). */
  alwaysNormal: boolean;
  /** The job starts held until an operator releases it (R-JOB). */
  hold: boolean;
  /** The job does not run and counts as passed (R-JOB). */
  disabled: boolean;
  /** Job run when this job ends abnormally (R-DEP-4). */
  recovery?: string;
  /** Re-run this job once when its recovery job ends normally (R-DEP-4). */
  rerunAfterRecovery: boolean;
  /** A jobnet restart resumes here unless the failure happened before it (R-DEP-5). */
  restartPoint: boolean;
  retry?: CompiledRetry;
  /** Force-terminate after this many seconds, reason `timeLimit` (R-JOB). */
  timeLimitSeconds?: number;
  /** Trouble `jobOverrun` after this many seconds (R-JOB, R-TRB). */
  expectedDurationSeconds?: number;
  /** Resource names; jobs naming the same resource never run at the same time (R-JOB). */
  exclusive: string[];
  /** Output lines `NAME=VALUE` become jobnet variables `PREFIX.NAME` (R-VAR-1). */
  capturePrefix?: string;
}

/**
 * One job of a compiled jobnet: the common part plus its `type` and the type-specific `spec`
 * (request, seconds, until, …) of that type (`job-specs.ts`). Checking `type` narrows `spec`.
 * Only the TypeScript type is a union: the JSON is the same object whatever the type.
 */
export type CompiledJob = CompiledJobBase & TypedJobSpec;

/** A compiled job of one type. */
export type CompiledJobOf<T extends JobType> = CompiledJobBase & { type: T; spec: JobSpecs[T] };

/** A jobnet compiled for execution, pinned to one revision of the definitions. */
export interface CompiledJobnet {
  project: string;
  /** Jobnet name (with the copy suffix for a copy start, R-JN-3). */
  name: string;
  title?: string;
  /** The revision (commit SHA) the definition came from (R-GIT-3). */
  revision: string;
  /** Content digest of the compiled jobnet, to skip no-op applies (R-GIT-3). */
  digest?: string;
  /** The environment the definitions were compiled for (R-VAR-2), when one was selected. */
  environment?: string;
  /**
   * Job-definition variables after precedence, Settings < Environment < Project < Jobnet
   * (R-VAR-2), substituted for `@NAME@` when a job starts (R-VAR-4). Omitted: none.
   */
  variables?: Record<string, string>;
  /**
   * The jobnet's calendar: business dates, day change and time zone, used by `waitTime` jobs
   * (R-JOBT-3). Omitted: the system calendar in UTC.
   */
  calendar?: BusinessCalendar;
  /**
   * When the jobnet starts, for its jobnet actor (R-DAYS, R-SCH, R-EVT-2, R-STATE-2, R-TRB).
   * Omitted (hand-built jobnets in tests): manual starts only, every day a start day.
   */
  schedule?: CompiledSchedule;
  /**
   * Every jobnet reachable through `jobnet` jobs (R-JN-2), compiled, by name: one flat map on the
   * jobnet a run starts with, handed down to its child runs. Children carry no map of their own.
   */
  children?: Record<string, CompiledJobnet>;
  /** Jobs by name. */
  jobs: Record<string, CompiledJob>;
}

/** The settings of a job other than its name, type and spec; each has a default. */
export type CompiledJobSettings = Omit<CompiledJobBase, 'name'>;

/** What a caller must say about a job (name, type and spec); every setting takes the definition format's default. */
export type CompiledJobFields = Pick<CompiledJobBase, 'name'> & TypedJobSpec & Partial<CompiledJobSettings>;

/**
 * A compiled job with the defaults of the definition format: no predecessors, `join: all`,
 * `normalExitMax: 0`, `alwaysNormal`, `hold`, `disabled`, `rerunAfterRecovery` and
 * `restartPoint` false, no exclusive resources. Never throws.
 */
export function compiledJob(fields: CompiledJobFields): CompiledJob {
  const defaults: CompiledJobSettings = {
    predecessors: [],
    join: 'all',
    normalExitMax: 0,
    alwaysNormal: false,
    hold: false,
    disabled: false,
    rerunAfterRecovery: false,
    restartPoint: false,
    exclusive: [],
  };
  // The spec keeps its place after the settings, where compiled JSON has always had it.
  return Object.assign({ ...defaults, spec: fields.spec }, fields);
}

/** Job names in sorted order: the one iteration order of the run engine. */
export function jobNames(jobnet: CompiledJobnet): string[] {
  return Object.keys(jobnet.jobs).sort();
}

/**
 * Jobs named as the `recovery` of some job (R-DEP-4), sorted. They are outside the normal flow:
 * they run only when a job they recover ends abnormally.
 */
export function recoveryJobNames(jobnet: CompiledJobnet): string[] {
  const names = new Set<string>();
  for (const name of jobNames(jobnet)) {
    const recovery = jobnet.jobs[name]?.recovery;
    if (recovery !== undefined && recovery in jobnet.jobs) names.add(recovery);
  }
  return [...names].sort();
}

/**
 * Successors of each job along the normal flow (the reverse of `predecessors`), sorted. Edges
 * into recovery jobs are left out, because a recovery job does not run after its predecessors.
 */
export function successorsByJob(jobnet: CompiledJobnet): Record<string, string[]> {
  const recovery = new Set(recoveryJobNames(jobnet));
  const names = jobNames(jobnet);
  const successors: Record<string, string[]> = {};
  for (const name of names) successors[name] = [];
  for (const name of names) {
    if (recovery.has(name)) continue;
    for (const predecessor of jobnet.jobs[name]?.predecessors ?? []) {
      const list = successors[predecessor.job];
      if (list !== undefined && !list.includes(name)) list.push(name);
    }
  }
  for (const name of names) successors[name]?.sort();
  return successors;
}

/** `job` and every job that runs after it, directly or indirectly, along the normal flow; sorted. */
export function jobAndDescendants(jobnet: CompiledJobnet, job: string): string[] {
  const successors = successorsByJob(jobnet);
  const seen = new Set<string>([job]);
  const queue = [job];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const next of successors[current] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen].sort();
}

/** The job marked `restartPoint: true` (R-DEP-5), if any (the first in name order). */
export function restartPointOf(jobnet: CompiledJobnet): string | undefined {
  return jobNames(jobnet).find((name) => jobnet.jobs[name]?.restartPoint === true);
}

/**
 * Structural problems that would make a run meaningless: a job keyed under another name, a
 * predecessor or recovery job that does not exist, a job that runs after itself or recovers
 * itself, a dependency cycle. The validator reports these to users with their location; an
 * answer that is not empty here means the compile step has a bug. Never throws.
 */
export function compiledJobnetProblems(jobnet: CompiledJobnet): string[] {
  const problems: string[] = [];
  const names = jobNames(jobnet);
  for (const name of names) {
    const job = jobnet.jobs[name] as CompiledJob;
    if (job.name !== name) problems.push(`job "${name}" is named "${job.name}" inside`);
    for (const predecessor of job.predecessors) {
      if (!(predecessor.job in jobnet.jobs))
        problems.push(`job "${name}" runs after "${predecessor.job}", which does not exist`);
      else if (predecessor.job === name) problems.push(`job "${name}" runs after itself`);
    }
    if (job.recovery !== undefined) {
      if (!(job.recovery in jobnet.jobs))
        problems.push(`job "${name}" names recovery job "${job.recovery}", which does not exist`);
      else if (job.recovery === name) problems.push(`job "${name}" is its own recovery job`);
    }
  }
  // Kahn's algorithm over the normal flow; whatever cannot be ordered lies on a cycle.
  const successors = successorsByJob(jobnet);
  const remaining = new Map<string, number>();
  const recovery = new Set(recoveryJobNames(jobnet));
  for (const name of names) {
    const known = recovery.has(name)
      ? []
      : (jobnet.jobs[name]?.predecessors ?? []).filter((p) => p.job in jobnet.jobs && p.job !== name);
    remaining.set(name, new Set(known.map((p) => p.job)).size);
  }
  const queue = names.filter((name) => remaining.get(name) === 0);
  let ordered = 0;
  while (queue.length > 0) {
    const current = queue.shift() as string;
    ordered++;
    for (const next of successors[current] ?? []) {
      if (next === current) continue;
      const count = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, count);
      if (count === 0) queue.push(next);
    }
  }
  if (ordered < names.length) {
    const onCycle = names.filter((name) => (remaining.get(name) ?? 0) > 0);
    problems.push(`dependency cycle among ${onCycle.map((n) => `"${n}"`).join(', ')}`);
  }
  return problems;
}
