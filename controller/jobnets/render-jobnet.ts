/**
 * Shows jobnets to people and scripts (R-OPS-7: "a readable table by default and `--json` for
 * scripts"): one jobnet's view (`jobnet get jobnet`), the list of jobnets (`jobnet ls`), their
 * troubles (`jobnet troubles`, R-TRB), what `jobnet apply` loaded, and the answers of event
 * raises and clears (R-EVT-1, R-EVT-3). JSON forms carry every time as an ISO 8601 UTC string,
 * as `jobnet get run --json` does.
 *
 * Pure: returns strings and plain values; the caller writes them and decides the exit code. Must
 * not query Temporal, and must not interpret the jobnet state beyond showing it (the actor owns
 * the state machine; where a field depends on the definition too — whether an abended jobnet
 * awaits confirmation — it asks the state machine's own functions). Times are shown with their
 * offset in the zone they are given (`cli/times.ts`; the commands default to each jobnet's
 * calendar zone), UTC when none is given. Names,
 * titles, messages and operators' names come from definitions and users: the text forms print
 * them through `printable`, so none can start a line of its own or drive the terminal.
 */
import type { EventClearAnswer, EventRaiseAnswer } from '../../workflows/event-registry-contract.js';
import { inScope, type EventRoute, type EventScope } from '../../workflows/lib/event-routing.js';
import type { JobnetView } from '../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { triggerKind, type CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import {
  operationRefusal,
  type ActorRun,
  type JobnetActorState,
  type JobnetTrouble,
  type PlannedRunStart,
  type TroubleKind,
} from '../../workflows/lib/jobnet-state.js';
import { formatInstant, zoneLabel } from '../cli/times.js';
import { printable } from '../cli/terminal-text.js';
import { withIsoTimes } from '../runs/render-run.js';

/** How to show times, and what else is known of a jobnet besides its view. */
export interface RenderJobnetOptions {
  /** IANA zone (or `UTC`) of the times (default UTC). */
  zone?: string;
  /** Zones by `project/jobnet`, for lists of several jobnets; a jobnet not in it uses `zone`. */
  zones?: ReadonlyMap<string, string>;
  /** Where `zone` comes from, said after it: `calendar jp-business`. */
  zoneSource?: string;
  /** The compiled schedule the actor holds (controller/jobnets/applied-definition.ts), when it could be read. */
  schedule?: CompiledSchedule;
  /**
   * Whether the jobnet awaits confirmation, when decided elsewhere (the API answers it, a remote
   * CLI has no schedule); without it, decided from `schedule` ({@link awaitsConfirmation}).
   */
  awaitingConfirmation?: boolean;
}

/** The zone the times of `project/jobnet` are shown in. */
function zoneFor(options: RenderJobnetOptions, project: string, jobnet: string): string {
  return options.zones?.get(`${project}/${jobnet}`) ?? options.zone ?? 'UTC';
}

/** How many troubles and operations `jobnet get jobnet` shows (the newest). */
export const shownRecords = 10;

const placeholder = '-';

/** The six trouble kinds (R-TRB) with what each means, for `--kind` and its help. */
export const troubleKinds: Readonly<Record<TroubleKind, string>> = {
  jobnetAbended: 'a run ended abnormally',
  startDelayed: 'not started by the start deadline',
  endDelayed: 'not ended by the end deadline',
  executionRefused: 'a start condition was refused by the state',
  executionSkipped: 'a start was skipped (disabled, or missed during an outage)',
  jobOverrun: 'a job ran longer than its overrun time',
};

/** Whether `text` names a trouble kind. */
export function isTroubleKind(text: string): text is TroubleKind {
  return Object.hasOwn(troubleKinds, text);
}

