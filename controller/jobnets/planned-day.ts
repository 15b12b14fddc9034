/**
 * A jobnet's business date as the console's timeline draws it (R-UI-1): when the business day
 * begins and ends (the day change of the jobnet's calendar), whether it is a start day, every
 * planned start of the date, and the deadlines and expected durations a run or job of that date
 * overruns — from the applied definition, with the same functions as the jobnet actor and
 * `jobnet next` (`start-days.ts`, `start-times.ts`, `business-calendar.ts`).
 *
 * Pure: the current instant is a parameter; no I/O, no clock.
 */
import {
  businessDateOf,
  businessDayStart,
  instantOf,
  systemCalendar,
  type BusinessCalendar,
} from '../../workflows/lib/business-calendar.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { compiledScheduleOf, scheduleStartDays, triggerKind } from '../../workflows/lib/compiled-schedule.js';
import { formatTimeOfDay } from '../../workflows/lib/durations.js';
import { startsOfBusinessDate, type PlannedStart } from '../../workflows/lib/start-times.js';

export interface PlannedDay {
  /** `project/jobnet`. */
  jobnet: string;
  businessDate: string;
  calendar: string;
  timezone: string;
  /** The calendar's day change `HH:MM`. */
  dayChangeTime: string;
  /** ISO 8601 UTC instants the business day begins and ends (the next one begins). */
  dayStart: string;
  dayEnd: string;
  trigger: 'at' | 'every' | 'events' | 'manual';
  /** The schedule is enabled (a disabled schedule skips every start, R-STATE-1). */
  enabled: boolean;
  startDay: boolean;
  /** Every start of the date when it is a start day, ascending; for `events` the earliest allowed instant. */
  starts: PlannedStart[];
  /** Not started by then: `startDelayed` (R-TRB). */
  startDeadline?: string;
  /** A run of this date not ended by then: `endDelayed`. */
  endDeadline?: string;
  /** A run not ended this many seconds after its start: `endDelayed`. */
  endAfterSeconds?: number;
  /** Jobs with an expected duration (seconds): a job running longer is a `jobOverrun`. */
  expectedDurations: Record<string, number>;
}

const dayMs = 86_400_000;

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + dayMs).toISOString().slice(0, 10);
}

/**
 * The planned day of `definition` for `businessDate`, or for the business date `now` belongs to in
 * the jobnet's calendar (the system calendar in UTC when it has none, as its actor does).
 * @throws RangeError when `businessDate` is not a valid ISO date.
 */
export function plannedDayOf(definition: CompiledJobnet, now: number, businessDate?: string): PlannedDay {
  const calendar: BusinessCalendar = definition.calendar ?? systemCalendar('UTC');
  const schedule = definition.schedule ?? compiledScheduleOf();
  const date = businessDate ?? businessDateOf(calendar, now);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new RangeError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  const startDay = scheduleStartDays(schedule, calendar, { from: date, to: date }).includes(date);
  const { deadlines } = schedule;
  const day: PlannedDay = {
    jobnet: `${definition.project}/${definition.name}`,
    businessDate: date,
    calendar: calendar.name,
    timezone: calendar.timezone,
    dayChangeTime: formatTimeOfDay(calendar.dayChangeMinutes),
    dayStart: businessDayStart(calendar, date),
    dayEnd: businessDayStart(calendar, nextDate(date)),
    trigger: triggerKind(schedule.start),
    enabled: schedule.enabled,
    startDay,
    starts: startDay ? startsOfBusinessDate(schedule.start, calendar, date) : [],
    expectedDurations: Object.fromEntries(
      Object.values(definition.jobs)
        .filter((job) => job.expectedDurationSeconds !== undefined)
        .map((job) => [job.name, job.expectedDurationSeconds as number]),
    ),
  };
  if (deadlines.start !== undefined && startDay) day.startDeadline = instantOf(calendar, date, deadlines.start);
  if (deadlines.endAt !== undefined) day.endDeadline = instantOf(calendar, date, deadlines.endAt);
  if (deadlines.endAfterSeconds !== undefined) day.endAfterSeconds = deadlines.endAfterSeconds;
  return day;
}
