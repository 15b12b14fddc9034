/**
 * What the Temporal Web UI (and `temporal workflow describe`) shows of runs and jobnet actors, so
 * that someone looking at Temporal sees jobnets, not opaque workflows: a static summary and
 * details given when a workflow starts, current details kept up to date by the workflow, and the
 * failure message of an abended or forced run once it is closed (Temporal then lists the run as
 * Failed, with the reason, instead of a green Completed).
 *
 * Pure and sandbox-safe: no I/O, no clock. Texts are short single lines (the summary) or a few
 * Markdown lines (the details), built from names the definitions already validated.
 */
import type { JobnetActorState } from './jobnet-state.js';
import type { JobRecord, RunState, RunStatus } from './run-state.js';

/** Static summary and details of a top-level run, given at its start. */
export function runStartText(run: {
  project: string;
  jobnet: string;
  title?: string;
  businessDate: string;
  trigger: string;
  requestedBy: string;
  revision: string;
}): { staticSummary: string; staticDetails: string } {
  const title = run.title !== undefined ? ` — ${run.title}` : '';
  return {
    staticSummary: `jobnet run ${run.project}/${run.jobnet}${title} · business date ${run.businessDate} · ${run.trigger}`,
    staticDetails: [
      `**Project** ${run.project}  `,
      `**Jobnet** ${run.jobnet}${title}  `,
      `**Business date** ${run.businessDate}  `,
      `**Started by** ${run.requestedBy} (${run.trigger})  `,
      `**Revision** ${run.revision}`,
      '',
      'Operate it with `jobnet run <operation>` or the API; Terminate and Reset here bypass the jobnet operations.',
    ].join('\n'),
  };
}

/** Static summary and details of a jobnet actor, given at its start. */
export function actorStartText(jobnet: { project: string; name: string; title?: string }): {
  staticSummary: string;
  staticDetails: string;
} {
  const title = jobnet.title !== undefined ? ` — ${jobnet.title}` : '';
  return {
    staticSummary: `jobnet ${jobnet.project}/${jobnet.name}${title} (schedule and state)`,
    staticDetails: [
      `The scheduler of jobnet **${jobnet.project}/${jobnet.name}**${title}: its start days, starts, state and troubles.`,
      'Its runs are the run workflows it starts. Operate it with `jobnet <operation>` or the API;',
      'Terminate and Reset here bypass the jobnet operations.',
    ].join('\n'),
  };
}

/** The job that failed first (it ran and ended abended or forced), with its record. */
export function firstFailedJob(state: RunState): [string, JobRecord] | undefined {
  return Object.entries(state.jobs)
    .filter(
      ([, record]) => (record.state === 'abended' && record.settledBy !== 'orJoinBroken') || record.state === 'forced',
    )
    .sort(([a, x], [b, y]) => (x.endSequence ?? 0) - (y.endSequence ?? 0) || (a < b ? -1 : a > b ? 1 : 0))[0];
}

function failingJobText(state: RunState): string {
  const failed = firstFailedJob(state);
  if (failed === undefined) return '';
  const [job, record] = failed;
  return `job ${job} ended ${record.state}${record.exitCode !== undefined ? ` with exit code ${record.exitCode}` : ''}`;
}

/** A run's current details: its status, the failing job, and how many jobs have ended. */
export function runCurrentDetails(status: RunStatus, state: RunState, closedBy?: string): string {
  const records = Object.values(state.jobs);
  const done = records.filter((record) => record.endedAt !== undefined).length;
  const parts = [`**${status}**`, `${done} of ${records.length} jobs ended`];
  const failing = failingJobText(state);
  if (failing !== '') parts.push(failing);
  if (closedBy !== undefined) parts.push(`closed by ${closedBy}`);
  return parts.join(' · ');
}

/** The failure message of a closed abended or forced run (what Temporal shows as its failure). */
export function closedRunFailure(
  run: { project: string; jobnet: string; businessDate: string },
  status: RunStatus,
  state: RunState,
  closedBy: string,
): string {
  const failing = failingJobText(state);
  return `jobnet ${run.project}/${run.jobnet} (business date ${run.businessDate}) ended ${status}${failing !== '' ? `: ${failing}` : ''}; closed by ${closedBy}`;
}

/** An actor's current details: status, business date, the open or last run. */
export function actorCurrentDetails(status: string, state: JobnetActorState): string {
  const parts = [`**${status}**`, `business date ${state.businessDate}`];
  const run = state.currentRun ?? state.lastRun;
  if (run !== undefined)
    parts.push(`${state.currentRun !== undefined ? 'open run' : 'last run'} ${run.runId} ${run.status}`);
  if (state.awaitingConfirmation) parts.push('awaiting confirmation');
  if (state.troubleCount > 0) parts.push(`${state.troubleCount} troubles`);
  return parts.join(' · ');
}
