/**
 * Retry of a run (R-OPS-4, docs/operations.md#retry-and-cancel): whether a run may be retried, and
 * what its retry re-runs and carries. A retry is a new run, linked both ways to the original
 * (`retryOf` in its input and view, the `JobnetRetryOf` search attribute), that starts from the
 * original's final state the way `restartRun` restarts a run: the jobs that did not succeed
 * (abended, forced — or, with a restart point, the restart point and what follows) run again,
 * the jobs that ended normally or pseudo-normally keep their results and captured variables, and
 * the jobs that never started wait for them as before.
 *
 * Readings of the specification (the choices are written here):
 * - The retry runs the original's revision-pinned compiled jobnet: the carried results belong to
 *   that revision's jobs and edges. To run a fixed definition, apply it and start a new run.
 * - It runs on the original's business date, trigger `retry`, requested by the operator.
 * - Refused, changing nothing: for a child run (it is retried through its parent's `jobnet` job,
 *   `restart-from`), while the original is still live (a job running, or jobs that can still
 *   start), for a run that ended normally or pseudo-normally, while another retry of it is open,
 *   and once a retry of it has ended normally.
 *
 * Pure and sandbox-safe: no I/O, no clock (time is passed in).
 */
import { jobNames } from './compiled-jobnet.js';
import { restartRun, runStatus, type JobState, type RunState, type RunStatus } from './run-state.js';

/** What the retry check needs to know of the original run. */
export interface RetryOriginal {
  runId: string;
  level: number;
  state: RunState;
}

/** A retry of the original found in visibility. */
export interface KnownRetry {
  runId: string;
  /** Its `JobnetRunStatus`. */
  status: string;
  /** Its workflow is still open (it accepts operations). */
  open: boolean;
}

/** What a retry of a run does, for the operator's answer. */
export interface RetryPlan {
  /** Jobs that run again or for the first time (failed, or never started), in name order. */
  rerun: string[];
  /** Jobs whose results are carried (ended normally or pseudo-normally), in name order. */
  carried: string[];
  /** The captured variables the retry starts with. */
  variables: Record<string, string>;
}

const succeeded: ReadonlySet<JobState> = new Set(['normal', 'pseudoNormal']);

function countJobs(count: number): string {
  return count === 1 ? '1 job' : `${count} jobs`;
}

/** Why `original` may not be retried now (with the retries of it already known), or undefined. */
export function retryRefusal(original: RetryOriginal, retries: readonly KnownRetry[]): string | undefined {
  if (original.level > 1)
    return 'cannot retry: this is a child run; retry it through its parent run (restart-from on its jobnet job)';
  const { state } = original;
  const status: RunStatus = runStatus(state);
  if (status === 'running' || status === 'warning') {
    const names = jobNames(state.jobnet);
    const running = names.filter((name) => state.jobs[name]?.state === 'running');
    if (running.length > 0) return `cannot retry: ${countJobs(running.length)} still running (${running.join(', ')})`;
    const waiting = names.filter((name) => {
      const job = state.jobs[name]?.state;
      return job === 'waiting' || job === 'held';
    });
    return `cannot retry: the run is still ${status}; ${countJobs(waiting.length)} can still start (${waiting.join(', ')})`;
  }
  if (status === 'normal' || status === 'pseudoNormal')
    return `cannot retry: the run ended ${status}; there is nothing to retry`;
  const open = retries.find((retry) => retry.open);
  if (open !== undefined)
    return `cannot retry: its retry ${open.runId} is still open (${open.status}); operate or retry that run instead`;
  const done = retries.find((retry) => retry.status === 'normal' || retry.status === 'pseudoNormal');
  if (done !== undefined) return `cannot retry: its retry ${done.runId} already ended ${done.status}`;
  return undefined;
}

/**
 * What a retry of `state` re-runs and carries (`restartRun` applied to the original's final state).
 * @throws RangeError when the state cannot be restarted (check {@link retryRefusal} first).
 */
export function retryPlan(state: RunState, at: number): RetryPlan {
  const restarted = restartRun(state, { by: 'retry', at });
  if (!restarted.ok) throw new RangeError(restarted.reason);
  const names = jobNames(state.jobnet);
  const carried = names.filter((name) => succeeded.has(state.jobs[name]?.state ?? 'waiting'));
  // Everything that did not succeed and may start again: the failed jobs and those that never started.
  const rerun = names.filter((name) => {
    const after = restarted.state.jobs[name]?.state;
    return !carried.includes(name) && (after === 'waiting' || after === 'held' || after === 'running');
  });
  return { rerun, carried, variables: restarted.state.variables };
}

/** The sequence tag of a retry run's id: `retry-` and the UTC instant to the millisecond, compact. */
export function retryRunSequence(at: number): string {
  return `retry-${new Date(at).toISOString().replace(/[-:.]/g, '')}`;
}
