/**
 * `jobnet days <project>/<jobnet> --year Y` (R-DAYS-4) and `jobnet next <project>/<jobnet>
 * --count N` (R-SCH-4): read-only views of a jobnet's schedule, computed by the functions that
 * drive execution — the calendar resolved by the compile step, the day rules chosen by
 * `compile/compile-start-days.ts`, start days from `workflows/lib/start-days.ts` and start instants
 * from `workflows/lib/start-times.ts`. Nothing here re-derives a date.
 *
 * Both commands validate the definitions directory first (like `jobnet validate`; diagnostics go
 * to stderr so `--json` output stays parseable) and refuse, exit 1, when it has errors. They
 * never connect to Temporal.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import {
  type BusinessCalendar,
  businessDateOf,
  addDays,
  dayNumberFromParts,
  daysInMonth,
  dayNumberOf,
  holidayName,
  instantMillis,
  isoDateOf,
  operatingDayTest,
  weekdayIndexOf,
  weekdays,
} from '../../../workflows/lib/business-calendar.js';
import { nextStarts, type PlannedStart, type StartTrigger } from '../../../workflows/lib/start-times.js';
import { compileJobnet } from '../../compile/compile-jobnet.js';
import { jobnetStartDays } from '../../compile/compile-start-days.js';
import { jobnetKey } from '../../definitions/definition-index.js';
import { describeCalendar, weekdayDate } from '../../reconcile/plan-report.js';
import type { JobnetDocument } from '../../definitions/types.generated.js';
import type { ValidatedRepository } from '../../definitions/validate-repository.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { loadValidDefinitions } from '../load-definitions.js';
import { parseJobnetReference } from './start-command.js';

interface DaysFlags {
  dir: string;
  year?: string;
  json?: boolean;
}

interface NextFlags {
  dir: string;
  count: string;
  from?: string;
  json?: boolean;
}

/** Registers `jobnet days` and `jobnet next`. */
export function registerCalendarCommands(program: Command): void {
  program
    .command('days')
    .description("print a jobnet's start days of a year: a 12-month grid and the list of dates (R-DAYS-4)")
    .argument('<project/jobnet>', 'the jobnet, e.g. sales/month-end-close')
    .option('--dir <dir>', 'definitions repository', '.')
    .option('--year <year>', "the year (default: the current year in the calendar's time zone)")
    .option('--json', 'print JSON: {jobnet, year, calendar, timezone, startDays}')
    .action(async (reference: string, opts: DaysFlags) => {
      const { project, jobnet: name } = parseJobnetReference(reference);
      const year = opts.year === undefined ? undefined : parseWholeNumber('--year', opts.year, 1, 9999);
      const { repository, jobnet, calendar } = await loadJobnet(opts.dir, project, name);
      const shownYear = year ?? Number(businessDateOf(calendar, Date.now()).slice(0, 4));
      const startDays = startDaysOrFail(repository, jobnet, calendar, `${pad(shownYear, 4)}-01-01`, `${pad(shownYear, 4)}-12-31`);
      const id = `${project}/${name}`;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ jobnet: id, year: shownYear, calendar: calendar.name, timezone: calendar.timezone, startDays }, null, 2) + '\n');
        return;
      }
      process.stdout.write(renderStartDays(id, shownYear, calendar, startDays));
    });

  program
    .command('next')
    .description("list a jobnet's next planned starts: business date, local time and UTC (R-SCH-4)")
    .argument('<project/jobnet>', 'the jobnet, e.g. infra/servers-start')
    .option('--dir <dir>', 'definitions repository', '.')
    .option('--count <n>', 'how many starts', '10')
    .option('--from <instant>', 'list starts after this ISO 8601 instant with Z or offset (default: now)')
    .option('--json', 'print JSON: {jobnet, calendar, timezone, from, trigger, starts}')
    .action(async (reference: string, opts: NextFlags) => {
      const { project, jobnet: name } = parseJobnetReference(reference);
      const count = parseWholeNumber('--count', opts.count, 1, 10_000);
      let from = Date.now();
      if (opts.from !== undefined) {
        try {
          from = instantMillis(opts.from);
        } catch {
          throw new UsageError(`--from must be an ISO 8601 instant with Z or an offset, e.g. 2027-01-04T00:00:00Z, not "${opts.from}"`);
        }
      }
      const { repository, jobnet, calendar } = await loadJobnet(opts.dir, project, name);
      const id = `${project}/${name}`;
      const start = jobnet.spec.start;
      const trigger = start?.at !== undefined ? 'at' : start?.every !== undefined ? 'every' : start?.events !== undefined ? 'events' : 'manual';
      const starts = trigger === 'at' || trigger === 'every' ? plannedStarts(repository, jobnet, calendar, start as StartTrigger, from, count) : [];
      const fromText = new Date(from).toISOString();
      if (opts.json) {
        const entries = starts.map((entry) => ({ businessDate: entry.businessDate, localTime: localTimeOf(calendar, entry.instant), instant: entry.instant, kind: entry.kind }));
        process.stdout.write(JSON.stringify({ jobnet: id, calendar: calendar.name, timezone: calendar.timezone, from: fromText, trigger, starts: entries }, null, 2) + '\n');
        return;
      }
      process.stdout.write(renderNextStarts(id, jobnet, calendar, trigger, starts, count, fromText));
    });
}

