/**
 * The run state machine: the DAG interpreter of one run of a compiled jobnet (R-STATE, R-EXIT,
 * R-DEP, R-JOB, R-VAR-1, R-OPS-1..3). The run workflow is a thin loop around it: ask
 * {@link readyJobs} what to start, start those jobs, report each start ({@link jobStarted}) and
 * each end ({@link jobEnded}), cancel what {@link jobsToCancel} names, and apply operator
 * operations, which answer `{ok: true, state}` or `{ok: false, reason}`.
 *
 * Every function here is pure: it never changes the state it is given and returns a new one.
 * The state is plain JSON (it lives in workflow memory and is returned from queries), jobs are
 * always visited in sorted name order, and time is passed in by the caller as epoch
 * milliseconds (the workflow's deterministic clock). So this module runs inside the Temporal
 * workflow sandbox: no Node built-ins, no I/O, no `Date.now`, no randomness. It must not start,
 * cancel or wait for anything itself.
 *
 * Readings of the specification (where it leaves room, the choice is written here):
 * - Conditional edges (R-DEP-2) are evaluated on a predecessor's normal or pseudo-normal end
 *   only. An abnormal end stops the branch whatever the conditions say (R-DEP-3); reacting to a
 *   failure is the job of `recovery` (R-DEP-4).
 * - AND join: the job is `passed` as soon as one of its edge conditions does not hold (it can no
 *   longer run), or when all predecessors are passed; it starts when every predecessor is
 *   settled (ended with its condition holding, or passed) and at least one ended. An abnormal
 *   predecessor leaves it waiting (blocked).
 * - OR join (R-DEP-1): it fires at the first predecessor that ends normally or pseudo-normally
 *   with its condition holding. Then every predecessor that has not started (waiting or held,
 *   with no start pending) ends with 248 as `passed`; predecessors already running go on. Before
 *   it fires, a predecessor whose end is final and abnormal (abended or forced, no retry or
 *   recovery re-run pending) ends every other predecessor that has not started with 249; those
 *   jobs are `abended` (code 249 is in WOI's abnormal range) but never ran, so they get no retry,
 *   no recovery, and are not "failed jobs" for a restart. The OR-join job itself keeps waiting for
 *   predecessors that still run. A 248 or 249 end lasts only as long as its cause: when an
 *   operation removes the cause (the abnormal predecessor is re-run or skipped, the firing
 *   predecessor is re-armed), those jobs return to waiting.
 * - Recovery jobs (R-DEP-4) are outside the normal flow: a job named as some job's `recovery`
 *   is `passed` (settledBy `recoveryStandby`) until it is needed, its own `after` is ignored,
 *   and jobs that run after it see it as passed. It runs after each final abnormal end of the
 *   job it recovers (after retries are exhausted), including a time-limit kill, but not after an
 *   operator's forced end. The recovered job stays abended (so the run ends abended) unless
 *   `rerunAfterRecovery` re-runs it, once per arming, after a normal or pseudo-normal recovery.
 * - Retry (R-JOB): after an abnormal end whose code is in `onExitCodes` (any abnormal code when
 *   omitted), up to `attempts` re-runs, each `intervalSeconds` after the end; never after a
 *   forced end (time limit or operator), and not while the run is being force-terminated.
 * - Forced ends: a job force-terminated by an operator or by its time limit is `forced` with code
 *   256 and the reason; the run then ends `abended` (R-INC-4 tells the reasons apart). The run
 *   ends `forced` only when the run itself was force-terminated (R-OPS-1 `forceTerminate`).
 * - A held job keeps the run open while it could run once released: the run is `running` (or
 *   `warning`), not ended. A run ends when nothing can start or is running without an operator.
 * - Variables (R-VAR-1) are captured on normal and pseudo-normal ends only, from the `variables`
 *   the caller passes (REST jobs pass their `jobnetValKeys`) or else from the `NAME=VALUE` lines
 *   of the output. When a job's variables would take the run past 640 (R-JN-4) the job ends 246.
 *   A job captured later overrides the same name; jobs re-run by a restart lose theirs.
 * - Operations (R-OPS-1..3, WOI 5.3.1): `restartRun` on an abended or forced run; the four
 *   recovery operations on a run that has a failed job (abended, forced, or warning while other
 *   branches still run), refused while a recovery job runs, as in WOI. `startFromJob` and
 *   `restartFromJob` re-run the job and everything after it (a child jobnet is resumed from its
 *   failed jobs by `restartFromJob`, started afresh by `startFromJob`); `skipJob` turns a failed
 *   job into `passed` (settledBy `skipped`) that counts as a normal end with every outgoing edge
 *   holding; `runOnlyJob` runs one job whose successors have already run (or that has none).
 *   Hold, release, disable and enable are allowed until the run ends normally; in an ended run
 *   they prepare a restart and start nothing by themselves.
 */
import {
  compiledJobnetProblems,
  jobAndDescendants,
  jobNames,
  recoveryJobNames,
  restartPointOf,
  successorsByJob,
  type CompiledJob,
  type CompiledJobnet,
  type CompiledPredecessor,
} from './compiled-jobnet.js';
import { exitCodeMatches } from './exit-code-condition.js';
import { classifyExitCode, schedulerExitCodes, type ForcedEndReason } from './exit-classification.js';

/** Milliseconds since the epoch, from the workflow's deterministic clock. */
export type EpochMillis = number;

/** Job states (docs/specification.md §4.1). */
export type JobState =
  'waiting' | 'running' | 'normal' | 'pseudoNormal' | 'abended' | 'forced' | 'passed' | 'held' | 'disabled';

/** Final status of a run (R-STATE). */
export type RunFinalStatus = 'normal' | 'pseudoNormal' | 'abended' | 'forced';

/** Status of a run: live (`running`, `warning`) or final. */
export type RunStatus = 'running' | 'warning' | RunFinalStatus;

/**
 * Why the scheduler settled a job without running it (or, for `skipped`, after it failed):
 * - `condition`: an edge condition does not hold (R-DEP-2);
 * - `predecessorsPassed`: all its predecessors are passed (R-DEP-2);
 * - `orJoinFired`: ended 248, the OR join it feeds has fired (R-DEP-1);
 * - `orJoinBroken`: ended 249, another predecessor of the OR join it feeds ended abnormally (R-DEP-1);
 * - `skipped`: an operator skipped it after it failed (WOI 5.3.1);
 * - `recoveryStandby`: a recovery job not needed (R-DEP-4).
 */
export type SettledBy =
  'condition' | 'predecessorsPassed' | 'orJoinFired' | 'orJoinBroken' | 'skipped' | 'recoveryStandby';

/** Why a job starts. */
export type StartMode = 'dependencies' | 'retry' | 'recovery' | 'rerunAfterRecovery' | 'restart' | 'operator';

/** A start the state machine has decided on, independently of the job's predecessors. */
export interface ArmedStart {
  mode: Exclude<StartMode, 'dependencies'>;
  /** Not before this time (retry interval). */
  notBefore?: EpochMillis;
  /** A child jobnet resumes its previous run from its failed jobs instead of starting afresh. */
  resume?: boolean;
  /** For a recovery run: the job it recovers. */
  recoveryFor?: string;
}

