/**
 * Start times (R-SCH-1, R-SCH-2, R-EVT-2): the instants at which a jobnet starts on its start days,
 * from its `start` trigger and its calendar. The one computation behind the schedules the workflows
 * sleep until, `jobnet next` (R-SCH-4) and `jobnet plan`.
 *
 * Times of day are times of the business day: a time before the calendar's day change falls on the
 * next calendar date (R-SCH-2), so with day change 05:00 a window 22:00–02:00 runs across midnight.
 * DST is resolved in the calendar's time zone as described at `instantOf` (gaps forward, overlaps
 * to the earlier instant). `every` counts elapsed minutes from the window's first start, so the
 * interval between starts stays N minutes across a DST change.
 *
 * Must not: import Node built-ins, do I/O, read the clock or use randomness — the current time is a
 * parameter, and the module runs inside the Temporal workflow sandbox.
 */
import { IANAZone } from 'luxon';
import {
  type BusinessCalendar,
  type Instant,
  businessDayNumberOf,
  businessDayStartMillis,
  dayNumberOf,
  instantMillis,
  instantMillisOf,
  isoDateOf,
  isoInstantOf,
} from './business-calendar.js';
import { formatTimeOfDay, parseTimeOfDay } from './durations.js';

/** Interval starts (R-SCH-1): every `minutes` from `from` until `until` of each start day. */
export interface EveryStart {
  minutes: number;
  /** First start of the business day; omitted: the day change. */
  from?: string;
  /** No start after this time of the business day (inclusive); omitted: until the next day change. */
  until?: string;
}

/** The parts of an event trigger (R-EVT-2) that decide when an event start may happen. */
export interface EventStartTiming {
  /** Event starts wait for this time of the business day as well as for the events. */
  notBefore?: string;
  /** Events count only on start days. */
  startDaysOnly?: boolean;
}

/** A Jobnet's `spec.start` (the fields read here): exactly one of `at`, `every`, `events`. */
export interface StartTrigger {
  at?: string[];
  every?: EveryStart;
  events?: EventStartTiming;
}

/** One start of a jobnet. */
export interface PlannedStart {
  /** Business date the start belongs to. */
  businessDate: string;
  /**
   * ISO 8601 UTC instant of the start. For `events`, the earliest instant an event start is allowed
   * on that business date (`notBefore`, else the day change).
   */
  instant: string;
  /** Wall-clock time `HH:MM` of `instant` in the calendar's time zone. */
  time: string;
  /** Which trigger produced it. */
  kind: 'at' | 'every' | 'events';
}

function minutesOf(timeOfDay: string): number {
  const minutes = parseTimeOfDay(timeOfDay);
  if (minutes === undefined) throw new RangeError(`not a time of day HH:MM: ${JSON.stringify(timeOfDay)}`);
  return minutes;
}

function wallTimeText(zone: IANAZone, millis: number): string {
  const wall = millis + zone.offset(millis) * 60_000;
  const minutes = Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  return formatTimeOfDay(minutes);
}

interface StartMillis {
  millis: number;
  kind: PlannedStart['kind'];
}

/** Start instants of one business day for `at`/`every`, ascending and unique. */
function timeStartsOfDay(start: StartTrigger, calendar: BusinessCalendar, businessDay: number): StartMillis[] {
  const starts: StartMillis[] = [];
  if (start.at !== undefined) {
    for (const time of start.at)
      starts.push({ millis: instantMillisOf(calendar, businessDay, minutesOf(time)), kind: 'at' });
  } else if (start.every !== undefined) {
    const { minutes, from, until } = start.every;
    if (!Number.isInteger(minutes) || minutes < 1)
      throw new RangeError(`every.minutes must be a whole number ≥ 1; got ${minutes}`);
    const first = instantMillisOf(
      calendar,
      businessDay,
      from === undefined ? calendar.dayChangeMinutes : minutesOf(from),
    );
    const last =
      until === undefined
        ? businessDayStartMillis(calendar, businessDay + 1) - 1
        : instantMillisOf(calendar, businessDay, minutesOf(until));
    for (let millis = first; millis <= last; millis += minutes * 60_000) starts.push({ millis, kind: 'every' });
  }
  starts.sort((a, b) => a.millis - b.millis);
  // Two times can resolve to the same instant in a DST gap (02:30 and 03:30 on a spring-forward day).
  return starts.filter((entry, index) => index === 0 || entry.millis !== starts[index - 1]?.millis);
}

function planned(zone: IANAZone, businessDay: number, entry: StartMillis): PlannedStart {
  return {
    businessDate: isoDateOf(businessDay),
    instant: isoInstantOf(entry.millis),
    time: wallTimeText(zone, entry.millis),
    kind: entry.kind,
  };
}