/** A commit SHA cut to 7 characters, as git shows it; anything else as it is. */
function shortRevision(revision: string): string {
  return /^[0-9a-f]{8,}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/** Rows of printable cells padded to their column widths; the last column is not padded (no trailing blanks). */
function alignColumns(rows: readonly (readonly string[])[]): string[] {
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

/** One printable line of a message: newlines folded so a table row stays one line, other control characters escaped. */
function oneLine(text: string): string {
  return printable(text.replace(/\s*\r?\n\s*/g, ' ').trim());
}

/** A planned start: its time and business date (event starts: the earliest time allowed that day). */
export function formatPlannedStart(start: PlannedRunStart, zone = 'UTC'): string {
  const time = formatInstant(Date.parse(start.instant), zone);
  return start.kind === 'events'
    ? `${start.businessDate}  on events, not before ${time}`
    : `${time}  business date ${start.businessDate}`;
}

function describeRun(run: ActorRun, zone: string): string {
  const parts = [
    run.runId,
    run.status,
    `started ${formatInstant(run.startedAt, zone)}`,
    `${run.trigger} start`,
    `business date ${run.businessDate}`,
  ];
  if (run.parameter !== undefined) parts.push(`parameter ${JSON.stringify(run.parameter)}`);
  return parts.join('  ');
}

function disabledText(view: JobnetView): string {
  const byOperator = view.state.disabledByOperator;
  if (byOperator === true) return 'yes (by an operator)';
  if (view.status === 'disabled') return 'yes (enabled: false in the definition)';
  if (byOperator === false) return 'no (enabled by an operator)';
  return 'no';
}

/**
 * Whether nothing starts until an operator confirms (R-STATE-2): the runs ended abended or forced
 * (the actor accepts `confirm`) and either the actor recorded it or the schedule requires
 * confirmation — the rule the actor's start decision applies. Without the schedule, what the
 * actor recorded.
 */
export function awaitsConfirmation(state: JobnetActorState, schedule: CompiledSchedule | undefined): boolean {
  if (schedule === undefined) return state.awaitingConfirmation;
  if (operationRefusal(state, schedule, { operation: 'confirm' }) !== undefined) return false;
  return state.awaitingConfirmation || schedule.requireConfirmation;
}

function awaitingConfirmationText(view: JobnetView, options: RenderJobnetOptions): string {
  if (!(options.awaitingConfirmation ?? awaitsConfirmation(view.state, options.schedule))) return 'no';
  return `yes: nothing starts until jobnet confirm ${view.project}/${view.name}`;
}

function pendingEventsText(view: JobnetView): string {
  const entries = Object.entries(view.state.pendingEvents)
    .filter(([, raises]) => raises.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? 'none' : entries.map(([event, raises]) => `${event}: ${raises.length}`).join(', ');
}

/**
 * One jobnet as text (`jobnet get jobnet`): status, business date, revision, trigger, next
 * starts, the open and the last run, the operator flags, pending events, then the newest
 * {@link shownRecords} troubles and operations, oldest first. Ends with a newline.
 */
export function renderJobnetView(view: JobnetView, options: RenderJobnetOptions = {}): string {
  const state = view.state;
  const zone = zoneFor(options, view.project, view.name);
  const fields: [string, string][] = [];
  fields.push(['status', view.status]);
  fields.push(['business date', view.businessDate]);
  fields.push(['revision', shortRevision(view.revision)]);
  fields.push(['trigger', view.trigger]);
  if (view.copyOf !== undefined) fields.push(['copy of', view.copyOf]);
  if (view.nextStarts.length === 0)
    fields.push(['next starts', view.trigger === 'manual' ? 'none (manual starts only)' : 'none planned']);
  view.nextStarts.forEach((start, i) => fields.push([i === 0 ? 'next starts' : '', formatPlannedStart(start, zone)]));
  fields.push(['open run', state.currentRun === undefined ? 'none' : describeRun(state.currentRun, zone)]);
  fields.push(['last run', state.lastRun === undefined ? 'none' : describeRun(state.lastRun, zone)]);
  fields.push(['held', state.held ? 'yes' : 'no']);
  if (state.deferred !== undefined) {
    fields.push([
      'deferred start',
      `${state.deferred.trigger} start of business date ${state.deferred.businessDate} at ${formatInstant(state.deferred.at, zone)} by ${state.deferred.by}`,
    ]);
  }
  fields.push(['disabled', disabledText(view)]);
  fields.push(['carried over', state.carriedOver ?? 'no']);
  fields.push(['awaiting confirmation', awaitingConfirmationText(view, options)]);
  fields.push(['pending events', pendingEventsText(view)]);
  fields.push(['times', `${zoneLabel(zone)}${options.zoneSource !== undefined ? ` (${options.zoneSource})` : ''}`]);

  const width = Math.max(...fields.map(([label]) => label.length));
  const title = view.title !== undefined ? `  ${view.title}` : '';
  const lines = [printable(`jobnet ${view.project}/${view.name}${title}`), ''];
  for (const [label, value] of fields) lines.push(`${label.padEnd(width)}  ${printable(value)}`.trimEnd());

  const troubles = state.troubles.slice(-shownRecords);
  lines.push('', `troubles (${countText(troubles.length, state.troubleCount)}):`);
  if (troubles.length === 0) lines.push('  none');
  else {
    const rows = [
      ['TIME', 'KIND', 'RUN', 'JOB', 'EXIT', 'MESSAGE'],
      ...troubles.map((t) => [
        formatInstant(t.at, zone),
        t.kind,
        t.runId ?? placeholder,
        t.job ?? placeholder,
        t.exitCode === undefined ? placeholder : String(t.exitCode),
        oneLine(t.message),
      ]),
    ];
    for (const line of alignColumns(rows)) lines.push(`  ${line}`);
  }

  const operations = state.operations.slice(-shownRecords);
  lines.push('', `operations (${countText(operations.length, state.operations.length)}):`);
  if (operations.length === 0) lines.push('  none');
  else {
    const rows = [
      ['TIME', 'BY', 'OPERATION', 'DETAIL'],
      ...operations.map((o) => [formatInstant(o.at, zone), o.by, o.operation, oneLine(o.detail)]),
    ];
    for (const line of alignColumns(rows)) lines.push(`  ${line}`);
  }
  return lines.join('\n') + '\n';
}

function countText(shown: number, total: number): string {
  return shown < total ? `the last ${shown} of ${total}` : `${total}`;
}

/** Property names whose numeric values are epoch milliseconds in a jobnet view. */
const timeKeys: ReadonlySet<string> = new Set(['at', 'startedAt', 'cursor', 'endDeadlineAt']);

/** The jobnet view as plain JSON for scripts: as the actor answers it, every time an ISO 8601 UTC string. */
export function jobnetViewJson(view: JobnetView): Record<string, unknown> {
  return withIsoTimes(view, timeKeys) as Record<string, unknown>;
}

/** The jobnet view of {@link jobnetViewJson} with its times as epoch milliseconds again (a remote CLI shows it as text). */
export function jobnetViewFromJson(json: Record<string, unknown>): JobnetView {
  return withEpochTimes(json) as JobnetView;
}

function withEpochTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withEpochTimes);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value))
    copy[key] = timeKeys.has(key) && typeof entry === 'string' ? Date.parse(entry) : withEpochTimes(entry);
  return copy;
}