/** An earlier attempt of a job, kept when the job is re-armed or reset. */
export interface JobAttempt {
  attempt: number;
  state: JobState;
  mode?: StartMode;
  exitCode?: number;
  forcedReason?: ForcedEndReason;
  startedAt?: EpochMillis;
  endedAt?: EpochMillis;
  settledBy?: SettledBy;
}

/** Who asked for an operation and when (R-OPS-3). */
export interface OperationContext {
  by: string;
  at: EpochMillis;
}

/** Everything the run knows about one job. */
export interface JobRecord {
  state: JobState;
  /** Starts of this job in this run (first run, retries, re-runs). */
  attempts: number;
  /** Automatic retries used since the job was last armed by its dependencies or an operator. */
  retries: number;
  exitCode?: number;
  forcedReason?: ForcedEndReason;
  startedAt?: EpochMillis;
  endedAt?: EpochMillis;
  /** Output of the last attempt (opaque text; REST output per R-REST-6). */
  output?: string;
  settledBy?: SettledBy;
  /** For 248/249 ends: the OR-join job concerned. */
  orJoin?: string;
  /** The job was held when the scheduler settled it; it returns to `held` if unsettled. */
  wasHeld?: boolean;
  /** How the current or last attempt was started. */
  startMode?: StartMode;
  /** The current or last attempt resumed a child jobnet. */
  resumed?: boolean;
  /** For a recovery job: the job its current or last run recovers. */
  recoveryFor?: string;
  /** Jobnet variables captured by the last attempt (R-VAR-1), full names `PREFIX.NAME`. */
  variables?: Record<string, string>;
  /** Order of the last end among all job ends of the run (later captures win). */
  endSequence?: number;
  armed?: ArmedStart;
  /** An operator or the run's force-termination asked to cancel the running job. */
  cancelRequested?: OperationContext;
  /** R-DEP-4: `pending` while the recovery job may still lead to a re-run; `done` once re-run. */
  rerunAfterRecovery?: 'pending' | 'done';
  history: JobAttempt[];
}

/** Operations recorded in the run (R-OPS-1, R-OPS-3). */
export type OperationName =
  | 'forceTerminateJob'
  | 'forceTerminateRun'
  | 'holdJob'
  | 'releaseJob'
  | 'disableJob'
  | 'enableJob'
  | 'restartRun'
  | 'startFromJob'
  | 'restartFromJob'
  | 'skipJob'
  | 'runOnlyJob'
  | 'cancelJobs';

/** An accepted operation, with who did it and when (R-OPS-3). */
export interface OperationRecord {
  sequence: number;
  operation: OperationName;
  job?: string;
  by: string;
  at: EpochMillis;
  /** What the operation did, in words. */
  detail: string;
}

/** The state of one run. Plain JSON. */
export interface RunState {
  jobnet: CompiledJobnet;
  startedAt: EpochMillis;
  /** Jobs by name, in sorted order. */
  jobs: Record<string, JobRecord>;
  /** Jobnet variables captured so far (R-VAR-1), sorted by name. */
  variables: Record<string, string>;
  /** Recovery runs waiting for their recovery job to be free, in order. */
  pendingRecoveries: { recoveryJob: string; failedJob: string }[];
  /** The run is being (or was) force-terminated (R-OPS-1). */
  forceTerminated?: OperationContext;
  /** Set when nothing more can run without an operator; cleared by restart and recovery operations. */
  result?: { status: RunFinalStatus; at: EpochMillis };
  /** Counter behind {@link JobRecord.endSequence}. */
  endSequence: number;
  operations: OperationRecord[];
}

/** A job the workflow should start now (or at `notBefore`). */
export interface ReadyJob {
  job: string;
  mode: StartMode;
  /** The attempt number the start will have. */
  attempt: number;
  notBefore?: EpochMillis;
  resume?: boolean;
  recoveryFor?: string;
  exclusive: string[];
}

/** What a job reported when it ended. */
export interface JobOutcome {
  exitCode: number;
  /** Set when the job was force-terminated; the job is then `forced` with code 256. */
  forcedReason?: ForcedEndReason;
  output?: string;
  /** Variables to capture instead of reading `NAME=VALUE` lines of the output (REST `jobnetValKeys`). */
  variables?: Record<string, string>;
  /**
   * The job ended pseudo-normally whatever its code and settings: a child jobnet whose run ended
   * `pseudoNormal` (R-EXIT-1 applied to the child run's status).
   */
  pseudoNormal?: boolean;
}

/**
 * The job states a bulk cancel may select (R-OPS-4): the states of a job that has not ended —
 * `running` (cancelled, then `forced` with 256), `waiting` and `held` (ended `forced` at once).
 */
export const cancelJobStates = ['running', 'waiting', 'held'] as const;
export type CancelJobState = (typeof cancelJobStates)[number];

/** What a bulk cancel did to one job. */
export interface CancelJobAnswer {
  job: string;
  /**
   * `terminated`: cancellation requested (running) or ended forced (waiting, held);
   * `alreadyTerminating`: a cancellation was already under way; `alreadyEnded`: the job (or the
   * run) has ended; `notMatching`: its state is not one of those asked for.
   */
  outcome: 'terminated' | 'alreadyTerminating' | 'alreadyEnded' | 'notMatching';
  /** The job's state when the cancel was applied. */
  state: JobState;
}

/** Answer of an operation: the new state, or why it was refused (and nothing changed). */
export type OperationResult = { ok: true; state: RunState } | { ok: false; reason: string };

/** A caller bug: a start or end reported for a job that cannot be in that situation. */
export class RunStateError extends Error {
  override name = 'RunStateError';
}

/** Most jobnet variables a run may hold (R-JN-4). */
export const maxJobnetVariables = 640;

// ---------------------------------------------------------------------------------------------
// Construction and queries

/**
 * The state of a new run of `jobnet` started at `at`: every job `waiting`, jobs with `hold` held,
 * disabled jobs `disabled` (counted as passed, R-JOB), recovery jobs on standby, and the passed
 * propagation already applied. A jobnet whose jobs are all disabled ends `normal` at once.
 * @throws RangeError when the compiled jobnet is structurally broken (see
 * `compiledJobnetProblems`), which is a bug of the compile step, not a user mistake.
 */
export function createRunState(jobnet: CompiledJobnet, at: EpochMillis): RunState {
  const problems = compiledJobnetProblems(jobnet);
  if (problems.length > 0) {
    throw new RangeError(`compiled jobnet ${jobnet.project}/${jobnet.name} cannot run: ${problems.join('; ')}`);
  }
  const recovery = new Set(recoveryJobNames(jobnet));
  const jobs: Record<string, JobRecord> = {};
  for (const name of jobNames(jobnet)) {
    const job = jobnet.jobs[name] as CompiledJob;
    const record: JobRecord = { state: 'waiting', attempts: 0, retries: 0, history: [] };
    if (job.disabled) record.state = 'disabled';
    else if (recovery.has(name)) {
      record.state = 'passed';
      record.settledBy = 'recoveryStandby';
    } else if (job.hold) record.state = 'held';
    jobs[name] = record;
  }
  const state: RunState = {
    jobnet: clone(jobnet),
    startedAt: at,
    jobs,
    variables: {},
    pendingRecoveries: [],
    endSequence: 0,
    operations: [],
  };
  settle(state, at);
  return state;
}

