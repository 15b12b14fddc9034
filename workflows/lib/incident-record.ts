/**
 * The ServiceNow incident of a trouble occurrence (R-INC-2, R-INC-3): `impact`, `urgency`,
 * `short_description` `<product>: <trouble>`, a `description` with the time, project, jobnet,
 * title, business date, run, job, the log message and its meaning, the exit code and its meaning
 * (abends), the forced-end reason, cause and action, and `correlation_id` (the occurrence id) with
 * `correlation_display` (the trouble's readable id).
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import { forcedEndReasons, schedulerExitCodeMeanings } from './exit-classification.js';
import type { TroubleKind } from './jobnet-state.js';
import { logEventDescriptions, troubleLogKinds } from './log-events.js';

/** Product name at the head of each short description. */
export const productName = 'jobnet-gitops';

/** Readable names of the trouble kinds (WOI's trouble event names). */
export const troubleNames: Readonly<Record<TroubleKind, string>> = {
  jobnetAbended: 'Jobnet abnormal end',
  startDelayed: 'Jobnet start delay',
  endDelayed: 'Jobnet end delay',
  executionRefused: 'Jobnet execution refused',
  executionSkipped: 'Jobnet execution skipped',
  jobOverrun: 'Job elapsed time exceeded',
};

/** One trouble occurrence queued for ServiceNow (plain JSON, carried through Temporal). */
export interface IncidentItem {
  /** Occurrence id (wire-contract.ts troubleOccurrenceId): the `correlation_id`. */
  occurrenceId: string;
  /** The trouble's id in its actor, `<project>/<jobnet>#<n>`: the `correlation_display`. */
  troubleId: string;
  /** Workflow id of the actor holding the trouble (told the incident number). */
  actorId: string;
  kind: TroubleKind;
  at: number;
  project: string;
  jobnet: string;
  title?: string;
  businessDate?: string;
  runId?: string;
  job?: string;
  exitCode?: number;
  forcedReason?: 'operator' | 'timeLimit';
  message: string;
}

/** The incident fields sent to `POST /api/now/table/incident` (ServiceNow takes strings). */
export interface IncidentRecord {
  short_description: string;
  description: string;
  impact: string;
  urgency: string;
  correlation_id: string;
  correlation_display: string;
}

/** Meaning of a jobnet exit code, as WOI prints it in incidents. */
export function exitCodeMeaning(code: number): string {
  const known = schedulerExitCodeMeanings[code];
  if (known !== undefined) return known;
  if (code <= 200) return 'the program run as the job ended abnormally';
  if (code <= 231) return 'the job ended abnormally';
  if (code === 255) return 'the job exit code was 256 or more';
  return 'the job ended abnormally';
}

/** Builds the incident of `item` with the rule's impact and urgency. */
export function incidentRecordOf(item: IncidentItem, impact: number, urgency: number): IncidentRecord {
  const description = logEventDescriptions[troubleLogKinds[item.kind]];
  const lines: string[] = [
    `Trouble: ${troubleNames[item.kind]} (${item.kind})`,
    `Time: ${new Date(item.at).toISOString()}`,
    `Project: ${item.project}`,
    `Jobnet: ${item.jobnet}`,
  ];
  if (item.title !== undefined) lines.push(`Title: ${item.title}`);
  if (item.businessDate !== undefined) lines.push(`Business date: ${item.businessDate}`);
  if (item.runId !== undefined) lines.push(`Run: ${item.runId}`);
  if (item.job !== undefined) lines.push(`Job: ${item.job}`);
  lines.push(`Message: ${description.code} ${item.message}`, `Meaning: ${description.meaning}`);
  if (item.exitCode !== undefined) lines.push(`Exit code: ${item.exitCode} (${exitCodeMeaning(item.exitCode)})`);
  if (item.forcedReason !== undefined)
    lines.push(
      `Forced end: ${item.forcedReason} (${forcedEndReasons[item.forcedReason].woiCode}: ${forcedEndReasons[item.forcedReason].meaning})`,
    );
  lines.push(`Cause: ${description.cause}`, `Action: ${description.action}`, `Occurrence: ${item.occurrenceId}`);
  return {
    short_description: `${productName}: ${troubleNames[item.kind]}`,
    description: lines.join('\n'),
    impact: String(impact),
    urgency: String(urgency),
    correlation_id: item.occurrenceId,
    correlation_display: item.troubleId,
  };
}
