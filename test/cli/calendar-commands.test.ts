/**
 * `jobnet days` (R-DAYS-4) and `jobnet next` (R-SCH-4) as users run them: the real bin against the
 * bundled examples, whose calendar `jp-business` (Asia/Tokyo, day change 05:00, weekends, national
 * holidays, the 12-31..01-03 break, working Saturdays) gives known dates to check.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../controller/temporal/dev-server.js';
import { runJobnet, type CliResult } from './cli-process.js';

async function jobnet(...args: string[]): Promise<CliResult> {
  return await runJobnet(args);
}

interface DaysJson {
  jobnet: string;
  year: number;
  calendar: string;
  timezone: string;
  startDays: string[];
}

interface NextJson {
  jobnet: string;
  trigger: string;
  starts: { businessDate: string; localTime: string; instant: string; kind: string }[];
}

describe('jobnet days', () => {
  it('prints a 12-month grid marking start days and holidays, then the list and the count', async () => {
    const { code, stdout } = await jobnet('days', 'infra/servers-start', '--dir', 'examples', '--year', '2027');
    expect(code).toBe(0);
    expect(stdout).toContain('calendar jp-business (Asia/Tokyo, day change 05:00)');
    // Months in rows of three, Monday first.
    expect(stdout).toMatch(/^ +January 2027 +February 2027 +March 2027$/m);
    expect(stdout).toMatch(/^Mo {2}Tu {2}We {2}Th {2}Fr {2}Sa {2}Su {5}Mo /m);
    // January 2027 starts on a Friday: 1 (元日), 2, 3 (New-Year break) are holidays; Monday 4 is the first start day.
    expect(stdout).toMatch(/^ {16} 1- {2}2- {2}3- /m);
    expect(stdout).toMatch(/^ 4\* {2}5\* {2}6\* {2}7\* {2}8\* {2}9- 10- /m);
    expect(stdout).toMatch(/^\* start day {3}- holiday/m);
    expect(stdout).toContain('\n2027-01-04 Mon\n');
    expect(stdout).not.toContain('2027-01-01 Fri');
    // A working Saturday of the calendar is a start day.
    expect(stdout).toContain('\n2027-03-27 Sat\n');
    expect(stdout).toMatch(/\n245 start days in 2027\n$/);
  });

  it('gives the last operating day of each month for the month-end DayPattern, before the year-end break', async () => {
    const { code, stdout } = await jobnet(
      'days',
      'sales/month-end-close',
      '--dir',
      'examples',
      '--year',
      '2027',
      '--json',
    );
    expect(code).toBe(0);
    const days = JSON.parse(stdout) as DaysJson;
    expect(days).toMatchObject({
      jobnet: 'sales/month-end-close',
      year: 2027,
      calendar: 'jp-business',
      timezone: 'Asia/Tokyo',
    });
    expect(days.startDays).toEqual([
      '2027-01-29', // 01-30/31 weekend
      '2027-02-26',
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
      '2027-06-30',
      '2027-07-30',
      '2027-08-31',
      '2027-09-30',
      '2027-10-29',
      '2027-11-30',
      '2027-12-30', // 12-31 is 年末休業
    ]);
  });

  it('does not list national holidays as start days of a weekday jobnet', async () => {
    const { stdout } = await jobnet('days', 'infra/servers-start', '--dir', 'examples', '--year', '2026', '--json');
    const { startDays } = JSON.parse(stdout) as DaysJson;
    for (const holiday of [
      '2026-01-01',
      '2026-01-12',
      '2026-05-04',
      '2026-05-05',
      '2026-05-06',
      '2026-09-21',
      '2026-09-22',
      '2026-09-23',
      '2026-12-31',
    ]) {
      expect(startDays).not.toContain(holiday);
    }
    expect(startDays).toContain('2026-05-07');
    expect(startDays).toContain('2026-03-28'); // working Saturday
  });

  it('shifts a DayPattern day off a holiday (first Monday of May 2027 is 憲法記念日)', async () => {
    const { stdout } = await jobnet(
      'days',
      'infra/monthly-maintenance',
      '--dir',
      'examples',
      '--year',
      '2027',
      '--json',
    );
    const { startDays } = JSON.parse(stdout) as DaysJson;
    expect(startDays).toContain('2027-05-06');
    expect(startDays).not.toContain('2027-05-03');
    expect(startDays).not.toContain('2027-01-04'); // excepted: first working day after the New-Year break
  });

  it('refuses invalid definitions with their diagnostics (exit 1) and unknown jobnets by name', async () => {
    const invalid = await jobnet('days', 'any/jobnet', '--dir', 'test/fixtures/combined/six-mistakes');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('error[CRED-LITERAL-SECRET]');
    expect(invalid.stderr).toMatch(/have errors/);

    const unknown = await jobnet('days', 'sales/no-such-jobnet', '--dir', 'examples');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown jobnet "sales\/no-such-jobnet".*month-end-close/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await jobnet('days', 'infra/servers-start', '--dir', 'examples', '--year', '27x')).code).toBe(2);
    expect((await jobnet('days', 'servers-start', '--dir', 'examples')).code).toBe(2);
    expect((await jobnet('days', 'infra/servers-start', '--dir', 'no/such/dir')).code).toBe(2);
  });
});

describe('jobnet next', () => {
  it('lists the next starts across the year-end break with business date, local and UTC time', async () => {
    const { code, stdout } = await jobnet(
      'next',
      'infra/servers-start',
      '--dir',
      'examples',
      '--count',
      '3',
      '--from',
      '2026-12-30T00:00:00Z',
    );
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\d{4}-/.test(line));
    expect(rows).toEqual([
      '2027-01-04 Mon  2027-01-04 Mon 06:30  2027-01-03T21:30:00Z',
      '2027-01-05 Tue  2027-01-05 Tue 06:30  2027-01-04T21:30:00Z',
      '2027-01-06 Wed  2027-01-06 Wed 06:30  2027-01-05T21:30:00Z',
    ]);
    expect(stdout).toMatch(/^BUSINESS DATE +TIME \(Asia\/Tokyo\) +UTC$/m);
    expect(stdout).toMatch(/^definition from examples$/m);
  });

  it('gives --count interval starts after --from, increasing, at the expected local times', async () => {
    const { code, stdout } = await jobnet(
      'next',
      'infra/health-check',
      '--dir',
      'examples',
      '--count',
      '3',
      '--from',
      '2026-11-02T00:00:00Z',
      '--json',
    );
    expect(code).toBe(0);
    const next = JSON.parse(stdout) as NextJson;
    expect(next.trigger).toBe('every');
    expect(next.starts.map((start) => start.localTime)).toEqual([
      '2026-11-02 Mon 09:30',
      '2026-11-02 Mon 10:00',
      '2026-11-02 Mon 10:30',
    ]);
    const instants = next.starts.map((start) => Date.parse(start.instant));
    expect(instants).toHaveLength(3);
    expect(instants[0]).toBeGreaterThan(Date.parse('2026-11-02T00:00:00Z'));
    expect(instants[1]! - instants[0]!).toBe(30 * 60_000);
    expect(instants[2]! - instants[1]!).toBe(30 * 60_000);
  });

  it('starts on the last operating day of the month only', async () => {
    const { stdout } = await jobnet(
      'next',
      'sales/month-end-close',
      '--dir',
      'examples',
      '--count',
      '2',
      '--from',
      '2026-12-01T00:00:00Z',
      '--json',
    );
    const next = JSON.parse(stdout) as NextJson;
    expect(next.starts.map((start) => [start.businessDate, start.instant])).toEqual([
      ['2026-12-30', '2026-12-30T12:00:00.000Z'],
      ['2027-01-29', '2027-01-29T12:00:00.000Z'],
    ]);
  });

  it('says so for a jobnet started by message events', async () => {
    const { code, stdout } = await jobnet('next', 'sales/order-file-intake', '--dir', 'examples');
    expect(code).toBe(0);
    expect(stdout).toMatch(/starts on message events \(ORDER_FILE\), not at planned times/);
    const json = JSON.parse(
      (await jobnet('next', 'sales/order-file-intake', '--dir', 'examples', '--json')).stdout,
    ) as NextJson;
    expect(json).toMatchObject({ trigger: 'events', starts: [] });
  });

  it('exits 2 on a bad --count or --from', async () => {
    expect((await jobnet('next', 'infra/health-check', '--dir', 'examples', '--count', '0')).code).toBe(2);
    expect((await jobnet('next', 'infra/health-check', '--dir', 'examples', '--from', '2026-11-02 09:00')).code).toBe(
      2,
    );
  });
});

describe('dates and zones', () => {
  it('refuses an impossible date or time instead of rolling it over (exit 2)', async () => {
    const february = await jobnet('next', 'infra/servers-start', '--dir', 'examples', '--from', '2026-02-30T00:00:00Z');
    expect(february.code).toBe(2);
    expect(february.stderr).toBe(
      'jobnet: --from "2026-02-30T00:00:00Z" is not a real instant: February 2026 has 28 days\n',
    );
    expect(
      (await jobnet('next', 'infra/servers-start', '--dir', 'examples', '--from', '2026-04-31T00:00:00+09:00')).stderr,
    ).toContain('April 2026 has 30 days');
    expect(
      (await jobnet('next', 'infra/servers-start', '--dir', 'examples', '--from', '2026-03-01T25:00:00Z')).stderr,
    ).toContain('there is no hour 25');
    expect((await jobnet('plan', '--base', 'HEAD', '--now', '2027-13-01T00:00:00Z', 'examples')).code).toBe(2);
  });

  it("shows start times in the calendar's zone by default, in another with --tz, and only UTC with --utc", async () => {
    const berlin = await jobnet(
      'next',
      'infra/servers-start',
      '--dir',
      'examples',
      '--count',
      '1',
      '--from',
      '2026-12-30T00:00:00Z',
      '--tz',
      'Europe/Berlin',
    );
    expect(berlin.stdout).toMatch(/^BUSINESS DATE +TIME \(Europe\/Berlin\) +UTC$/m);
    expect(berlin.stdout).toContain('2027-01-04 Mon  2027-01-03 Sun 22:30  2027-01-03T21:30:00Z');
    const utc = await jobnet(
      'next',
      'infra/servers-start',
      '--dir',
      'examples',
      '--count',
      '1',
      '--from',
      '2026-12-30T00:00:00Z',
      '--utc',
    );
    expect(utc.stdout).toMatch(/^BUSINESS DATE +UTC\n2027-01-04 Mon +2027-01-03T21:30:00Z$/m);
    const unknown = await jobnet('next', 'infra/servers-start', '--dir', 'examples', '--tz', 'Asia/Atlantis');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--tz must be an IANA time zone');
  });

  it('warns when the year shown lies beyond the holidays the calendar lists', async () => {
    const beyond = await jobnet('days', 'infra/servers-start', '--dir', 'examples', '--year', '2030');
    expect(beyond.code).toBe(0);
    expect(beyond.stderr).toMatch(
      /warning: calendar jp-business lists holidays for 2026 to \d{4} only; in 2030 it knows no holidays but its weekly ones/,
    );
    expect((await jobnet('days', 'infra/servers-start', '--dir', 'examples', '--year', '2027')).stderr).not.toContain(
      'warning',
    );
  });
});

describe('where days and next read from', () => {
  it('without --dir and without a running system, say to pass --dir (exit 1), and never read the current directory', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    for (const command of ['days', 'next']) {
      const result = await jobnet(command, 'infra/servers-start', '--address', address);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot read the definition of infra/servers-start applied on ${address}`);
      expect(result.stderr).toContain(
        'pass --dir DIR to read the definitions from a directory instead (e.g. --dir examples)',
      );
      expect(result.stderr).not.toContain('error[');
    }
  });
});
