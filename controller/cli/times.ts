/**
 * Times on the command line, both ways: the one module every renderer formats an instant with,
 * and the one module every command reads a date or an instant with.
 *
 * Showing. Every time printed says its zone: `2026-11-24 06:30:00+09:00`, or
 * `2026-11-23 21:30:00Z` in UTC (RFC 3339 with a space). Which zone is chosen the same way in
 * every command that prints times: by default the zone of the jobnet's calendar (which is the
 * Settings zone for a jobnet on SYSTEM_CALENDAR) — the zone its start times and deadlines are
 * written in — else UTC where no jobnet is concerned; `--utc` shows UTC, `--tz ZONE` any IANA zone
 * (`--tz local`: the machine's own). JSON output is not affected: it carries ISO 8601 UTC strings.
 *
 * Reading. Dates and instants are parsed with luxon's `DateTime.fromISO` and its validity checks,
 * so an impossible date (2026-02-30, 24:61) is refused with the reason instead of rolling over
 * into the next month, as `Date.parse` does.
 *
 * Pure apart from the machine's zone for `--tz local`; errors for the user are UsageErrors.
 */
import type { Command } from 'commander';
import { DateTime, IANAZone } from 'luxon';
import { parseDuration } from '../../workflows/lib/durations.js';
import { UsageError } from './cli-errors.js';

// ---------------------------------------------------------------------------------------------
// Choosing the zone.

/** The flags of {@link addTimeOptions}. */
export interface TimeFlags {
  utc?: boolean;
  tz?: string;
}

/** Which zone a command shows times in: UTC, a zone given by the user, or each jobnet's calendar zone. */
export type ZoneChoice = { kind: 'utc' } | { kind: 'zone'; zone: string } | { kind: 'calendar' };

/** Adds `--utc` and `--tz ZONE` to `command`; `fallback` says what the default is when no calendar applies. */
export function addTimeOptions(command: Command, fallback = "the jobnet's calendar zone"): Command {
  return command
    .option('--utc', 'show times in UTC')
    .option(
      '--tz <zone>',
      `show times in this IANA time zone, e.g. Asia/Tokyo, or "local" for this machine's (default: ${fallback})`,
    );
}

/**
 * The zone choice of a command's flags.
 * @throws UsageError for `--utc` with `--tz`, or a zone luxon does not know.
 */
export function zoneChoiceOf(flags: TimeFlags): ZoneChoice {
  if (flags.tz === undefined) return flags.utc === true ? { kind: 'utc' } : { kind: 'calendar' };
  if (flags.utc === true) throw new UsageError('give either --utc or --tz, not both');
  const text = flags.tz.trim();
  if (text.toLowerCase() === 'local') return { kind: 'zone', zone: localZoneName() };
  if (/^(utc|z|gmt)$/i.test(text)) return { kind: 'utc' };
  if (text === '' || !IANAZone.isValidZone(text)) {
    throw new UsageError(
      `--tz must be an IANA time zone such as Asia/Tokyo, Europe/Berlin or UTC (or "local"), not "${flags.tz}"`,
    );
  }
  return { kind: 'zone', zone: canonicalZoneName(text) };
}

