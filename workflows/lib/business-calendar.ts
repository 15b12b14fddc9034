/**
 * Business calendars (R-CAL): which calendar dates are operating days, and which business date an
 * instant belongs to given the calendar's time zone and day-change time. This is the one
 * implementation behind execution (timers in the workflows), `jobnet days`, `jobnet next` and
 * `jobnet plan`, so all of them agree on every date.
 *
 * Dates are ISO `YYYY-MM-DD` strings at the boundary; inside, date-only arithmetic works on day
 * numbers (days since 1970-01-01), which is exact and cheap. luxon is used only for the time-zone
 * offsets of instants (DST). Calendar values are plain JSON, so they can be workflow arguments.
 *
 * Must not: import Node built-ins, do I/O, read the clock or use randomness — it runs inside the
 * Temporal workflow sandbox. Time-zone names and dates are expected to be validated already (the
 * definition validator rejects unknown zones and malformed dates); malformed input here is a caller
 * bug and throws a RangeError.
 */
import { IANAZone } from 'luxon';
import { parseTimeOfDay } from './durations.js';

/** A day of the week as the definition format writes it. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Weekdays in ISO order: index 0 is Monday. */
export const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The name of the calendar that always exists (R-CAL-1). */
export const systemCalendarName = 'SYSTEM_CALENDAR';

/**
 * The operating-day rules of one revision of a calendar (R-CAL-2), in force for business dates on
 * or after `validFrom` until the next version's `validFrom` (R-CAL-4).
 */
export interface CalendarVersion {
  /** First business date this version applies to; absent on the first version (applies to all earlier dates). */
  validFrom?: string;
  /** Weekdays that are holidays every week. */
  weeklyHolidays: Weekday[];
  /** Holidays, sorted and unique. */
  holidays: string[];
  /** Names of the holidays that have one (date → name), for display. */
  holidayNames: Record<string, string>;
  /** Dates that are operating days despite `weeklyHolidays` and `holidays`, sorted and unique. */
  workdays: string[];
}

/**
 * A calendar resolved from its definition (and its earlier revisions), ready for computation.
 * Plain JSON; treat it as immutable (lookup indexes are cached per object).
 *
 * `timezone` and `dayChangeMinutes` are calendar-wide and come from the newest revision: only the
 * operating-day rules are versioned by `validFrom` (R-CAL-4). A business day is defined by its
 * day change, so letting the day change itself move with `validFrom` would make business days
 * overlap or leave gaps between them.
 */
export interface BusinessCalendar {
  /** Calendar name (`SYSTEM_CALENDAR` for the built-in one). */
  name: string;
  /** IANA time zone of the calendar's days and day change. */
  timezone: string;
  /** Day-change time in minutes after local midnight, 0–1439 (R-CAL-3). */
  dayChangeMinutes: number;
  /** Operating-day rules, ascending by `validFrom`; the first has no `validFrom`; never empty. */
  versions: CalendarVersion[];
}

/** A holiday entry as the Calendar kind writes it: a date, or a date with a name (R-CAL-2). */
export type HolidayEntry = string | { date: string; name?: string };

/** The fields of a Calendar document's `spec` that this module reads. */
export interface CalendarSpecInput {
  timezone?: string;
  dayChangeTime?: string;
  weeklyHolidays?: Weekday[];
  holidays?: HolidayEntry[];
  workdays?: string[];
  validFrom?: string;
}

// ---------------------------------------------------------------------------------------------
// Day numbers: date-only arithmetic without time-zone objects.

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const msPerDay = 86_400_000;
const msPerMinute = 60_000;

/**
 * Day number (days since 1970-01-01) of a proleptic Gregorian date. Exact for any year
 * (H. Hinnant's `days_from_civil`).
 */
export function dayNumberFromParts(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Year, month (1–12) and day of a day number (inverse of {@link dayNumberFromParts}). */
export function partsOfDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Number of days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Day number of an ISO date `YYYY-MM-DD`.
 * @throws RangeError when the text is not a valid calendar date (a caller bug: dates are validated).
 */
export function dayNumberOf(isoDate: string): number {
  const match = isoDatePattern.exec(isoDate);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return dayNumberFromParts(year, month, day);
    }
  }
  throw new RangeError(`not a calendar date YYYY-MM-DD: ${JSON.stringify(isoDate)}`);
}

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

