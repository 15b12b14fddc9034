/**
 * The compiled schedule of a jobnet: everything its jobnet actor needs to decide when the jobnet
 * starts (R-DAYS, R-SCH, R-EVT-2, R-STATE-2, R-TRB), normalised by the compile step with every
 * default filled in, durations in seconds, and the DayPatterns its rules name copied in, so the
 * actor computes start days with the very function behind `jobnet days` (`start-days.ts`) and
 * start times with the one behind `jobnet next` (`start-times.ts`).
 *
 * Plain JSON, part of the compiled jobnet and so of its digest: a schedule change re-applies the
 * jobnet. Types and small pure questions only; runs inside the Temporal workflow sandbox (no Node
 * built-ins, no I/O, no clock).
 */
import type { BusinessCalendar } from './business-calendar.js';
import { computeStartDays, type DateWindow, type DayRules } from './start-days.js';
import type { EveryStart } from './start-times.js';

/** An event trigger (R-EVT-2) with its defaults filled in. */
export interface CompiledEventStart {
  names: string[];
  /** `any`: one of the events starts a run; `all`: each must have been raised. */
  mode: 'any' | 'all';
  notBefore?: string;
  whileRunning: boolean;
  oncePerDay: boolean;
  startDaysOnly: boolean;
}

/** A Jobnet's `spec.start`, compiled: at most one of `at`, `every`, `events`; none = manual only. */
export interface CompiledStart {
  at?: string[];
  every?: EveryStart;
  events?: CompiledEventStart;
}

/** Start and end deadlines (R-TRB), as times of the business day or seconds after the start. */
export interface CompiledDeadlines {
  /** Not started by this time of the business day: `startDelayed`. */
  start?: string;
  /** Not ended by this time of the business day: `endDelayed`. */
  endAt?: string;
  /** Not ended this many seconds after the run started: `endDelayed`. */
  endAfterSeconds?: number;
}

export interface CompiledSchedule {
  /** `false`: every start is skipped (R-STATE-1 `executionSkipped`); the operator's `enable` overrides it. */
  enabled: boolean;
  /** The start-day rules (the jobnet's `days`, its DayPattern's, or every operating day). */
  days: DayRules;
  /** The DayPattern `daysFrom` named, so a pattern excluding itself is seen as a cycle. */
  dayPatternName?: string;
  /** DayPatterns the rules reach through `except.dayPattern`, by name. */
  dayPatterns: Record<string, DayRules>;
  start: CompiledStart;
  /** Time starts missed by more than this are recorded as skipped, not run late (R-SCH-3). */
  catchUpWindowSeconds: number;
  deadlines: CompiledDeadlines;
  /** After an abended or forced end, no start until `confirm` (R-STATE-2). */
  requireConfirmation: boolean;
  /**
   * Operator state a new actor starts with (`spec.initialState`, written by `jobnet import` of a
   * `--with-state` bundle, R-EXP-2); only `true` flags are kept. Omitted: none.
   */
  initialState?: InitialJobnetState;
}

/** Operator state given to a jobnet's actor when it is created (see `initialActorFlags`). */
export interface InitialJobnetState {
  held?: true;
  disabled?: true;
}

/** R-SCH-3's default catch-up window: 10 minutes. */
export const defaultCatchUpWindowSeconds = 600;

/**
 * The schedule of a jobnet with every default of the definition format: enabled, every day a
 * start day, manual starts only, the default catch-up window, no deadlines, no confirmation.
 * `fields` override single fields.
 */
export function compiledScheduleOf(fields: Partial<CompiledSchedule> = {}): CompiledSchedule {
  return {
    enabled: true,
    days: { everyDay: true },
    dayPatterns: {},
    start: {},
    catchUpWindowSeconds: defaultCatchUpWindowSeconds,
    deadlines: {},
    requireConfirmation: false,
    ...fields,
  };
}

/** Which trigger a schedule has: `manual` when it has none. */
export function triggerKind(start: CompiledStart): 'at' | 'every' | 'events' | 'manual' {
  if (start.at !== undefined) return 'at';
  if (start.every !== undefined) return 'every';
  if (start.events !== undefined) return 'events';
  return 'manual';
}

/**
 * Start days of a compiled schedule within `window` (inclusive), sorted ISO business dates: the
 * computation of `start-days.ts` (R-DAYS-1..3) on the schedule's rules and DayPatterns.
 * @throws RangeError when a date is malformed (a compile bug: the compile step checked them).
 */
export function scheduleStartDays(
  schedule: CompiledSchedule,
  calendar: BusinessCalendar,
  window: DateWindow,
): string[] {
  return computeStartDays(
    schedule.days,
    calendar,
    window,
    schedule.dayPatterns,
    schedule.dayPatternName === undefined ? {} : { dayPatternName: schedule.dayPatternName },
  );
}
