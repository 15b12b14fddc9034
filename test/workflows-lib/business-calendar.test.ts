import { describe, expect, it } from 'vitest';
import {
  addDays,
  businessDateOf,
  businessDayStart,
  calendarVersionFor,
  dayNumberOf,
  holidayName,
  instantMillis,
  instantOf,
  isOperatingDay,
  isoDateOf,
  isoDatesOf,
  nextOperatingDay,
  nthOperatingDayOfMonth,
  operatingDaysOfMonth,
  previousOperatingDay,
  resolveCalendar,
  systemCalendar,
  systemCalendarName,
  weekdayIndexOf,
  type BusinessCalendar,
  type CalendarSpecInput,
  type Instant,
} from '../../workflows/lib/business-calendar.js';

/** A Japanese office calendar: weekends, national holidays and the year-end break (Asia/Tokyo). */
const japaneseOfficeSpec: CalendarSpecInput = {
  timezone: 'Asia/Tokyo',
  dayChangeTime: '05:00',
  weeklyHolidays: ['sat', 'sun'],
  holidays: [
    { date: '2026-01-01', name: '元日' },
    { date: '2026-01-12', name: '成人の日' },
    '2026-04-29',
    '2026-05-04',
    '2026-05-05',
    { date: '2026-05-06', name: '振替休日' },
    '2026-12-29',
    '2026-12-30',
    '2026-12-31',
    { date: '2027-01-01', name: '元日' },
    '2027-01-11',
  ],
  workdays: ['2026-12-26'],
};
const tokyo = resolveCalendar('office', [japaneseOfficeSpec], 'UTC');

describe('day numbers do exact date-only arithmetic', () => {
  it.each<[string, number]>([
    ['1970-01-01', 0],
    ['1969-12-31', -1],
    ['2026-01-01', 20454],
    ['2000-02-29', 11016],
  ])('%s is day %i and back', (date, dayNumber) => {
    expect(dayNumberOf(date)).toBe(dayNumber);
    expect(isoDateOf(dayNumber)).toBe(date);
  });

  it('round-trips every day across leap years and century rules', () => {
    const start = dayNumberOf('1899-12-25');
    let previous = '';
    const mismatches: string[] = [];
    for (let day = start; day < start + 200 * 366; day++) {
      const date = isoDateOf(day);
      if (date <= previous || dayNumberOf(date) !== day) mismatches.push(`${day} ${date}`);
      previous = date;
    }
    expect(mismatches).toEqual([]);
    expect(previous).toBe('2100-05-24');
    expect(addDays('1900-02-28', 1)).toBe('1900-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2027-01-04', -4)).toBe('2026-12-31');
  });

  it('converts ascending runs of day numbers to the same dates month by month', () => {
    const days = [
      dayNumberOf('2026-12-30'),
      dayNumberOf('2026-12-31'),
      dayNumberOf('2027-01-01'),
      dayNumberOf('2027-03-01'),
    ];
    expect(isoDatesOf(days)).toEqual(days.map(isoDateOf));
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-01', '2026-04-31', 'tomorrow'])(
    'refuses the malformed date %j',
    (date) => {
      expect(() => dayNumberOf(date)).toThrow(RangeError);
    },
  );

  it.each<[string, number]>([
    ['2026-01-01', 3],
    ['2026-01-05', 0],
    ['2026-03-08', 6],
    ['1970-01-01', 3],
  ])('%s has weekday index %i (Monday 0)', (date, index) => {
    expect(weekdayIndexOf(dayNumberOf(date))).toBe(index);
  });
});