/** ISO date `YYYY-MM-DD` of a day number (years 0–9999). */
export function isoDateOf(dayNumber: number): string {
  const { year, month, day } = partsOfDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/**
 * ISO dates of ascending day numbers: the same as mapping {@link isoDateOf}, but converting only
 * once per month (start-day lists are long and mostly consecutive).
 */
export function isoDatesOf(ascendingDayNumbers: readonly number[]): string[] {
  const dates: string[] = [];
  let monthFirst = 1;
  let monthEnd = 0;
  let prefix = '';
  for (const dayNumber of ascendingDayNumbers) {
    if (dayNumber < monthFirst || dayNumber >= monthEnd) {
      const { year, month, day } = partsOfDayNumber(dayNumber);
      monthFirst = dayNumber - day + 1;
      monthEnd = monthFirst + daysInMonth(year, month);
      prefix = `${String(year).padStart(4, '0')}-${pad2(month)}-`;
    }
    dates.push(prefix + pad2(dayNumber - monthFirst + 1));
  }
  return dates;
}

/** Weekday index of a day number: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayIndexOf(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** Adds (or with a negative count subtracts) calendar days to an ISO date. */
export function addDays(isoDate: string, days: number): string {
  return isoDateOf(dayNumberOf(isoDate) + days);
}

// ---------------------------------------------------------------------------------------------
// Resolving calendars.

function timeZoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`unknown time zone ${JSON.stringify(name)}`);
  return zone;
}

function sortedUniqueDates(dates: Iterable<string>): string[] {
  const unique = new Set<string>();
  for (const date of dates) unique.add(isoDateOf(dayNumberOf(date)));
  return [...unique].sort();
}

/**
 * The built-in `SYSTEM_CALENDAR` (R-CAL-1): every day is an operating day and the day changes at
 * 00:00, in the given time zone (the Settings time zone).
 * @throws RangeError when `timezone` is not a known IANA time zone.
 */
export function systemCalendar(timezone: string): BusinessCalendar {
  timeZoneOf(timezone);
  return {
    name: systemCalendarName,
    timezone,
    dayChangeMinutes: 0,
    versions: [{ weeklyHolidays: [], holidays: [], holidayNames: {}, workdays: [] }],
  };
}

/**
 * Resolves a calendar from its revisions, oldest first (R-CAL-2, R-CAL-4). Each revision takes
 * effect for business dates on or after its `validFrom` (all dates when it has none) and replaces
 * whatever earlier revisions said about those dates; earlier dates keep the earlier revisions'
 * rules. The oldest revision also covers every date before its `validFrom`, since nothing older is
 * known. Time zone and day change are taken from the newest revision (see {@link BusinessCalendar}).
 *
 * With a single revision this is simply the calendar as written.
 * @throws RangeError when `revisions` is empty, or holds an unknown time zone, a malformed
 *   `dayChangeTime` or a malformed date (all rejected earlier by validation).
 */
export function resolveCalendar(
  name: string,
  revisions: readonly CalendarSpecInput[],
  defaultTimezone: string,
): BusinessCalendar {
  const newest = revisions[revisions.length - 1];
  if (newest === undefined) throw new RangeError(`calendar ${name} has no revision`);
  const timezone = newest.timezone ?? defaultTimezone;
  timeZoneOf(timezone);
  const dayChangeText = newest.dayChangeTime ?? '00:00';
  const dayChangeMinutes = parseTimeOfDay(dayChangeText);
  if (dayChangeMinutes === undefined)
    throw new RangeError(`calendar ${name}: dayChangeTime is not HH:MM: ${JSON.stringify(dayChangeText)}`);

  let versions: CalendarVersion[] = [];
  for (const revision of revisions) {
    const validFrom = revision.validFrom === undefined ? undefined : isoDateOf(dayNumberOf(revision.validFrom));
    // A revision replaces every version that starts on or after its own validFrom.
    versions =
      validFrom === undefined
        ? []
        : versions.filter((version) => version.validFrom === undefined || version.validFrom < validFrom);
    const holidayNames: Record<string, string> = {};
    const holidayDates: string[] = [];
    for (const entry of revision.holidays ?? []) {
      if (typeof entry === 'string') {
        holidayDates.push(entry);
      } else {
        holidayDates.push(entry.date);
        if (entry.name !== undefined) holidayNames[isoDateOf(dayNumberOf(entry.date))] = entry.name;
      }
    }
    const weeklyHolidays = weekdays.filter((day) => (revision.weeklyHolidays ?? []).includes(day));
    const version: CalendarVersion = {
      weeklyHolidays,
      holidays: sortedUniqueDates(holidayDates),
      holidayNames,
      workdays: sortedUniqueDates(revision.workdays ?? []),
    };
    if (validFrom !== undefined) version.validFrom = validFrom;
    versions.push(version);
  }
  // The oldest remaining version covers everything before the first known validFrom.
  const [first] = versions;
  if (first !== undefined) delete first.validFrom;
  return { name, timezone, dayChangeMinutes, versions };
}

