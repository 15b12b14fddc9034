/**
 * The `waitTime` job (R-JOBT-3, WOI 8.1.4 `jobschchecktime`): waits until a time `until` of the
 * run's scheduled business date, and with `latest` ends abnormally (1) when it starts after that
 * time. Both times are `HHMM` relative to the calendar's day change (R-CAL-3): with day change
 * 10:00, `0900` is 09:00 of the next calendar day.
 *
 * {@link planWaitTime} decides, when the job starts, whether the run workflow sets a timer or ends
 * the job at once; the workflow owns the timer. Times are computed on the *scheduled* business
 * date, never on the date of the start, so a restart on a later day finds `until` passed and does
 * not wait again (WOI 8.1.4 "ジョブネットの起動予定日と…待ち合わせ時刻").
 *
 * This module runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no clock (the
 * current time is passed in), no randomness.
 */
import { dayNumberOf, instantMillisOf, type BusinessCalendar } from './business-calendar.js';
import type { JobEvaluation } from './check-variable.js';
import { formatTimeOfDay, parseHhmm } from './durations.js';
import { waitTimeExitCodes } from './exit-classification.js';
import type { WaitTimeSpec } from './job-specs.js';

const minutesPerDay = 24 * 60;
const msPerMinute = 60_000;

/**
 * What a starting `waitTime` job does (R-JOBT-3):
 * - `wait`: set a timer until `untilMillis` (epoch milliseconds), then end 0 with `output`;
 * - `end`: end at once with `exitCode` (0 reached, 1 started after `latest`, 21 bad
 *   specification), `output` and, for 21, a `message`.
 */
export type WaitTimePlan = { kind: 'wait'; untilMillis: number; output: string } | ({ kind: 'end' } & JobEvaluation);

/**
 * Plans a `waitTime` job starting at `nowMillis` in a run of business date `businessDate`
 * (R-JOBT-3, WOI 8.1.4):
 * - `until` and `latest` (`HHMM`, 0000–2359) are instants of the business date in the calendar's
 *   time zone: a time before the day change falls on the next calendar date
 *   ({@link instantMillisOf}; a time in a DST gap moves forward by the gap, a repeated time is the
 *   earlier one);
 * - now before `until`: wait until `until`;
 * - `until` ≤ now, and no `latest` or now ≤ `latest`: end 0 at once;
 * - now after `latest`: end 1 (an abnormal end, so successors do not run — R-EXIT-4). `latest`
 *   names a whole minute: with `latest: "1500"` a start at 15:00:59 is not after it, one at
 *   15:01:00 is (WOI compares `HHMM` times; a timer-driven start is never exactly on the minute);
 * - a malformed time, or `latest` earlier than `until` in the business day (day-change order,
 *   as the validator's SCHEDULE-INVALID check compares them), is exit 21 with a message; `latest`
 *   equal to `until` is allowed.
 *
 * The output is `CT_WTIME=<until>` and, with `latest`, `CT_LTIME=<latest>` on a second line, as
 * WOI prints them; it is empty for exit 21 (WOI rejects the arguments before printing anything).
 * @throws RangeError when `businessDate` is not a `YYYY-MM-DD` date or `nowMillis` is not a
 *   finite number (caller bugs: both come from the run, not from the definition).
 */
export function planWaitTime(
  spec: WaitTimeSpec,
  calendar: BusinessCalendar,
  businessDate: string,
  nowMillis: number,
): WaitTimePlan {
  if (!Number.isFinite(nowMillis)) throw new RangeError(`nowMillis is not a finite number: ${nowMillis}`);
  const businessDay = dayNumberOf(businessDate);
  const badSpecification = (message: string): WaitTimePlan => ({
    kind: 'end',
    exitCode: waitTimeExitCodes.badSpecification,
    output: '',
    message,
  });

  const until = parseHhmm(spec.until);
  if (until === undefined)
    return badSpecification(`waitTime: until ${JSON.stringify(spec.until)} is not a time HHMM from 0000 to 2359`);
  const latest = spec.latest === undefined ? undefined : parseHhmm(spec.latest);
  if (spec.latest !== undefined && latest === undefined) {
    return badSpecification(`waitTime: latest ${JSON.stringify(spec.latest)} is not a time HHMM from 0000 to 2359`);
  }
  // Minutes since the day change: the order of times within one business day.
  const businessOrder = (minutes: number) => (minutes - calendar.dayChangeMinutes + minutesPerDay) % minutesPerDay;
  if (latest !== undefined && businessOrder(latest) < businessOrder(until)) {
    return badSpecification(
      `waitTime: latest ${spec.latest} is earlier than until ${spec.until} in the business day (day change ${formatTimeOfDay(calendar.dayChangeMinutes)})`,
    );
  }

  const output =
    spec.latest === undefined ? `CT_WTIME=${spec.until}` : `CT_WTIME=${spec.until}\nCT_LTIME=${spec.latest}`;
  const untilMillis = instantMillisOf(calendar, businessDay, until);
  if (nowMillis < untilMillis) return { kind: 'wait', untilMillis, output };
  // `latest` names a minute, and a start anywhere in that minute is not after it.
  if (latest !== undefined && nowMillis >= instantMillisOf(calendar, businessDay, latest) + msPerMinute) {
    return { kind: 'end', exitCode: waitTimeExitCodes.startedAfterLatest, output };
  }
  return { kind: 'end', exitCode: waitTimeExitCodes.normal, output };
}