/**
 * The status of the run: its final status once it has ended, else `warning` when a job has
 * ended abnormally or was force-terminated and others can still run, else `running` (R-STATE).
 */
export function runStatus(state: RunState): RunStatus {
  if (state.result) return state.result.status;
  return hasFailedJob(state) ? 'warning' : 'running';
}

/**
 * Jobs to start, in name order: armed starts (retry, recovery, re-run, restart, operator) and
 * jobs whose join has fired. A job whose exclusive resource is used by a running job of this run,
 * or by a job earlier in the list, is left for later (R-JOB `exclusive`; exclusion across
 * jobnets is the workflow's). Empty once the run has ended or while it is force-terminated.
 * A retry comes with `notBefore`: start it at that time, not before.
 */
export function readyJobs(state: RunState): ReadyJob[] {
  if (state.result || state.forceTerminated) return [];
  const graph = graphOf(state);
  const busy = new Set<string>();
  for (const name of graph.names) {
    if (state.jobs[name]?.state === 'running') for (const resource of jobOf(state, name).exclusive) busy.add(resource);
  }
  const ready: ReadyJob[] = [];
  for (const name of graph.names) {
    const record = state.jobs[name] as JobRecord;
    if (record.state !== 'waiting') continue;
    const armed = record.armed;
    if (!armed && (graph.recovery.has(name) || joinDecision(state, graph, name).decision !== 'fire')) continue;
    const exclusive = jobOf(state, name).exclusive;
    if (exclusive.some((resource) => busy.has(resource))) continue;
    for (const resource of exclusive) busy.add(resource);
    const entry: ReadyJob = {
      job: name,
      mode: armed?.mode ?? 'dependencies',
      attempt: record.attempts + 1,
      exclusive: [...exclusive],
    };
    if (armed?.notBefore !== undefined) entry.notBefore = armed.notBefore;
    if (armed?.resume) entry.resume = true;
    if (armed?.recoveryFor !== undefined) entry.recoveryFor = armed.recoveryFor;
    ready.push(entry);
  }
  return ready;
}

/** Running jobs the workflow must cancel (operator or run force-termination), in name order. */
export function jobsToCancel(state: RunState): string[] {
  return jobNames(state.jobnet).filter((name) => {
    const record = state.jobs[name] as JobRecord;
    return record.state === 'running' && record.cancelRequested !== undefined;
  });
}

/**
 * Reads `NAME=VALUE` lines of a job's output into jobnet variables `PREFIX.NAME` (R-VAR-1).
 * NAME is `[A-Za-z0-9_]+`; the value is the rest of the line (a trailing `\r` removed); other
 * lines are ignored; a later line overrides an earlier one. Never throws.
 */
export function captureVariables(prefix: string, output: string): Record<string, string> {
  const captured: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^([A-Za-z0-9_]+)=(.*)$/.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (match) captured[`${prefix}.${match[1] ?? ''}`] = match[2] ?? '';
  }
  return captured;
}

// ---------------------------------------------------------------------------------------------
// Transitions reported by the workflow

/**
 * Records that the workflow started `job` at `at`. The job must be one {@link readyJobs}
 * returns, and `at` must not be before its `notBefore`.
 * @throws RunStateError otherwise (a workflow bug).
 */
export function jobStarted(state: RunState, job: string, at: EpochMillis): RunState {
  requireJob(state, job);
  const ready = readyJobs(state).find((entry) => entry.job === job);
  if (!ready) throw new RunStateError(`job "${job}" cannot start: ${whyNotReady(state, job)}`);
  if (ready.notBefore !== undefined && at < ready.notBefore) {
    throw new RunStateError(
      `job "${job}" cannot start before ${isoTime(ready.notBefore)} (retry interval); asked at ${isoTime(at)}`,
    );
  }
  const next = clone(state);
  const record = next.jobs[job] as JobRecord;
  archiveAttempt(record);
  record.state = 'running';
  record.startedAt = at;
  record.attempts += 1;
  record.startMode = ready.mode;
  if (ready.resume) record.resumed = true;
  if (ready.recoveryFor !== undefined) record.recoveryFor = ready.recoveryFor;
  delete record.armed;
  delete record.wasHeld;
  return next;
}

/**
 * Records that running `job` ended at `at` with `outcome`, and applies everything that follows:
 * exit classification (R-EXIT-1), variable capture (R-VAR-1, R-JN-4), retry (R-JOB), recovery
 * and re-run (R-DEP-4), joins and passed propagation (R-DEP-1, R-DEP-2), and the run's end
 * (R-DEP-3). A forced end (`forcedReason`) makes the job `forced` with code 256.
 * @throws RunStateError when `job` is not running (a workflow bug).
 */
