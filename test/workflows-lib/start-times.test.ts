import { describe, expect, it } from 'vitest';
import { resolveCalendar, systemCalendar, type BusinessCalendar } from '../../workflows/lib/business-calendar.js';
import {
  earliestEventStart,
  nextStarts,
  startsOfBusinessDate,
  type StartTrigger,
} from '../../workflows/lib/start-times.js';

const tokyo5 = resolveCalendar(
  'office',
  [{ timezone: 'Asia/Tokyo', dayChangeTime: '05:00', weeklyHolidays: ['sat', 'sun'] }],
  'UTC',
);
const newYork = systemCalendar('America/New_York');
const newYork5 = resolveCalendar('ny', [{ timezone: 'America/New_York', dayChangeTime: '05:00' }], 'UTC');
const berlin = systemCalendar('Europe/Berlin');
const berlin5 = resolveCalendar('de', [{ timezone: 'Europe/Berlin', dayChangeTime: '05:00' }], 'UTC');

/** [instant, wall-clock time] pairs of a list of starts. */
const instantsAndTimes = (starts: { instant: string; time: string }[]): [string, string][] =>
  starts.map(({ instant, time }) => [instant, time]);

describe('starts of one business date (R-SCH-1, R-SCH-2)', () => {
  it.each<[string, StartTrigger, BusinessCalendar, string, [string, string][]]>([
    [
      'at: a time before the day change is on the next calendar date',
      { at: ['22:00', '03:00'] },
      tokyo5,
      '2026-11-02',
      [
        ['2026-11-02T13:00:00.000Z', '22:00'],
        ['2026-11-02T18:00:00.000Z', '03:00'],
      ],
    ],
    [
      'every: a 22:00–02:00 window crosses midnight with day change 05:00',
      { every: { minutes: 60, from: '22:00', until: '02:00' } },
      tokyo5,
      '2026-11-02',
      [
        ['2026-11-02T13:00:00.000Z', '22:00'],
        ['2026-11-02T14:00:00.000Z', '23:00'],
        ['2026-11-02T15:00:00.000Z', '00:00'],
        ['2026-11-02T16:00:00.000Z', '01:00'],
        ['2026-11-02T17:00:00.000Z', '02:00'],
      ],
    ],
    [
      'every: without from/until, from the day change up to (not including) the next',
      { every: { minutes: 360 } },
      tokyo5,
      '2026-11-02',
      [
        ['2026-11-01T20:00:00.000Z', '05:00'],
        ['2026-11-02T02:00:00.000Z', '11:00'],
        ['2026-11-02T08:00:00.000Z', '17:00'],
        ['2026-11-02T14:00:00.000Z', '23:00'],
      ],
    ],
    [
      'every: until is inclusive',
      { every: { minutes: 30, from: '08:00', until: '09:00' } },
      tokyo5,
      '2026-11-02',
      [
        ['2026-11-01T23:00:00.000Z', '08:00'],
        ['2026-11-01T23:30:00.000Z', '08:30'],
        ['2026-11-02T00:00:00.000Z', '09:00'],
      ],
    ],
    [
      'every: until before from in the business day gives no start',
      { every: { minutes: 30, from: '02:00', until: '22:00' } },
      tokyo5,
      '2026-11-02',
      [],
    ],
    [
      'every: New York spring forward keeps 60 elapsed minutes (no 02:00)',
      { every: { minutes: 60, from: '00:00', until: '04:00' } },
      newYork,
      '2026-03-08',
      [
        ['2026-03-08T05:00:00.000Z', '00:00'],
        ['2026-03-08T06:00:00.000Z', '01:00'],
        ['2026-03-08T07:00:00.000Z', '03:00'],
        ['2026-03-08T08:00:00.000Z', '04:00'],
      ],
    ],
    [
      'every: New York fall back keeps 60 elapsed minutes (01:00 twice)',
      { every: { minutes: 60, from: '00:00', until: '04:00' } },
      newYork,
      '2026-11-01',
      [
        ['2026-11-01T04:00:00.000Z', '00:00'],
        ['2026-11-01T05:00:00.000Z', '01:00'],
        ['2026-11-01T06:00:00.000Z', '01:00'],
        ['2026-11-01T07:00:00.000Z', '02:00'],
        ['2026-11-01T08:00:00.000Z', '03:00'],
        ['2026-11-01T09:00:00.000Z', '04:00'],
      ],
    ],
    [
      'at: two times resolving into one instant in a DST gap start once',
      { at: ['02:30', '03:30'] },
      newYork,
      '2026-03-08',
      [['2026-03-08T07:30:00.000Z', '03:30']],
    ],
    [
      'at: the same times on an ordinary day start twice',
      { at: ['02:30', '03:30'] },
      newYork,
      '2026-03-09',
      [
        ['2026-03-09T06:30:00.000Z', '02:30'],
        ['2026-03-09T07:30:00.000Z', '03:30'],
      ],
    ],
    [
      'at: a time in the overlap starts once, at the earlier instant',
      { at: ['01:30'] },
      newYork,
      '2026-11-01',
      [['2026-11-01T05:30:00.000Z', '01:30']],
    ],
    [
      'at: next-date time of a business date in the New York gap',
      { at: ['02:30'] },
      newYork5,
      '2026-03-07',
      [['2026-03-08T07:30:00.000Z', '03:30']],
    ],
    ['at: Berlin spring forward', { at: ['02:30'] }, berlin, '2026-03-29', [['2026-03-29T01:30:00.000Z', '03:30']]],
    ['at: Berlin fall back', { at: ['02:30'] }, berlin, '2026-10-25', [['2026-10-25T00:30:00.000Z', '02:30']]],
    ['at: Berlin after fall back', { at: ['02:30'] }, berlin, '2026-10-26', [['2026-10-26T01:30:00.000Z', '02:30']]],
    [
      'events: the notBefore time of the business day',
      { events: { notBefore: '21:00' } },
      tokyo5,
      '2026-11-02',
      [['2026-11-02T12:00:00.000Z', '21:00']],
    ],
    [
      'events: without notBefore, the start of the business day',
      { events: {} },
      tokyo5,
      '2026-11-02',
      [['2026-11-01T20:00:00.000Z', '05:00']],
    ],
    ['no trigger: manual starts only', {}, tokyo5, '2026-11-02', []],
    [
      'at: the minute before the day change is the last start of the business date',
      { at: ['04:59', '05:00'] },
      tokyo5,
      '2026-11-02',
      [
        ['2026-11-01T20:00:00.000Z', '05:00'],
        ['2026-11-02T19:59:00.000Z', '04:59'],
      ],
    ],
    [
      'at: a time before the day change falls on the next year',
      { at: ['00:30'] },
      tokyo5,
      '2026-12-31',
      [['2026-12-31T15:30:00.000Z', '00:30']],
    ],
    [
      'at: both edges of the New York gap move forward by an hour',
      { at: ['02:00', '02:59'] },
      newYork,
      '2026-03-08',
      [
        ['2026-03-08T07:00:00.000Z', '03:00'],
        ['2026-03-08T07:59:00.000Z', '03:59'],
      ],
    ],
    [
      'at: both edges of the New York overlap start once, in EDT',
      { at: ['01:00', '01:59', '02:00'] },
      newYork,
      '2026-11-01',
      [
        ['2026-11-01T05:00:00.000Z', '01:00'],
        ['2026-11-01T05:59:00.000Z', '01:59'],
        ['2026-11-01T07:00:00.000Z', '02:00'],
      ],
    ],
    [
      'at: next-date time of a business date in the New York overlap',
      { at: ['01:30'] },
      newYork5,
      '2026-10-31',
      [['2026-11-01T05:30:00.000Z', '01:30']],
    ],
    [
      'at: next-date time of a business date in the Berlin gap',
      { at: ['02:30'] },
      berlin5,
      '2026-03-28',
      [['2026-03-29T01:30:00.000Z', '03:30']],
    ],
    [
      'at: next-date time of a business date in the Berlin overlap',
      { at: ['02:30'] },
      berlin5,
      '2026-10-24',
      [['2026-10-25T00:30:00.000Z', '02:30']],
    ],
    [
      'every: a 23-hour New York business day (day change 05:00) ends before its 05:00 EST slot',
      { every: { minutes: 180 } },
      newYork5,
      '2026-03-07',
      [
        ['2026-03-07T10:00:00.000Z', '05:00'],
        ['2026-03-07T13:00:00.000Z', '08:00'],
        ['2026-03-07T16:00:00.000Z', '11:00'],
        ['2026-03-07T19:00:00.000Z', '14:00'],
        ['2026-03-07T22:00:00.000Z', '17:00'],
        ['2026-03-08T01:00:00.000Z', '20:00'],
        ['2026-03-08T04:00:00.000Z', '23:00'],
        ['2026-03-08T07:00:00.000Z', '03:00'],
      ],
    ],
    [
      'every: a 25-hour New York business day (day change 05:00) has room for a 04:00 EST start',
      { every: { minutes: 360 } },
      newYork5,
      '2026-10-31',
      [
        ['2026-10-31T09:00:00.000Z', '05:00'],
        ['2026-10-31T15:00:00.000Z', '11:00'],
        ['2026-10-31T21:00:00.000Z', '17:00'],
        ['2026-11-01T03:00:00.000Z', '23:00'],
        ['2026-11-01T09:00:00.000Z', '04:00'],
      ],
    ],
    [
      'every: from inside the New York gap starts at its end',
      { every: { minutes: 30, from: '02:30', until: '04:00' } },
      newYork,
      '2026-03-08',
      [
        ['2026-03-08T07:30:00.000Z', '03:30'],
        ['2026-03-08T08:00:00.000Z', '04:00'],
      ],
    ],
    [
      'every: Berlin spring forward keeps 30 elapsed minutes (no 02:xx)',
      { every: { minutes: 30, from: '01:00', until: '04:00' } },
      berlin,
      '2026-03-29',
      [
        ['2026-03-29T00:00:00.000Z', '01:00'],
        ['2026-03-29T00:30:00.000Z', '01:30'],
        ['2026-03-29T01:00:00.000Z', '03:00'],
        ['2026-03-29T01:30:00.000Z', '03:30'],
        ['2026-03-29T02:00:00.000Z', '04:00'],
      ],
    ],
    [
      'every: Berlin fall back keeps 30 elapsed minutes (02:00 and 02:30 twice)',
      { every: { minutes: 30, from: '02:00', until: '03:00' } },
      berlin,
      '2026-10-25',
      [
        ['2026-10-25T00:00:00.000Z', '02:00'],
        ['2026-10-25T00:30:00.000Z', '02:30'],
        ['2026-10-25T01:00:00.000Z', '02:00'],
        ['2026-10-25T01:30:00.000Z', '02:30'],
        ['2026-10-25T02:00:00.000Z', '03:00'],
      ],
    ],
    [
      'every: a window crossing midnight into the Berlin gap (day change 05:00)',
      { every: { minutes: 60, from: '22:00', until: '04:00' } },
      berlin5,
      '2026-03-28',
      [
        ['2026-03-28T21:00:00.000Z', '22:00'],
        ['2026-03-28T22:00:00.000Z', '23:00'],
        ['2026-03-28T23:00:00.000Z', '00:00'],
        ['2026-03-29T00:00:00.000Z', '01:00'],
        ['2026-03-29T01:00:00.000Z', '03:00'],
        ['2026-03-29T02:00:00.000Z', '04:00'],
      ],
    ],
    [
      'every: a window crossing midnight into the next year',
      { every: { minutes: 120, from: '23:00', until: '03:00' } },
      tokyo5,
      '2026-12-31',
      [
        ['2026-12-31T14:00:00.000Z', '23:00'],
        ['2026-12-31T16:00:00.000Z', '01:00'],
        ['2026-12-31T18:00:00.000Z', '03:00'],
      ],
    ],
  ])('%s', (_name, start, calendar, date, expected) => {
    const starts = startsOfBusinessDate(start, calendar, date);
    expect(instantsAndTimes(starts)).toEqual(expected);
    expect(starts.every((entry) => entry.businessDate === date)).toBe(true);
  });

  it('labels each start with its trigger', () => {
    expect(startsOfBusinessDate({ at: ['10:00'] }, tokyo5, '2026-11-02')[0]?.kind).toBe('at');
    expect(startsOfBusinessDate({ every: { minutes: 1440 } }, tokyo5, '2026-11-02').map((entry) => entry.kind)).toEqual(
      ['every'],
    );
    expect(startsOfBusinessDate({ events: {} }, tokyo5, '2026-11-02')[0]?.kind).toBe('events');
  });

  it('refuses an interval that is not a whole number of minutes', () => {
    expect(() => startsOfBusinessDate({ every: { minutes: 0 } }, tokyo5, '2026-11-02')).toThrow(RangeError);
  });

  it('gives the earliest event start of a business date (R-EVT-2)', () => {
    expect(earliestEventStart({ notBefore: '03:00' }, tokyo5, '2026-11-02')).toBe('2026-11-02T18:00:00.000Z');
    expect(earliestEventStart({}, newYork5, '2026-03-08')).toBe('2026-03-08T09:00:00.000Z');
  });
});