/** {@link jobnetViewJson} as indented text with a final newline. */
export function renderJobnetViewJson(view: JobnetView): string {
  return JSON.stringify(jobnetViewJson(view), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// The list of jobnets.

/** One jobnet actor of `jobnet ls`: its view, or why it could not be read. */
export interface JobnetListEntry {
  project: string;
  jobnet: string;
  view?: JobnetView;
  error?: string;
}

/**
 * `jobnet ls` as a table `JOBNET STATUS TRIGGER BUSINESS-DATE NEXT-START`, one row per actor in
 * the order given; `?` where the actor could not be queried, `on events` for an event trigger.
 * Ends with a newline.
 */
export function renderJobnetList(entries: readonly JobnetListEntry[], options: RenderJobnetOptions = {}): string {
  return renderJobnetRows(jobnetListJson(entries) as unknown as JobnetListRow[], options);
}

/** One row of `jobnet ls --json` (and of `GET /api/v1/jobnets`): the state fields, or `error`. */
export interface JobnetListRow {
  project: string;
  jobnet: string;
  status?: string;
  trigger?: string;
  businessDate?: string;
  revision?: string;
  nextStart?: PlannedRunStart | null;
  error?: string;
}

/** {@link renderJobnetList} of rows in the JSON form (as the API answers them). */
export function renderJobnetRows(rows: readonly JobnetListRow[], options: RenderJobnetOptions = {}): string {
  if (rows.length === 0) return 'no jobnet has been applied (jobnet apply)\n';
  const table = [['JOBNET', 'STATUS', 'TRIGGER', 'BUSINESS-DATE', 'NEXT-START']];
  for (const row of rows) {
    const known = row.error === undefined;
    table.push([
      `${row.project}/${row.jobnet}`,
      (known ? row.status : undefined) ?? '?',
      (known ? row.trigger : undefined) ?? '?',
      (known ? row.businessDate : undefined) ?? '?',
      known ? nextStartCell(row.nextStart ?? undefined, zoneFor(options, row.project, row.jobnet)) : '?',
    ]);
  }
  return alignColumns(table).join('\n') + '\n';
}

/** The next start of a list row: its time, `on events` for an event trigger, `-` without one. */
function nextStartCell(next: PlannedRunStart | undefined, zone: string): string {
  if (next === undefined) return placeholder;
  // An event start has no time of its own; its instant is only the earliest one allowed.
  return next.kind === 'events' ? 'on events' : formatInstant(Date.parse(next.instant), zone);
}

/** `jobnet ls --json`: one object per actor, `error` instead of the state when it could not be read. */
export function jobnetListJson(entries: readonly JobnetListEntry[]): Record<string, unknown>[] {
  return entries.map((entry) => {
    if (entry.view === undefined)
      return { project: entry.project, jobnet: entry.jobnet, error: entry.error ?? 'unknown' };
    const next = entry.view.nextStarts[0];
    return {
      project: entry.project,
      jobnet: entry.jobnet,
      status: entry.view.status,
      trigger: entry.view.trigger,
      businessDate: entry.view.businessDate,
      revision: entry.view.revision,
      nextStart: next === undefined ? null : next,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Troubles.

/**
 * The troubles of the given views, optionally of one kind, sorted by time (then jobnet, then
 * trouble number, so equal times keep the order they were recorded in).
 */
export function selectTroubles(views: readonly JobnetView[], filter: { kind?: TroubleKind } = {}): JobnetTrouble[] {
  const troubles = views
    .flatMap((view) => view.state.troubles)
    .filter((trouble) => filter.kind === undefined || trouble.kind === filter.kind);
  return troubles.sort(
    (a, b) =>
      a.at - b.at ||
      compareText(`${a.project}/${a.jobnet}`, `${b.project}/${b.jobnet}`) ||
      troubleNumber(a) - troubleNumber(b),
  );
}

function troubleNumber(trouble: JobnetTrouble): number {
  const match = /#(\d+)$/.exec(trouble.id);
  return match ? Number(match[1]) : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Troubles as the table `TIME KIND PROJECT/JOBNET RUN JOB EXIT MESSAGE`, in the order given. Ends with a newline. */
export function renderTroubleTable(troubles: readonly JobnetTrouble[], options: RenderJobnetOptions = {}): string {
  if (troubles.length === 0) return 'no troubles\n';
  const rows = [['TIME', 'KIND', 'PROJECT/JOBNET', 'RUN', 'JOB', 'EXIT', 'INCIDENT', 'MESSAGE']];
  for (const t of troubles) {
    rows.push([
      formatInstant(t.at, zoneFor(options, t.project, t.jobnet)),
      t.kind,
      `${t.project}/${t.jobnet}`,
      t.runId ?? placeholder,
      t.job ?? placeholder,
      t.exitCode === undefined ? placeholder : String(t.exitCode),
      t.incident?.number ?? placeholder,
      oneLine(t.message),
    ]);
  }
  return alignColumns(rows).join('\n') + '\n';
}

/** Troubles as JSON text, times as ISO 8601 UTC strings, with a final newline. */
export function renderTroublesJson(troubles: readonly JobnetTrouble[]): string {
  return JSON.stringify(withIsoTimes(troubles, timeKeys), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Apply.

/** What `jobnet apply` loaded, for people (`renderApplySummary`) and scripts (as it is). */
export interface ApplySummary {
  revision: string;
  jobnets: { project: string; jobnet: string; trigger: string; actor: string; digest?: string }[];
  /** Jobnets the event registry routes events to. */
  routes: number;
}

/** The summary of an apply of `jobnets` whose actors are `actors` (same order). */
export function applySummaryOf(
  jobnets: readonly CompiledJobnet[],
  actors: readonly string[],
  revision: string,
  routes: number,
): ApplySummary {
  return {
    revision,
    jobnets: jobnets.map((jobnet, i) => ({
      project: jobnet.project,
      jobnet: jobnet.name,
      trigger: jobnet.schedule === undefined ? 'manual' : triggerKind(jobnet.schedule.start),
      actor: actors[i] ?? '',
      ...(jobnet.digest !== undefined ? { digest: jobnet.digest } : {}),
    })),
    routes,
  };
}

/** One line per jobnet (`project/jobnet  trigger`), then `applied N jobnets (revision R), M routed for events`. */
export function renderApplySummary(summary: ApplySummary): string {
  const rows = summary.jobnets.map((entry) => [`${entry.project}/${entry.jobnet}`, entry.trigger]);
  const lines = rows.length > 0 ? alignColumns(rows) : [];
  const count = summary.jobnets.length;
  lines.push(
    `applied ${count} jobnet${count === 1 ? '' : 's'} (revision ${printable(summary.revision)}), ${summary.routes} routed for events`,
  );
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Events.

/** What a command prints for an answer: stdout and stderr text, and whether anything was refused. */
export interface RenderedAnswer {
  stdout: string;
  stderr: string;
  refused: boolean;
}

/**
 * The answer of an event raise (R-EVT-1): `project/jobnet: outcome: detail` on stdout for each
 * jobnet that took it, `refused: project/jobnet: reason` on stderr for each that refused it. A
 * raise no jobnet in scope waits for is refused too (the event is probably misspelt or raised in
 * the wrong scope): with the registry's `routes`, the message names the events that are known —
 * and the jobnets outside the scope that do wait for it, or the closest name.
 */
export function renderEventRaise(
  answer: EventRaiseAnswer,
  routes?: readonly EventRoute[],
  scope: EventScope = {},
): RenderedAnswer {
  if (answer.results.length === 0)
    return { stdout: '', stderr: `refused: ${unknownEventText(answer.event, routes, scope)}\n`, refused: true };
  let stdout = '';
  let stderr = '';
  for (const result of answer.results) {
    const name = printable(`${result.project}/${result.jobnet}`);
    if (result.outcome === 'refused') stderr += `refused: ${name}: ${oneLine(result.detail)}\n`;
    else stdout += `${name}: ${result.outcome}: ${oneLine(result.detail)}\n`;
  }
  return { stdout, stderr, refused: stderr !== '' };
}

/** The events the routes wait for (to start a jobnet or in a waitEvent job), sorted. */
function routedEvents(routes: readonly EventRoute[]): string[] {
  return [...new Set(routes.flatMap((route) => [...route.startEvents, ...route.waitEvents]))].sort(compareText);
}

function scopeText(scope: EventScope): string {
  if (scope.project === undefined) return '';
  return scope.jobnet === undefined ? ` in project ${scope.project}` : ` as ${scope.project}/${scope.jobnet}`;
}

/** Why a raise of `event` in `scope` reached no jobnet, with what is known instead (see {@link renderEventRaise}). */
export function unknownEventText(
  event: string,
  routes: readonly EventRoute[] | undefined,
  scope: EventScope = {},
): string {
  const name = printable(event);
  const base = `no jobnet${scopeText(scope)} waits for event ${name}`;
  if (routes === undefined) return base;
  const waiting = routes.filter((route) => route.startEvents.includes(event) || route.waitEvents.includes(event));
  if (waiting.length > 0) {
    const listedJobnets = waiting.map((route) => `${route.project}/${route.jobnet}`);
    return printable(
      `${base}; it is waited for by ${listedJobnets.join(', ')} (raise it without --project/--jobnet, or with theirs)`,
    );
  }
  const inScopeEvents = routedEvents(routes.filter((route) => inScope(route, scope)));
  const known = inScopeEvents.length > 0 ? inScopeEvents : routedEvents(routes);
  if (known.length === 0) return `${base}: no applied jobnet waits for any event`;
  const closest = closestName(event, known);
  const hint = closest !== undefined ? ` (did you mean ${closest}?)` : '';
  const where = inScopeEvents.length > 0 ? scopeText(scope) : '';
  return printable(`${base}${hint}; the events jobnets${where} wait for: ${known.join(', ')}`);
}

/** The known name nearest to `name` (case-insensitive edit distance), if near enough to be a slip. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(upper, candidate.toUpperCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(Math.max(name.length, best.name.length) / 3)) ? best.name : undefined;
}

/** Levenshtein distance of two strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(
        Math.min(
          (previous[j] as number) + 1,
          (current[j - 1] as number) + 1,
          (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The answer of an event clear (R-EVT-3): one line per jobnet with its count, then the total; refusals on stderr. */
export function renderEventClear(answer: EventClearAnswer): RenderedAnswer {
  if (answer.results.length === 0)
    return { stdout: 'no jobnet in scope starts on events; nothing to clear\n', stderr: '', refused: false };
  let stdout = '';
  let stderr = '';
  let total = 0;
  let jobnets = 0;
  for (const result of answer.results) {
    const name = printable(`${result.project}/${result.jobnet}`);
    if (result.refused !== undefined) {
      stderr += `refused: ${name}: ${oneLine(result.refused)}\n`;
      continue;
    }
    stdout += `${name}: ${result.cleared} pending raise${result.cleared === 1 ? '' : 's'} cleared\n`;
    total += result.cleared;
    jobnets += 1;
  }
  stdout += `cleared ${total} pending raise${total === 1 ? '' : 's'} of ${jobnets} jobnet${jobnets === 1 ? '' : 's'}\n`;
  return { stdout, stderr, refused: stderr !== '' };
}
