/**
 * The job management log (R-LOG-1): the event of each trouble and of each run start and end, with
 * its stable code (the WOI message id where one exists), level, message text, meaning, cause and
 * action (WOI User's Guide 9.4.1), and the deterministic event id sinks de-duplicate by.
 *
 * Pure and sandbox-safe: no I/O, no clock. The jobnet actor builds events with it, the delivery
 * activities print and send them, incidents quote them (incident-record.ts).
 */
import type { TroubleKind } from './jobnet-state.js';

/** Log levels, as WOI writes them (the `LogLevel` column of Azure Monitor). */
export type LogLevel = 'INFO' | 'WARNING' | 'ERROR';

/** The kinds of events in the job management log. */
export type LogEventKind =
  | 'jobnetStarted'
  | 'jobnetEnded'
  | 'jobnetPseudoNormal'
  | 'jobnetAbended'
  | 'executionRefused'
  | 'executionSkipped'
  | 'startDelayed'
  | 'endDelayed'
  | 'jobOverrun'
  | 'terminationRequestFailed';

/** What is said about one event kind: code, level, text, meaning, cause and action. */
export interface LogEventDescription {
  code: string;
  level: LogLevel;
  /** The message without parameters. */
  text: string;
  meaning: string;
  cause: string;
  action: string;
}

/** The codes table (docs/logging.md prints the same). */
export const logEventDescriptions: Readonly<Record<LogEventKind, LogEventDescription>> = {
  jobnetStarted: {
    code: '0328',
    level: 'INFO',
    text: 'The job net has started.',
    meaning: 'the jobnet run started',
    cause: 'a start condition was met (time, event, operator)',
    action: 'none',
  },
  jobnetEnded: {
    code: '0329',
    level: 'INFO',
    text: 'The job net has normal ended.',
    meaning: 'the jobnet run ended normally',
    cause: 'every job ended normally',
    action: 'none',
  },
  jobnetPseudoNormal: {
    code: '0333',
    level: 'INFO',
    text: 'The job net has pseudo-normal ended.',
    meaning: 'the jobnet run ended pseudo-normally',
    cause: 'a job ended with an exit code within its normal range but above 0',
    action: 'check the jobs that ended pseudo-normally if that was not expected',
  },
  jobnetAbended: {
    code: '0330',
    level: 'ERROR',
    text: 'The job net has abnormal ended.',
    meaning: 'the jobnet run ended abnormally',
    cause: 'a job ended abnormally or was force-terminated; see the exit code',
    action: 'investigate the job by its exit code, then restart or recover the run, or confirm it',
  },
  executionRefused: {
    code: '0331',
    level: 'WARNING',
    text: 'The job net has refused.',
    meaning: 'a start of the jobnet was refused',
    cause:
      'a start condition was met while the jobnet was running, abended, forced, carried over, or held with a start already deferred',
    action: 'check the jobnet; start it manually if needed',
  },
  executionSkipped: {
    code: '0332',
    level: 'WARNING',
    text: 'The job net has skipped.',
    meaning: 'a start of the jobnet was skipped',
    cause: 'a start condition was met while the jobnet was disabled',
    action: 'check the jobnet; start it manually if needed',
  },
  startDelayed: {
    code: '0310',
    level: 'WARNING',
    text: 'did not start at scheduled time.',
    meaning: 'the jobnet was not started by its start deadline',
    cause: 'the event that starts it has not been raised, or a predecessor jobnet has not ended normally',
    action: 'check the causes, raise the event or run the predecessor',
  },
  endDelayed: {
    code: '0311',
    level: 'WARNING',
    text: 'did not finish before Estimated end time.',
    meaning: 'the jobnet did not end by its end deadline',
    cause: 'a start delay, a job still running, ended abnormally or delayed, or a deadline before the start time',
    action:
      'check the running jobs; force-terminate, restart or recover them, or set the deadline after the start time',
  },
  jobOverrun: {
    code: '10114',
    level: 'WARNING',
    text: 'The job has not ended by its expected duration.',
    meaning: 'a job ran longer than its expected duration; it keeps running',
    cause: 'the program or service the job runs is delayed',
    action: 'check the program or service; force-terminate the job if it hangs',
  },
  terminationRequestFailed: {
    code: '0635',
    level: 'ERROR',
    text: 'The termination request failed.',
    meaning: 'the termination request of a force-terminated REST job failed',
    cause: 'the service refused or did not answer the termination request',
    action: 'check the request definition, the credential and that the service is reachable',
  },
};