describe('SYSTEM_CALENDAR operates every day and changes day at midnight (R-CAL-1)', () => {
  const system = systemCalendar('Asia/Tokyo');

  it('is named SYSTEM_CALENDAR with day change 00:00', () => {
    expect(system.name).toBe(systemCalendarName);
    expect(system.dayChangeMinutes).toBe(0);
  });

  it.each(['2026-01-01', '2026-03-07', '2026-03-08', '2026-12-31'])('%s is an operating day', (date) => {
    expect(isOperatingDay(system, date)).toBe(true);
  });

  it('dates instants in the Settings time zone', () => {
    expect(businessDateOf(system, '2026-11-01T14:59:59Z')).toBe('2026-11-01');
    expect(businessDateOf(system, '2026-11-01T15:00:00Z')).toBe('2026-11-02');
  });

  it('refuses an unknown time zone', () => {
    expect(() => systemCalendar('Mars/Olympus')).toThrow(RangeError);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(system))).toEqual(system);
  });
});

describe('operating days: weekly holidays, holidays, workdays (R-CAL-2)', () => {
  it.each<[string, boolean, string]>([
    ['2026-11-02', true, 'an ordinary Monday'],
    ['2026-11-07', false, 'a Saturday (weekly holiday)'],
    ['2026-11-08', false, 'a Sunday (weekly holiday)'],
    ['2026-04-29', false, 'a listed holiday on a Wednesday'],
    ['2026-05-06', false, 'a holiday given with a name'],
    ['2026-12-26', true, 'a Saturday listed in workdays'],
    ['2027-01-04', true, 'the first Monday after the year-end break'],
  ])('%s operating = %s (%s)', (date, operating) => {
    expect(isOperatingDay(tokyo, date)).toBe(operating);
  });

  it('workdays win over listed holidays too', () => {
    const calendar = resolveCalendar('c', [{ holidays: ['2026-05-05'], workdays: ['2026-05-05'] }], 'UTC');
    expect(isOperatingDay(calendar, '2026-05-05')).toBe(true);
  });

  it('keeps holiday names for display', () => {
    expect(holidayName(tokyo, '2026-05-06')).toBe('振替休日');
    expect(holidayName(tokyo, '2026-04-29')).toBeUndefined();
  });

  it('takes the Settings time zone and day change 00:00 when the calendar omits them', () => {
    const calendar = resolveCalendar('c', [{}], 'Europe/Berlin');
    expect(calendar.timezone).toBe('Europe/Berlin');
    expect(calendar.dayChangeMinutes).toBe(0);
  });

  it('refuses a malformed day change', () => {
    expect(() => resolveCalendar('c', [{ dayChangeTime: '5:00' }], 'UTC')).toThrow(RangeError);
  });
});

describe('nth operating day and nearest operating days', () => {
  it('lists the operating days of a month', () => {
    expect(operatingDaysOfMonth(tokyo, 2027, 1)).toEqual([
      '2027-01-04',
      '2027-01-05',
      '2027-01-06',
      '2027-01-07',
      '2027-01-08',
      '2027-01-12',
      '2027-01-13',
      '2027-01-14',
      '2027-01-15',
      '2027-01-18',
      '2027-01-19',
      '2027-01-20',
      '2027-01-21',
      '2027-01-22',
      '2027-01-25',
      '2027-01-26',
      '2027-01-27',
      '2027-01-28',
      '2027-01-29',
    ]);
  });

  it.each<[number, string | undefined]>([
    [1, '2027-01-04'],
    [3, '2027-01-06'],
    [19, '2027-01-29'],
    [20, undefined],
    [-1, '2027-01-29'],
    [-2, '2027-01-28'],
    [-19, '2027-01-04'],
    [-20, undefined],
    [0, undefined],
  ])('operating day %i of January 2027 is %s', (n, expected) => {
    expect(nthOperatingDayOfMonth(tokyo, 2027, 1, n)).toBe(expected);
  });

  it('finds the next and previous operating day across the year end', () => {
    expect(nextOperatingDay(tokyo, '2026-12-28')).toBe('2027-01-04');
    expect(previousOperatingDay(tokyo, '2027-01-04')).toBe('2026-12-28');
    expect(nextOperatingDay(tokyo, '2026-12-25')).toBe('2026-12-26');
  });

  it('gives up instead of looping when no day ever operates', () => {
    const closed = resolveCalendar(
      'closed',
      [{ weeklyHolidays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }],
      'UTC',
    );
    expect(nextOperatingDay(closed, '2026-01-01')).toBeUndefined();
    expect(previousOperatingDay(closed, '2026-01-01')).toBeUndefined();
  });
});