// ---------------------------------------------------------------------------------------------
// Operating days.

interface VersionIndex {
  fromDay: number;
  weeklyMask: number;
  holidays: Set<number>;
  workdays: Set<number>;
}

interface CalendarIndex {
  zone: IANAZone;
  versions: VersionIndex[];
}

const indexes = new WeakMap<BusinessCalendar, CalendarIndex>();

function calendarIndex(calendar: BusinessCalendar): CalendarIndex {
  let index = indexes.get(calendar);
  if (index === undefined) {
    index = {
      zone: timeZoneOf(calendar.timezone),
      versions: calendar.versions.map((version, position) => ({
        fromDay:
          position === 0 || version.validFrom === undefined ? Number.NEGATIVE_INFINITY : dayNumberOf(version.validFrom),
        weeklyMask: version.weeklyHolidays.reduce((mask, day) => mask | (1 << weekdays.indexOf(day)), 0),
        holidays: new Set(version.holidays.map(dayNumberOf)),
        workdays: new Set(version.workdays.map(dayNumberOf)),
      })),
    };
    if (index.versions.length === 0) throw new RangeError(`calendar ${calendar.name} has no version`);
    indexes.set(calendar, index);
  }
  return index;
}

function versionIndexAt(versions: VersionIndex[], dayNumber: number): VersionIndex {
  let found = versions[0] as VersionIndex;
  for (let i = 1; i < versions.length; i++) {
    const version = versions[i] as VersionIndex;
    if (version.fromDay > dayNumber) break;
    found = version;
  }
  return found;
}

/**
 * A fast operating-day test on day numbers for one calendar, for loops over many days (start-day
 * computation). Same answer as {@link isOperatingDay}.
 */
export function operatingDayTest(calendar: BusinessCalendar): (dayNumber: number) => boolean {
  const { versions } = calendarIndex(calendar);
  if (versions.length === 1) {
    const only = versions[0] as VersionIndex;
    if (only.weeklyMask === 0 && only.holidays.size === 0) return () => true;
    return (day) =>
      only.workdays.has(day) || (((only.weeklyMask >> weekdayIndexOf(day)) & 1) === 0 && !only.holidays.has(day));
  }
  return (day) => {
    const version = versionIndexAt(versions, day);
    return (
      version.workdays.has(day) ||
      (((version.weeklyMask >> weekdayIndexOf(day)) & 1) === 0 && !version.holidays.has(day))
    );
  };
}

/**
 * The calendar version in force for a business date (R-CAL-4): the one with the latest
 * `validFrom` on or before the date (the first version for earlier dates).
 */
export function calendarVersionFor(calendar: BusinessCalendar, businessDate: string): CalendarVersion {
  const day = dayNumberOf(businessDate);
  let found = calendar.versions[0];
  for (const version of calendar.versions.slice(1)) {
    if (version.validFrom !== undefined && dayNumberOf(version.validFrom) > day) break;
    found = version;
  }
  if (found === undefined) throw new RangeError(`calendar ${calendar.name} has no version`);
  return found;
}

/**
 * Whether a business date is an operating day (R-CAL-2): a `workdays` date always is; otherwise it
 * is not when its weekday is a weekly holiday or it is a listed holiday. Decided by the calendar
 * version in force for that date (R-CAL-4).
 * @throws RangeError when `date` is not a valid `YYYY-MM-DD` date.
 */
export function isOperatingDay(calendar: BusinessCalendar, date: string): boolean {
  return operatingDayTest(calendar)(dayNumberOf(date));
}

/** The name of a holiday in the version in force for the date, when the calendar gives one. */
export function holidayName(calendar: BusinessCalendar, date: string): string | undefined {
  const normalised = isoDateOf(dayNumberOf(date));
  return calendarVersionFor(calendar, normalised).holidayNames[normalised];
}

