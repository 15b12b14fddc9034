/**
 * Compiles a jobnet document's schedule — start days, trigger, catch-up, deadlines, confirmation
 * (R-DAYS, R-SCH, R-EVT-2, R-STATE-2, R-TRB) — into the normalised `CompiledSchedule` its jobnet
 * actor executes: defaults filled in, durations in seconds, the DayPatterns the day rules reach
 * copied in by name.
 *
 * The day rules come from `compile-start-days.ts` (`jobnetDayRules`), the one place a jobnet's
 * `days`/`daysFrom` are read. Pure: reads the definition index only. An unusable reference (only
 * possible in a repository that did not validate) is thrown as the message the compile step
 * reports.
 */
import {
  defaultCatchUpWindowSeconds,
  type CompiledSchedule,
  type CompiledStart,
  type InitialJobnetState,
} from '../../workflows/lib/compiled-schedule.js';
import { parseDuration } from '../../workflows/lib/durations.js';
import type { DayRules } from '../../workflows/lib/start-days.js';
import type { DefinitionIndex } from '../definitions/definition-index.js';
import type { JobnetDocument } from '../definitions/types.generated.js';
import { dayPatternLookup, jobnetDayRules } from './compile-start-days.js';

/** Thrown when the schedule cannot be compiled; the compile step turns it into its refusal. */
export class ScheduleCompileError extends Error {
  override name = 'ScheduleCompileError';
}

/**
 * The compiled schedule of `jobnet`.
 * @throws ScheduleCompileError when `daysFrom` names no usable DayPattern or a duration is malformed
 *   (both rejected by validation).
 */
export function compileSchedule(index: DefinitionIndex, jobnet: JobnetDocument): CompiledSchedule {
  const dayRules = jobnetDayRules(index, jobnet);
  if (!dayRules.ok) throw new ScheduleCompileError(dayRules.message);
  const { spec } = jobnet;
  const schedule: CompiledSchedule = {
    enabled: spec.enabled ?? true,
    days: dayRules.value.rules,
    dayPatterns: reachableDayPatterns(index, dayRules.value.rules),
    start: compileStart(spec.start),
    catchUpWindowSeconds: seconds(
      spec.start?.catchUp?.window ?? index.settings?.value.spec?.catchUp?.window,
      defaultCatchUpWindowSeconds,
      'start.catchUp.window',
    ),
    deadlines: {},
    requireConfirmation: spec.requireConfirmation ?? false,
  };
  if (dayRules.value.dayPatternName !== undefined) schedule.dayPatternName = dayRules.value.dayPatternName;
  const initial: InitialJobnetState = {};
  if (spec.initialState?.held === true) initial.held = true;
  if (spec.initialState?.disabled === true) initial.disabled = true;
  if (initial.held !== undefined || initial.disabled !== undefined) schedule.initialState = initial;
  const deadlines = spec.deadlines;
  if (deadlines?.start !== undefined) schedule.deadlines.start = deadlines.start;
  if (deadlines?.end?.at !== undefined) schedule.deadlines.endAt = deadlines.end.at;
  if (deadlines?.end?.after !== undefined)
    schedule.deadlines.endAfterSeconds = seconds(deadlines.end.after, 0, 'deadlines.end.after');
  return schedule;
}

function compileStart(start: JobnetDocument['spec']['start']): CompiledStart {
  if (start?.at !== undefined) return { at: [...start.at] };
  if (start?.every !== undefined) return { every: { ...start.every } };
  if (start?.events !== undefined) {
    const { names, mode, notBefore, whileRunning, oncePerDay, startDaysOnly } = start.events;
    return {
      events: {
        names: [...names],
        mode: mode ?? 'any',
        ...(notBefore !== undefined ? { notBefore } : {}),
        whileRunning: whileRunning ?? false,
        oncePerDay: oncePerDay ?? false,
        startDaysOnly: startDaysOnly ?? false,
      },
    };
  }
  return {};
}

/** Every DayPattern reachable from `rules` through `except.dayPattern`, by name (cycles stop). */
function reachableDayPatterns(index: DefinitionIndex, rules: DayRules): Record<string, DayRules> {
  const lookup = dayPatternLookup(index);
  const found: Record<string, DayRules> = {};
  const queue: DayRules[] = [rules];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    const name = current.except?.dayPattern;
    if (name === undefined || Object.hasOwn(found, name)) continue;
    const pattern = lookup(name);
    if (pattern === undefined) continue; // the start-day computation reports it (DAYPATTERN-UNKNOWN)
    found[name] = pattern;
    queue.push(pattern);
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function seconds(text: string | undefined, fallback: number, field: string): number {
  if (text === undefined) return fallback;
  const value = parseDuration(text);
  if (value === undefined) throw new ScheduleCompileError(`${field}: "${text}" is not a duration`);
  return value;
}
