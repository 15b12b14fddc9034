/**
 * Bulk cancel of a run's jobs (R-OPS-4, docs/operations.md#retry-and-cancel): which job states a
 * filter may name, and which jobs of a run a filter selects. The run workflow applies the cancel
 * in one Update (`cancelJobs`) and re-checks each selected job's state when it does.
 *
 * - `--job-state S`: one of {@link cancelJobStates} (`running`, `waiting`, `held`); omitted: all
 *   three. Only jobs that have not ended can be force-terminated, so other states are refused.
 * - `--job PATTERN`: a picomatch glob on job names (`load-*`, `{a,b}`, `step?`); omitted: every job.
 *
 * Pure: no I/O. Must not decide anything the run decides (whether a job is still running when the
 * cancel arrives is the run's).
 */
import picomatch from 'picomatch';
import {
  cancelJobStates,
  type CancelJobAnswer,
  type CancelJobState,
  type JobState,
} from '../../workflows/lib/run-state.js';

export { cancelJobStates, type CancelJobState };

/** A bulk cancel's filter. */
export interface CancelFilter {
  jobState?: string;
  job?: string;
}

/** Validated filter: the states to cancel and the name matcher. */
export interface CancelSelection {
  jobStates: CancelJobState[];
  matches: (job: string) => boolean;
}

/** A filter value that is not allowed, with the field it came from. */
export class CancelFilterError extends Error {
  override name = 'CancelFilterError';
  constructor(
    readonly field: 'jobState' | 'job',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The selection of `filter`.
 * @throws CancelFilterError for a job state that is not one of {@link cancelJobStates}, or an empty pattern.
 */
export function cancelSelection(filter: CancelFilter): CancelSelection {
  let jobStates: CancelJobState[] = [...cancelJobStates];
  if (filter.jobState !== undefined) {
    if (!(cancelJobStates as readonly string[]).includes(filter.jobState))
      throw new CancelFilterError(
        'jobState',
        `job state "${filter.jobState}" cannot be cancelled; one of: ${cancelJobStates.join(', ')} (only jobs that have not ended)`,
      );
    jobStates = [filter.jobState as CancelJobState];
  }
  if (filter.job !== undefined && filter.job.trim() === '')
    throw new CancelFilterError('job', 'the job pattern is empty; give a job name or a glob such as "load-*"');
  const matcher = filter.job === undefined ? () => true : picomatch(filter.job, { dot: true });
  return { jobStates, matches: (job) => matcher(job) };
}

/**
 * Splits a run's jobs (name → current state) by `selection`: the names to send to the run (they
 * match the pattern), and the answers for the jobs that do not match it.
 */
export function selectJobs(
  jobs: Readonly<Record<string, { state: JobState }>>,
  selection: CancelSelection,
): { names: string[]; notMatching: CancelJobAnswer[] } {
  const names: string[] = [];
  const notMatching: CancelJobAnswer[] = [];
  for (const job of Object.keys(jobs).sort()) {
    const state = jobs[job]?.state ?? 'waiting';
    if (selection.matches(job)) names.push(job);
    else notMatching.push({ job, outcome: 'notMatching', state });
  }
  return { names, notMatching };
}