// ---------------------------------------------------------------------------------------------
// Loading.

/**
 * Validates `dir`, then finds and compiles the jobnet for its calendar (the compile step resolves
 * it: jobnet, project, Settings, SYSTEM_CALENDAR).
 * @throws UsageError when `dir` is not a directory; CommandFailure when the definitions have
 *   errors (after printing them) or the jobnet does not exist or cannot be compiled.
 */
async function loadJobnet(dir: string, project: string, name: string): Promise<{ repository: ValidatedRepository; jobnet: JobnetDocument; calendar: BusinessCalendar }> {
  const repository = await loadValidDefinitions(dir, `the definitions in ${dir} have errors; fix them first (jobnet validate ${dir})`);
  const compiled = compileJobnet(repository, project, name);
  if (!compiled.ok) throw new CommandFailure(compiled.message);
  const located = repository.index.jobnets.get(jobnetKey(project, name));
  const calendar = compiled.jobnet.calendar;
  if (located === undefined || calendar === undefined) throw new Error(`compiled ${project}/${name} without its definition or calendar`);
  return { repository, jobnet: located.value, calendar };
}

/** Start days from `from` to `to`; problems of the computation are printed as warnings. */
function startDaysOrFail(repository: ValidatedRepository, jobnet: JobnetDocument, calendar: BusinessCalendar, from: string, to: string): string[] {
  const result = jobnetStartDays(repository.index, jobnet, calendar, { from, to });
  if (!result.ok) throw new CommandFailure(result.message);
  for (const problem of result.problems) process.stderr.write(`jobnet: warning: ${problem.message}\n`);
  return result.days;
}

/** How far ahead `jobnet next` looks for starts before saying there are fewer than asked for. */
const maxLookaheadDays = 50 * 366;

/**
 * The next `count` starts after `from`: start days over a window that grows until it holds
 * enough starts (or reaches {@link maxLookaheadDays}), then `nextStarts` — the function the
 * workflows schedule with.
 */