export function jobEnded(state: RunState, job: string, outcome: JobOutcome, at: EpochMillis): RunState {
  requireJob(state, job);
  if (state.jobs[job]?.state !== 'running') {
    throw new RunStateError(`job "${job}" cannot end: it is not running (it is ${describeJob(state, job)})`);
  }
  const next = clone(state);
  const definition = jobOf(next, job);
  const record = next.jobs[job] as JobRecord;
  record.endedAt = at;
  if (outcome.output !== undefined) record.output = outcome.output;
  delete record.cancelRequested;

  if (outcome.forcedReason !== undefined) {
    record.state = 'forced';
    record.exitCode = schedulerExitCodes.forceTerminated;
    record.forcedReason = outcome.forcedReason;
  } else {
    record.exitCode = outcome.exitCode;
    const exitClass = outcome.pseudoNormal ? 'pseudoNormal' : classifyExitCode(definition, outcome.exitCode);
    record.state = exitClass === 'abnormal' ? 'abended' : exitClass;
  }

  if ((record.state === 'normal' || record.state === 'pseudoNormal') && definition.capturePrefix !== undefined) {
    const captured = outcome.variables
      ? prefixVariables(definition.capturePrefix, outcome.variables)
      : captureVariables(definition.capturePrefix, outcome.output ?? '');
    const names = new Set([...Object.keys(next.variables), ...Object.keys(captured)]);
    if (names.size > maxJobnetVariables) {
      record.state = 'abended';
      record.exitCode = schedulerExitCodes.limitExceeded;
    } else if (Object.keys(captured).length > 0) {
      record.variables = captured;
    }
  }
  next.endSequence += 1;
  record.endSequence = next.endSequence;

  const retry = definition.retry;
  const retryable =
    record.state === 'abended' &&
    !next.forceTerminated &&
    retry !== undefined &&
    record.retries < retry.attempts &&
    (retry.onExitCodes === undefined || retry.onExitCodes.includes(record.exitCode));
  if (retryable) {
    const recoveryFor = record.recoveryFor;
    archiveAttempt(record);
    record.retries += 1;
    record.state = 'waiting';
    record.armed = { mode: 'retry', notBefore: at + retry.intervalSeconds * 1000 };
    if (recoveryFor !== undefined) record.armed.recoveryFor = recoveryFor;
  } else {
    // The end is final: a recovery run decides on the re-run of the job it recovered (R-DEP-4) …
    const failed = record.recoveryFor !== undefined ? next.jobs[record.recoveryFor] : undefined;
    if (failed?.rerunAfterRecovery === 'pending') {
      if (record.state === 'normal' || record.state === 'pseudoNormal') {
        archiveAttempt(failed);
        failed.state = 'waiting';
        failed.armed = { mode: 'rerunAfterRecovery' };
        failed.rerunAfterRecovery = 'done';
      } else {
        delete failed.rerunAfterRecovery;
      }
    }
    // … and a final abnormal end (not an operator's forced end) calls the job's own recovery.
    const needsRecovery =
      record.state === 'abended' || (record.state === 'forced' && record.forcedReason === 'timeLimit');
    if (needsRecovery && !next.forceTerminated && definition.recovery !== undefined) {
      next.pendingRecoveries.push({ recoveryJob: definition.recovery, failedJob: job });
      if (definition.rerunAfterRecovery && record.rerunAfterRecovery !== 'done') record.rerunAfterRecovery = 'pending';
    }
  }

  recomputeVariables(next);
  settle(next, at);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Operations (R-OPS-1..3)

/**
 * Force-terminates a job (R-OPS-1). A running job is marked for cancellation: the workflow
 * cancels it ({@link jobsToCancel}) and reports the end through {@link jobEnded} with code 256
 * and reason `operator`. A job that has not started (waiting or held) ends `forced` at once.
 * Refused for unknown jobs, jobs that have ended, and in a run that has ended.
 */
export function forceTerminateJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseWhenEnded(state, 'force-terminate');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state === 'running') {
    if (record.cancelRequested) {
      return refuse(
        `job "${job}" is already being force-terminated (asked by ${record.cancelRequested.by} at ${isoTime(record.cancelRequested.at)})`,
      );
    }
    const next = clone(state);
    (next.jobs[job] as JobRecord).cancelRequested = { ...context };
    return accept(next, 'forceTerminateJob', job, context, `cancellation of running job "${job}" requested`);
  }
  if (record.state === 'waiting' || record.state === 'held') {
    const next = clone(state);
    const target = next.jobs[job] as JobRecord;
    disarm(next, target);
    target.state = 'forced';
    target.exitCode = schedulerExitCodes.forceTerminated;
    target.forcedReason = 'operator';
    target.endedAt = context.at;
    delete target.wasHeld;
    settle(next, context.at);
    return accept(
      next,
      'forceTerminateJob',
      job,
      context,
      `job "${job}" had not started; it ended forced (256, operator)`,
    );
  }
  return refuse(`cannot force-terminate job "${job}": it is not running or waiting (it is ${describeJob(state, job)})`);
}

/**
 * Bulk cancel (R-OPS-4): force-terminates, at once and with one operation record, each of `jobs`
 * whose state is one of `states` — running jobs are marked for cancellation, waiting and held
 * jobs end `forced` (256, operator) — and settles the run once, after all of them. Never refused
 * (repeating it is harmless): a job that has ended, is already being cancelled, or is in another
 * state is answered as such and left alone; in a run that has ended every job is `alreadyEnded`.
 * Names that are not jobs of the run are a caller bug and answered `notMatching`.
 */
export function forceTerminateJobs(
  state: RunState,
  jobs: readonly string[],
  states: readonly CancelJobState[],
  context: OperationContext,
): { state: RunState; answers: CancelJobAnswer[] } {
  const next = clone(state);
  const wanted = new Set<JobState>(states);
  const answers: CancelJobAnswer[] = [];
  let terminated = 0;
  for (const job of [...new Set(jobs)].sort()) {
    const target = next.jobs[job];
    if (target === undefined) {
      answers.push({ job, outcome: 'notMatching', state: 'waiting' });
      continue;
    }
    const current = target.state;
    const open = current === 'running' || current === 'waiting' || current === 'held';
    if (!open || next.result) {
      answers.push({ job, outcome: 'alreadyEnded', state: current });
      continue;
    }
    if (!wanted.has(current)) {
      answers.push({ job, outcome: 'notMatching', state: current });
      continue;
    }
    if (current === 'running') {
      if (target.cancelRequested) {
        answers.push({ job, outcome: 'alreadyTerminating', state: current });
        continue;
      }
      target.cancelRequested = { ...context };
    } else {
      disarm(next, target);
      target.state = 'forced';
      target.exitCode = schedulerExitCodes.forceTerminated;
      target.forcedReason = 'operator';
      target.endedAt = context.at;
      delete target.wasHeld;
    }
    terminated += 1;
    answers.push({ job, outcome: 'terminated', state: current });
  }
  if (terminated === 0) return { state, answers };
  settle(next, context.at);
  const names = answers.filter((answer) => answer.outcome === 'terminated').map((answer) => answer.job);
  accept(next, 'cancelJobs', undefined, context, `force-terminating ${countJobs(terminated)}: ${names.join(', ')}`);
  return { state: next, answers };
}

/**
 * Force-terminates the run (R-OPS-1 jobnet `forceTerminate`): every running job is marked for
 * cancellation, nothing new starts, and once no job runs the run ends `forced`. Jobs that have
 * not started stay waiting (a restart continues with them). Refused when the run has ended or is
 * already being force-terminated.
 */
export function forceTerminateRun(state: RunState, context: OperationContext): OperationResult {
  const refusal = refuseWhenEnded(state, 'force-terminate the run');
  if (refusal) return refuse(refusal);
  if (state.forceTerminated) {
    return refuse(
      `the run is already being force-terminated (asked by ${state.forceTerminated.by} at ${isoTime(state.forceTerminated.at)})`,
    );
  }
  const next = clone(state);
  next.forceTerminated = { ...context };
  const running: string[] = [];
  for (const name of jobNames(next.jobnet)) {
    const record = next.jobs[name] as JobRecord;
    if (record.state !== 'running') continue;
    running.push(name);
    if (!record.cancelRequested) record.cancelRequested = { ...context };
  }
  settle(next, context.at);
  const detail =
    running.length > 0
      ? `cancelling ${countJobs(running.length)} running: ${running.join(', ')}`
      : 'no job was running; the run ended forced';
  return accept(next, 'forceTerminateRun', undefined, context, detail);
}

/**
 * Holds a job that has not started (R-OPS-1): it does not start until released. Refused for a
 * running job (force-terminate it instead), a job that has ended or is already held, and once
 * the run has ended normally.
 */
export function holdJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseWhenEndedNormally(state, 'hold a job');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state === 'held') return refuse(`job "${job}" is already held`);
  if (record.state === 'running')
    return refuse(
      `cannot hold job "${job}": it is running; only a job that has not started can be held (force-terminate it instead)`,
    );
  if (record.state !== 'waiting')
    return refuse(
      `cannot hold job "${job}": only a job that has not started can be held (it is ${describeJob(state, job)})`,
    );
  const next = clone(state);
  (next.jobs[job] as JobRecord).state = 'held';
  settle(next, context.at);
  return accept(next, 'holdJob', job, context, `job "${job}" held`);
}

