/**
 * `jobnet days <project>/<jobnet> --year Y` and `jobnet next <project>/<jobnet> --count N`:
 * read-only views of a jobnet's schedule, computed by the functions that drive execution — the
 * compiled schedule and calendar (the compile step resolves both), start days from
 * `workflows/lib/start-days.ts` and start instants from `workflows/lib/start-times.ts`, exactly as
 * the jobnet actor computes them. Nothing here re-derives a date.
 *
 * Where the schedule comes from:
 * - with `--dir DIR`: the definitions in DIR, validated first like `jobnet validate` (diagnostics go
 *   to stderr so `--json` output stays parseable; errors refuse, exit 1), then compiled;
 * - without: the definition applied in the running system — the compiled definition the jobnet's
 *   actor holds (controller/jobnets/applied-definition.ts), on the Temporal target of the usual
 *   flags. When no system answers or the jobnet is not applied there, the command says so and
 *   that `--dir` reads a directory instead; it never falls back to the current directory (which,
 *   at the root of this repository, would load the test fixtures too).
 */
import type { Command } from 'commander';
import {
  type BusinessCalendar,
  businessDateOf,
  addDays,
  dayNumberFromParts,
  daysInMonth,
  dayNumberOf,
  holidayName,
  operatingDayTest,
  weekdayIndexOf,
  weekdays,
} from '../../../workflows/lib/business-calendar.js';
import type { CompiledJobnet } from '../../../workflows/lib/compiled-jobnet.js';
import { triggerKind, type CompiledSchedule } from '../../../workflows/lib/compiled-schedule.js';
import { collectStartDays } from '../../../workflows/lib/start-days.js';
import { nextStarts, type PlannedStart, type StartTrigger } from '../../../workflows/lib/start-times.js';
import { compileJobnet } from '../../compile/compile-jobnet.js';
import { describeCalendar, weekdayDate } from '../../reconcile/plan-report.js';
import { addTemporalOptions, describeTemporalTarget, type TemporalFlags } from '../../temporal/temporal-target.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { loadValidDefinitions } from '../load-definitions.js';
import { temporalTargetForCommand, userErrorOf, withTemporalClient } from '../temporal-commands.js';
import {
  addTimeOptions,
  formatWallClock,
  parseInstantOption,
  zoneChoiceOf,
  zoneLabel,
  zoneOf,
  type TimeFlags,
} from '../times.js';
import { printable } from '../terminal-text.js';
import { parseJobnetReference } from './start-command.js';

interface SourceFlags extends TemporalFlags {
  dir?: string;
}

interface DaysFlags extends SourceFlags {
  year?: string;
  json?: boolean;
}

interface NextFlags extends SourceFlags, TimeFlags {
  count: string;
  from?: string;
  json?: boolean;
}

const dirHelp =
  'read the jobnet from this definitions directory (default: the definition applied in the running system)';