/**
 * The earliest instant an event start is allowed on business date `businessDate` (R-EVT-2): its
 * `notBefore` time of the business day, or the start of the business day when there is none.
 * ISO 8601 UTC.
 * @throws RangeError when the date or `notBefore` is malformed.
 */
export function earliestEventStart(events: EventStartTiming, calendar: BusinessCalendar, businessDate: string): string {
  return isoInstantOf(earliestEventStartMillis(events, calendar, dayNumberOf(businessDate)));
}

function earliestEventStartMillis(events: EventStartTiming, calendar: BusinessCalendar, businessDay: number): number {
  return events.notBefore === undefined
    ? businessDayStartMillis(calendar, businessDay)
    : instantMillisOf(calendar, businessDay, minutesOf(events.notBefore));
}

/**
 * The starts of one business date (R-SCH-1, R-SCH-2), ascending: each `at` time, or every
 * `every.minutes` from `every.from` (default: the day change) to `every.until` inclusive (default:
 * up to the next day change, exclusive), or for `events` the single earliest allowed instant. The
 * caller decides whether the date is a start day. Empty without a trigger (manual starts only), or
 * when `until` comes before `from` in the business day.
 * @throws RangeError when a time is malformed or `every.minutes` is not a whole number ≥ 1.
 */
export function startsOfBusinessDate(
  start: StartTrigger,
  calendar: BusinessCalendar,
  businessDate: string,
): PlannedStart[] {
  const day = dayNumberOf(businessDate);
  const zone = IANAZone.create(calendar.timezone);
  if (start.events !== undefined) {
    return [planned(zone, day, { millis: earliestEventStartMillis(start.events, calendar, day), kind: 'events' })];
  }
  return timeStartsOfDay(start, calendar, day).map((entry) => planned(zone, day, entry));
}

function firstIndexAtOrAfter(sortedDates: readonly string[], date: string): number {
  let low = 0;
  let high = sortedDates.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sortedDates[middle] as string) < date) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The next `count` starts strictly after `afterInstant` (R-SCH-1, R-SCH-2, R-SCH-4), ascending by
 * instant, for start days `startDays` (sorted ISO business dates, as {@link computeStartDays}
 * returns them). Fewer are returned when `startDays` runs out: pass a window long enough for the
 * count wanted.
 *
 * For `events` triggers there is no start time, only the earliest instant an event start is allowed
 * (R-EVT-2): one entry per business date whose business day has not ended at `afterInstant` — the
 * entry's instant may lie before `afterInstant` when the current business day's `notBefore` has
 * passed. Those dates are the start days with `startDaysOnly`, and every business date without it
 * (raises on any day are accepted then). No trigger: no starts.
 *
 * Pure: `afterInstant` is the current time (or the last start), supplied by the caller.
 * @throws RangeError when the instant, a date or a time is malformed.
 */
export function nextStarts(
  start: StartTrigger,
  startDays: readonly string[],
  calendar: BusinessCalendar,
  afterInstant: Instant,
  count: number,
): PlannedStart[] {
  const after = instantMillis(afterInstant);
  if (count <= 0) return [];
  const zone = IANAZone.create(calendar.timezone);
  const currentDay = businessDayNumberOf(calendar, after);

  if (start.events !== undefined) {
    const { events } = start;
    const days: number[] = [];
    if (events.startDaysOnly === true) {
      for (
        let index = firstIndexAtOrAfter(startDays, isoDateOf(currentDay));
        index < startDays.length && days.length < count;
        index++
      ) {
        days.push(dayNumberOf(startDays[index] as string));
      }
    } else {
      for (let day = currentDay; days.length < count; day++) days.push(day);
    }
    return days.map((day) =>
      planned(zone, day, { millis: earliestEventStartMillis(events, calendar, day), kind: 'events' }),
    );
  }
  if (start.at === undefined && start.every === undefined) return [];

  // Starts of business date D lie within D's business day, so earlier dates cannot start after
  // `after`; the previous day is included for times pushed past the day change by a DST gap.
  const collected: { day: number; entry: StartMillis }[] = [];
  let extraDays = 1;
  for (let index = firstIndexAtOrAfter(startDays, isoDateOf(currentDay - 1)); index < startDays.length; index++) {
    const day = dayNumberOf(startDays[index] as string);
    for (const entry of timeStartsOfDay(start, calendar, day)) {
      if (entry.millis > after) collected.push({ day, entry });
    }
    // One more start day after reaching the count, so the merge below sees every earlier instant.
    if (collected.length >= count && extraDays-- === 0) break;
  }
  collected.sort((a, b) => a.entry.millis - b.entry.millis);
  const unique = collected.filter(
    (item, index) => index === 0 || item.entry.millis !== collected[index - 1]?.entry.millis,
  );
  return unique.slice(0, count).map(({ day, entry }) => planned(zone, day, entry));
}
