import { describe, expect, it } from 'vitest';
import { operatingDaysOfMonth, resolveCalendar, type BusinessCalendar } from '../../workflows/lib/business-calendar.js';
import {
  collectStartDays,
  computeStartDays,
  isStartDay,
  type DateWindow,
  type DayPatternLookup,
  type DayRules,
} from '../../workflows/lib/start-days.js';

/** A Japanese office calendar for 2026–27 (Asia/Tokyo): weekends, national holidays, year-end break. */
const office = resolveCalendar(
  'office',
  [
    {
      timezone: 'Asia/Tokyo',
      dayChangeTime: '05:00',
      weeklyHolidays: ['sat', 'sun'],
      holidays: [
        { date: '2026-01-01', name: '元日' },
        { date: '2026-01-12', name: '成人の日' },
        { date: '2026-02-11', name: '建国記念の日' },
        { date: '2026-02-23', name: '天皇誕生日' },
        { date: '2026-03-20', name: '春分の日' },
        { date: '2026-04-29', name: '昭和の日' },
        { date: '2026-05-04', name: 'みどりの日' },
        { date: '2026-05-05', name: 'こどもの日' },
        { date: '2026-05-06', name: '振替休日' },
        { date: '2026-07-20', name: '海の日' },
        { date: '2026-08-11', name: '山の日' },
        { date: '2026-09-21', name: '敬老の日' },
        { date: '2026-09-22', name: '国民の休日' },
        { date: '2026-09-23', name: '秋分の日' },
        { date: '2026-10-12', name: 'スポーツの日' },
        { date: '2026-11-03', name: '文化の日' },
        { date: '2026-11-23', name: '勤労感謝の日' },
        '2026-12-29',
        '2026-12-30',
        '2026-12-31',
        { date: '2027-01-01', name: '元日' },
        { date: '2027-01-11', name: '成人の日' },
      ],
    },
  ],
  'UTC',
);

const year2026: DateWindow = { from: '2026-01-01', to: '2026-12-31' };
const january2027: DateWindow = { from: '2027-01-01', to: '2027-01-31' };
const yearEnd: DateWindow = { from: '2026-12-01', to: '2027-01-31' };

const dayPatterns: Record<string, DayRules> = {
  'month-end': { monthDays: ['last'] },
  'childrens-day-moved': { dates: ['2026-05-05'], holidayShift: 'after' },
  'loop-a': { everyDay: true, except: { dayPattern: 'loop-b' } },
  'loop-b': { weekdays: ['sat', 'sun'], except: { dayPattern: 'loop-a' } },
};

type Case = [name: string, rules: DayRules, window: DateWindow, expected: string[]];

function expectCases(cases: Case[], calendar: BusinessCalendar = office): void {
  it.each(cases)('%s', (_name, rules, window, expected) => {
    expect(computeStartDays(rules, calendar, window, dayPatterns)).toEqual(expected);
  });
}