describe('next starts (R-SCH-4)', () => {
  const at = { at: ['22:00', '03:00'] };

  it('lists the next starts strictly after the given instant, over the start days only', () => {
    const starts = nextStarts(at, ['2026-11-02', '2026-11-04'], tokyo5, '2026-11-02T00:00:00Z', 3);
    expect(starts).toEqual([
      { businessDate: '2026-11-02', instant: '2026-11-02T13:00:00.000Z', time: '22:00', kind: 'at' },
      { businessDate: '2026-11-02', instant: '2026-11-02T18:00:00.000Z', time: '03:00', kind: 'at' },
      { businessDate: '2026-11-04', instant: '2026-11-04T13:00:00.000Z', time: '22:00', kind: 'at' },
    ]);
  });

  it('includes the late start of the previous business date still to come', () => {
    // 02:00 JST on 11-02 is still business date 11-01; its 03:00 start is an hour away.
    const starts = nextStarts(at, ['2026-11-01', '2026-11-02'], tokyo5, '2026-11-01T17:00:00Z', 2);
    expect(starts.map(({ businessDate, instant }) => [businessDate, instant])).toEqual([
      ['2026-11-01', '2026-11-01T18:00:00.000Z'],
      ['2026-11-02', '2026-11-02T13:00:00.000Z'],
    ]);
  });

  it('still lists a start that a DST gap pushed past the next day change', () => {
    // Day change 03:00: 02:30 of business date 03-07 is 02:30 on 03-08, which does not exist in
    // New York and becomes 03:30 EDT, after business date 03-08 began at 03:00 EDT.
    const newYork3 = resolveCalendar('ny3', [{ timezone: 'America/New_York', dayChangeTime: '03:00' }], 'UTC');
    const starts = nextStarts({ at: ['02:30'] }, ['2026-03-07'], newYork3, '2026-03-08T07:10:00Z', 1);
    expect(starts).toEqual([
      { businessDate: '2026-03-07', instant: '2026-03-08T07:30:00.000Z', time: '03:30', kind: 'at' },
    ]);
  });

  it('does not repeat a start at exactly the given instant', () => {
    const starts = nextStarts(at, ['2026-11-02'], tokyo5, '2026-11-02T13:00:00.000Z', 5);
    expect(starts.map((entry) => entry.instant)).toEqual(['2026-11-02T18:00:00.000Z']);
  });

  it('accepts epoch milliseconds and returns fewer starts when the start days run out', () => {
    const starts = nextStarts(at, ['2026-11-02'], tokyo5, Date.UTC(2026, 10, 1), 10);
    expect(starts).toHaveLength(2);
  });

  it('returns nothing for a count of 0 or without a trigger', () => {
    expect(nextStarts(at, ['2026-11-02'], tokyo5, '2026-11-01T00:00:00Z', 0)).toEqual([]);
    expect(nextStarts({}, ['2026-11-02'], tokyo5, '2026-11-01T00:00:00Z', 5)).toEqual([]);
  });

  it('orders interval starts across days and stops at the count', () => {
    const every = { every: { minutes: 60, from: '22:00', until: '02:00' } };
    const starts = nextStarts(every, ['2026-11-02', '2026-11-03', '2026-11-04'], tokyo5, '2026-11-02T16:30:00Z', 4);
    expect(starts.map(({ businessDate, time }) => [businessDate, time])).toEqual([
      ['2026-11-02', '02:00'],
      ['2026-11-03', '22:00'],
      ['2026-11-03', '23:00'],
      ['2026-11-03', '00:00'],
    ]);
  });

  it('follows DST in New York', () => {
    const starts = nextStarts(
      { at: ['01:30'] },
      ['2026-10-31', '2026-11-01', '2026-11-02'],
      newYork,
      '2026-10-31T00:00:00Z',
      3,
    );
    expect(starts.map((entry) => entry.instant)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('agrees with the starts of each business date', () => {
    const start = { every: { minutes: 45, from: '21:00', until: '04:00' } };
    const days = ['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09'];
    const perDay = days.flatMap((date) => startsOfBusinessDate(start, newYork5, date));
    expect(nextStarts(start, days, newYork5, '2026-03-06T00:00:00Z', 1000)).toEqual(perDay);
  });

  it.each<[string, StartTrigger, string[], BusinessCalendar, string, number, [string, string, string][]]>([
    [
      'a minute before the day change, the previous business date’s last start comes first',
      { at: ['04:30', '06:00'] },
      ['2026-11-01', '2026-11-02'],
      tokyo5,
      '2026-11-01T19:29:00Z',
      2,
      [
        ['2026-11-01', '2026-11-01T19:30:00.000Z', '04:30'],
        ['2026-11-02', '2026-11-01T21:00:00.000Z', '06:00'],
      ],
    ],
    [
      'at the day change, the previous business date has no start left',
      { at: ['04:30', '06:00'] },
      ['2026-11-01', '2026-11-02'],
      tokyo5,
      '2026-11-01T20:00:00Z',
      2,
      [
        ['2026-11-02', '2026-11-01T21:00:00.000Z', '06:00'],
        ['2026-11-02', '2026-11-02T19:30:00.000Z', '04:30'],
      ],
    ],
    [
      'across the year end, a next-year time of the old business date first',
      { at: ['23:00', '01:00'] },
      ['2026-12-31', '2027-01-04'],
      tokyo5,
      '2026-12-31T14:30:00Z',
      2,
      [
        ['2026-12-31', '2026-12-31T16:00:00.000Z', '01:00'],
        ['2027-01-04', '2027-01-04T14:00:00.000Z', '23:00'],
      ],
    ],
    [
      'from inside an every window crossing midnight, then the next business date',
      { every: { minutes: 60, from: '22:00', until: '02:00' } },
      ['2026-12-31', '2027-01-01'],
      tokyo5,
      '2026-12-31T15:30:00Z',
      3,
      [
        ['2026-12-31', '2026-12-31T16:00:00.000Z', '01:00'],
        ['2026-12-31', '2026-12-31T17:00:00.000Z', '02:00'],
        ['2027-01-01', '2027-01-01T13:00:00.000Z', '22:00'],
      ],
    ],
    [
      'in the second pass of the New York overlap, 01:30 does not start again',
      { at: ['01:30'] },
      ['2026-11-01', '2026-11-02'],
      newYork,
      '2026-11-01T06:00:00Z',
      1,
      [['2026-11-02', '2026-11-02T06:30:00.000Z', '01:30']],
    ],
    [
      'just before the New York gap, every continues after it',
      { every: { minutes: 30, from: '01:00', until: '04:00' } },
      ['2026-03-08'],
      newYork,
      '2026-03-08T06:45:00Z',
      3,
      [
        ['2026-03-08', '2026-03-08T07:00:00.000Z', '03:00'],
        ['2026-03-08', '2026-03-08T07:30:00.000Z', '03:30'],
        ['2026-03-08', '2026-03-08T08:00:00.000Z', '04:00'],
      ],
    ],
    [
      'Berlin spring forward with day change 05:00: the gap start, then the next business date',
      { at: ['02:30'] },
      ['2026-03-28', '2026-03-29'],
      berlin5,
      '2026-03-28T12:00:00Z',
      2,
      [
        ['2026-03-28', '2026-03-29T01:30:00.000Z', '03:30'],
        ['2026-03-29', '2026-03-30T00:30:00.000Z', '02:30'],
      ],
    ],
    [
      'Berlin fall back with day change 05:00: after the first 02:30, the next is a day later',
      { at: ['02:30'] },
      ['2026-10-24', '2026-10-25'],
      berlin5,
      '2026-10-25T00:30:00Z',
      1,
      [['2026-10-25', '2026-10-26T01:30:00.000Z', '02:30']],
    ],
    [
      'the extra hour of a 25-hour New York business day starts before the next business date',
      { every: { minutes: 360 } },
      ['2026-10-31', '2026-11-01'],
      newYork5,
      '2026-11-01T05:00:00Z',
      2,
      [
        ['2026-10-31', '2026-11-01T09:00:00.000Z', '04:00'],
        ['2026-11-01', '2026-11-01T10:00:00.000Z', '05:00'],
      ],
    ],
  ])('across a boundary: %s', (_name, start, startDays, calendar, after, count, expected) => {
    const starts = nextStarts(start, startDays, calendar, after, count);
    expect(starts.map(({ businessDate, instant, time }) => [businessDate, instant, time])).toEqual(expected);
  });

  describe('event starts: the earliest instant per business date (R-EVT-2)', () => {
    it('with startDaysOnly, per start day, the current one included after its notBefore', () => {
      const starts = nextStarts(
        { events: { notBefore: '21:00', startDaysOnly: true } },
        ['2026-11-02', '2026-11-04'],
        tokyo5,
        '2026-11-02T13:30:00Z',
        2,
      );
      expect(starts).toEqual([
        { businessDate: '2026-11-02', instant: '2026-11-02T12:00:00.000Z', time: '21:00', kind: 'events' },
        { businessDate: '2026-11-04', instant: '2026-11-04T12:00:00.000Z', time: '21:00', kind: 'events' },
      ]);
    });

    it('without startDaysOnly, every business date counts', () => {
      const starts = nextStarts(
        { events: { notBefore: '21:00' } },
        ['2026-11-02', '2026-11-04'],
        tokyo5,
        '2026-11-02T13:30:00Z',
        3,
      );
      expect(starts.map((entry) => entry.businessDate)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04']);
    });

    it('starts from the business date of the instant, not its calendar date', () => {
      // 04:00 JST on 11-02 belongs to business date 11-01 (day change 05:00).
      const starts = nextStarts({ events: { notBefore: '21:00' } }, [], tokyo5, '2026-11-01T19:00:00Z', 1);
      expect(starts).toEqual([
        { businessDate: '2026-11-01', instant: '2026-11-01T12:00:00.000Z', time: '21:00', kind: 'events' },
      ]);
    });
  });
});
