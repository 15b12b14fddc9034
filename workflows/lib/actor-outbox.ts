/**
 * What one step of a jobnet actor hands to delivery (R-TRB, R-INC-3, R-LOG-1): for each trouble
 * recorded in the step, its incident item (with its globally unique occurrence id) and its log
 * event; for each run that started or ended normally or pseudo-normally, its log event (abends and
 * forced ends are the `jobnetAbended` trouble's event). Found by comparing the actor's state before
 * and after the step, so the machine itself is unchanged.
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import type { IncidentItem } from './incident-record.js';
import type { ActorRun, JobnetActorState, JobnetTrouble } from './jobnet-state.js';
import { logEventOf, troubleLogKinds, type LogEvent, type LogEventKind } from './log-events.js';
import { runLogEventId, troubleOccurrenceId } from './wire-contract.js';

/** What the actor sends on after a step. */
export interface OutboxItems {
  incidents: IncidentItem[];
  logs: LogEvent[];
}

/** Whose troubles and runs they are. */
export interface OutboxSource {
  /** Workflow id of the actor. */
  actorId: string;
  /** First execution run id of the actor's continue-as-new chain. */
  actorFirstRunId: string;
  project: string;
  jobnet: string;
  title?: string;
}

type StateView = Pick<JobnetActorState, 'troubleCount' | 'troubles' | 'currentRun' | 'lastRun'>;

/** The number of a trouble id `<project>/<jobnet>#<n>`. */
function troubleNumber(trouble: JobnetTrouble): number {
  return Number(trouble.id.slice(trouble.id.lastIndexOf('#') + 1));
}

/** The items of the step from `before` to `after` (see the module header). */
export function outboxItemsOf(source: OutboxSource, before: StateView, after: StateView, now: number): OutboxItems {
  const items: OutboxItems = { incidents: [], logs: [] };
  // Run starts first: a run that starts and is refused its jobs in one step logs in that order.
  for (const run of runsOf(after)) {
    const earlier = runsOf(before).find((candidate) => candidate.runId === run.runId);
    if (earlier === undefined) items.logs.push(runEvent(source, run, 'jobnetStarted', run.startedAt));
    const ended =
      run.status === 'normal' ? 'jobnetEnded' : run.status === 'pseudoNormal' ? 'jobnetPseudoNormal' : undefined;
    if (ended !== undefined && earlier?.status !== run.status) items.logs.push(runEvent(source, run, ended, now));
  }
  if (after.troubleCount > before.troubleCount) {
    for (const trouble of after.troubles) {
      const number = troubleNumber(trouble);
      if (!(number > before.troubleCount)) continue;
      const occurrenceId = troubleOccurrenceId(source.actorFirstRunId, number);
      const item: IncidentItem = {
        occurrenceId,
        troubleId: trouble.id,
        actorId: source.actorId,
        kind: trouble.kind,
        at: trouble.at,
        project: trouble.project,
        jobnet: trouble.jobnet,
        message: trouble.message,
      };
      if (trouble.title !== undefined) item.title = trouble.title;
      if (trouble.businessDate !== undefined) item.businessDate = trouble.businessDate;
      if (trouble.runId !== undefined) item.runId = trouble.runId;
      if (trouble.job !== undefined) item.job = trouble.job;
      if (trouble.exitCode !== undefined) item.exitCode = trouble.exitCode;
      if (trouble.forcedReason !== undefined) item.forcedReason = trouble.forcedReason;
      items.incidents.push(item);
      items.logs.push(
        logEventOf(troubleLogKinds[trouble.kind], {
          id: occurrenceId,
          at: trouble.at,
          project: trouble.project,
          jobnet: trouble.jobnet,
          troubleId: trouble.id,
          detail: trouble.message,
          ...optional(trouble),
        }),
      );
    }
  }
  return items;
}

function runsOf(state: StateView): ActorRun[] {
  const runs: ActorRun[] = [];
  if (state.lastRun !== undefined) runs.push(state.lastRun);
  if (state.currentRun !== undefined && state.currentRun.runId !== state.lastRun?.runId) runs.push(state.currentRun);
  return runs;
}

function runEvent(source: OutboxSource, run: ActorRun, kind: LogEventKind, at: number): LogEvent {
  const event = logEventOf(kind, {
    id: '',
    at,
    project: source.project,
    jobnet: source.jobnet,
    runId: run.runId,
    businessDate: run.businessDate,
    ...(source.title !== undefined ? { title: source.title } : {}),
  });
  event.id = runLogEventId(source.actorFirstRunId, run.runId, event.code);
  return event;
}

function optional(
  trouble: JobnetTrouble,
): Partial<Pick<JobnetTrouble, 'title' | 'runId' | 'businessDate' | 'job' | 'exitCode'>> {
  const fields: Partial<Pick<JobnetTrouble, 'title' | 'runId' | 'businessDate' | 'job' | 'exitCode'>> = {};
  if (trouble.title !== undefined) fields.title = trouble.title;
  if (trouble.runId !== undefined) fields.runId = trouble.runId;
  if (trouble.businessDate !== undefined) fields.businessDate = trouble.businessDate;
  if (trouble.job !== undefined) fields.job = trouble.job;
  if (trouble.exitCode !== undefined) fields.exitCode = trouble.exitCode;
  return fields;
}