describe('rules select days as a union (R-DAYS-1)', () => {
  expectCases([
    [
      'weekdays: every Monday, holidays included when there is no shift',
      { weekdays: ['mon'] },
      january2027,
      ['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25'],
    ],
    [
      'weekdays nth: the 2nd Tuesday of each month',
      { weekdays: [{ day: 'tue', nth: 2 }], months: [1, 2, 3] },
      year2026,
      ['2026-01-13', '2026-02-10', '2026-03-10'],
    ],
    [
      'weekdays nth last: the last Friday of each month',
      { weekdays: [{ day: 'fri', nth: 'last' }], months: [1, 2, 3] },
      year2026,
      ['2026-01-30', '2026-02-27', '2026-03-27'],
    ],
    [
      'weekdays nth 5: only months with a 5th Thursday',
      { weekdays: [{ day: 'thu', nth: 5 }], months: [1, 2, 3, 4] },
      year2026,
      ['2026-01-29', '2026-04-30'],
    ],
    [
      'weekdays plain and nth combine',
      { weekdays: ['sun', { day: 'mon', nth: 1 }] },
      january2027,
      ['2027-01-03', '2027-01-04', '2027-01-10', '2027-01-17', '2027-01-24', '2027-01-31'],
    ],
    [
      'monthDays: 31 only in months that have it, last in every month',
      { monthDays: [31, 'last'], months: [1, 2, 3, 4] },
      year2026,
      ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30'],
    ],
    [
      'monthDays: first and fifteenth',
      { monthDays: [1, 15] },
      { from: '2026-01-01', to: '2026-02-28' },
      ['2026-01-01', '2026-01-15', '2026-02-01', '2026-02-15'],
    ],
    [
      'businessDays 1, 3, -1, -2 around the year-end break',
      { businessDays: [1, 3, -1, -2] },
      yearEnd,
      ['2026-12-01', '2026-12-03', '2026-12-25', '2026-12-28', '2027-01-04', '2027-01-06', '2027-01-28', '2027-01-29'],
    ],
    [
      'businessDays skip Golden Week holidays',
      { businessDays: [1, 3, -1, -2] },
      { from: '2026-04-01', to: '2026-05-31' },
      ['2026-04-01', '2026-04-03', '2026-04-28', '2026-04-30', '2026-05-01', '2026-05-08', '2026-05-28', '2026-05-29'],
    ],
    ['businessDays beyond the month’s operating days select nothing', { businessDays: [25, -25] }, january2027, []],
    [
      'dates: explicit dates in the window',
      { dates: ['2027-01-07', '2026-12-24', '2027-02-01'] },
      january2027,
      ['2027-01-07'],
    ],
    [
      'everyDay selects every date',
      { everyDay: true },
      { from: '2026-02-26', to: '2026-03-02' },
      ['2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'],
    ],
    [
      'rules combine as a union without duplicates',
      { weekdays: ['fri'], monthDays: ['last'], dates: ['2027-01-29'] },
      january2027,
      ['2027-01-01', '2027-01-08', '2027-01-15', '2027-01-22', '2027-01-29', '2027-01-31'],
    ],
    ['no rule selects nothing', { holidayShift: 'after' }, year2026, []],
    ['an empty window selects nothing', { everyDay: true }, { from: '2026-02-01', to: '2026-01-31' }, []],
  ]);
});

describe('each day rule at the edges of months and years (R-DAYS-1)', () => {
  const year2028: DateWindow = { from: '2028-01-01', to: '2028-12-31' };
  expectCases([
    [
      'weekdays across a month edge: the weekend of 01-31 and 02-01',
      { weekdays: ['sat', 'sun'] },
      { from: '2026-01-30', to: '2026-02-02' },
      ['2026-01-31', '2026-02-01'],
    ],
    [
      'weekdays nth 1 on the first day of the month',
      { weekdays: [{ day: 'thu', nth: 1 }], months: [1] },
      year2026,
      ['2026-01-01'],
    ],
    [
      'weekdays nth last on the last day of the month',
      { weekdays: [{ day: 'sat', nth: 'last' }], months: [1, 2] },
      year2026,
      ['2026-01-31', '2026-02-28'],
    ],
    [
      'weekdays nth 4 in a 28-day February that starts on a Sunday is its last day',
      {
        weekdays: [
          { day: 'sat', nth: 4 },
          { day: 'sat', nth: 5 },
        ],
        months: [2],
      },
      year2026,
      ['2026-02-28'],
    ],
    [
      'weekdays nth 5 in a leap February exists only for its first weekday',
      {
        weekdays: [
          { day: 'tue', nth: 5 },
          { day: 'wed', nth: 5 },
        ],
        months: [2],
      },
      year2028,
      ['2028-02-29'],
    ],
    [
      'weekdays nth 1 in December and January across the year edge',
      { weekdays: [{ day: 'mon', nth: 1 }], months: [12, 1] },
      { from: '2026-11-01', to: '2027-02-28' },
      ['2026-12-07', '2027-01-04'],
    ],
    [
      'monthDays 31 over a year: only the seven long months',
      { monthDays: [31] },
      year2026,
      ['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31', '2026-10-31', '2026-12-31'],
    ],
    [
      'monthDays 29, 30, 31 in a non-leap February select nothing',
      { monthDays: [29, 30, 31], months: [2] },
      year2026,
      [],
    ],
    [
      'monthDays 29, 30, 31 in a leap February select the leap day',
      { monthDays: [29, 30, 31], months: [2] },
      year2028,
      ['2028-02-29'],
    ],
    [
      'monthDays last in a leap February is the leap day',
      { monthDays: ['last'], months: [2] },
      year2028,
      ['2028-02-29'],
    ],
    [
      'monthDays last and 1 across the year edge',
      { monthDays: ['last', 1] },
      { from: '2026-12-31', to: '2027-01-01' },
      ['2026-12-31', '2027-01-01'],
    ],
    [
      'businessDays 1, 2, -1, -2 after a New Year holiday',
      { businessDays: [1, 2, -1, -2] },
      { from: '2026-01-01', to: '2026-01-31' },
      ['2026-01-02', '2026-01-05', '2026-01-29', '2026-01-30'],
    ],
    [
      'businessDays 1, 2, -1, -2 in a February with two holidays',
      { businessDays: [1, 2, -1, -2] },
      { from: '2026-02-01', to: '2026-02-28' },
      ['2026-02-02', '2026-02-03', '2026-02-26', '2026-02-27'],
    ],
    [
      'businessDays 1 and -19 are the same day of January 2027 and start once',
      { businessDays: [1, -19] },
      january2027,
      ['2027-01-04'],
    ],
    ['dates listed twice start once', { dates: ['2027-01-07', '2027-01-07'] }, january2027, ['2027-01-07']],
    [
      'dates across the year edge, restricted by months',
      { dates: ['2026-12-24', '2027-01-07'], months: [12] },
      yearEnd,
      ['2026-12-24'],
    ],
    [
      'everyDay across the end of a leap February',
      { everyDay: true },
      { from: '2028-02-27', to: '2028-03-01' },
      ['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01'],
    ],
    [
      'everyDay across the year edge',
      { everyDay: true },
      { from: '2026-12-30', to: '2027-01-02' },
      ['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'],
    ],
  ]);
});

