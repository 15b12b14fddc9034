/**
 * Which start-day rules a jobnet runs on (R-DAYS-1..4): its own `spec.days`, else the DayPattern
 * named by `daysFrom`, else every operating day of its calendar (the Jobnet schema's default), and
 * the DayPatterns an `except.dayPattern` may name. The rules are then evaluated by
 * `workflows/lib/start-days.ts`, the one computation behind execution, `jobnet days` and
 * `jobnet next`.
 *
 * This is the one place a jobnet document is turned into day rules: callers (today `jobnet days`
 * and `jobnet next`; the scheduler must too) ask here instead of reading `days`/`daysFrom`
 * themselves. The calendar comes from the compile step (`compile-jobnet.ts`, which resolves the
 * name chosen by `jobnet-inheritance.ts`), so the calendar of a jobnet is decided in one place too.
 *
 * Pure: reads the definition index only; no I/O. It does not report problems with locations —
 * the validator does that; here an unusable reference (only possible in a repository that did
 * not validate) is returned as a plain message.
 */
import type { BusinessCalendar } from '../../workflows/lib/business-calendar.js';
import {
  collectStartDays,
  type DateWindow,
  type DayRules,
  type StartDaysProblem,
} from '../../workflows/lib/start-days.js';
import type { DefinitionIndex } from '../definitions/definition-index.js';
import type { JobnetDocument } from '../definitions/types.generated.js';

/** The start days of a jobnet without `days` and `daysFrom`: every operating day of its calendar. */
export const everyOperatingDay: Readonly<DayRules> = Object.freeze({ everyDay: true, holidayShift: 'skip' });

/** The day rules a jobnet runs on, and where they came from. */
export interface JobnetDayRules {
  rules: DayRules;
  /** `days`: the jobnet's own rules; `daysFrom`: a DayPattern's; `default`: {@link everyOperatingDay}. */
  source: 'days' | 'daysFrom' | 'default';
  /** The DayPattern named by `daysFrom`, when that is the source (so a pattern excluding itself is seen as a cycle). */
  dayPatternName?: string;
}

/**
 * The day rules of `jobnet` (R-DAYS): `spec.days`, else the `spec` of the DayPattern named by
 * `spec.daysFrom`, else {@link everyOperatingDay}. Returns `{ok: false}` when `daysFrom` names
 * no DayPattern, or one with schema errors (both rejected by validation). Never throws.
 */
export function jobnetDayRules(
  index: DefinitionIndex,
  jobnet: JobnetDocument,
): { ok: true; value: JobnetDayRules } | { ok: false; message: string } {
  const { days, daysFrom } = jobnet.spec;
  if (days !== undefined) return { ok: true, value: { rules: days, source: 'days' } };
  if (daysFrom === undefined) return { ok: true, value: { rules: { ...everyOperatingDay }, source: 'default' } };
  const located = index.dayPatterns.get(daysFrom);
  const where = `jobnet ${jobnet.metadata.project}/${jobnet.metadata.name}`;
  if (located === undefined)
    return { ok: false, message: `${where}: daysFrom names day pattern ${daysFrom}, which is not defined` };
  if (located.schemaErrorPaths.length > 0)
    return {
      ok: false,
      message: `${where}: day pattern ${daysFrom} (${located.doc.file}) has schema errors; run jobnet validate`,
    };
  return { ok: true, value: { rules: located.value.spec, source: 'daysFrom', dayPatternName: daysFrom } };
}

/** The repository's DayPatterns for `except.dayPattern`, by name (schema-invalid ones are treated as missing). */
export function dayPatternLookup(index: DefinitionIndex): (name: string) => DayRules | undefined {
  return (name) => {
    const located = index.dayPatterns.get(name);
    return located === undefined || located.schemaErrorPaths.length > 0 ? undefined : located.value.spec;
  };
}

/**
 * Start days of `jobnet` on `calendar` (its resolved calendar, from the compile step) within
 * `window` (business dates, inclusive), sorted ISO dates, with the problems the computation met
 * (an unknown or cyclic `except.dayPattern`; validation rejects both). Returns `{ok: false}` as
 * {@link jobnetDayRules} does.
 * @throws RangeError when a date in the rules or the window is malformed (validated earlier).
 */
export function jobnetStartDays(
  index: DefinitionIndex,
  jobnet: JobnetDocument,
  calendar: BusinessCalendar,
  window: DateWindow,
):
  | { ok: true; days: string[]; problems: StartDaysProblem[]; dayRules: JobnetDayRules }
  | { ok: false; message: string } {
  const dayRules = jobnetDayRules(index, jobnet);
  if (!dayRules.ok) return dayRules;
  const { rules, dayPatternName } = dayRules.value;
  const { days, problems } = collectStartDays(
    rules,
    calendar,
    window,
    dayPatternLookup(index),
    dayPatternName === undefined ? {} : { dayPatternName },
  );
  return { ok: true, days, problems, dayRules: dayRules.value };
}
