/**
 * What a reconcile plan means for the people reviewing it (R-GIT-5): per jobnet that changes, its
 * field-level differences, for a changed schedule or calendar its next starts before and after,
 * for changed day rules or calendars the start days that move within the next 12 months, and the
 * plan's warnings. `render-plan.ts` turns the report into Markdown for a pull request;
 * `jobnet plan --format json` prints it as it is.
 *
 * Start days and start times come from the functions the jobnet actor schedules with
 * (`scheduleStartDays`, `nextStarts`) applied to the compiled schedules and calendars of both
 * sides, so what the report says moves is what will move.
 *
 * Pure and deterministic: the current time is a parameter; no I/O.
 */
import { DateTime } from 'luxon';
import {
  addDays,
  businessDateOf,
  dayNumberFromParts,
  dayNumberOf,
  daysInMonth,
  instantMillis,
  isoDateOf,
  systemCalendar,
  weekdayIndexOf,
  type BusinessCalendar,
  type Instant,
} from '../../workflows/lib/business-calendar.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { scheduleStartDays, triggerKind, type CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import { formatTimeOfDay } from '../../workflows/lib/durations.js';
import { nextStarts, type PlannedStart, type StartTrigger } from '../../workflows/lib/start-times.js';
import { diffJobnets, touches, type FieldChange } from './definition-diff.js';
import { jobnetIdentity, type ActionKind, type ReconcileAction, type ReconcilePlan } from './plan.js';

/** One side of the comparison, as the report names it. */
export interface PlanSide {
  /** What the reader knows it by: a branch or ref name, or `working tree`. */
  label: string;
  /** Commit SHA, when the side is a commit. */
  revision?: string;
}

export interface PlanReportOptions {
  /** The instant "next starts" and "the next 12 months" count from (ISO 8601 with Z or offset, or epoch ms). */
  now: Instant;
  base: PlanSide;
  head: PlanSide;
  /** Remarks about how the plan was made (e.g. an invalid base planned as empty). */
  notes?: string[];
  /** How many next starts to show per side (default 5). */
  startCount?: number;
  /** How many months of start days to compare (default 12). */
  startDayMonths?: number;
}

/** A start as shown to people: the calendar's wall clock, plus the business date and the instant. */
export interface StartView {
  businessDate: string;
  /** `YYYY-MM-DD ddd HH:MM` on the calendar's wall clock. */
  localTime: string;
  /** ISO 8601 UTC. */
  instant: string;
  kind: PlannedStart['kind'];
}

/** The next starts of one side of a jobnet. */
export interface StartsPreview {
  trigger: 'at' | 'every' | 'events' | 'manual';
  timezone: string;
  /** `enabled: false`: every start is skipped (R-STATE-1). */
  enabled: boolean;
  starts: StartView[];
}

/** Start days that differ between the two sides within a window of business dates. */
export interface MovedStartDays {
  from: string;
  to: string;
  /** Start days only the head has. */
  added: string[];
  /** Start days only the base has. */
  removed: string[];
}

/** A short description of a jobnet that is added or removed. */
export interface JobnetOutline {
  title?: string;
  jobs: { name: string; type: string }[];
  trigger: 'at' | 'every' | 'events' | 'manual';
  /** The trigger's settings, compact (e.g. `{"at":["06:00"]}`). */
  start: string;
  calendar: string;
  children: string[];
}

export interface JobnetReport {
  id: string;
  project: string;
  name: string;
  action: ActionKind;
  /** For `update`: whether the definition changed or a retired jobnet is desired again. */
  reason?: 'definition' | 'revive';
  baseRevision?: string;
  headRevision?: string;
  /** For `create`, `retire` and `delete`: what the jobnet is. */
  outline?: JobnetOutline;
  /** For `update`: the changed fields (empty when the observed definition is unknown). */
  changes: FieldChange[];
  /** Next starts before the change (for a changed schedule or calendar). */
  startsBefore?: StartsPreview;
  /** Next starts after the change (for a changed schedule or calendar, and for an added jobnet). */
  startsAfter?: StartsPreview;
  /** For changed day rules or calendars. */
  movedStartDays?: MovedStartDays;
  warnings: string[];
}