describe('months restricts the other rules (R-DAYS-1)', () => {
  expectCases([
    [
      'monthDays, dates and everyDay only in the listed months',
      { monthDays: [1], dates: ['2026-03-15', '2026-05-15'], months: [3, 4] },
      year2026,
      ['2026-03-01', '2026-03-15', '2026-04-01'],
    ],
    [
      'everyDay in February only',
      { everyDay: true, months: [2] },
      { from: '2026-01-30', to: '2026-03-02' },
      Array.from({ length: 28 }, (_, index) => `2026-02-${String(index + 1).padStart(2, '0')}`),
    ],
    [
      'businessDays in the listed months only',
      { businessDays: [-1], months: [6, 12] },
      year2026,
      ['2026-06-30', '2026-12-28'],
    ],
  ]);
});

describe('except removes days (R-DAYS-2)', () => {
  expectCases([
    [
      'by dates',
      { weekdays: ['mon'], except: { dates: ['2027-01-11'] } },
      january2027,
      ['2027-01-04', '2027-01-18', '2027-01-25'],
    ],
    [
      'by DayPattern',
      { monthDays: [30, 31], months: [1, 2, 3, 4], except: { dayPattern: 'month-end' } },
      year2026,
      ['2026-01-30', '2026-03-30'],
    ],
    [
      'by the computed start days of a DayPattern, its own shift included',
      { weekdays: ['thu'], months: [5], except: { dayPattern: 'childrens-day-moved' } },
      year2026,
      ['2026-05-14', '2026-05-21', '2026-05-28'],
    ],
    [
      'by dates and DayPattern together',
      { monthDays: [30, 31], months: [1], except: { dates: ['2026-01-30'], dayPattern: 'month-end' } },
      year2026,
      [],
    ],
    [
      'before the shift: an excepted holiday is not shifted',
      { dates: ['2026-12-31'], holidayShift: 'after', except: { dates: ['2026-12-31'] } },
      yearEnd,
      [],
    ],
    [
      'before the shift: a holiday shifted onto an excepted date still starts there',
      { dates: ['2026-05-05'], holidayShift: 'after', except: { dates: ['2026-05-07'] } },
      year2026,
      ['2026-05-07'],
    ],
  ]);

  it('accepts a lookup function as well as a map', () => {
    const lookup: DayPatternLookup = (name) => (name === 'month-end' ? { monthDays: ['last'] } : undefined);
    expect(
      computeStartDays({ monthDays: [31], except: { dayPattern: 'month-end' } }, office, year2026, lookup),
    ).toEqual([]);
  });

  it('does not take inherited object keys for DayPattern names', () => {
    const result = collectStartDays(
      { monthDays: [1], months: [1], except: { dayPattern: 'constructor' } },
      office,
      year2026,
      dayPatterns,
    );
    expect(result.days).toEqual(['2026-01-01']);
    expect(result.problems.map((problem) => problem.code)).toEqual(['DAYPATTERN-UNKNOWN']);
  });

  it('reports an unknown DayPattern and removes nothing', () => {
    const result = collectStartDays(
      { weekdays: ['mon'], except: { dayPattern: 'nope' } },
      office,
      january2027,
      dayPatterns,
    );
    expect(result.days).toEqual(['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25']);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'DAYPATTERN-UNKNOWN', dayPattern: 'nope', chain: [] }),
    ]);
  });

  it('stops at a cycle of DayPatterns excluding each other and reports it', () => {
    const result = collectStartDays(
      dayPatterns['loop-a'] as DayRules,
      office,
      { from: '2026-01-05', to: '2026-01-11' },
      dayPatterns,
      { dayPatternName: 'loop-a' },
    );
    expect(result.days).toEqual(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09']);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'DAYPATTERN-CYCLE', dayPattern: 'loop-a', chain: ['loop-a', 'loop-b'] }),
    ]);
  });

  it('computes a chain of 20,000 DayPatterns each excluding the next, without running out of stack', () => {
    // p<k> selects Mondays and excludes p<k+1>; the last excludes nothing. Counting up from the
    // end, the last selects the Mondays, the one before none, the one before that the Mondays…:
    // the head keeps the Mondays exactly when the chain length is odd.
    const chain = (length: number): Record<string, DayRules> =>
      Object.fromEntries(
        Array.from({ length }, (_, i) => [
          `p${i}`,
          { weekdays: ['mon' as const], ...(i + 1 < length ? { except: { dayPattern: `p${i + 1}` } } : {}) },
        ]),
      );
    const odd = chain(20_001);
    const even = chain(20_000);
    const mondays = ['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25'];
    expect(collectStartDays(odd.p0!, office, january2027, odd, { dayPatternName: 'p0' })).toEqual({
      days: mondays,
      problems: [],
    });
    expect(computeStartDays(even.p0!, office, january2027, even, { dayPatternName: 'p0' })).toEqual([]);
  });

  it('sees a DayPattern excluding itself as a cycle', () => {
    const selfExcluding: DayRules = { weekdays: ['mon'], except: { dayPattern: 'self' } };
    const result = collectStartDays(
      selfExcluding,
      office,
      january2027,
      { self: selfExcluding },
      { dayPatternName: 'self' },
    );
    expect(result.days).toEqual(['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25']);
    expect(result.problems.map((problem) => problem.code)).toEqual(['DAYPATTERN-CYCLE']);
  });
});