describe('calendar revisions take effect from their validFrom (R-CAL-4)', () => {
  const revisions: CalendarSpecInput[] = [
    { timezone: 'Asia/Tokyo', weeklyHolidays: ['sun'], holidays: ['2026-03-20', '2026-07-20'] },
    {
      timezone: 'Asia/Tokyo',
      weeklyHolidays: ['sat', 'sun'],
      holidays: ['2026-08-11'],
      workdays: ['2026-08-08'],
      validFrom: '2026-07-01',
    },
  ];
  const calendar = resolveCalendar('plant', revisions, 'UTC');

  it.each<[string, boolean, string]>([
    ['2026-06-27', true, 'a Saturday before the change still operates'],
    ['2026-07-04', false, 'a Saturday from the change on is a weekly holiday'],
    ['2026-03-20', false, 'a holiday of the old revision stays a holiday before the change'],
    ['2026-07-20', true, 'a holiday only the old revision listed is gone after the change'],
    ['2026-08-11', false, 'a holiday of the new revision applies after the change'],
    ['2026-06-30', true, 'the day before validFrom keeps the old rules'],
    ['2026-08-08', true, 'a workday of the new revision operates on a Saturday'],
  ])('%s operating = %s (%s)', (date, operating) => {
    expect(isOperatingDay(calendar, date)).toBe(operating);
  });

  it('picks the version with the latest validFrom on or before the date', () => {
    expect(calendarVersionFor(calendar, '2026-06-30').weeklyHolidays).toEqual(['sun']);
    expect(calendarVersionFor(calendar, '2026-07-01').weeklyHolidays).toEqual(['sat', 'sun']);
    expect(calendarVersionFor(calendar, '1999-01-01').weeklyHolidays).toEqual(['sun']);
  });

  it('lets a newer revision with an earlier validFrom replace a pending one', () => {
    const replaced = resolveCalendar(
      'plant',
      [...revisions, { timezone: 'Asia/Tokyo', weeklyHolidays: ['fri', 'sat', 'sun'], validFrom: '2026-05-01' }],
      'UTC',
    );
    expect(replaced.versions.map((version) => version.validFrom)).toEqual([undefined, '2026-05-01']);
    expect(isOperatingDay(replaced, '2026-04-24')).toBe(true);
    expect(isOperatingDay(replaced, '2026-07-03')).toBe(false);
    expect(isOperatingDay(replaced, '2026-08-11')).toBe(true);
  });

  it('applies a revision without validFrom to every date', () => {
    const rewritten = resolveCalendar('plant', [...revisions, { weeklyHolidays: [] }], 'UTC');
    expect(rewritten.versions).toHaveLength(1);
    expect(isOperatingDay(rewritten, '2026-03-20')).toBe(true);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(calendar))).toEqual(calendar);
  });
});