/** The zone's name as the IANA database spells it (`asia/tokyo` → `Asia/Tokyo`). */
function canonicalZoneName(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/** The machine's own zone (`TZ`, else the system's), as an IANA name when it has one. */
export function localZoneName(): string {
  const name = DateTime.local().zoneName;
  return name !== null && IANAZone.isValidZone(name) ? name : 'UTC';
}

/** The zone the choice resolves to for a jobnet whose calendar is in `calendarZone` (UTC when unknown). */
export function zoneOf(choice: ZoneChoice, calendarZone: string | undefined): string {
  switch (choice.kind) {
    case 'utc':
      return 'UTC';
    case 'zone':
      return choice.zone;
    case 'calendar':
      return calendarZone !== undefined && IANAZone.isValidZone(calendarZone) ? calendarZone : 'UTC';
  }
}

/** Whether `zone` is shown as UTC (`Z`). */
export function isUtc(zone: string): boolean {
  return /^(utc|etc\/utc|etc\/uct|z)$/i.test(zone);
}

// ---------------------------------------------------------------------------------------------
// Showing.

const placeholder = '-';

/** An instant (epoch milliseconds) in `zone`, with its offset: `2026-11-24 06:30:00+09:00`, or `…Z` in UTC; `-` without one. */
export function formatInstant(millis: number | undefined, zone: string): string {
  if (millis === undefined || !Number.isFinite(millis)) return placeholder;
  if (isUtc(zone)) return DateTime.fromMillis(millis, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm:ss'Z'");
  return DateTime.fromMillis(millis, { zone }).toFormat('yyyy-MM-dd HH:mm:ssZZ');
}

/** The wall-clock date, weekday and minute of an instant in `zone`: `2027-01-04 Mon 06:30` (for tables whose header names the zone). */
export function formatWallClock(millis: number, zone: string): string {
  return DateTime.fromMillis(millis, { zone: isUtc(zone) ? 'UTC' : zone })
    .setLocale('en')
    .toFormat('yyyy-MM-dd ccc HH:mm');
}

/** How a command names the zone it shows: `Asia/Tokyo`, `UTC`. */
export function zoneLabel(zone: string): string {
  return isUtc(zone) ? 'UTC' : zone;
}

// ---------------------------------------------------------------------------------------------
// Reading.

const offsetPattern = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const dateTimePattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$/;

/** Why luxon refused `text`, in the user's words ("2026-02-30 is not a date: February 2026 has 28 days"). */
function invalidReason(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (match === null) return 'it is not written as an ISO 8601 date';
  const [year, month, day, hour, minute, second] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (month === undefined || month < 1 || month > 12) return `there is no month ${match[2] ?? ''}`;
  const days = DateTime.utc(year as number, month, 1).daysInMonth ?? 31;
  if (day === undefined || day < 1 || day > days) {
    return `${DateTime.utc(year as number, month, 1)
      .setLocale('en')
      .toFormat('LLLL yyyy')} has ${days} days`;
  }
  if (hour !== undefined && hour > 23) return `there is no hour ${match[4] ?? ''}`;
  if (minute !== undefined && minute > 59) return `there is no minute ${match[5] ?? ''}`;
  if (second !== undefined && second > 59) return `there is no second ${match[6] ?? ''}`;
  return 'it is not a valid date and time';
}

/**
 * Epoch milliseconds of an instant option: ISO 8601 with `Z` or an offset
 * (`2027-01-04T00:00:00Z`, `2027-01-04T09:00:00+09:00`).
 * @throws UsageError naming `flag` for anything else, an impossible date (`2026-02-30`) included.
 */
export function parseInstantOption(flag: string, text: string): number {
  const example = `e.g. 2027-01-04T00:00:00Z or 2027-01-04T09:00:00+09:00`;
  const trimmed = text.trim();
  if (!offsetPattern.test(trimmed) || !/^\d{4}-\d{2}-\d{2}T/i.test(trimmed)) {
    throw new UsageError(`${flag} must be an ISO 8601 instant with Z or an offset, ${example}, not "${text}"`);
  }
  const offset = /([+-])(\d{2}):?(\d{2})?$/.exec(trimmed);
  if (offset !== null && (Number(offset[2]) > 18 || Number(offset[3] ?? 0) > 59))
    throw new UsageError(`${flag} "${text}" has no real UTC offset: offsets go from -18:00 to +18:00`);
  const parsed = DateTime.fromISO(trimmed, { setZone: true });
  if (!parsed.isValid) throw new UsageError(`${flag} "${text}" is not a real instant: ${invalidReason(trimmed)}`);
  return parsed.toMillis();
}

/**
 * A point in time given to `--since`: a duration back from `now` (`90m`, `2h`, `1d`), an instant
 * with `Z` or an offset, or a date or date-time without an offset, which means that wall-clock
 * time in the zone of whatever it is compared with (each jobnet's, under the default zone).
 */
export type SincePoint = { kind: 'instant'; millis: number } | { kind: 'wallClock'; text: string };

/**
 * Reads a `--since` value (see {@link SincePoint}).
 * @throws UsageError for anything else, an impossible date included.
 */
export function parseSinceOption(flag: string, text: string, now: number): SincePoint {
  const trimmed = text.trim();
  const seconds = parseDuration(trimmed);
  if (seconds !== undefined) return { kind: 'instant', millis: now - seconds * 1000 };
  if (offsetPattern.test(trimmed) && /T/i.test(trimmed))
    return { kind: 'instant', millis: parseInstantOption(flag, trimmed) };
  if (!dateTimePattern.test(trimmed)) {
    throw new UsageError(
      `${flag} must be a duration back from now (30m, 2h, 1d), a date (2026-11-23), a date and time (2026-11-23T08:00) or an instant (2026-11-23T08:00:00Z), not "${text}"`,
    );
  }
  const parsed = DateTime.fromISO(trimmed.replace(' ', 'T'), { zone: 'UTC' });
  if (!parsed.isValid) throw new UsageError(`${flag} "${text}" is not a real date: ${invalidReason(trimmed)}`);
  return { kind: 'wallClock', text: trimmed.replace(' ', 'T') };
}

/** Epoch milliseconds of a `--since` point for something shown in `zone`. */
export function sinceMillis(point: SincePoint, zone: string): number {
  if (point.kind === 'instant') return point.millis;
  return DateTime.fromISO(point.text, { zone: isUtc(zone) ? 'UTC' : zone }).toMillis();
}

/** Which end of a window a `--from`/`--to` value bounds. */
export type WindowEnd = 'from' | 'to';

/**
 * Epoch milliseconds of a `--from`/`--to` bound (R-OPS-5): an ISO 8601 instant with `Z` or an
 * offset, or a date, or a date and time without one (`2026-11-23`, `2026-11-23 08:00:00`,
 * `2026-11-23T08:00`) read as wall-clock time in `zone`. As a lower bound (`from`) it is the
 * first instant included; as an upper bound (`to`) it is the first instant excluded: the instant
 * given is included (to the millisecond), and a date alone includes that whole day.
 * @throws UsageError naming `flag` for anything else, an impossible date (`2026-02-30`) included.
 */
export function parseWindowBound(flag: string, text: string, zone: string, end: WindowEnd): number {
  const trimmed = text.trim();
  if (offsetPattern.test(trimmed) && /^\d{4}-\d{2}-\d{2}T/i.test(trimmed)) {
    const millis = parseInstantOption(flag, trimmed);
    return end === 'to' ? millis + 1 : millis;
  }
  if (!dateTimePattern.test(trimmed)) {
    throw new UsageError(
      `${flag} must be ISO 8601 (2026-11-23T08:00:00+09:00, 2026-11-23T08:00:00Z) or a local date and time (2026-11-23 08:00:00, 2026-11-23), not "${text}"`,
    );
  }
  const wallClock = DateTime.fromISO(trimmed.replace(' ', 'T'), { zone: isUtc(zone) ? 'UTC' : zone });
  if (!wallClock.isValid) throw new UsageError(`${flag} "${text}" is not a real date: ${invalidReason(trimmed)}`);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  if (end === 'from') return wallClock.toMillis();
  return dateOnly ? wallClock.plus({ days: 1 }).toMillis() : wallClock.toMillis() + 1;
}

/** An instant in `zone` to the second, without the offset (`2026-11-24 06:30:00`), for tables whose header names the zone; `-` without one. */
export function formatTableTime(millis: number | undefined, zone: string): string {
  if (millis === undefined || !Number.isFinite(millis)) return placeholder;
  return DateTime.fromMillis(millis, { zone: isUtc(zone) ? 'UTC' : zone }).toFormat('yyyy-MM-dd HH:mm:ss');
}