describe('validFrom and validUntil bound the start days (R-DAYS-2)', () => {
  expectCases([
    [
      'days outside the bounds are dropped',
      { everyDay: true, validFrom: '2026-01-10', validUntil: '2026-01-12' },
      year2026,
      ['2026-01-10', '2026-01-11', '2026-01-12'],
    ],
    [
      'a day shifted past validUntil is dropped',
      { dates: ['2026-12-31'], holidayShift: 'after', validUntil: '2026-12-31' },
      yearEnd,
      [],
    ],
    [
      'a day before validFrom is not shifted into the bounds',
      { dates: ['2026-12-31'], holidayShift: 'after', validFrom: '2027-01-01' },
      yearEnd,
      [],
    ],
    [
      'a day after validUntil is not shifted into the bounds',
      { monthDays: [1], holidayShift: 'before', validUntil: '2026-07-31' },
      { from: '2026-07-01', to: '2026-07-31' },
      ['2026-07-01'],
    ],
    [
      'a day shifted inside the bounds stays',
      { dates: ['2026-12-31'], holidayShift: 'after', validUntil: '2027-01-04' },
      yearEnd,
      ['2027-01-04'],
    ],
    [
      'bounds outside the window change nothing',
      { weekdays: ['mon'], validFrom: '2020-01-01', validUntil: '2030-12-31' },
      january2027,
      ['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25'],
    ],
    [
      'validFrom equal to validUntil bounds to that one day',
      { everyDay: true, validFrom: '2026-12-31', validUntil: '2026-12-31' },
      yearEnd,
      ['2026-12-31'],
    ],
    [
      'validFrom after validUntil selects nothing',
      { everyDay: true, validFrom: '2027-01-02', validUntil: '2027-01-01' },
      yearEnd,
      [],
    ],
    [
      'a day shifted before validFrom is dropped',
      { monthDays: [1], holidayShift: 'before', validFrom: '2027-01-01' },
      yearEnd,
      [],
    ],
    [
      'a day on validFrom shifted after across the year edge stays',
      { dates: ['2026-12-31'], holidayShift: 'after', validFrom: '2026-12-31' },
      yearEnd,
      ['2027-01-04'],
    ],
  ]);
});

