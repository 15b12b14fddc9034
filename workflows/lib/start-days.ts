/**
 * Start days (R-DAYS): the business dates on which a jobnet starts, computed from its day rules
 * (Jobnet `spec.days`, or a DayPattern through `daysFrom`) and its calendar. The one computation
 * behind execution, `jobnet days`, `jobnet next`, `jobnet plan` and export with start days
 * (R-DAYS-4): callers never re-derive start days themselves.
 *
 * Order of evaluation (R-DAYS-1..3):
 *   1. union of `everyDay`, `weekdays`, `monthDays`, `businessDays` and `dates`, each restricted to
 *      `months` when given;
 *   2. minus `except` (its dates and the start days of its DayPattern) — on the computed days,
 *      before any holiday shift. A day removed by `except` is not shifted either; a holiday shifted
 *      onto a date listed in `except` still starts there (to stop such a start, list the holiday
 *      itself in `except`);
 *   3. bounded by `validFrom`/`validUntil`;
 *   4. `holidayShift` for days that are not operating days of the calendar version in force for
 *      them (R-CAL-4): `none` keeps them, `skip` drops them, `before`/`after` move them to the
 *      previous/next operating day, across month and year ends. The result is a set, so two days
 *      shifted onto the same date (or onto a date that is a start day anyway) start once;
 *   5. a shifted day outside `validFrom`/`validUntil` is dropped, so no start day ever lies outside
 *      them (a jobnet replaced by another one from a date never starts twice on that date).
 *
 * Days just outside the requested window are computed too, so a day shifted into the window is
 * not lost (and one shifted out of it is not kept).
 *
 * Date math works on day numbers; no time zones are involved (business dates are dates). Must not:
 * import Node built-ins, do I/O, read the clock or use randomness — it runs inside the Temporal
 * workflow sandbox.
 */
import {
  type BusinessCalendar,
  type Weekday,
  dayNumberFromParts,
  dayNumberOf,
  daysInMonth,
  isoDatesOf,
  nearestOperatingDayNumber,
  operatingDayNumbersOfMonth,
  operatingDaySearchLimit,
  operatingDayTest,
  partsOfDayNumber,
  weekdayIndexOf,
  weekdays,
} from './business-calendar.js';

/** The nth occurrence of a weekday in a month: `nth` 1–5 or `"last"` (R-DAYS-1). */
export interface NthWeekday {
  day: Weekday;
  nth: number | 'last';
}

/** What happens to a computed start day that is not an operating day (R-DAYS-3). */
export type HolidayShift = 'none' | 'skip' | 'before' | 'after';

/** Start-day rules: a Jobnet's `spec.days` or a DayPattern's `spec` (format contract `dayRules`). */
export interface DayRules {
  everyDay?: boolean;
  weekdays?: (Weekday | NthWeekday)[];
  monthDays?: (number | 'last')[];
  businessDays?: number[];
  dates?: string[];
  months?: number[];
  except?: { dates?: string[]; dayPattern?: string };
  validFrom?: string;
  validUntil?: string;
  holidayShift?: HolidayShift;
}

/** DayPatterns by name: a plain map (JSON) or a function. */
export type DayPatternLookup = Readonly<Record<string, DayRules>> | ((name: string) => DayRules | undefined);

/** A window of business dates, both ends inclusive. */
export interface DateWindow {
  from: string;
  to: string;
}

/** Something in the rules that could not be honoured; the computation went on without it. */
export interface StartDaysProblem {
  /** `DAYPATTERN-UNKNOWN`: `except.dayPattern` names no DayPattern; `DAYPATTERN-CYCLE`: patterns exclude each other in a loop. */
  code: 'DAYPATTERN-UNKNOWN' | 'DAYPATTERN-CYCLE';
  /** The DayPattern named by the offending `except.dayPattern`. */
  dayPattern: string;
  /** The DayPatterns being resolved when it was met, outermost first. */
  chain: string[];
  message: string;
}

/** Options of {@link collectStartDays} and {@link computeStartDays}. */
export interface StartDaysOptions {
  /** Name of the DayPattern the rules come from (`daysFrom`), so a pattern excluding itself is seen as a cycle. */
  dayPatternName?: string;
}

interface Context {
  calendar: BusinessCalendar;
  isOperating: (dayNumber: number) => boolean;
  lookup: (name: string) => DayRules | undefined;
  problems: StartDaysProblem[];
}

function lookupFunction(dayPatterns: DayPatternLookup | undefined): (name: string) => DayRules | undefined {
  if (dayPatterns === undefined) return () => undefined;
  if (typeof dayPatterns === 'function') return dayPatterns;
  return (name) => (Object.hasOwn(dayPatterns, name) ? dayPatterns[name] : undefined);
}

/** The days one level of an `except.dayPattern` chain computes: its window and the candidates around it. */
interface LevelWindow {
  windowFrom: number;
  windowTo: number;
  candidateFrom: number;
  candidateTo: number;
}