/** Releases a held job (R-OPS-1). Refused when the job is not held, and once the run has ended normally. */
export function releaseJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseWhenEndedNormally(state, 'release a job');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state !== 'held')
    return refuse(`cannot release job "${job}": it is not held (it is ${describeJob(state, job)})`);
  const next = clone(state);
  (next.jobs[job] as JobRecord).state = 'waiting';
  settle(next, context.at);
  return accept(next, 'releaseJob', job, context, `job "${job}" released`);
}

/**
 * Disables a job that has not started (R-OPS-1): it will not run and counts as passed (R-JOB).
 * Refused for a running job (force-terminate it first), a job that has ended or is already
 * disabled, and once the run has ended normally.
 */
export function disableJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseWhenEndedNormally(state, 'disable a job');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state === 'disabled') return refuse(`job "${job}" is already disabled`);
  if (record.state === 'running')
    return refuse(`cannot disable job "${job}": it is running (force-terminate it first)`);
  if (record.state !== 'waiting' && record.state !== 'held') {
    return refuse(
      `cannot disable job "${job}": only a job that has not started can be disabled (it is ${describeJob(state, job)})`,
    );
  }
  const next = clone(state);
  const target = next.jobs[job] as JobRecord;
  disarm(next, target);
  target.state = 'disabled';
  delete target.wasHeld;
  settle(next, context.at);
  return accept(next, 'disableJob', job, context, `job "${job}" disabled; it counts as passed`);
}

/**
 * Enables a disabled job (R-OPS-1): it waits for its predecessors again, and jobs that were
 * passed only because of it are re-evaluated. Refused when the job is not disabled, and once the
 * run has ended normally.
 */
export function enableJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseWhenEndedNormally(state, 'enable a job');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state !== 'disabled')
    return refuse(`cannot enable job "${job}": it is not disabled (it is ${describeJob(state, job)})`);
  const next = clone(state);
  const target = next.jobs[job] as JobRecord;
  if (graphOf(next).recovery.has(job)) {
    target.state = 'passed';
    target.settledBy = 'recoveryStandby';
  } else {
    target.state = 'waiting';
  }
  settle(next, context.at);
  return accept(next, 'enableJob', job, context, `job "${job}" enabled`);
}

/**
 * Restarts an abended or force-terminated run (R-OPS-1, R-OPS-2, WOI 5.3.1 (1)): the failed jobs
 * (abended or forced) run again and the flow continues from them; jobs that succeeded keep their
 * results and variables. With a restart point (R-DEP-5) and a failure at or after it, the run
 * resumes at the restart point instead: it and every job after it run again. A failure that is
 * not after the restart point is restarted on its own ("the failure happened before it"). Jobs
 * ended 249 return to waiting; a failed recovery job returns to standby (the job it recovers
 * runs again instead); a failed child jobnet resumes from its own failed jobs.
 * Refused while the run is live and after a normal end.
 */
export function restartRun(state: RunState, context: OperationContext): OperationResult {
  const status = runStatus(state);
  if (status !== 'abended' && status !== 'forced') {
    if (status === 'normal' || status === 'pseudoNormal')
      return refuse(`cannot restart: the run ended ${status}; there is nothing to restart`);
    return refuse(
      `cannot restart: the run is still ${status} (${describeLiveness(state)}); restart applies to an abended or force-terminated run`,
    );
  }
  const next = clone(state);
  const graph = graphOf(next);
  const failed = graph.names.filter((name) => isRunFailure(next.jobs[name] as JobRecord));
  const failedRecoveryJobs = failed.filter((name) => graph.recovery.has(name));
  const failedJobs = failed.filter((name) => !graph.recovery.has(name));

  const restartPoint = restartPointOf(next.jobnet);
  const fromRestartPoint = restartPoint !== undefined ? jobAndDescendants(next.jobnet, restartPoint) : [];
  const resumesAtRestartPoint = failedJobs.some((name) => fromRestartPoint.includes(name));

  reopen(next);
  for (const name of failedRecoveryJobs) {
    const record = next.jobs[name] as JobRecord;
    archiveAttempt(record);
    record.state = 'passed';
    record.settledBy = 'recoveryStandby';
  }
  const rerun: string[] = [];
  if (resumesAtRestartPoint) {
    for (const name of fromRestartPoint) {
      const record = next.jobs[name] as JobRecord;
      if (record.state === 'held' || record.state === 'disabled' || graph.recovery.has(name)) continue;
      resetJob(next, record);
    }
  }
  for (const name of failedJobs) {
    if (resumesAtRestartPoint && fromRestartPoint.includes(name)) continue;
    const record = next.jobs[name] as JobRecord;
    resetJob(next, record);
    record.armed = { mode: 'restart' };
    if (jobOf(next, name).type === 'jobnet') record.armed.resume = true;
    rerun.push(name);
  }
  recomputeVariables(next);
  settle(next, context.at);
  const parts: string[] = [];
  if (resumesAtRestartPoint)
    parts.push(`resuming at restart point "${restartPoint ?? ''}" (${fromRestartPoint.length} job(s) run again)`);
  if (rerun.length > 0) parts.push(`re-running ${rerun.join(', ')}`);
  if (parts.length === 0) parts.push('continuing with the jobs that had not started');
  return accept(next, 'restartRun', undefined, context, parts.join('; '));
}

/**
 * Recovery operation "start from job X" (WOI 5.3.1 指定のジョブから起動): X runs now, whatever
 * its predecessors, and every job after it runs again as its predecessors end. A child jobnet X
 * starts afresh. Jobs after X keep an operator's hold or disable.
 * Refused unless the run has a failed job (abended, forced, or warning), while a recovery job
 * runs, when X or a job after it is running, for a recovery job, and for a held or disabled X.
 */
export function startFromJob(state: RunState, job: string, context: OperationContext): OperationResult {
  return rerunFrom(state, job, context, 'startFromJob');
}

/**
 * Recovery operation "restart from job X" (WOI 5.3.1 指定のジョブから再起動): as
 * {@link startFromJob}, but a child jobnet X resumes its previous run from its failed jobs (for
 * other job types, which have no inner jobs, the two are the same). Same refusals.
 */
export function restartFromJob(state: RunState, job: string, context: OperationContext): OperationResult {
  return rerunFrom(state, job, context, 'restartFromJob');
}

/**
 * Recovery operation "skip X" (WOI 5.3.1 次のジョブから起動): a failed job X becomes `passed`
 * (settledBy `skipped`; its exit code and times stay for the record) and counts as a normal end
 * for its successors, every outgoing edge holding, so they continue. Refused unless X ended
 * abnormally, was force-terminated or was ended 249; refused while a recovery job runs or X's
 * recovery is pending, and when a successor of X has already started (use {@link runOnlyJob}).
 */