/**
 * How far {@link nextOperatingDay} and {@link previousOperatingDay} look before concluding the
 * calendar has no operating day in that direction (a calendar with every weekday a weekly holiday
 * and no workdays). Far beyond any real run of holidays.
 */
export const operatingDaySearchLimit = 366;

/**
 * Day number of the nearest operating day strictly after (`step` 1) or before (`step` -1) a day,
 * or `undefined` when none lies within {@link operatingDaySearchLimit} days.
 */
export function nearestOperatingDayNumber(
  isOperating: (dayNumber: number) => boolean,
  dayNumber: number,
  step: 1 | -1,
): number | undefined {
  for (let distance = 1; distance <= operatingDaySearchLimit; distance++) {
    const candidate = dayNumber + step * distance;
    if (isOperating(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The first operating day strictly after `date`, or `undefined` when there is none within
 * {@link operatingDaySearchLimit} days.
 */
export function nextOperatingDay(calendar: BusinessCalendar, date: string): string | undefined {
  const found = nearestOperatingDayNumber(operatingDayTest(calendar), dayNumberOf(date), 1);
  return found === undefined ? undefined : isoDateOf(found);
}

/**
 * The last operating day strictly before `date`, or `undefined` when there is none within
 * {@link operatingDaySearchLimit} days.
 */
export function previousOperatingDay(calendar: BusinessCalendar, date: string): string | undefined {
  const found = nearestOperatingDayNumber(operatingDayTest(calendar), dayNumberOf(date), -1);
  return found === undefined ? undefined : isoDateOf(found);
}

/** Day numbers of the operating days of a month, ascending. */
export function operatingDayNumbersOfMonth(
  isOperating: (dayNumber: number) => boolean,
  year: number,
  month: number,
): number[] {
  const first = dayNumberFromParts(year, month, 1);
  const days: number[] = [];
  for (let day = first, end = first + daysInMonth(year, month); day < end; day++) {
    if (isOperating(day)) days.push(day);
  }
  return days;
}

/** The operating days of a month (1–12), ascending. */
export function operatingDaysOfMonth(calendar: BusinessCalendar, year: number, month: number): string[] {
  return operatingDayNumbersOfMonth(operatingDayTest(calendar), year, month).map(isoDateOf);
}

/**
 * The nth operating day of a month (R-DAYS-1 `businessDays`): `1` is the first, `-1` the last,
 * `-2` the one before it. `undefined` when the month has fewer operating days, or `n` is 0.
 */
export function nthOperatingDayOfMonth(
  calendar: BusinessCalendar,
  year: number,
  month: number,
  n: number,
): string | undefined {
  const days = operatingDayNumbersOfMonth(operatingDayTest(calendar), year, month);
  const day = n > 0 ? days[n - 1] : n < 0 ? days[days.length + n] : undefined;
  return day === undefined ? undefined : isoDateOf(day);
}

// ---------------------------------------------------------------------------------------------
// Instants and business dates.

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An instant: an ISO 8601 date-time with `Z` or an explicit offset, or epoch milliseconds. */
export type Instant = string | number;

/**
 * Epoch milliseconds of an instant. Strings must carry `Z` or an offset: a local date-time would
 * depend on the host's time zone, which is not deterministic.
 * @throws RangeError for anything else.
 */
export function instantMillis(instant: Instant): number {
  if (typeof instant === 'number') {
    if (Number.isFinite(instant)) return instant;
  } else if (instantPattern.test(instant)) {
    const millis = Date.parse(instant);
    if (Number.isFinite(millis)) return millis;
  }
  throw new RangeError(`not an instant (ISO 8601 with Z or offset, or epoch milliseconds): ${JSON.stringify(instant)}`);
}

/** ISO 8601 UTC text of epoch milliseconds, e.g. `2026-03-08T07:30:00.000Z`. */
export function isoInstantOf(millis: number): string {
  return new Date(millis).toISOString();
}

/**
 * Epoch milliseconds of a wall-clock time (day number + minutes after midnight) in a zone.
 * A time that does not exist (DST gap) moves forward by the length of the gap, as RFC 5545 and
 * java.time do: 02:30 on 2026-03-08 in America/New_York is 03:30 EDT. A time that exists twice
 * (DST overlap) is the earlier of the two: 01:30 on 2026-11-01 in America/New_York is 01:30 EDT.
 */
function wallTimeMillis(zone: IANAZone, dayNumber: number, minutes: number): number {
  const wall = dayNumber * msPerDay + minutes * msPerMinute;
  // Offsets that can be in force around this wall time (a day either side covers every real zone).
  const offsets = [zone.offset(wall - msPerDay), zone.offset(wall), zone.offset(wall + msPerDay)];
  let earliest: number | undefined;
  for (const offset of offsets) {
    const candidate = wall - offset * msPerMinute;
    if (zone.offset(candidate) === offset && (earliest === undefined || candidate < earliest)) earliest = candidate;
  }
  if (earliest !== undefined) return earliest;
  // In a gap: read the wall time with the offset from before the transition, which lands after it.
  return wall - Math.min(...offsets) * msPerMinute;
}

/** Day number and minutes after midnight of an instant on the wall clock of a zone. */
function wallTimeOf(zone: IANAZone, millis: number): { dayNumber: number; minutes: number } {
  const wall = millis + zone.offset(millis) * msPerMinute;
  const dayNumber = Math.floor(wall / msPerDay);
  return { dayNumber, minutes: Math.floor((wall - dayNumber * msPerDay) / msPerMinute) };
}

function timeOfDayMinutes(timeOfDay: string): number {
  const minutes = parseTimeOfDay(timeOfDay);
  if (minutes === undefined) throw new RangeError(`not a time of day HH:MM: ${JSON.stringify(timeOfDay)}`);
  return minutes;
}

/**
 * Epoch milliseconds of a time of a business day, given as minutes after midnight (see
 * {@link instantOf}).
 */
export function instantMillisOf(calendar: BusinessCalendar, businessDayNumber: number, minutes: number): number {
  const calendarDay = minutes < calendar.dayChangeMinutes ? businessDayNumber + 1 : businessDayNumber;
  return wallTimeMillis(calendarIndex(calendar).zone, calendarDay, minutes);
}

/**
 * The instant of a time of day `"HH:MM"` of business date `businessDate` (R-SCH-2): a time before
 * the calendar's day change falls on the next calendar date (with day change 05:00, 03:00 of
 * business date 11-01 is 03:00 on 11-02), in the calendar's time zone. A wall time inside a DST gap
 * moves forward by the length of the gap (02:30 → 03:30 on a spring-forward night); a wall time that
 * occurs twice is the earlier occurrence. Returns ISO 8601 UTC text.
 * @throws RangeError when the date or time is malformed.
 */
export function instantOf(calendar: BusinessCalendar, businessDate: string, timeOfDay: string): string {
  return isoInstantOf(instantMillisOf(calendar, dayNumberOf(businessDate), timeOfDayMinutes(timeOfDay)));
}

/** Epoch milliseconds at which business day `businessDayNumber` begins (its day change). */
export function businessDayStartMillis(calendar: BusinessCalendar, businessDayNumber: number): number {
  return wallTimeMillis(calendarIndex(calendar).zone, businessDayNumber, calendar.dayChangeMinutes);
}

/**
 * The instant business date `businessDate` begins: its day change in the calendar's time zone
 * (R-CAL-3), resolved through DST like {@link instantOf}. The business day lasts until the next
 * business date begins, so it is 23 or 25 hours long across a DST change.
 */
export function businessDayStart(calendar: BusinessCalendar, businessDate: string): string {
  return isoInstantOf(businessDayStartMillis(calendar, dayNumberOf(businessDate)));
}

/** Day number of the business date of an instant given in epoch milliseconds (see {@link businessDateOf}). */
export function businessDayNumberOf(calendar: BusinessCalendar, millis: number): number {
  const { dayNumber } = wallTimeOf(calendarIndex(calendar).zone, millis);
  // The business day named after the local date begins at that date's day change; before it, the
  // instant still belongs to the previous business date. Comparing instants (rather than wall
  // times) keeps business dates monotonic when the day change falls in a DST gap or overlap.
  return millis >= businessDayStartMillis(calendar, dayNumber) ? dayNumber : dayNumber - 1;
}

/**
 * The business date of an instant (R-CAL-3): the calendar date, in the calendar's time zone, whose
 * business day — from its day change to the next — contains the instant. With day change 05:00,
 * 03:00 on 11-02 belongs to business date 11-01.
 * @throws RangeError when the instant is malformed.
 */
export function businessDateOf(calendar: BusinessCalendar, instant: Instant): string {
  return isoDateOf(businessDayNumberOf(calendar, instantMillis(instant)));
}