export interface PlanSummary {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  warnings: number;
}

export interface PlanReport {
  base: PlanSide;
  head: PlanSide;
  /** ISO 8601 UTC. */
  now: string;
  prune: boolean;
  summary: PlanSummary;
  notes: string[];
  /** Every jobnet that is added, changed or removed, by project, then name. */
  jobnets: JobnetReport[];
}

/** Fields whose change can move a jobnet's start times. */
const startFields = [
  '/schedule/enabled',
  '/schedule/start',
  '/schedule/days',
  '/schedule/dayPatterns',
  '/schedule/dayPatternName',
  '/calendar',
];
/** Fields whose change can move a jobnet's start days. */
const startDayFields = ['/schedule/days', '/schedule/dayPatterns', '/schedule/dayPatternName', '/calendar'];

/**
 * The report of `plan` (see the module header). Actions without a known observed definition get
 * no field diff or previews (an actor observed in Temporal may not say what it holds).
 * @throws RangeError when `now` is not an instant.
 */
export function describePlan(plan: ReconcilePlan, options: PlanReportOptions): PlanReport {
  const now = instantMillis(options.now);
  const startCount = options.startCount ?? 5;
  const months = options.startDayMonths ?? 12;
  const jobnets: JobnetReport[] = [];
  for (const action of plan.actions) {
    if (action.kind === 'noop') continue;
    jobnets.push(describeAction(action, plan, now, startCount, months));
  }
  const { counts } = plan;
  return {
    base: options.base,
    head: options.head,
    now: new Date(now).toISOString(),
    prune: plan.prune,
    summary: {
      added: counts.create,
      changed: counts.update,
      removed: counts.retire + counts.delete,
      unchanged: counts.noop,
      warnings: plan.warnings.length,
    },
    notes: [...(options.notes ?? [])],
    jobnets,
  };
}