export function skipJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseRecoveryOperation(state, 'skip');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (!isRunFailure(record) && !(record.state === 'abended' && record.settledBy === 'orJoinBroken')) {
    return refuse(
      `cannot skip job "${job}": skip applies to a job that ended abnormally or was force-terminated (it is ${describeJob(state, job)})`,
    );
  }
  if (record.rerunAfterRecovery === 'pending')
    return refuse(`cannot skip job "${job}": its recovery job has not finished`);
  const graph = graphOf(state);
  for (const successor of graph.successors[job] ?? []) {
    const successorRecord = state.jobs[successor] as JobRecord;
    if (hasRun(successorRecord)) {
      return refuse(
        `cannot skip job "${job}": its successor "${successor}" has already run (it is ${describeJob(state, successor)}); use run only to run "${job}" by itself`,
      );
    }
  }
  const next = clone(state);
  reopen(next);
  const target = next.jobs[job] as JobRecord;
  target.state = 'passed';
  target.settledBy = 'skipped';
  delete target.orJoin;
  delete target.rerunAfterRecovery;
  next.pendingRecoveries = next.pendingRecoveries.filter((entry) => entry.failedJob !== job);
  settle(next, context.at);
  return accept(next, 'skipJob', job, context, `job "${job}" skipped; its successors continue`);
}

/**
 * Recovery operation "run only X" (WOI 5.3.1 指定のジョブのみ起動): X runs now, whatever its
 * predecessors, and nothing starts because of it. As in WOI it is refused when a successor of X
 * has not run yet (waiting, held, or passed only for now), since X's end would start it — use
 * {@link startFromJob} then; also refused unless the run has a failed job, while a recovery job
 * runs, and for a running, held or disabled X.
 */
export function runOnlyJob(state: RunState, job: string, context: OperationContext): OperationResult {
  const refusal = unknownJob(state, job) ?? refuseRecoveryOperation(state, 'run only');
  if (refusal) return refuse(refusal);
  const record = state.jobs[job] as JobRecord;
  if (record.state === 'running') return refuse(`cannot run only job "${job}": it is running`);
  if (record.state === 'held') return refuse(`cannot run only job "${job}": it is held (release it first)`);
  if (record.state === 'disabled') return refuse(`cannot run only job "${job}": it is disabled (enable it first)`);
  const graph = graphOf(state);
  for (const successor of graph.successors[job] ?? []) {
    const successorRecord = state.jobs[successor] as JobRecord;
    const open =
      successorRecord.state === 'waiting' ||
      successorRecord.state === 'held' ||
      (successorRecord.state === 'passed' &&
        (successorRecord.settledBy === 'condition' || successorRecord.settledBy === 'predecessorsPassed'));
    if (open) {
      return refuse(
        `cannot run only job "${job}": its successor "${successor}" has not run yet (it is ${describeJob(state, successor)}) and would start after it; use start from "${job}" instead`,
      );
    }
  }
  const next = clone(state);
  reopen(next);
  const target = next.jobs[job] as JobRecord;
  resetJob(next, target);
  target.armed = { mode: 'operator' };
  settle(next, context.at);
  return accept(next, 'runOnlyJob', job, context, `running job "${job}" by itself`);
}

// ---------------------------------------------------------------------------------------------
// Internals

interface Graph {
  names: string[];
  successors: Record<string, string[]>;
  recovery: Set<string>;
}

type EdgeStatus = 'open' | 'satisfied' | 'unsatisfied' | 'passed' | 'blocked';
type Decision =
  { decision: 'fire' | 'wait' | 'blocked' } | { decision: 'pass'; reason: 'condition' | 'predecessorsPassed' };

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function graphOf(state: RunState): Graph {
  return {
    names: jobNames(state.jobnet),
    successors: successorsByJob(state.jobnet),
    recovery: new Set(recoveryJobNames(state.jobnet)),
  };
}

function jobOf(state: RunState, name: string): CompiledJob {
  return state.jobnet.jobs[name] as CompiledJob;
}

function requireJob(state: RunState, job: string): void {
  if (!(job in state.jobs))
    throw new RunStateError(`jobnet ${state.jobnet.project}/${state.jobnet.name} has no job "${job}"`);
}

function isoTime(at: EpochMillis): string {
  return new Date(at).toISOString();
}

function countJobs(count: number): string {
  return count === 1 ? '1 job' : `${count} jobs`;
}

/** A job that ran and failed: abended or forced, and not a 249 end (which never ran). */
function isRunFailure(record: JobRecord): boolean {
  return (record.state === 'abended' && record.settledBy !== 'orJoinBroken') || record.state === 'forced';
}

function hasFailedJob(state: RunState): boolean {
  return Object.values(state.jobs).some((record) => record.state === 'abended' || record.state === 'forced');
}

/** The job has started or ended by running (not a job the scheduler settled without running it). */
function hasRun(record: JobRecord): boolean {
  return (
    record.state === 'running' || record.state === 'normal' || record.state === 'pseudoNormal' || isRunFailure(record)
  );
}

function notStarted(record: JobRecord): boolean {
  return (record.state === 'waiting' || record.state === 'held') && record.armed === undefined;
}

/** Moves the facts of the last attempt (if any) into the history and clears them. */
function archiveAttempt(record: JobRecord): void {
  const ran = record.startedAt !== undefined || record.exitCode !== undefined || record.endedAt !== undefined;
  if (ran) {
    const attempt: JobAttempt = { attempt: record.attempts, state: record.state };
    if (record.startMode !== undefined) attempt.mode = record.startMode;
    if (record.exitCode !== undefined) attempt.exitCode = record.exitCode;
    if (record.forcedReason !== undefined) attempt.forcedReason = record.forcedReason;
    if (record.startedAt !== undefined) attempt.startedAt = record.startedAt;
    if (record.endedAt !== undefined) attempt.endedAt = record.endedAt;
    if (record.settledBy !== undefined) attempt.settledBy = record.settledBy;
    record.history.push(attempt);
  }
  delete record.exitCode;
  delete record.forcedReason;
  delete record.startedAt;
  delete record.endedAt;
  delete record.output;
  delete record.settledBy;
  delete record.orJoin;
  delete record.startMode;
  delete record.resumed;
  delete record.recoveryFor;
  delete record.variables;
  delete record.endSequence;
  delete record.cancelRequested;
}

/** Back to waiting for a fresh round: the last attempt archived, retries and re-run reset. */
function resetJob(state: RunState, record: JobRecord): void {
  disarm(state, record);
  archiveAttempt(record);
  record.state = 'waiting';
  record.retries = 0;
  delete record.rerunAfterRecovery;
  delete record.wasHeld;
}

/** Drops an armed start; a dropped recovery run ends the pending re-run of the job it recovered. */
function disarm(state: RunState, record: JobRecord): void {
  const recoveryFor = record.armed?.recoveryFor;
  if (recoveryFor !== undefined) {
    const failed = state.jobs[recoveryFor];
    if (failed?.rerunAfterRecovery === 'pending') delete failed.rerunAfterRecovery;
  }
  delete record.armed;
}

/** The run continues after an operator's restart or recovery operation. */
function reopen(state: RunState): void {
  delete state.result;
  delete state.forceTerminated;
}