/** Registers `jobnet days` and `jobnet next`. */
export function registerCalendarCommands(program: Command): void {
  const days = program
    .command('days')
    .description("print a jobnet's start days of a year: a 12-month grid and the list of dates")
    .argument('<project/jobnet>', 'the jobnet, e.g. sales/month-end-close')
    .option('--dir <dir>', dirHelp)
    .option('--year <year>', "the year (default: the current year in the calendar's time zone)")
    .option('--json', 'print JSON: {jobnet, year, calendar, timezone, source, startDays}');
  addTemporalOptions(days).action(async (reference: string, opts: DaysFlags) => {
    const { project, jobnet: name } = parseJobnetReference(reference);
    const year = opts.year === undefined ? undefined : parseWholeNumber('--year', opts.year, 1, 9999);
    const { jobnet, schedule, calendar, source } = await loadSchedule(project, name, opts);
    const shownYear = year ?? Number(businessDateOf(calendar, Date.now()).slice(0, 4));
    warnBeyondHolidays(calendar, [shownYear]);
    const startDays = startDaysOf(schedule, calendar, `${pad(shownYear, 4)}-01-01`, `${pad(shownYear, 4)}-12-31`);
    const id = `${project}/${jobnet.name}`;
    if (opts.json) {
      process.stdout.write(
        JSON.stringify(
          { jobnet: id, year: shownYear, calendar: calendar.name, timezone: calendar.timezone, source, startDays },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    process.stdout.write(renderStartDays(id, shownYear, calendar, source, startDays));
  });

  const next = program
    .command('next')
    .description("list a jobnet's next planned starts: business date, time in the calendar's zone (or --tz) and UTC")
    .argument('<project/jobnet>', 'the jobnet, e.g. infra/servers-start')
    .option('--dir <dir>', dirHelp)
    .option('--count <n>', 'how many starts', '10')
    .option('--from <instant>', 'list starts after this ISO 8601 instant with Z or offset (default: now)')
    .option('--json', 'print JSON: {jobnet, calendar, timezone, source, from, trigger, starts}');
  addTemporalOptions(addTimeOptions(next)).action(async (reference: string, opts: NextFlags) => {
    const { project, jobnet: name } = parseJobnetReference(reference);
    const count = parseWholeNumber('--count', opts.count, 1, 10_000);
    const from = opts.from === undefined ? Date.now() : parseInstantOption('--from', opts.from);
    const choice = zoneChoiceOf(opts);
    const { jobnet, schedule, calendar, source } = await loadSchedule(project, name, opts);
    const id = `${project}/${jobnet.name}`;
    const trigger = triggerKind(schedule.start);
    const { at, every } = schedule.start;
    const timeTrigger: StartTrigger | undefined =
      at !== undefined ? { at } : every !== undefined ? { every } : undefined;
    const starts = timeTrigger === undefined ? [] : plannedStarts(schedule, calendar, timeTrigger, from, count);
    warnBeyondHolidays(calendar, [...new Set(starts.map((entry) => Number(entry.businessDate.slice(0, 4))))]);
    const fromText = new Date(from).toISOString();
    if (opts.json) {
      const entries = starts.map((entry) => ({
        businessDate: entry.businessDate,
        localTime: formatWallClock(Date.parse(entry.instant), calendar.timezone),
        instant: entry.instant,
        kind: entry.kind,
      }));
      process.stdout.write(
        JSON.stringify(
          {
            jobnet: id,
            calendar: calendar.name,
            timezone: calendar.timezone,
            source,
            from: fromText,
            trigger,
            starts: entries,
          },
          null,
          2,
        ) + '\n',
      );
      return;
    }
    process.stdout.write(
      renderNextStarts(
        id,
        schedule,
        calendar,
        source,
        trigger,
        starts,
        count,
        fromText,
        zoneOf(choice, calendar.timezone),
      ),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Loading.

/** Where a schedule was read: a directory, or the running system (`--json`'s `source`). */
type ScheduleSource =
  { directory: string } | { applied: { address: string; namespace: string; taskQueue: string; revision: string } };

/** A jobnet's compiled schedule and calendar, and where they were read. */
interface LoadedSchedule {
  jobnet: CompiledJobnet;
  schedule: CompiledSchedule;
  calendar: BusinessCalendar;
  source: ScheduleSource;
}

/** The header line saying where the definition was read. */
function sourceLine(source: ScheduleSource): string {
  if ('directory' in source) return `definition from ${source.directory}`;
  const { address, namespace, taskQueue, revision } = source.applied;
  return `definition applied on ${address} (namespace ${namespace}, task queue ${taskQueue}), revision ${revision}`;
}

/**
 * The compiled schedule and calendar of `project/name`: from `--dir`, else from the running system.
 * @throws UsageError for a directory that is not one or a bad Temporal target; CommandFailure when
 *   the definitions have errors (printed first), the jobnet does not exist or cannot be compiled,
 *   or — without `--dir` — no system answers or the jobnet is not applied in it.
 */
async function loadSchedule(project: string, name: string, flags: SourceFlags): Promise<LoadedSchedule> {
  const jobnet =
    flags.dir !== undefined
      ? await compileFromDirectory(flags.dir, project, name)
      : await appliedDefinition(project, name, flags);
  const calendar = jobnet.value.calendar;
  const schedule = jobnet.value.schedule;
  if (calendar === undefined || schedule === undefined)
    throw new CommandFailure(`${project}/${name} (${sourceLine(jobnet.source)}) has no compiled schedule or calendar`);
  return { jobnet: jobnet.value, schedule, calendar, source: jobnet.source };
}

/** Validates `dir`, then compiles the jobnet (which resolves its calendar: jobnet, project, Settings, SYSTEM_CALENDAR). */
async function compileFromDirectory(
  dir: string,
  project: string,
  name: string,
): Promise<{ value: CompiledJobnet; source: ScheduleSource }> {
  const repository = await loadValidDefinitions(
    dir,
    `the definitions in ${dir} have errors; fix them first (jobnet validate ${dir})`,
  );
  const compiled = compileJobnet(repository, project, name);
  if (!compiled.ok) throw new CommandFailure(compiled.message);
  return { value: compiled.jobnet, source: { directory: dir } };
}

/** How long `days` and `next` wait for a Temporal server to answer before saying to pass `--dir`. */
const connectTimeoutMs = 3000;

/** The definition the actor of `project/name` holds in the running system. */
async function appliedDefinition(
  project: string,
  name: string,
  flags: TemporalFlags,
): Promise<{ value: CompiledJobnet; source: ScheduleSource }> {
  const target = temporalTargetForCommand(flags);
  const where = describeTemporalTarget(target);
  const pass = 'pass --dir DIR to read the definitions from a directory instead (e.g. --dir examples)';
  const { getAppliedDefinition } = await import('../../jobnets/applied-definition.js');
  try {
    // A short wait: without a running system the answer is "pass --dir", and it should come soon.
    const value = await withTemporalClient(
      target,
      ({ client }) => getAppliedDefinition(client, target.taskQueue, project, name),
      undefined,
      { connectTimeoutMs },
    );
    return {
      value,
      source: {
        applied: {
          address: target.address,
          namespace: target.namespace,
          taskQueue: target.taskQueue,
          revision: value.revision,
        },
      },
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
      throw new CommandFailure(`jobnet ${project}/${name} is not applied on ${where}; ${pass}`);
    }
    const failure = userErrorOf(error);
    if (failure instanceof CommandFailure || (failure instanceof Error && failure.name === 'AppliedDefinitionError')) {
      throw new CommandFailure(
        `cannot read the definition of ${project}/${name} applied on ${where}: ${failure.message}; ${pass}`,
      );
    }
    throw failure;
  }
}

/** Start days from `from` to `to` of the compiled schedule; problems of the computation are printed as warnings. */
function startDaysOf(schedule: CompiledSchedule, calendar: BusinessCalendar, from: string, to: string): string[] {
  const options = schedule.dayPatternName === undefined ? {} : { dayPatternName: schedule.dayPatternName };
  const { days, problems } = collectStartDays(schedule.days, calendar, { from, to }, schedule.dayPatterns, options);
  for (const problem of problems) process.stderr.write(`jobnet: warning: ${problem.message}\n`);
  return days;
}

/**
 * Warns when a year shown lies outside the years the calendar lists holidays for: its dates there
 * know the weekly holidays only, so national holidays are missing from the grid and the list.
 */
function warnBeyondHolidays(calendar: BusinessCalendar, years: readonly number[]): void {
  const holidayYears = calendar.versions.flatMap((version) => version.holidays.map((date) => Number(date.slice(0, 4))));
  if (holidayYears.length === 0) return;
  const first = Math.min(...holidayYears);
  const last = Math.max(...holidayYears);
  const outside = [...years].filter((year) => year < first || year > last).sort((a, b) => a - b);
  if (outside.length === 0) return;
  const span = first === last ? `${first}` : `${first} to ${last}`;
  process.stderr.write(
    `jobnet: warning: calendar ${calendar.name} lists holidays for ${span} only; in ${outside.join(', ')} it knows no holidays but its weekly ones, so start days may fall on holidays (add that year's holidays to the calendar)\n`,
  );
}

/** How far ahead `jobnet next` looks for starts before saying there are fewer than asked for. */
const maxLookaheadDays = 50 * 366;

/**
 * The next `count` starts after `from`: start days over a window that grows until it holds
 * enough starts (or reaches {@link maxLookaheadDays}), then `nextStarts` — the function the
 * workflows schedule with.
 */
function plannedStarts(
  schedule: CompiledSchedule,
  calendar: BusinessCalendar,
  start: StartTrigger,
  from: number,
  count: number,
): PlannedStart[] {
  const firstDate = addDays(businessDateOf(calendar, from), -1);
  for (let span = 400; ; span = Math.min(span * 4, maxLookaheadDays)) {
    const days = startDaysOf(schedule, calendar, firstDate, addDays(firstDate, span));
    const starts = nextStarts(start, days, calendar, from, count);
    if (starts.length >= count || span >= maxLookaheadDays) return starts;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering.

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const cellWidth = 3; // two digits and a mark
const monthWidth = 7 * cellWidth + 6;
const monthGap = '    ';

const marks = { start: '*', closed: '-', startOnClosed: '!' } as const;

/** The `jobnet days` text: header, 12-month grid (rows of three), legend, list and count. */
function renderStartDays(
  id: string,
  year: number,
  calendar: BusinessCalendar,
  source: ScheduleSource,
  startDays: readonly string[],
): string {
  const isOperating = operatingDayTest(calendar);
  const starts = new Set(startDays.map(dayNumberOf));
  const lines: string[] = [
    `${id} — start days in ${year}`,
    `calendar ${describeCalendar(calendar)}`,
    printable(sourceLine(source)),
    '',
  ];

  for (let firstMonth = 1; firstMonth <= 12; firstMonth += 3) {
    const blocks = [firstMonth, firstMonth + 1, firstMonth + 2].map((month) =>
      monthBlock(year, month, starts, isOperating),
    );
    const height = Math.max(...blocks.map((block) => block.length));
    for (let row = 0; row < height; row++) {
      lines.push(
        blocks
          .map((block) => (block[row] ?? '').padEnd(monthWidth))
          .join(monthGap)
          .trimEnd(),
      );
    }
    lines.push('');
  }
  lines.push(
    `${marks.start} start day   ${marks.closed} holiday (not an operating day)   ${marks.startOnClosed} start day on a holiday (holidayShift: none)`,
    '',
  );

  for (const date of startDays) {
    const name = isOperating(dayNumberOf(date)) ? undefined : (holidayName(calendar, date) ?? 'holiday');
    lines.push(`${weekdayDate(date)}${name === undefined ? '' : `  (${name})`}`);
  }
  lines.push(`${startDays.length} start ${startDays.length === 1 ? 'day' : 'days'} in ${year}`);
  return lines.join('\n') + '\n';
}

/** One month: title, weekday header (Monday first) and up to six week rows. */
function monthBlock(
  year: number,
  month: number,
  starts: ReadonlySet<number>,
  isOperating: (day: number) => boolean,
): string[] {
  const title = `${monthNames[month - 1]} ${year}`;
  const left = Math.floor((monthWidth - title.length) / 2);
  const block = [
    ' '.repeat(left) + title,
    weekdays.map((day) => (day[0] as string).toUpperCase() + day[1]).join(' '.repeat(cellWidth - 1)),
  ];
  const first = dayNumberFromParts(year, month, 1);
  const cells: string[] = Array.from({ length: weekdayIndexOf(first) }, () => ' '.repeat(cellWidth));
  for (let day = first; day < first + daysInMonth(year, month); day++) {
    const mark = starts.has(day)
      ? isOperating(day)
        ? marks.start
        : marks.startOnClosed
      : isOperating(day)
        ? ' '
        : marks.closed;
    cells.push(String(day - first + 1).padStart(cellWidth - 1) + mark);
  }
  for (let week = 0; week * 7 < cells.length; week++) block.push(cells.slice(week * 7, week * 7 + 7).join(' '));
  return block;
}

/** The `jobnet next` text: a table of starts (times in `zone` and UTC), or why there are none. */
function renderNextStarts(
  id: string,
  schedule: CompiledSchedule,
  calendar: BusinessCalendar,
  source: ScheduleSource,
  trigger: string,
  starts: readonly PlannedStart[],
  count: number,
  from: string,
  zone: string,
): string {
  const lines = [`${id} — calendar ${describeCalendar(calendar)}`, printable(sourceLine(source))];
  if (!schedule.enabled) lines.push('note: the jobnet is disabled (enabled: false): its starts are skipped');
  if (trigger === 'events') {
    const names = schedule.start.events?.names ?? [];
    lines.push(
      `starts on message events (${names.join(', ')}), not at planned times; see jobnet days for its start days`,
    );
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
  const utcOnly = zoneLabel(zone) === 'UTC';
  const header = utcOnly ? ['BUSINESS DATE', 'UTC'] : ['BUSINESS DATE', `TIME (${zoneLabel(zone)})`, 'UTC'];
  const rows = starts.map((entry) => {
    const utc = entry.instant.replace(/\.000Z$/, 'Z');
    return utcOnly
      ? [weekdayDate(entry.businessDate), utc]
      : [weekdayDate(entry.businessDate), formatWallClock(Date.parse(entry.instant), zone), utc];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  for (const row of [header, ...rows])
    lines.push(
      row
        .map((cell, column) => cell.padEnd(widths[column] as number))
        .join('  ')
        .trimEnd(),
    );
  if (starts.length < count)
    lines.push(
      `only ${starts.length} of ${count} starts planned in the next ${Math.floor(maxLookaheadDays / 366)} years`,
    );
  return lines.join('\n') + '\n';
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
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}