describe('a calendar change at the year end takes effect from its validFrom (R-CAL-4)', () => {
  const calendar = resolveCalendar(
    'office',
    [
      {
        timezone: 'Asia/Tokyo',
        weeklyHolidays: ['sat', 'sun'],
        holidays: ['2026-12-30', { date: '2026-12-31', name: '大晦日' }, '2027-01-04'],
      },
      {
        timezone: 'Asia/Tokyo',
        weeklyHolidays: ['sun'],
        holidays: [
          { date: '2026-12-28', name: '仕事納め' },
          { date: '2027-01-01', name: '元日' },
        ],
        workdays: ['2026-12-27'],
        validFrom: '2027-01-01',
      },
    ],
    'UTC',
  );

  it.each<[string, boolean, string]>([
    ['2026-12-26', false, 'a Saturday before the change is still a weekly holiday'],
    ['2026-12-27', false, 'a workday the new revision lists before its validFrom does not apply'],
    ['2026-12-28', true, 'a holiday the new revision lists before its validFrom does not apply'],
    ['2026-12-31', false, 'a holiday of the old revision stays a holiday on the last day before the change'],
    ['2027-01-01', false, 'a holiday of the new revision applies on its validFrom'],
    ['2027-01-02', true, 'a Saturday operates from the change on'],
    ['2027-01-03', false, 'a Sunday is a weekly holiday in both revisions'],
    ['2027-01-04', true, 'a holiday only the old revision listed is gone after the change'],
  ])('%s operating = %s (%s)', (date, operating) => {
    expect(isOperatingDay(calendar, date)).toBe(operating);
  });

  it.each<[string, (calendar: BusinessCalendar, date: string) => string | undefined, string, string]>([
    [
      'next after 12-29 crosses the change onto the new revision’s Saturday',
      nextOperatingDay,
      '2026-12-29',
      '2027-01-02',
    ],
    [
      'previous before 01-02 crosses the change back past the old holidays',
      previousOperatingDay,
      '2027-01-02',
      '2026-12-29',
    ],
    [
      'previous before 01-04 is the Saturday the new revision made operating',
      previousOperatingDay,
      '2027-01-04',
      '2027-01-02',
    ],
    ['next after 12-25 is the Monday the new revision would have closed', nextOperatingDay, '2026-12-25', '2026-12-28'],
  ])('%s', (_name, nearest, date, expected) => {
    expect(nearest(calendar, date)).toBe(expected);
  });

  it.each<[number, number, number, string | undefined]>([
    [2026, 12, -1, '2026-12-29'],
    [2027, 1, 1, '2027-01-02'],
    [2027, 1, 2, '2027-01-04'],
    [2027, 1, -1, '2027-01-30'],
  ])('operating day of %i-%i number %i is %s', (year, month, n, expected) => {
    expect(nthOperatingDayOfMonth(calendar, year, month, n)).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['2026-12-31', '大晦日'],
    ['2027-01-01', '元日'],
    ['2026-12-28', undefined],
  ])('holiday name of %s is %s (from the revision in force)', (date, expected) => {
    expect(holidayName(calendar, date)).toBe(expected);
  });
});

describe('a calendar change in the middle of a month (R-CAL-4)', () => {
  const calendar = resolveCalendar(
    'plant',
    [{ weeklyHolidays: [] }, { weeklyHolidays: ['sat', 'sun'], validFrom: '2026-07-15' }],
    'UTC',
  );

  it('counts the old revision’s days before the change and the new one’s after it', () => {
    const july = operatingDaysOfMonth(calendar, 2026, 7);
    expect(july).toHaveLength(14 + 13);
    expect(july.slice(10, 18)).toEqual([
      '2026-07-11',
      '2026-07-12',
      '2026-07-13',
      '2026-07-14',
      '2026-07-15',
      '2026-07-16',
      '2026-07-17',
      '2026-07-20',
    ]);
  });

  it.each<[number, string | undefined]>([
    [11, '2026-07-11'],
    [14, '2026-07-14'],
    [15, '2026-07-15'],
    [18, '2026-07-20'],
    [27, '2026-07-31'],
    [28, undefined],
    [-1, '2026-07-31'],
    [-13, '2026-07-15'],
    [-14, '2026-07-14'],
    [-27, '2026-07-01'],
  ])('operating day %i of July 2026 is %s', (n, expected) => {
    expect(nthOperatingDayOfMonth(calendar, 2026, 7, n)).toBe(expected);
  });

  it('lets a later revision with the same validFrom replace the earlier one', () => {
    const replaced = resolveCalendar(
      'plant',
      [
        { weeklyHolidays: [] },
        { weeklyHolidays: ['sat', 'sun'], validFrom: '2026-07-15' },
        { weeklyHolidays: ['sun'], validFrom: '2026-07-15' },
      ],
      'UTC',
    );
    expect(replaced.versions.map((version) => version.validFrom)).toEqual([undefined, '2026-07-15']);
    expect(isOperatingDay(replaced, '2026-07-18')).toBe(true);
    expect(isOperatingDay(replaced, '2026-07-19')).toBe(false);
    expect(isOperatingDay(replaced, '2026-07-12')).toBe(true);
  });
});