describe('holidayShift moves days that are not operating days (R-DAYS-3)', () => {
  expectCases([
    ['none: a holiday start day runs anyway', { dates: ['2026-12-31'], holidayShift: 'none' }, yearEnd, ['2026-12-31']],
    ['default is none', { dates: ['2026-12-31'] }, yearEnd, ['2026-12-31']],
    [
      'skip: a holiday start day does not run',
      { dates: ['2026-12-31', '2027-01-05'], holidayShift: 'skip' },
      yearEnd,
      ['2027-01-05'],
    ],
    [
      'after: across the year end past the year-end break and weekend',
      { dates: ['2026-12-31'], holidayShift: 'after' },
      yearEnd,
      ['2027-01-04'],
    ],
    [
      'after: a day before the window is shifted into it',
      { dates: ['2026-12-31'], holidayShift: 'after' },
      january2027,
      ['2027-01-04'],
    ],
    [
      'after: a day shifted out of the window is not in it',
      { dates: ['2026-12-31'], holidayShift: 'after' },
      { from: '2026-12-01', to: '2026-12-31' },
      [],
    ],
    [
      'before: across a month edge into the window',
      { monthDays: [1], holidayShift: 'before' },
      { from: '2026-07-01', to: '2026-07-31' },
      ['2026-07-01', '2026-07-31'],
    ],
    [
      'before: across the year end past the year-end break',
      { monthDays: [1], holidayShift: 'before' },
      yearEnd,
      ['2026-12-01', '2026-12-28'],
    ],
    [
      'before: a day shifted out of the window is not in it',
      { monthDays: [1], holidayShift: 'before' },
      { from: '2026-08-01', to: '2026-08-31' },
      [],
    ],
    [
      'after: days shifted onto the same date start once',
      { dates: ['2026-08-01', '2026-08-02', '2026-08-03'], holidayShift: 'after' },
      year2026,
      ['2026-08-03'],
    ],
    [
      'before: days shifted onto the same date start once',
      { dates: ['2026-07-31', '2026-08-01', '2026-08-02'], holidayShift: 'before' },
      year2026,
      ['2026-07-31'],
    ],
    [
      'only the holiday moves: Tuesday 09-22 (holiday, then 09-23 too) to 09-24',
      { weekdays: ['tue'], holidayShift: 'after' },
      { from: '2026-09-01', to: '2026-09-30' },
      ['2026-09-01', '2026-09-08', '2026-09-15', '2026-09-24', '2026-09-29'],
    ],
    [
      'months restricts the computed days, not where they shift to',
      { monthDays: ['last'], months: [1], holidayShift: 'after' },
      year2026,
      ['2026-02-02'],
    ],
  ]);

  describe('at a month edge', () => {
    const monthEnds: DayRules = { monthDays: ['last'], months: [1, 2, 3] };
    const monthStarts: DayRules = { monthDays: [1], months: [2, 3, 11] };
    expectCases([
      [
        'none: month ends on Saturdays run anyway',
        { ...monthEnds, holidayShift: 'none' },
        year2026,
        ['2026-01-31', '2026-02-28', '2026-03-31'],
      ],
      ['skip: month ends on Saturdays do not run', { ...monthEnds, holidayShift: 'skip' }, year2026, ['2026-03-31']],
      [
        'after: month ends on Saturdays move into the next month',
        { ...monthEnds, holidayShift: 'after' },
        year2026,
        ['2026-02-02', '2026-03-02', '2026-03-31'],
      ],
      [
        'before: month ends on Saturdays move to Friday',
        { ...monthEnds, holidayShift: 'before' },
        year2026,
        ['2026-01-30', '2026-02-27', '2026-03-31'],
      ],
      [
        'none: month starts on Sundays run anyway',
        { ...monthStarts, holidayShift: 'none' },
        year2026,
        ['2026-02-01', '2026-03-01', '2026-11-01'],
      ],
      ['skip: month starts on Sundays do not run', { ...monthStarts, holidayShift: 'skip' }, year2026, []],
      [
        'after: month starts on Sundays move to Monday',
        { ...monthStarts, holidayShift: 'after' },
        year2026,
        ['2026-02-02', '2026-03-02', '2026-11-02'],
      ],
      [
        'before: month starts on Sundays move into the previous month',
        { ...monthStarts, holidayShift: 'before' },
        year2026,
        ['2026-01-30', '2026-02-27', '2026-10-30'],
      ],
      [
        'after: only the day carried in from the previous month is in a one-month window',
        { monthDays: ['last'], holidayShift: 'after' },
        { from: '2026-02-01', to: '2026-02-28' },
        ['2026-02-02'],
      ],
      [
        'before: only the day carried in from the next month is in a one-month window',
        { monthDays: [1], holidayShift: 'before' },
        { from: '2026-02-01', to: '2026-02-28' },
        ['2026-02-27'],
      ],
      [
        'after: a shifted day colliding with a start day anyway starts once',
        { weekdays: ['mon'], monthDays: ['last'], months: [1, 2], holidayShift: 'after' },
        { from: '2026-01-26', to: '2026-02-09' },
        ['2026-01-26', '2026-02-02', '2026-02-09'],
      ],
      [
        'before: a shifted day colliding with a start day anyway starts once',
        { weekdays: ['fri'], monthDays: ['last'], holidayShift: 'before' },
        { from: '2026-01-01', to: '2026-01-31' },
        ['2026-01-02', '2026-01-09', '2026-01-16', '2026-01-23', '2026-01-30'],
      ],
    ]);
  });

  describe('at a year edge', () => {
    const december2026: DateWindow = { from: '2026-12-01', to: '2026-12-31' };
    expectCases([
      ['none: New Year’s Day runs anyway', { dates: ['2027-01-01'], holidayShift: 'none' }, yearEnd, ['2027-01-01']],
      [
        'skip: New Year’s Day does not run',
        { dates: ['2027-01-01', '2027-01-04'], holidayShift: 'skip' },
        yearEnd,
        ['2027-01-04'],
      ],
      [
        'skip: the whole year-end break does not run',
        { everyDay: true, holidayShift: 'skip' },
        { from: '2026-12-28', to: '2027-01-04' },
        ['2026-12-28', '2027-01-04'],
      ],
      [
        'before: New Year’s Day is carried back into a December window',
        { monthDays: [1], holidayShift: 'before' },
        december2026,
        ['2026-12-01', '2026-12-28'],
      ],
      [
        'after: the year-end break collapses onto the first operating day, once',
        {
          dates: ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-03', '2027-01-04'],
          holidayShift: 'after',
        },
        yearEnd,
        ['2027-01-04'],
      ],
      [
        'before: the year-end break collapses onto the last operating day, once',
        { dates: ['2026-12-28', '2026-12-31', '2027-01-01', '2027-01-03'], holidayShift: 'before' },
        yearEnd,
        ['2026-12-28'],
      ],
      [
        'after: month end and month start both land on 01-04, once',
        { monthDays: [1, 'last'], holidayShift: 'after' },
        yearEnd,
        ['2026-12-01', '2027-01-04'],
      ],
      [
        'before: month end and month start both land on 12-28, once',
        { monthDays: [1, 'last'], holidayShift: 'before' },
        yearEnd,
        ['2026-12-01', '2026-12-28', '2027-01-29'],
      ],
      [
        'after: a shifted day colliding with a Monday start day starts once',
        { weekdays: ['mon'], dates: ['2026-12-31'], holidayShift: 'after' },
        yearEnd,
        [
          '2026-12-07',
          '2026-12-14',
          '2026-12-21',
          '2026-12-28',
          '2027-01-04',
          '2027-01-12',
          '2027-01-18',
          '2027-01-25',
        ],
      ],
    ]);
  });

  it('everyDay shifted after is every operating day, each once', () => {
    expect(computeStartDays({ everyDay: true, holidayShift: 'after' }, office, january2027)).toEqual(
      operatingDaysOfMonth(office, 2027, 1),
    );
  });

  it('does not loop on a calendar without operating days', () => {
    const closed = resolveCalendar(
      'closed',
      [{ weeklyHolidays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }],
      'UTC',
    );
    expect(computeStartDays({ everyDay: true, holidayShift: 'after' }, closed, january2027)).toEqual([]);
    expect(
      computeStartDays({ everyDay: true, holidayShift: 'none' }, closed, { from: '2027-01-01', to: '2027-01-02' }),
    ).toEqual(['2027-01-01', '2027-01-02']);
  });
});

