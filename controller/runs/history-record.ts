/**
 * One run as history reports it (R-OPS-5): id, project, jobnet and
 * title, business date, started, finished, status, trigger, revision, variable parameter, every
 * job (flow order) with its state, exit code, times, output and — for a job that failed — its
 * error, the run's error when it failed, the run it retries (`retryOf`) and the runs that retry
 * it (`retries`). `jobnet history show`, `GET /api/v1/runs/:id` and the CSV of a run's jobs all
 * read this one shape.
 *
 * Pure: builds plain values from a run view and its visibility entries; no I/O, no clock.
 */
import type { JobRecord } from '../../workflows/lib/run-state.js';
import type { RunView } from '../../workflows/run-contract.js';
import type { HistoryEntry } from './history-query.js';
import { jobNotes, jobOrder } from './render-run.js';

/** One job of a run in history. */
export interface RunHistoryJob {
  name: string;
  title?: string;
  /** The job state (docs/specification.md §4.3). */
  state: string;
  exitCode?: number;
  /** Starts of the job in this run (first run, retries, re-runs). */
  attempts: number;
  /** ISO 8601 UTC. */
  started?: string;
  /** ISO 8601 UTC. */
  finished?: string;
  output?: string;
  /** Why a job that ended abnormally did (absent for the others). */
  error?: string;
}

/** One run in history, with its jobs. */
export interface RunHistoryRecord {
  id: string;
  project: string;
  jobnet: string;
  title?: string;
  businessDate: string;
  status: string;
  trigger: string;
  requestedBy: string;
  revision: string;
  /** The variable parameter `@.VPARAM@` (R-VAR-3), when the run was started with one. */
  parameter?: string;
  /** ISO 8601 UTC: when the run started. */
  started: string;
  /** ISO 8601 UTC: when the run reached its final status (an abended run awaiting the operator has one). */
  finished?: string;
  /** ISO 8601 UTC: when the run's workflow ended; absent while it is open. */
  closed?: string;
  /** The run's workflow is open: it is kept whatever the namespace's retention. */
  open: boolean;
  /** Why the run ended abended or forced. */
  error?: string;
  /** On a retry: the run it retries. */
  retryOf?: string;
  /** The runs that retry this one. */
  retries: HistoryEntry[];
  jobs: RunHistoryJob[];
  /** Jobnet variables captured by the run's jobs (R-VAR-1). */
  variables: Record<string, string>;
}

const failedStates: ReadonlySet<string> = new Set(['abended', 'forced']);

function iso(millis: number | undefined): string | undefined {
  return millis === undefined || !Number.isFinite(millis) ? undefined : new Date(millis).toISOString();
}

function jobError(view: RunView, name: string, record: JobRecord): string | undefined {
  if (!failedStates.has(record.state)) return undefined;
  const notes = jobNotes(view, name, record);
  if (notes.length > 0) return notes.join('; ');
  return record.exitCode === undefined
    ? `ended ${record.state}`
    : `ended ${record.state} with exit code ${record.exitCode}`;
}

/** The run's history record from its view, its visibility entry and the runs retrying it. */
export function runHistoryRecord(
  view: RunView,
  entry: HistoryEntry,
  retries: readonly HistoryEntry[],
): RunHistoryRecord {
  const jobs = jobOrder(view).map((name): RunHistoryJob => {
    const record = view.state.jobs[name] as JobRecord;
    const job: RunHistoryJob = { name, state: record.state, attempts: record.attempts };
    const title = view.state.jobnet.jobs[name]?.title;
    if (title !== undefined) job.title = title;
    if (record.exitCode !== undefined) job.exitCode = record.exitCode;
    const started = iso(record.startedAt);
    if (started !== undefined) job.started = started;
    const finished = iso(record.endedAt);
    if (finished !== undefined) job.finished = finished;
    if (record.output !== undefined) job.output = record.output;
    const error = jobError(view, name, record);
    if (error !== undefined) job.error = error;
    return job;
  });
  const record: RunHistoryRecord = {
    id: view.runId,
    project: view.project,
    jobnet: view.jobnet,
    businessDate: view.businessDate,
    status: view.status,
    trigger: view.trigger,
    requestedBy: view.requestedBy,
    revision: view.revision,
    started: iso(view.state.startedAt) ?? entry.started,
    open: entry.open,
    retries: [...retries],
    jobs,
    variables: { ...view.state.variables },
  };
  if (view.title !== undefined) record.title = view.title;
  if (view.parameter !== undefined) record.parameter = view.parameter;
  const finished = iso(view.state.result?.at) ?? entry.finished;
  if (finished !== undefined) record.finished = finished;
  if (entry.finished !== undefined) record.closed = entry.finished;
  if (failedStates.has(view.status)) {
    const trouble = view.troubles.find((candidate) => candidate.kind === 'jobnetAbended');
    const failedJobs = jobs.filter((job) => job.error !== undefined).map((job) => `${job.name}: ${job.error ?? ''}`);
    record.error = trouble?.message ?? (failedJobs.length > 0 ? failedJobs.join('; ') : `the run ended ${view.status}`);
  }
  if (entry.retryOf !== undefined) record.retryOf = entry.retryOf;
  return record;
}
