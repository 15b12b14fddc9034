/**
 * Times that contradict each other (R-JOBT-3, R-SCH-1): a waitTime `latest` before its
 * `until`, an interval start whose window is empty. Both are compared in business-day order,
 * i.e. relative to the calendar's day-change time (R-CAL-3): with day change 05:00, 02:00 comes
 * after 23:00.
 */
import { parseHhmm, parseTimeOfDay } from '../../../workflows/lib/durations.js';
import { jobnetCalendarName } from '../jobnet-inheritance.js';
import { validJobs, seg, validEntries, type Rule } from './rule-context.js';

const minutesPerDay = 24 * 60;

export const checkSchedules: Rule = (context) => {
  const { index } = context;
  for (const [, jobnet] of validEntries(index.jobnets)) {
    const calendarName = jobnetCalendarName(index, jobnet.value);
    const dayChange = parseTimeOfDay(index.calendars.get(calendarName)?.value.spec?.dayChangeTime ?? '00:00') ?? 0;
    const businessOrder = (minutes: number) => (minutes - dayChange + minutesPerDay) % minutesPerDay;
    const describeDayChange =
      dayChange === 0
        ? ''
        : ` (calendar ${calendarName} changes day at ${String(Math.floor(dayChange / 60)).padStart(2, '0')}:${String(dayChange % 60).padStart(2, '0')})`;

    const every = jobnet.value.spec.start?.every;
    if (every?.from !== undefined && every.until !== undefined) {
      const from = parseTimeOfDay(every.from);
      const until = parseTimeOfDay(every.until);
      if (from !== undefined && until !== undefined && businessOrder(until) < businessOrder(from)) {
        context.report(
          'SCHEDULE-INVALID',
          `interval start: until ${every.until} comes before from ${every.from} in the business day${describeDayChange}`,
          jobnet,
          '/spec/start/every/until',
        );
      }
    }
    for (const [name, job] of validJobs(jobnet)) {
      if (job.type !== 'waitTime' || job.latest === undefined) continue;
      const until = parseHhmm(job.until);
      const latest = parseHhmm(job.latest);
      if (until !== undefined && latest !== undefined && businessOrder(latest) < businessOrder(until)) {
        context.report(
          'SCHEDULE-INVALID',
          `waitTime: latest ${job.latest} is earlier than until ${job.until} in the business day${describeDayChange}`,
          jobnet,
          `/spec/jobs${seg(name)}/latest`,
        );
      }
    }
  }
};