describe('a calendar change with validFrom changes only later start days (R-CAL-4)', () => {
  const before = { timezone: 'Asia/Tokyo', weeklyHolidays: ['sun' as const] };
  const changed = resolveCalendar(
    'plant',
    [before, { timezone: 'Asia/Tokyo', weeklyHolidays: ['sat' as const, 'sun' as const], validFrom: '2026-07-01' }],
    'UTC',
  );
  const unchanged = resolveCalendar('plant', [before], 'UTC');
  const window: DateWindow = { from: '2026-06-01', to: '2026-07-31' };

  it('skips Saturdays only from the change on', () => {
    const days = computeStartDays({ weekdays: ['sat'], holidayShift: 'skip' }, changed, window);
    expect(days).toEqual(['2026-06-06', '2026-06-13', '2026-06-20', '2026-06-27']);
  });

  it('leaves the days before the change exactly as they were', () => {
    const rules: DayRules = { everyDay: true, holidayShift: 'after' };
    const june = { from: '2026-06-01', to: '2026-06-30' };
    expect(computeStartDays(rules, changed, june)).toEqual(computeStartDays(rules, unchanged, june));
    const july = { from: '2026-07-01', to: '2026-07-31' };
    expect(computeStartDays(rules, changed, july)).not.toEqual(computeStartDays(rules, unchanged, july));
  });

  it('counts businessDays on the version in force', () => {
    expect(computeStartDays({ businessDays: [-1] }, changed, window)).toEqual(['2026-06-30', '2026-07-31']);
    expect(computeStartDays({ businessDays: [-1] }, changed, { from: '2026-10-01', to: '2026-10-31' })).toEqual([
      '2026-10-30',
    ]);
    expect(computeStartDays({ businessDays: [-1] }, unchanged, { from: '2026-10-01', to: '2026-10-31' })).toEqual([
      '2026-10-31',
    ]);
  });
});

