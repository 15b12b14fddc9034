/**
 * Benchmark: two years of start days for 1,000 jobnets (the compile step computes this year
 * and next for every jobnet). Prints a Markdown row; figures go to docs/performance.md.
 * Usage: npx tsx bench/start-days.bench.ts
 */
import { resolveCalendar, systemCalendar } from '../workflows/lib/business-calendar.js';
import { computeStartDays, type DayRules } from '../workflows/lib/start-days.js';

const office = resolveCalendar(
  'office',
  [
    {
      timezone: 'Asia/Tokyo',
      dayChangeTime: '05:00',
      weeklyHolidays: ['sat', 'sun'],
      holidays: ['2026-01-01', '2026-12-31', '2027-01-01'],
    },
  ],
  'UTC',
);
const rules: DayRules = {
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  monthDays: ['last'],
  businessDays: [1, -1],
  holidayShift: 'after',
  except: { dayPattern: 'month-end' },
};
const dayPatterns = { 'month-end': { businessDays: [-1] } };
const system = systemCalendar('UTC');

const runs: number[] = [];
let total = 0;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  total = 0;
  for (let jobnet = 0; jobnet < 1000; jobnet++) {
    total += computeStartDays(
      rules,
      jobnet % 2 === 0 ? office : system,
      { from: '2026-01-01', to: '2027-12-31' },
      dayPatterns,
    ).length;
  }
  runs.push(performance.now() - started);
}
runs.sort((a, b) => a - b);
process.stdout.write(`| jobnets | start days | min ms | median ms | max ms |\n| ---: | ---: | ---: | ---: | ---: |\n`);
process.stdout.write(
  `| 1000 | ${total} | ${runs[0]!.toFixed(0)} | ${runs[2]!.toFixed(0)} | ${runs[4]!.toFixed(0)} |\n`,
);