/** The window of `rules` within `fromDay`..`toDay` and the candidate days a shift can carry into it; undefined when empty. */
function levelWindowOf(rules: DayRules, context: Context, fromDay: number, toDay: number): LevelWindow | undefined {
  const { isOperating } = context;
  const validFrom = rules.validFrom === undefined ? Number.NEGATIVE_INFINITY : dayNumberOf(rules.validFrom);
  const validUntil = rules.validUntil === undefined ? Number.POSITIVE_INFINITY : dayNumberOf(rules.validUntil);
  const windowFrom = Math.max(fromDay, validFrom);
  const windowTo = Math.min(toDay, validUntil);
  if (windowFrom > windowTo) return undefined;
  const shift = rules.holidayShift ?? 'none';

  // Candidates may lie outside the window when a shift can carry them in: a non-operating day
  // shifts `after` into the window only across a run of non-operating days ending just before it.
  let candidateFrom = windowFrom;
  let candidateTo = windowTo;
  if (shift === 'after') {
    while (windowFrom - candidateFrom < operatingDaySearchLimit && !isOperating(candidateFrom - 1)) candidateFrom--;
  } else if (shift === 'before') {
    while (candidateTo - windowTo < operatingDaySearchLimit && !isOperating(candidateTo + 1)) candidateTo++;
  }
  candidateFrom = Math.max(candidateFrom, validFrom);
  candidateTo = Math.min(candidateTo, validUntil);
  return { windowFrom, windowTo, candidateFrom, candidateTo };
}

/**
 * Start days of `rules` in a window, as day numbers ascending: steps 1–5 of the module header.
 * An `except.dayPattern` chain is walked down first (each level's window is the candidate range
 * of the level above) and computed back up, without recursion: a chain may be thousands of
 * patterns long.
 */
function startDayNumbers(rules: DayRules, context: Context, fromDay: number, toDay: number, chain: string[]): number[] {
  const levels: { rules: DayRules; window: LevelWindow }[] = [];
  const resolving = new Set(chain);
  const names = [...chain];
  let current: DayRules | undefined = rules;
  let from = fromDay;
  let to = toDay;
  while (current !== undefined) {
    const window = levelWindowOf(current, context, from, to);
    if (window === undefined) break;
    levels.push({ rules: current, window });
    const excluded = current.except?.dayPattern;
    if (excluded === undefined) break;
    if (resolving.has(excluded)) {
      context.problems.push({
        code: 'DAYPATTERN-CYCLE',
        dayPattern: excluded,
        chain: [...names],
        message: `day patterns exclude each other in a cycle: ${[...names, excluded].join(' → ')}; the repeated exclusion removes no days`,
      });
      break;
    }
    current = context.lookup(excluded);
    if (current === undefined) {
      context.problems.push({
        code: 'DAYPATTERN-UNKNOWN',
        dayPattern: excluded,
        chain: [...names],
        message: `day pattern "${excluded}" named by except.dayPattern is not defined; it removes no days`,
      });
      break;
    }
    resolving.add(excluded);
    names.push(excluded);
    from = window.candidateFrom;
    to = window.candidateTo;
  }
  let days: number[] = [];
  for (let level = levels.length - 1; level >= 0; level--) {
    const { rules: levelRules, window } = levels[level]!;
    days = levelDays(levelRules, context, window, days);
  }
  return days;
}