function describeAction(
  action: Exclude<ReconcileAction, { kind: 'noop' }>,
  plan: ReconcilePlan,
  now: number,
  startCount: number,
  months: number,
): JobnetReport {
  const id = jobnetIdentity(action);
  const report: JobnetReport = {
    id,
    project: action.project,
    name: action.name,
    action: action.kind,
    changes: [],
    warnings: plan.warnings.filter((warning) => jobnetIdentity(warning) === id).map((warning) => warning.message),
  };
  switch (action.kind) {
    case 'create':
      report.headRevision = action.desired.revision;
      report.outline = outlineOf(action.desired);
      report.startsAfter = startsPreview(action.desired, now, startCount);
      break;
    case 'update': {
      report.reason = action.reason;
      report.headRevision = action.desired.revision;
      if (action.observed.revision !== undefined) report.baseRevision = action.observed.revision;
      const before = action.observed.definition;
      if (before === undefined) break;
      report.changes = diffJobnets(before, action.desired);
      if (touches(report.changes, startFields)) {
        report.startsBefore = startsPreview(before, now, startCount);
        report.startsAfter = startsPreview(action.desired, now, startCount);
      }
      if (touches(report.changes, startDayFields))
        report.movedStartDays = movedStartDays(before, action.desired, now, months);
      break;
    }
    case 'retire':
    case 'delete':
      if (action.observed.revision !== undefined) report.baseRevision = action.observed.revision;
      if (action.observed.definition !== undefined) report.outline = outlineOf(action.observed.definition);
      break;
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Outlines.

function outlineOf(jobnet: CompiledJobnet): JobnetOutline {
  const start = jobnet.schedule?.start ?? {};
  const outline: JobnetOutline = {
    jobs: Object.values(jobnet.jobs).map((job) => ({ name: job.name, type: job.type })),
    trigger: triggerKind(start),
    start: JSON.stringify(start),
    calendar: describeCalendar(calendarOf(jobnet)),
    children: Object.keys(jobnet.children ?? {}),
  };
  if (jobnet.title !== undefined) outline.title = jobnet.title;
  return outline;
}

/** `name (zone, day change HH:MM)`, as `jobnet days` and `jobnet next` print it. */
export function describeCalendar(calendar: BusinessCalendar): string {
  return `${calendar.name} (${calendar.timezone}, day change ${formatTimeOfDay(calendar.dayChangeMinutes)})`;
}

/** The compiled jobnet's calendar; a hand-built jobnet without one runs on the system calendar in UTC. */
function calendarOf(jobnet: CompiledJobnet): BusinessCalendar {
  return jobnet.calendar ?? systemCalendar('UTC');
}

// ---------------------------------------------------------------------------------------------
// Start times and start days.

/** How far ahead next starts are looked for: as far as `jobnet next` looks. */
const maxLookaheadDays = 50 * 366;

function startsPreview(jobnet: CompiledJobnet, now: number, count: number): StartsPreview | undefined {
  const { schedule } = jobnet;
  if (schedule === undefined) return undefined;
  const calendar = calendarOf(jobnet);
  const trigger = triggerKind(schedule.start);
  const starts = trigger === 'manual' ? [] : plannedStarts(schedule, calendar, schedule.start, now, count);
  return {
    trigger,
    timezone: calendar.timezone,
    enabled: schedule.enabled,
    starts: starts.map((start) => ({
      businessDate: start.businessDate,
      localTime: localTimeOf(calendar, start.instant),
      instant: start.instant,
      kind: start.kind,
    })),
  };
}

/**
 * The next `count` starts after `now`: start days over a window that grows until it holds enough
 * starts (or reaches {@link maxLookaheadDays}), then `nextStarts`, as `jobnet next` does.
 */
function plannedStarts(
  schedule: CompiledSchedule,
  calendar: BusinessCalendar,
  start: StartTrigger,
  now: number,
  count: number,
): PlannedStart[] {
  const firstDate = addDays(businessDateOf(calendar, now), -1);
  for (let span = 400; ; span = Math.min(span * 4, maxLookaheadDays)) {
    const days = scheduleStartDays(schedule, calendar, { from: firstDate, to: addDays(firstDate, span) });
    const starts = nextStarts(start, days, calendar, now, count);
    if (starts.length >= count || span >= maxLookaheadDays) return starts;
  }
}

/**
 * Start days of both sides from the business date of `now` (on the head's calendar) through the
 * day before the same date `months` later, and which of them only one side has.
 */
function movedStartDays(
  before: CompiledJobnet,
  after: CompiledJobnet,
  now: number,
  months: number,
): MovedStartDays | undefined {
  if (before.schedule === undefined || after.schedule === undefined) return undefined;
  const from = businessDateOf(calendarOf(after), now);
  const to = addDays(addMonths(from, months), -1);
  const old = scheduleStartDays(before.schedule, calendarOf(before), { from, to });
  const next = scheduleStartDays(after.schedule, calendarOf(after), { from, to });
  const oldSet = new Set(old);
  const nextSet = new Set(next);
  return { from, to, added: next.filter((day) => !oldSet.has(day)), removed: old.filter((day) => !nextSet.has(day)) };
}

/** The same day of the month `months` later, or the month's last day when it is shorter. */
function addMonths(isoDate: string, months: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return isoDateOf(dayNumberFromParts(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth))));
}

/** `YYYY-MM-DD ddd HH:MM` of an instant on the calendar's wall clock. */
function localTimeOf(calendar: BusinessCalendar, instant: string): string {
  const local = DateTime.fromMillis(instantMillis(instant), { zone: calendar.timezone });
  return `${weekdayDate(isoDateOf(dayNumberFromParts(local.year, local.month, local.day)))} ${local.toFormat('HH:mm')}`;
}

const weekdayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `YYYY-MM-DD ddd` of an ISO date. */
export function weekdayDate(isoDate: string): string {
  return `${isoDate} ${weekdayNames[weekdayIndexOf(dayNumberOf(isoDate))] as string}`;
}