function plannedStarts(repository: ValidatedRepository, jobnet: JobnetDocument, calendar: BusinessCalendar, start: StartTrigger, from: number, count: number): PlannedStart[] {
  const firstDate = addDays(businessDateOf(calendar, from), -1);
  for (let span = 400; ; span = Math.min(span * 4, maxLookaheadDays)) {
    const days = startDaysOrFail(repository, jobnet, calendar, firstDate, addDays(firstDate, span));
    const starts = nextStarts(start, days, calendar, from, count);
    if (starts.length >= count || span >= maxLookaheadDays) return starts;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering.

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const cellWidth = 3; // two digits and a mark
const monthWidth = 7 * cellWidth + 6;
const monthGap = '    ';

const marks = { start: '*', closed: '-', startOnClosed: '!' } as const;

/** The `jobnet days` text: header, 12-month grid (rows of three), legend, list and count. */
function renderStartDays(id: string, year: number, calendar: BusinessCalendar, startDays: readonly string[]): string {
  const isOperating = operatingDayTest(calendar);
  const starts = new Set(startDays.map(dayNumberOf));
  const lines: string[] = [`${id} — start days in ${year}`, `calendar ${describeCalendar(calendar)}`, ''];

  for (let firstMonth = 1; firstMonth <= 12; firstMonth += 3) {
    const blocks = [firstMonth, firstMonth + 1, firstMonth + 2].map((month) => monthBlock(year, month, starts, isOperating));
    const height = Math.max(...blocks.map((block) => block.length));
    for (let row = 0; row < height; row++) {
      lines.push(blocks.map((block) => (block[row] ?? '').padEnd(monthWidth)).join(monthGap).trimEnd());
    }
    lines.push('');
  }
  lines.push(`${marks.start} start day   ${marks.closed} holiday (not an operating day)   ${marks.startOnClosed} start day on a holiday (holidayShift: none)`, '');

  for (const date of startDays) {
    const name = isOperating(dayNumberOf(date)) ? undefined : (holidayName(calendar, date) ?? 'holiday');
    lines.push(`${weekdayDate(date)}${name === undefined ? '' : `  (${name})`}`);
  }
  lines.push(`${startDays.length} start ${startDays.length === 1 ? 'day' : 'days'} in ${year}`);
  return lines.join('\n') + '\n';
}

/** One month: title, weekday header (Monday first) and up to six week rows. */
function monthBlock(year: number, month: number, starts: ReadonlySet<number>, isOperating: (day: number) => boolean): string[] {
  const title = `${monthNames[month - 1]} ${year}`;
  const left = Math.floor((monthWidth - title.length) / 2);
  const block = [' '.repeat(left) + title, weekdays.map((day) => (day[0] as string).toUpperCase() + day[1]).join(' '.repeat(cellWidth - 1))];
  const first = dayNumberFromParts(year, month, 1);
  const cells: string[] = Array.from({ length: weekdayIndexOf(first) }, () => ' '.repeat(cellWidth));
  for (let day = first; day < first + daysInMonth(year, month); day++) {
    const mark = starts.has(day) ? (isOperating(day) ? marks.start : marks.startOnClosed) : isOperating(day) ? ' ' : marks.closed;
    cells.push(String(day - first + 1).padStart(cellWidth - 1) + mark);
  }
  for (let week = 0; week * 7 < cells.length; week++) block.push(cells.slice(week * 7, week * 7 + 7).join(' '));
  return block;
}

/** The `jobnet next` text: a table of starts, or why there are none. */
function renderNextStarts(id: string, jobnet: JobnetDocument, calendar: BusinessCalendar, trigger: string, starts: readonly PlannedStart[], count: number, from: string): string {
  const lines = [`${id} — calendar ${describeCalendar(calendar)}`];
  if (jobnet.spec.enabled === false) lines.push('note: the jobnet is disabled (enabled: false): its starts are skipped (R-STATE-1)');
  if (trigger === 'events') {
    const names = jobnet.spec.start?.events?.names ?? [];
    lines.push(`starts on message events (${names.join(', ')}), not at planned times; see jobnet days for its start days`);
    return lines.join('\n') + '\n';
  }
  if (trigger === 'manual') {
    lines.push('has no start trigger: it starts only when started by hand (jobnet start)');
    return lines.join('\n') + '\n';
  }
  if (starts.length === 0) {
    lines.push(`no planned start after ${from}`);
    return lines.join('\n') + '\n';
  }
  const header = ['BUSINESS DATE', `LOCAL TIME (${calendar.timezone})`, 'UTC'];
  const rows = starts.map((entry) => [weekdayDate(entry.businessDate), localTimeOf(calendar, entry.instant), entry.instant.replace(/\.000Z$/, 'Z')]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  for (const row of [header, ...rows]) lines.push(row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd());
  if (starts.length < count) lines.push(`only ${starts.length} of ${count} starts planned in the next ${Math.floor(maxLookaheadDays / 366)} years`);
  return lines.join('\n') + '\n';
}

/** `YYYY-MM-DD ddd HH:MM` of an instant on the calendar's wall clock. */
function localTimeOf(calendar: BusinessCalendar, instant: string): string {
  const local = DateTime.fromMillis(instantMillis(instant), { zone: calendar.timezone });
  const date = isoDateOf(dayNumberFromParts(local.year, local.month, local.day));
  return `${weekdayDate(date)} ${pad(local.hour, 2)}:${pad(local.minute, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * A whole number option within bounds.
 * @throws UsageError otherwise.
 */
function parseWholeNumber(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}