function prefixVariables(prefix: string, variables: Record<string, string>): Record<string, string> {
  const prefixed: Record<string, string> = {};
  for (const name of Object.keys(variables).sort()) prefixed[`${prefix}.${name}`] = variables[name] ?? '';
  return prefixed;
}

/** Rebuilds the run's variables from the jobs' captures, later ends overriding earlier ones (R-VAR-1). */
function recomputeVariables(state: RunState): void {
  const captures = jobNames(state.jobnet)
    .map((name) => state.jobs[name] as JobRecord)
    .filter((record) => record.variables !== undefined && record.endSequence !== undefined)
    .sort((a, b) => (a.endSequence ?? 0) - (b.endSequence ?? 0));
  const merged: Record<string, string> = {};
  for (const record of captures) Object.assign(merged, record.variables);
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(merged).sort()) sorted[name] = merged[name] ?? '';
  state.variables = sorted;
}

function edgeStatus(state: RunState, predecessor: CompiledPredecessor): EdgeStatus {
  const record = state.jobs[predecessor.job] as JobRecord;
  switch (record.state) {
    case 'waiting':
    case 'held':
    case 'running':
      return 'open';
    case 'disabled':
      return 'passed';
    case 'passed':
      return record.settledBy === 'skipped' ? 'satisfied' : 'passed';
    case 'normal':
    case 'pseudoNormal':
      if (predecessor.condition === undefined) return 'satisfied';
      return exitCodeMatches(predecessor.condition, record.exitCode ?? 0) ? 'satisfied' : 'unsatisfied';
    case 'abended':
    case 'forced':
      return record.rerunAfterRecovery === 'pending' ? 'open' : 'blocked';
  }
}

/** What the join of `name` says now (R-DEP-1, R-DEP-2); see the module header for the rules. */
function joinDecision(state: RunState, graph: Graph, name: string): Decision {
  const job = jobOf(state, name);
  if (graph.recovery.has(name) || job.predecessors.length === 0) return { decision: 'fire' };
  const statuses = job.predecessors.map((predecessor) => edgeStatus(state, predecessor));
  if (job.join === 'all') {
    if (statuses.includes('unsatisfied')) return { decision: 'pass', reason: 'condition' };
    if (statuses.includes('blocked')) return { decision: 'blocked' };
    if (statuses.includes('open')) return { decision: 'wait' };
    if (statuses.every((status) => status === 'passed')) return { decision: 'pass', reason: 'predecessorsPassed' };
    return { decision: 'fire' };
  }
  if (statuses.includes('satisfied')) return { decision: 'fire' };
  if (statuses.includes('open')) return { decision: 'wait' };
  if (statuses.includes('blocked')) return { decision: 'blocked' };
  return { decision: 'pass', reason: statuses.includes('unsatisfied') ? 'condition' : 'predecessorsPassed' };
}

/**
 * The predecessor whose final abnormal end breaks the OR join of `name` (R-DEP-1), not counting
 * the predecessors this very join ended with 249.
 */
function orJoinBreaker(state: RunState, name: string): string | undefined {
  for (const predecessor of jobOf(state, name).predecessors) {
    const record = state.jobs[predecessor.job] as JobRecord;
    if (record.settledBy === 'orJoinBroken' && record.orJoin === name) continue;
    if (edgeStatus(state, predecessor) === 'blocked') return predecessor.job;
  }
  return undefined;
}

function settleWithoutRunning(record: JobRecord, settledBy: SettledBy, at: EpochMillis): void {
  if (record.state === 'held') record.wasHeld = true;
  record.state = settledBy === 'orJoinBroken' ? 'abended' : 'passed';
  record.settledBy = settledBy;
  record.endedAt = at;
}

function unsettle(record: JobRecord): void {
  record.state = record.wasHeld ? 'held' : 'waiting';
  delete record.wasHeld;
  delete record.settledBy;
  delete record.orJoin;
  delete record.endedAt;
  delete record.exitCode;
}

/**
 * Applies the scheduler's own consequences until nothing changes: passed propagation and its
 * undoing, OR-join 248/249 ends and their undoing, arming of recovery runs; then decides whether
 * the run has ended (R-DEP-3).
 */
function settle(state: RunState, at: EpochMillis): void {
  const graph = graphOf(state);
  const limit = (graph.names.length + 1) * 8;
  let changed = true;
  for (let round = 0; changed; round++) {
    if (round > limit) throw new RunStateError('the run state did not settle; this is a bug');
    changed = false;
    for (const name of graph.names) {
      const record = state.jobs[name] as JobRecord;
      if (
        record.state === 'passed' &&
        (record.settledBy === 'condition' || record.settledBy === 'predecessorsPassed')
      ) {
        if (joinDecision(state, graph, name).decision !== 'pass') {
          unsettle(record);
          changed = true;
        }
        continue;
      }
      if (record.settledBy === 'orJoinFired' && record.orJoin !== undefined) {
        const join = state.jobs[record.orJoin] as JobRecord;
        if (notStarted(join) && joinDecision(state, graph, record.orJoin).decision !== 'fire') {
          unsettle(record);
          changed = true;
        }
        continue;
      }
      if (record.settledBy === 'orJoinBroken' && record.orJoin !== undefined) {
        if (orJoinBreaker(state, record.orJoin) === undefined) {
          unsettle(record);
          changed = true;
        }
        continue;
      }
      if (!notStarted(record) || graph.recovery.has(name)) continue;
      const decision = joinDecision(state, graph, name);
      if (decision.decision === 'pass') {
        settleWithoutRunning(record, decision.reason, at);
        changed = true;
        continue;
      }
      if (jobOf(state, name).join !== 'any') continue;
      const settledBy: SettledBy | undefined =
        decision.decision === 'fire'
          ? 'orJoinFired'
          : orJoinBreaker(state, name) !== undefined
            ? 'orJoinBroken'
            : undefined;
      if (settledBy === undefined) continue;
      for (const predecessor of jobOf(state, name).predecessors) {
        const predecessorRecord = state.jobs[predecessor.job] as JobRecord;
        if (!notStarted(predecessorRecord) || graph.recovery.has(predecessor.job)) continue;
        settleWithoutRunning(predecessorRecord, settledBy, at);
        predecessorRecord.exitCode =
          settledBy === 'orJoinFired' ? schedulerExitCodes.orJoinFired : schedulerExitCodes.orJoinBroken;
        predecessorRecord.orJoin = name;
        changed = true;
      }
    }
    changed = armRecoveries(state, graph) || changed;
  }
  if (!state.result && !canProgress(state, graph)) state.result = { status: finalStatus(state), at };
}

/** Arms the recovery job of each pending recovery whose recovery job is free (R-DEP-4). */
function armRecoveries(state: RunState, graph: Graph): boolean {
  let changed = false;
  const remaining: RunState['pendingRecoveries'] = [];
  for (const entry of state.pendingRecoveries) {
    const record = state.jobs[entry.recoveryJob] as JobRecord;
    if (record.state === 'disabled') {
      const failed = state.jobs[entry.failedJob];
      if (failed?.rerunAfterRecovery === 'pending') delete failed.rerunAfterRecovery;
      changed = true;
      continue;
    }
    const busy = record.state === 'running' || record.armed !== undefined;
    if (busy || !graph.recovery.has(entry.recoveryJob)) {
      remaining.push(entry);
      continue;
    }
    archiveAttempt(record);
    record.state = jobOf(state, entry.recoveryJob).hold ? 'held' : 'waiting';
    record.armed = { mode: 'recovery', recoveryFor: entry.failedJob };
    changed = true;
  }
  state.pendingRecoveries = remaining;
  return changed;
}