describe('business date of an instant (R-CAL-3)', () => {
  const newYork5 = resolveCalendar('ny', [{ timezone: 'America/New_York', dayChangeTime: '05:00' }], 'UTC');
  const newYorkGap = resolveCalendar('ny-gap', [{ timezone: 'America/New_York', dayChangeTime: '02:30' }], 'UTC');
  const newYorkOverlap = resolveCalendar(
    'ny-overlap',
    [{ timezone: 'America/New_York', dayChangeTime: '01:30' }],
    'UTC',
  );
  const berlin = resolveCalendar('de', [{ timezone: 'Europe/Berlin', dayChangeTime: '05:00' }], 'UTC');
  const newYorkMidnight = systemCalendar('America/New_York');
  const berlinMidnight = systemCalendar('Europe/Berlin');

  it.each<[string, BusinessCalendar, Instant, string]>([
    ['03:00 JST on 11-02 belongs to 11-01 with day change 05:00', tokyo, '2026-11-01T18:00:00Z', '2026-11-01'],
    ['04:59 JST on 11-02 still belongs to 11-01', tokyo, '2026-11-01T19:59:59.999Z', '2026-11-01'],
    ['05:00 JST on 11-02 begins business date 11-02', tokyo, '2026-11-01T20:00:00Z', '2026-11-02'],
    ['an offset other than Z is honoured', tokyo, '2026-11-02T05:00:00+09:00', '2026-11-02'],
    ['epoch milliseconds are accepted', tokyo, Date.UTC(2026, 10, 1, 20, 0), '2026-11-02'],
    ['NY spring forward: 04:59 EDT on 03-08 belongs to 03-07', newYork5, '2026-03-08T08:59:59Z', '2026-03-07'],
    ['NY spring forward: 05:00 EDT on 03-08 begins 03-08', newYork5, '2026-03-08T09:00:00Z', '2026-03-08'],
    [
      'NY fall back: 04:59 EST on 11-01 belongs to 10-31 (a 25-hour business day)',
      newYork5,
      '2026-11-01T09:59:00Z',
      '2026-10-31',
    ],
    ['NY fall back: 05:00 EST on 11-01 begins 11-01', newYork5, '2026-11-01T10:00:00Z', '2026-11-01'],
    [
      'a day change in the DST gap begins the day after the gap (03:15 EDT is still 03-07)',
      newYorkGap,
      '2026-03-08T07:15:00Z',
      '2026-03-07',
    ],
    [
      'a day change in the DST gap moves forward by the gap (03:30 EDT begins 03-08)',
      newYorkGap,
      '2026-03-08T07:30:00Z',
      '2026-03-08',
    ],
    [
      'a day change in the overlap begins at its first occurrence (01:30 EDT)',
      newYorkOverlap,
      '2026-11-01T05:30:00Z',
      '2026-11-01',
    ],
    [
      'the second pass of 01:15 (EST) stays on the new business date',
      newYorkOverlap,
      '2026-11-01T06:15:00Z',
      '2026-11-01',
    ],
    ['Berlin spring forward: 04:59 CEST on 03-29 belongs to 03-28', berlin, '2026-03-29T02:59:00Z', '2026-03-28'],
    ['Berlin spring forward: 05:00 CEST on 03-29 begins 03-29', berlin, '2026-03-29T03:00:00Z', '2026-03-29'],
    ['Berlin fall back: 04:59 CET on 10-25 belongs to 10-24', berlin, '2026-10-25T03:59:00Z', '2026-10-24'],
    [
      'Berlin fall back: 05:00 CET on 10-25 begins 10-25 (a 25-hour business day ends)',
      berlin,
      '2026-10-25T04:00:00Z',
      '2026-10-25',
    ],
    [
      'Berlin fall back: first pass of 02:30 (CEST) on 10-25 belongs to 10-24',
      berlin,
      '2026-10-25T00:30:00Z',
      '2026-10-24',
    ],
    [
      'Berlin fall back: second pass of 02:30 (CET) on 10-25 still belongs to 10-24',
      berlin,
      '2026-10-25T01:30:00Z',
      '2026-10-24',
    ],
    [
      'Berlin spring forward: 03:00 CEST right after the gap belongs to 03-28',
      berlin,
      '2026-03-29T01:00:00Z',
      '2026-03-28',
    ],
    [
      'NY fall back: first pass of 01:30 (EDT) on 11-01 belongs to 10-31 with day change 05:00',
      newYork5,
      '2026-11-01T05:30:00Z',
      '2026-10-31',
    ],
    [
      'NY fall back: second pass of 01:30 (EST) on 11-01 still belongs to 10-31',
      newYork5,
      '2026-11-01T06:30:00Z',
      '2026-10-31',
    ],
    [
      'NY spring forward: 01:59 EST just before the gap belongs to 03-07',
      newYork5,
      '2026-03-08T06:59:00Z',
      '2026-03-07',
    ],
    [
      'NY spring forward: 03:00 EDT just after the gap belongs to 03-07',
      newYork5,
      '2026-03-08T07:00:00Z',
      '2026-03-07',
    ],
    [
      'NY day change 00:00: 23:59:59 EDT on 10-31 belongs to 10-31',
      newYorkMidnight,
      '2026-11-01T03:59:59Z',
      '2026-10-31',
    ],
    ['NY day change 00:00: 00:00 EDT on 11-01 begins 11-01', newYorkMidnight, '2026-11-01T04:00:00Z', '2026-11-01'],
    [
      'NY day change 00:00: second pass of 01:30 (EST) stays on 11-01',
      newYorkMidnight,
      '2026-11-01T06:30:00Z',
      '2026-11-01',
    ],
    [
      'Berlin day change 00:00: 23:59:59 CET on 03-28 belongs to 03-28',
      berlinMidnight,
      '2026-03-28T22:59:59Z',
      '2026-03-28',
    ],
    [
      'Berlin day change 00:00: 00:00 CET on 03-29 begins the spring-forward day',
      berlinMidnight,
      '2026-03-28T23:00:00Z',
      '2026-03-29',
    ],
    [
      'Berlin day change 00:00: 23:59:59 CEST on 10-24 belongs to 10-24',
      berlinMidnight,
      '2026-10-24T21:59:59Z',
      '2026-10-24',
    ],
    [
      'Berlin day change 00:00: 00:00 CEST on 10-25 begins the fall-back day',
      berlinMidnight,
      '2026-10-24T22:00:00Z',
      '2026-10-25',
    ],
  ])('%s', (_name, calendar, instant, expected) => {
    expect(businessDateOf(calendar, instant)).toBe(expected);
  });

  it.each<[string, Instant, string]>([
    ['00:00 JST on 11-02 still belongs to 11-01', '2026-11-01T15:00:00Z', '2026-11-01'],
    ['04:59:59 JST on 2027-01-01 still belongs to 2026-12-31 (year edge)', '2026-12-31T19:59:59Z', '2026-12-31'],
    ['05:00 JST on 2027-01-01 begins 2027-01-01 (year edge)', '2026-12-31T20:00:00Z', '2027-01-01'],
    ['04:59 JST on 03-01 still belongs to 02-28 (month edge)', '2026-02-28T19:59:00Z', '2026-02-28'],
    ['05:00 JST on 03-01 begins 03-01 (month edge)', '2026-02-28T20:00:00Z', '2026-03-01'],
    ['04:59 JST on 2028-03-01 belongs to the leap day 02-29', '2028-02-29T19:59:00Z', '2028-02-29'],
  ])('day change 05:00: %s', (_name, instant, expected) => {
    expect(businessDateOf(tokyo, instant)).toBe(expected);
  });

  it('refuses a date-time without offset (it would depend on the host time zone)', () => {
    expect(() => businessDateOf(tokyo, '2026-11-01T18:00:00')).toThrow(RangeError);
    expect(() => instantMillis('yesterday')).toThrow(RangeError);
  });

  it.each<[BusinessCalendar, string, string]>([
    [tokyo, '2026-11-02', '2026-11-01T20:00:00.000Z'],
    [newYork5, '2026-03-07', '2026-03-07T10:00:00.000Z'],
    [newYork5, '2026-03-08', '2026-03-08T09:00:00.000Z'],
    [newYorkGap, '2026-03-08', '2026-03-08T07:30:00.000Z'],
    [newYorkOverlap, '2026-11-01', '2026-11-01T05:30:00.000Z'],
    [tokyo, '2027-01-01', '2026-12-31T20:00:00.000Z'],
    [newYork5, '2026-10-31', '2026-10-31T09:00:00.000Z'],
    [newYork5, '2026-11-01', '2026-11-01T10:00:00.000Z'],
    [berlin, '2026-03-28', '2026-03-28T04:00:00.000Z'],
    [berlin, '2026-03-29', '2026-03-29T03:00:00.000Z'],
    [berlin, '2026-10-24', '2026-10-24T03:00:00.000Z'],
    [berlin, '2026-10-25', '2026-10-25T04:00:00.000Z'],
  ])('business day %#: %s begins at %s', (calendar, date, instant) => {
    expect(businessDayStart(calendar, date)).toBe(instant);
  });
});