describe('holiday shifts across a calendar change (R-CAL-4, R-DAYS-3)', () => {
  // Before 07-01 Saturdays operate and 06-29/06-30 are holidays; from 07-01 Saturdays are weekly
  // holidays and 07-01 itself is a holiday. Each date is judged by the revision in force for it.
  const calendar = resolveCalendar(
    'plant',
    [
      { timezone: 'Asia/Tokyo', weeklyHolidays: ['sun'], holidays: ['2026-06-29', '2026-06-30'] },
      { timezone: 'Asia/Tokyo', weeklyHolidays: ['sat', 'sun'], holidays: ['2026-07-01'], validFrom: '2026-07-01' },
    ],
    'UTC',
  );
  const juneJuly: DateWindow = { from: '2026-06-01', to: '2026-07-31' };
  expectCases(
    [
      [
        'a Saturday before validFrom operates and is not skipped',
        { dates: ['2026-06-27'], holidayShift: 'skip' },
        juneJuly,
        ['2026-06-27'],
      ],
      [
        'a Saturday from validFrom on is shifted after',
        { dates: ['2026-07-04'], holidayShift: 'after' },
        juneJuly,
        ['2026-07-06'],
      ],
      [
        'none: a holiday of the new revision on validFrom runs anyway',
        { dates: ['2026-07-01'], holidayShift: 'none' },
        juneJuly,
        ['2026-07-01'],
      ],
      [
        'skip: a holiday of the new revision on validFrom does not run',
        { dates: ['2026-07-01'], holidayShift: 'skip' },
        juneJuly,
        [],
      ],
      [
        'after: from before validFrom past its new holiday to 07-02',
        { dates: ['2026-06-28'], holidayShift: 'after' },
        juneJuly,
        ['2026-07-02'],
      ],
      [
        'before: from validFrom back to the old revision’s operating Saturday',
        { dates: ['2026-07-01'], holidayShift: 'before' },
        juneJuly,
        ['2026-06-27'],
      ],
      [
        'after: days on both sides of validFrom collide on 07-02 and start once',
        { dates: ['2026-06-28', '2026-06-30', '2026-07-01'], holidayShift: 'after' },
        juneJuly,
        ['2026-07-02'],
      ],
      [
        'before: days on both sides of validFrom collide on 06-27 and start once',
        { dates: ['2026-06-27', '2026-06-29', '2026-07-01'], holidayShift: 'before' },
        juneJuly,
        ['2026-06-27'],
      ],
      [
        'before: a day after validFrom is carried into a window that ends before it',
        { dates: ['2026-07-01'], holidayShift: 'before' },
        { from: '2026-06-01', to: '2026-06-30' },
        ['2026-06-27'],
      ],
      [
        'after: a day before validFrom is carried into a window that starts on it',
        { dates: ['2026-06-28'], holidayShift: 'after' },
        { from: '2026-07-01', to: '2026-07-31' },
        ['2026-07-02'],
      ],
      [
        'businessDays count each month on the revision in force for its days',
        { businessDays: [1, -1] },
        juneJuly,
        ['2026-06-01', '2026-06-27', '2026-07-02', '2026-07-31'],
      ],
      [
        'weekdays after: Saturdays stay in June and move to Monday in July',
        { weekdays: ['sat'], holidayShift: 'after' },
        { from: '2026-06-20', to: '2026-07-13' },
        ['2026-06-20', '2026-06-27', '2026-07-06', '2026-07-13'],
      ],
    ],
    calendar,
  );
});

