/**
 * Durations and times of day as the definition format writes them (format contract): durations
 * like `90s`, `10m`, `1h30m`, `1d` (timeLimit, expectedDuration, retry.interval, deadlines.end.after,
 * catchUp.window, history retention), times of day `HH:MM` (start.at, every.from/until, notBefore,
 * deadlines, dayChangeTime) and the WOI `HHMM` of `waitTime` (R-JOBT-3).
 *
 * Parsing only: which calendar day a time belongs to (day change, R-SCH-2, R-JOBT-3) is decided by
 * the callers. The validator and the workflows (timers, deadlines) share this module, so it runs
 * inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock, no randomness.
 */

const durationPattern = /^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/;

/**
 * Parses a duration: one or more of `<n>d`, `<n>h`, `<n>m`, `<n>s`, in that order, without spaces
 * (`"90s"`, `"1h30m"`, `"1d"`; `"0s"` is zero). Returns whole seconds, or `undefined` when the
 * text is not a duration (empty, wrong unit order, other characters, or beyond
 * `Number.MAX_SAFE_INTEGER` seconds). Never throws.
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match;
  const total =
    Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Formats whole seconds as the shortest duration text (`5400` → `"1h30m"`, `0` → `"0s"`), which
 * {@link parseDuration} reads back to the same number.
 * @throws RangeError when `seconds` is negative or not a safe integer (a caller bug, not user input).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`a duration is a whole, non-negative number of seconds; got ${seconds}`);
  }
  if (seconds === 0) return '0s';
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return parts
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount}${unit}`)
    .join('');
}

const timeOfDayPattern = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const hhmmPattern = /^([01][0-9]|2[0-3])([0-5][0-9])$/;

/**
 * Parses a time of day `"HH:MM"` (two digits each, 00:00–23:59) into minutes since midnight.
 * Returns `undefined` for anything else. Never throws.
 */
export function parseTimeOfDay(text: string): number | undefined {
  const match = timeOfDayPattern.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Parses a WOI `"HHMM"` time (0000–2359) of a `waitTime` job (R-JOBT-3) into minutes since
 * midnight. Relativity to the calendar's day change is the caller's business. Returns `undefined`
 * for anything else. Never throws.
 */
export function parseHhmm(text: string): number | undefined {
  const match = hhmmPattern.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Formats minutes since midnight (0–1439) as `"HH:MM"`.
 * @throws RangeError when `minutes` is not a whole number from 0 to 1439 (a caller bug).
 */
export function formatTimeOfDay(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 1440) {
    throw new RangeError(`a time of day is a whole number of minutes from 0 to 1439; got ${minutes}`);
  }
  const hours = Math.floor(minutes / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
