/**
 * Shows one run to people and scripts (R-OPS-7: "a readable table by default and `--json` for
 * scripts"): a header line, the job table `JOB STATE EXIT START END` in flow order (flow-order.ts),
 * notes for jobs whose end the table does not explain (forced, skipped, OR join, a message),
 * optionally each job's output under its row; and the run view as JSON with every time as an
 * ISO 8601 string.
 *
 * Pure: returns strings and plain values; the caller writes them. Must not query Temporal or
 * decide exit codes. Times are shown in the zone it is given, with their offset (`cli/times.ts`;
 * the command's default is the zone of the run's calendar), and the header names it. Names,
 * messages and outputs come from definitions, operators and services: the text form prints them
 * through `printable`, so none can start a line of its own or drive the terminal.
 */
import { formatInstant, zoneLabel } from '../cli/times.js';
import { printable, printableLines } from '../cli/terminal-text.js';
import type { JobRecord } from '../../workflows/lib/run-state.js';
import type { RunView } from '../../workflows/run-contract.js';
import { flowOrder } from './flow-order.js';

/** How to show times and what to include. */
export interface RenderRunOptions {
  /** IANA zone (or `UTC`) the times are shown in; default: the run's calendar zone, else UTC. */
  zone?: string;
  /** Print each job's output, indented, under its row. */
  outputs?: boolean;
}

const placeholder = '-';

/** The zone of the run's calendar (the zone its start times are written in), UTC without one. */
export function runCalendarZone(view: RunView): string {
  return view.state.jobnet.calendar?.timezone ?? 'UTC';
}

/** A commit SHA cut to 7 characters, as git shows it; anything else as it is. */
function shortRevision(revision: string): string {
  return /^[0-9a-f]{8,}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/**
 * The header line: run id, project/jobnet, business date, short revision, status (and who closed
 * the run, once closed).
 */
export function renderRunHeader(view: RunView): string {
  const parts = [
    `run ${view.runId}`,
    `${view.project}/${view.jobnet}`,
    `business date ${view.businessDate}`,
    `revision ${shortRevision(view.revision)}`,
    `status ${view.status}`,
  ];
  if (view.closed) parts.push(`closed by ${view.closed.by}`);
  return parts.map(printable).join('  ');
}

/** Rows of printable cells padded to their column widths; the last column is not padded (no trailing blanks). */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((row) => row.map(printable));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Why a job ended as it did, when the table alone does not say it (forced, skipped, OR join, messages). */
export function jobNotes(view: RunView, job: string, record: JobRecord): string[] {
  const notes: string[] = [];
  if (record.forcedReason === 'operator') notes.push('force-terminated by an operator');
  else if (record.forcedReason === 'timeLimit') notes.push('force-terminated: time limit exceeded');
  if (record.settledBy === 'skipped') notes.push('skipped by an operator after it failed; its successors continued');
  else if (record.settledBy === 'orJoinFired')
    notes.push(`not needed: the OR join of "${record.orJoin ?? '?'}" had already fired`);
  else if (record.settledBy === 'orJoinBroken')
    notes.push(`ended: another predecessor of the OR join of "${record.orJoin ?? '?'}" ended abnormally`);
  const message = view.jobMessages[job];
  if (message !== undefined && message !== '') notes.push(message);
  return notes;
}

/** The run's job names in flow order; jobs the compiled jobnet does not list come last, by name. */
export function jobOrder(view: RunView): string[] {
  const present = new Set(Object.keys(view.state.jobs));
  const ordered = flowOrder(view.state.jobnet.jobs).filter((name) => present.has(name));
  const listed = new Set(ordered);
  return [...ordered, ...[...present].filter((name) => !listed.has(name)).sort()];
}

/**
 * The run as text: header line, the zone of its times, blank line, the job table in flow order
 * (with outputs under the rows when asked), and a `notes:` section for jobs with a message or a
 * forced end. Ends with a newline.
 */
export function renderRunTable(view: RunView, options: RenderRunOptions = {}): string {
  const zone = options.zone ?? runCalendarZone(view);
  const names = jobOrder(view);
  const rows: string[][] = [['JOB', 'STATE', 'EXIT', 'START', 'END']];
  for (const name of names) {
    const record = view.state.jobs[name] as JobRecord;
    rows.push([
      name,
      record.state,
      record.exitCode === undefined ? placeholder : String(record.exitCode),
      formatInstant(record.startedAt, zone),
      formatInstant(record.endedAt, zone),
    ]);
  }
  const table = alignColumns(rows);
  const lines = [renderRunHeader(view), `times in ${printable(zoneLabel(zone))}`, '', table[0] as string];
  names.forEach((name, i) => {
    lines.push(table[i + 1] as string);
    const output = view.state.jobs[name]?.output;
    if (options.outputs && output !== undefined && output !== '') {
      for (const line of printableLines(output.replace(/(\r?\n)+$/, ''))) lines.push(`    | ${line}`.trimEnd());
    }
  });
  const notes = names.flatMap((name) =>
    jobNotes(view, name, view.state.jobs[name] as JobRecord).map((note) => `  ${printable(name)}: ${printable(note)}`),
  );
  if (notes.length > 0) lines.push('', 'notes:', ...notes);
  const hint = openRunHint(view);
  if (hint !== undefined) lines.push('', hint);
  return lines.join('\n') + '\n';
}

/**
 * For an abended or forced top-level run started without the scheduler and still open: how to
 * recover or close it (no actor closes it at the day change).
 */
export function openRunHint(view: RunView): string | undefined {
  if (view.closed !== undefined || view.actor !== undefined || view.level !== 1) return undefined;
  if (view.status !== 'abended' && view.status !== 'forced') return undefined;
  const id = printable(view.runId);
  return `this run was started without the scheduler and stays open for recovery: jobnet run restart ${id} re-runs its failed jobs, jobnet run close ${id} closes it`;
}

/** Property names whose numeric values are epoch milliseconds in a run view. */
const timeKeys: ReadonlySet<string> = new Set(['at', 'startedAt', 'endedAt', 'notBefore']);

/**
 * A deep copy of plain JSON `value` in which every number under one of `keys` (epoch
 * milliseconds) is an ISO 8601 UTC string: the JSON form of views for scripts.
 */
export function withIsoTimes(value: unknown, keys: ReadonlySet<string> = timeKeys): unknown {
  if (Array.isArray(value)) return value.map((item) => withIsoTimes(item, keys));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    copy[key] = keys.has(key) && typeof entry === 'number' ? new Date(entry).toISOString() : withIsoTimes(entry, keys);
  }
  return copy;
}

/**
 * The run view as plain JSON for scripts: the view as the workflow answers it, with every time
 * (job and attempt starts and ends, operations, troubles, events, result, close) as an ISO 8601
 * UTC string. The compiled jobnet inside (`state.jobnet`) is left as it is: it holds no times,
 * and its opaque job specs are the user's.
 */
export function runViewJson(view: RunView): Record<string, unknown> {
  const { jobnet, ...state } = view.state;
  const converted = withIsoTimes({ ...view, state }) as Record<string, unknown> & { state: Record<string, unknown> };
  return { ...converted, state: { jobnet, ...converted.state } };
}

/** {@link runViewJson} as indented text with a final newline. */
export function renderRunJson(view: RunView): string {
  return JSON.stringify(runViewJson(view), null, 2) + '\n';
}