describe('instant of a time of a business date (R-SCH-2)', () => {
  const newYork = systemCalendar('America/New_York');
  const newYork5 = resolveCalendar('ny', [{ timezone: 'America/New_York', dayChangeTime: '05:00' }], 'UTC');
  const berlin = systemCalendar('Europe/Berlin');
  const berlin5 = resolveCalendar('de', [{ timezone: 'Europe/Berlin', dayChangeTime: '05:00' }], 'UTC');

  it.each<[string, BusinessCalendar, string, string, string]>([
    ['a time after the day change is on the business date', tokyo, '2026-11-01', '22:00', '2026-11-01T13:00:00.000Z'],
    [
      'a time before the day change is on the next calendar date',
      tokyo,
      '2026-11-01',
      '03:00',
      '2026-11-01T18:00:00.000Z',
    ],
    ['the day change itself is on the business date', tokyo, '2026-11-01', '05:00', '2026-10-31T20:00:00.000Z'],
    ['before the change across the month end', tokyo, '2026-10-31', '04:59', '2026-10-31T19:59:00.000Z'],
    [
      'a DST gap moves forward by its length (02:30 → 03:30 EDT)',
      newYork,
      '2026-03-08',
      '02:30',
      '2026-03-08T07:30:00.000Z',
    ],
    ['just before the gap is still EST', newYork, '2026-03-08', '01:59', '2026-03-08T06:59:00.000Z'],
    ['right after the gap is EDT', newYork, '2026-03-08', '03:00', '2026-03-08T07:00:00.000Z'],
    [
      'an overlap resolves to the earlier instant (01:30 EDT)',
      newYork,
      '2026-11-01',
      '01:30',
      '2026-11-01T05:30:00.000Z',
    ],
    ['after the overlap is EST', newYork, '2026-11-01', '02:00', '2026-11-01T07:00:00.000Z'],
    ['next-date time of a business date lands in the gap', newYork5, '2026-03-07', '02:30', '2026-03-08T07:30:00.000Z'],
    ['next-date time of a business date in the overlap', newYork5, '2026-10-31', '01:30', '2026-11-01T05:30:00.000Z'],
    ['Berlin gap (02:30 → 03:30 CEST)', berlin, '2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
    ['Berlin the day after the gap', berlin, '2026-03-30', '02:30', '2026-03-30T00:30:00.000Z'],
    ['Berlin overlap resolves to CEST', berlin, '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
    ['Berlin the day after the overlap', berlin, '2026-10-26', '02:30', '2026-10-26T01:30:00.000Z'],
    [
      'the minute before the day change is on the next calendar date',
      tokyo,
      '2026-11-01',
      '04:59',
      '2026-11-01T19:59:00.000Z',
    ],
    [
      'midnight of a business date is the midnight that ends it',
      tokyo,
      '2026-11-01',
      '00:00',
      '2026-11-01T15:00:00.000Z',
    ],
    ['before the change across the year end', tokyo, '2026-12-31', '04:59', '2026-12-31T19:59:00.000Z'],
    ['before the change onto a leap day', tokyo, '2028-02-28', '03:00', '2028-02-28T18:00:00.000Z'],
    [
      'the first minute of the gap moves to its end (02:00 → 03:00 EDT)',
      newYork,
      '2026-03-08',
      '02:00',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'the last minute of the gap moves forward too (02:59 → 03:59 EDT)',
      newYork,
      '2026-03-08',
      '02:59',
      '2026-03-08T07:59:00.000Z',
    ],
    ['the first minute of the overlap is its EDT pass', newYork, '2026-11-01', '01:00', '2026-11-01T05:00:00.000Z'],
    ['the last minute of the overlap is its EDT pass', newYork, '2026-11-01', '01:59', '2026-11-01T05:59:00.000Z'],
    [
      'next-date time just before the day change on the spring-forward night (EDT)',
      newYork5,
      '2026-03-07',
      '04:59',
      '2026-03-08T08:59:00.000Z',
    ],
    [
      'Berlin day change 05:00: next-date time in the gap (02:30 → 03:30 CEST)',
      berlin5,
      '2026-03-28',
      '02:30',
      '2026-03-29T01:30:00.000Z',
    ],
    [
      'Berlin day change 05:00: next-date time just before the day change (CEST)',
      berlin5,
      '2026-03-28',
      '04:59',
      '2026-03-29T02:59:00.000Z',
    ],
    [
      'Berlin day change 05:00: next-date time in the overlap resolves to CEST',
      berlin5,
      '2026-10-24',
      '02:30',
      '2026-10-25T00:30:00.000Z',
    ],
    ['Berlin gap start (02:00 → 03:00 CEST)', berlin, '2026-03-29', '02:00', '2026-03-29T01:00:00.000Z'],
    ['Berlin after the overlap is CET', berlin, '2026-10-25', '03:00', '2026-10-25T02:00:00.000Z'],
  ])('%s', (_name, calendar, date, time, expected) => {
    expect(instantOf(calendar, date, time)).toBe(expected);
  });

  it('maps every instant of a business day back to that business date', () => {
    for (const date of ['2026-03-07', '2026-03-08', '2026-10-31', '2026-11-01']) {
      for (const time of ['05:00', '12:00', '23:59', '00:00', '01:30', '02:30', '04:59']) {
        expect(businessDateOf(newYork5, instantOf(newYork5, date, time))).toBe(date);
      }
    }
  });

  it('refuses a malformed time', () => {
    expect(() => instantOf(tokyo, '2026-11-01', '24:00')).toThrow(RangeError);
  });
});