/** One level's start days (steps 1–5), `excludedDays` being the start days of its `except.dayPattern`. */
function levelDays(rules: DayRules, context: Context, window: LevelWindow, excludedDays: readonly number[]): number[] {
  const { isOperating } = context;
  const { windowFrom, windowTo, candidateFrom, candidateTo } = window;
  const shift = rules.holidayShift ?? 'none';
  const selected = new Uint8Array(candidateTo - candidateFrom + 1);
  const select = (day: number): void => {
    if (day >= candidateFrom && day <= candidateTo) selected[day - candidateFrom] = 1;
  };
  const months = rules.months === undefined ? undefined : new Set(rules.months);

  // 1. The union of the rules, month by month.
  let weeklyMask = 0;
  const nthWeekdays: NthWeekday[] = [];
  for (const entry of rules.weekdays ?? []) {
    if (typeof entry === 'string') weeklyMask |= 1 << weekdays.indexOf(entry);
    else nthWeekdays.push(entry);
  }
  const monthDays = rules.monthDays ?? [];
  const businessDays = rules.businessDays ?? [];
  const perMonth =
    rules.everyDay === true ||
    weeklyMask !== 0 ||
    nthWeekdays.length > 0 ||
    monthDays.length > 0 ||
    businessDays.length > 0;
  if (perMonth) {
    let { year, month } = partsOfDayNumber(candidateFrom);
    for (
      let first = dayNumberFromParts(year, month, 1);
      first <= candidateTo;
      first = dayNumberFromParts(year, month, 1)
    ) {
      if (months === undefined || months.has(month)) {
        const length = daysInMonth(year, month);
        const last = first + length - 1;
        if (rules.everyDay === true) {
          for (let day = first; day <= last; day++) select(day);
        } else if (weeklyMask !== 0) {
          for (let day = first; day <= last; day++) if ((weeklyMask >> weekdayIndexOf(day)) & 1) select(day);
        }
        for (const { day: weekday, nth } of nthWeekdays) {
          const index = weekdays.indexOf(weekday);
          if (nth === 'last') {
            select(last - ((weekdayIndexOf(last) - index + 7) % 7));
          } else if (nth >= 1) {
            const day = first + ((index - weekdayIndexOf(first) + 7) % 7) + 7 * (nth - 1);
            if (day <= last) select(day);
          }
        }
        for (const monthDay of monthDays) {
          if (monthDay === 'last') select(last);
          else if (monthDay >= 1 && monthDay <= length) select(first + monthDay - 1);
        }
        if (businessDays.length > 0) {
          const operating = operatingDayNumbersOfMonth(isOperating, year, month);
          for (const n of businessDays) {
            const day = n > 0 ? operating[n - 1] : n < 0 ? operating[operating.length + n] : undefined;
            if (day !== undefined) select(day);
          }
        }
      }
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
    }
  }
  for (const date of rules.dates ?? []) {
    const day = dayNumberOf(date);
    if (months === undefined || months.has(partsOfDayNumber(day).month)) select(day);
  }

  // 2. Minus `except`, before any shift.
  const unselect = (day: number): void => {
    if (day >= candidateFrom && day <= candidateTo) selected[day - candidateFrom] = 0;
  };
  for (const date of rules.except?.dates ?? []) unselect(dayNumberOf(date));
  for (const day of excludedDays) unselect(day);

  // 3–5. Bounds are already applied to the candidates; shift, keeping what lands in the window.
  const result = new Uint8Array(windowTo - windowFrom + 1);
  for (let day = candidateFrom; day <= candidateTo; day++) {
    if (selected[day - candidateFrom] === 0) continue;
    let target: number | undefined = day;
    if (shift !== 'none' && !isOperating(day)) {
      target = shift === 'skip' ? undefined : nearestOperatingDayNumber(isOperating, day, shift === 'after' ? 1 : -1);
    }
    if (target !== undefined && target >= windowFrom && target <= windowTo) result[target - windowFrom] = 1;
  }
  const days: number[] = [];
  for (let offset = 0; offset < result.length; offset++) if (result[offset] === 1) days.push(windowFrom + offset);
  return days;
}

/**
 * Start days of `rules` on `calendar` between `window.from` and `window.to` (business dates,
 * inclusive), with the problems met on the way (R-DAYS-1..3; evaluation order in the module
 * header). An unknown `except.dayPattern`, or one that leads back to a pattern already being
 * resolved, removes no days and is reported instead of looping or throwing — validation normally
 * rejects the first.
 * @throws RangeError when a date in the rules or the window is malformed (validated earlier).
 */
export function collectStartDays(
  rules: DayRules,
  calendar: BusinessCalendar,
  window: DateWindow,
  dayPatterns?: DayPatternLookup,
  options: StartDaysOptions = {},
): { days: string[]; problems: StartDaysProblem[] } {
  const context: Context = {
    calendar,
    isOperating: operatingDayTest(calendar),
    lookup: lookupFunction(dayPatterns),
    problems: [],
  };
  const chain = options.dayPatternName === undefined ? [] : [options.dayPatternName];
  const days = startDayNumbers(rules, context, dayNumberOf(window.from), dayNumberOf(window.to), chain);
  return { days: isoDatesOf(days), problems: context.problems };
}

/**
 * Start days of `rules` on `calendar` between `window.from` and `window.to` (business dates,
 * inclusive): sorted, unique ISO dates (R-DAYS-1..3). See {@link collectStartDays} for the
 * problems this ignores.
 * @throws RangeError when a date in the rules or the window is malformed (validated earlier).
 */
export function computeStartDays(
  rules: DayRules,
  calendar: BusinessCalendar,
  window: DateWindow,
  dayPatterns?: DayPatternLookup,
  options: StartDaysOptions = {},
): string[] {
  return collectStartDays(rules, calendar, window, dayPatterns, options).days;
}

/** Whether `date` is a start day of `rules` (R-DAYS-1..3), by the same computation. */
export function isStartDay(
  rules: DayRules,
  calendar: BusinessCalendar,
  date: string,
  dayPatterns?: DayPatternLookup,
  options: StartDaysOptions = {},
): boolean {
  return computeStartDays(rules, calendar, { from: date, to: date }, dayPatterns, options).length === 1;
}