/** The log event of each trouble kind. */
export const troubleLogKinds: Readonly<Record<TroubleKind, LogEventKind>> = {
  jobnetAbended: 'jobnetAbended',
  startDelayed: 'startDelayed',
  endDelayed: 'endDelayed',
  executionRefused: 'executionRefused',
  executionSkipped: 'executionSkipped',
  jobOverrun: 'jobOverrun',
};

/** One event of the job management log (plain JSON; carried through Temporal). */
/** The fields an event is made of, besides what its kind decides. */
export interface LogEventFields {
  /** Deterministic and globally unique: sinks de-duplicate by it. */
  id: string;
  /** Epoch milliseconds. */
  at: number;
  project: string;
  jobnet: string;
  title?: string;
  runId?: string;
  businessDate?: string;
  job?: string;
  exitCode?: number;
  /** The trouble this event records, when it is one. */
  troubleId?: string;
  /** Our own detail (a trouble's message), appended to the WOI text. */
  detail?: string;
}

export interface LogEvent extends Omit<LogEventFields, 'detail'> {
  kind: LogEventKind;
  code: string;
  level: LogLevel;
  /** The message line, WOI style: `MpJobsch: <LEVEL>: <code>: <text> <key=value>…`. */
  message: string;
}

/**
 * The event of a failed termination request (R-REST-3): the code is the one the REST job's message
 * starts with (0635 HTTP status, 0636 network, 0637 timeout, 0638 other), the message that line.
 */
export function terminationFailureEventOf(fields: Omit<LogEventFields, 'detail'>, restMessage: string): LogEvent {
  const event = logEventOf('terminationRequestFailed', fields);
  const code = /^(063[5-8]):/.exec(restMessage)?.[1];
  if (code !== undefined) event.code = code;
  event.message = `MpJobsch: ${event.level}: ${restMessage}${fields.runId !== undefined ? ` RunId=${fields.runId}` : ''}${fields.job !== undefined ? ` JobName=${fields.job}` : ''}`;
  return event;
}

/** Builds the event of `kind` (see {@link logEventDescriptions}). */
export function logEventOf(kind: LogEventKind, fields: LogEventFields): LogEvent {
  const description = logEventDescriptions[kind];
  const { detail, ...rest } = fields;
  const event: LogEvent = { ...rest, kind, code: description.code, level: description.level, message: '' };
  event.message = messageOf(description, fields, detail);
  return event;
}

function messageOf(description: LogEventDescription, fields: LogEventFields, detail: string | undefined): string {
  const keys: string[] = [];
  if (fields.title !== undefined) keys.push(`JobNetComment=${fields.title}`);
  keys.push(`JobNetName=${fields.jobnet}`);
  if (fields.job !== undefined) keys.push(`JobName=${fields.job}`);
  if (fields.exitCode !== undefined) keys.push(`Code=${fields.exitCode}`);
  keys.push(`ProjectName=${fields.project}`);
  if (fields.runId !== undefined) keys.push(`RunId=${fields.runId}`);
  const text =
    description.code === '0310' || description.code === '0311'
      ? `${fields.project} ${fields.jobnet} ${description.text}`
      : description.text;
  const line = `MpJobsch: ${description.level}: ${description.code}: ${text} ${keys.join(' ')}`;
  return detail !== undefined && detail !== '' ? `${line} (${detail})` : line;
}