describe('a Japanese office calendar (Asia/Tokyo)', () => {
  it('daily close on weekdays skips Golden Week', () => {
    const days = computeStartDays({ weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidayShift: 'skip' }, office, {
      from: '2026-04-27',
      to: '2026-05-08',
    });
    expect(days).toEqual(['2026-04-27', '2026-04-28', '2026-04-30', '2026-05-01', '2026-05-07', '2026-05-08']);
  });

  it('payday on the 25th moves to the previous operating day', () => {
    expect(computeStartDays({ monthDays: [25], holidayShift: 'before' }, office, year2026)).toEqual([
      '2026-01-23',
      '2026-02-25',
      '2026-03-25',
      '2026-04-24',
      '2026-05-25',
      '2026-06-25',
      '2026-07-24',
      '2026-08-25',
      '2026-09-25',
      '2026-10-23',
      '2026-11-25',
      '2026-12-25',
    ]);
  });

  it('isStartDay agrees with the list', () => {
    const rules: DayRules = { monthDays: [25], holidayShift: 'before' };
    expect(isStartDay(rules, office, '2026-04-24')).toBe(true);
    expect(isStartDay(rules, office, '2026-04-25')).toBe(false);
  });
});

describe('computing start days', () => {
  it('is the same whether a long window is computed at once or month by month', () => {
    const rules: DayRules = {
      weekdays: ['mon', { day: 'fri', nth: 'last' }],
      monthDays: [1, 'last'],
      businessDays: [2, -3],
      holidayShift: 'after',
      except: { dates: ['2026-06-01'] },
    };
    const whole = computeStartDays(rules, office, { from: '2026-01-01', to: '2027-01-31' });
    const pieces: string[] = [];
    for (let month = 0; month < 13; month++) {
      const year = 2026 + Math.floor(month / 12);
      const m = (month % 12) + 1;
      const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
      const prefix = `${year}-${String(m).padStart(2, '0')}`;
      pieces.push(...computeStartDays(rules, office, { from: `${prefix}-01`, to: `${prefix}-${last}` }));
    }
    expect(pieces).toEqual(whole);
    expect(new Set(whole).size).toBe(whole.length);
    expect([...whole].sort()).toEqual(whole);
  });
});