/** Whether anything can still start or is running without an operator's restart or recovery. */
function canProgress(state: RunState, graph: Graph): boolean {
  const records = graph.names.map((name) => [name, state.jobs[name] as JobRecord] as const);
  if (records.some(([, record]) => record.state === 'running')) return true;
  if (state.forceTerminated) return false;
  if (state.pendingRecoveries.length > 0) return true;
  for (const [name, record] of records) {
    if (record.rerunAfterRecovery === 'pending') return true;
    if (record.state !== 'waiting' && record.state !== 'held') continue;
    if (record.armed) return true;
    if (!graph.recovery.has(name) && joinDecision(state, graph, name).decision === 'fire') return true;
  }
  return false;
}

function finalStatus(state: RunState): RunFinalStatus {
  if (state.forceTerminated) return 'forced';
  const records = Object.values(state.jobs);
  if (records.some((record) => record.state === 'abended' || record.state === 'forced')) return 'abended';
  if (records.some((record) => record.state === 'pseudoNormal')) return 'pseudoNormal';
  return 'normal';
}

function refuse(reason: string): OperationResult {
  return { ok: false, reason };
}

function accept(
  state: RunState,
  operation: OperationName,
  job: string | undefined,
  context: OperationContext,
  detail: string,
): OperationResult {
  const record: OperationRecord = {
    sequence: state.operations.length + 1,
    operation,
    by: context.by,
    at: context.at,
    detail,
  };
  if (job !== undefined) record.job = job;
  state.operations.push(record);
  return { ok: true, state };
}

function unknownJob(state: RunState, job: string): string | undefined {
  return job in state.jobs ? undefined : `jobnet ${state.jobnet.project}/${state.jobnet.name} has no job "${job}"`;
}

function refuseWhenEnded(state: RunState, what: string): string | undefined {
  return state.result ? `cannot ${what}: the run has already ended ${state.result.status}` : undefined;
}

function refuseWhenEndedNormally(state: RunState, what: string): string | undefined {
  const status = state.result?.status;
  return status === 'normal' || status === 'pseudoNormal'
    ? `cannot ${what}: the run has already ended ${status}`
    : undefined;
}

function refuseRecoveryOperation(state: RunState, what: string): string | undefined {
  const status = runStatus(state);
  if (status !== 'abended' && status !== 'forced' && status !== 'warning') {
    return `cannot ${what}: recovery operations apply to a run with a failed job (abended, forced or warning); the run is ${status}`;
  }
  const graph = graphOf(state);
  const runningRecovery = graph.names.find((name) => graph.recovery.has(name) && state.jobs[name]?.state === 'running');
  if (runningRecovery !== undefined) return `cannot ${what}: recovery job "${runningRecovery}" is running`;
  return undefined;
}

function rerunFrom(
  state: RunState,
  job: string,
  context: OperationContext,
  operation: 'startFromJob' | 'restartFromJob',
): OperationResult {
  const label = operation === 'startFromJob' ? 'start from' : 'restart from';
  const refusal = unknownJob(state, job) ?? refuseRecoveryOperation(state, `${label} job "${job}"`);
  if (refusal) return refuse(refusal);
  const graph = graphOf(state);
  const record = state.jobs[job] as JobRecord;
  if (graph.recovery.has(job)) {
    return refuse(
      `cannot ${label} job "${job}": it is a recovery job, which runs only when the job it recovers ends abnormally (use run only to run it by itself)`,
    );
  }
  if (record.state === 'running') return refuse(`cannot ${label} job "${job}": it is running`);
  if (record.state === 'held') return refuse(`cannot ${label} job "${job}": it is held (release it first)`);
  if (record.state === 'disabled') return refuse(`cannot ${label} job "${job}": it is disabled (enable it first)`);
  const affected = jobAndDescendants(state.jobnet, job);
  const running = affected.find((name) => state.jobs[name]?.state === 'running');
  if (running !== undefined)
    return refuse(`cannot ${label} job "${job}": job "${running}", which runs after it, is running`);

  const next = clone(state);
  reopen(next);
  for (const name of affected) {
    const target = next.jobs[name] as JobRecord;
    if (name !== job && (target.state === 'held' || target.state === 'disabled')) continue;
    resetJob(next, target);
  }
  const target = next.jobs[job] as JobRecord;
  target.armed = { mode: 'operator' };
  const resume = operation === 'restartFromJob' && jobOf(next, job).type === 'jobnet';
  if (resume) target.armed.resume = true;
  next.pendingRecoveries = next.pendingRecoveries.filter((entry) => !affected.includes(entry.failedJob));
  recomputeVariables(next);
  settle(next, context.at);
  const after = affected.length - 1;
  const detail = `running job "${job}"${resume ? ' (resuming its child jobnet)' : ''} and ${after === 0 ? 'no job after it' : `the ${countJobs(after)} after it`}`;
  return accept(next, operation, job, context, detail);
}

function describeJob(state: RunState, job: string): string {
  const record = state.jobs[job] as JobRecord;
  const parts: string[] = [record.state];
  if (record.exitCode !== undefined && record.state !== 'waiting') parts.push(`exit code ${record.exitCode}`);
  if (record.settledBy !== undefined) parts.push(record.settledBy);
  if (record.forcedReason !== undefined) parts.push(`reason ${record.forcedReason}`);
  return parts.length === 1 ? record.state : `${parts[0] ?? ''} (${parts.slice(1).join(', ')})`;
}

function whyNotReady(state: RunState, job: string): string {
  if (state.result) return `the run has ended ${state.result.status}`;
  if (state.forceTerminated) return 'the run is being force-terminated';
  const record = state.jobs[job] as JobRecord;
  if (record.state !== 'waiting') return `it is ${describeJob(state, job)}`;
  const graph = graphOf(state);
  if (!record.armed && graph.recovery.has(job)) return 'it is a recovery job that is not needed';
  const decision = record.armed ? 'fire' : joinDecision(state, graph, job).decision;
  if (decision === 'fire') return 'an exclusive resource it names is in use by a running job';
  return decision === 'blocked' ? 'a predecessor ended abnormally' : 'its predecessors have not ended';
}

function describeLiveness(state: RunState): string {
  const running = jobNames(state.jobnet).filter((name) => state.jobs[name]?.state === 'running');
  if (running.length > 0) return `${countJobs(running.length)} running: ${running.join(', ')}`;
  const held = jobNames(state.jobnet).filter((name) => state.jobs[name]?.state === 'held');
  if (held.length > 0) return `waiting for held ${held.length === 1 ? 'job' : 'jobs'} ${held.join(', ')}`;
  return 'jobs are about to start';
}
