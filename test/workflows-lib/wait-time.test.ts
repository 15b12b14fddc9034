import { describe, expect, it } from 'vitest';
import {
  instantMillis,
  resolveCalendar,
  systemCalendar,
  type BusinessCalendar,
} from '../../workflows/lib/business-calendar.js';
import type { WaitTimeSpec } from '../../workflows/lib/job-specs.js';
import { planWaitTime, type WaitTimePlan } from '../../workflows/lib/wait-time.js';

const tokyo = systemCalendar('Asia/Tokyo');
/** WOI 8.1.4's example calendars: the day changes at 10:00 and at 05:00. */
const tokyoDayChange10 = resolveCalendar('dc10', [{ timezone: 'Asia/Tokyo', dayChangeTime: '10:00' }], 'UTC');
const tokyoDayChange05 = resolveCalendar('dc05', [{ timezone: 'Asia/Tokyo', dayChangeTime: '05:00' }], 'UTC');
/** DST: clocks go forward 02:00 → 03:00 on 2026-03-08 and back 02:00 → 01:00 on 2026-11-01. */
const newYork = systemCalendar('America/New_York');
const newYorkDayChange05 = resolveCalendar('ny05', [{ timezone: 'America/New_York', dayChangeTime: '05:00' }], 'UTC');

const at = (iso: string): number => instantMillis(iso);
const wait = (untilIso: string, output: string): WaitTimePlan => ({ kind: 'wait', untilMillis: at(untilIso), output });
const end = (exitCode: number, output: string): WaitTimePlan => ({ kind: 'end', exitCode, output });

interface Case {
  spec: WaitTimeSpec;
  calendar: BusinessCalendar;
  businessDate: string;
  now: string;
  expected: WaitTimePlan;
}

function expectPlan({ spec, calendar, businessDate, now, expected }: Case): void {
  expect(planWaitTime(spec, calendar, businessDate, at(now))).toEqual(expected);
}

describe('planWaitTime waits until `until` of the business date, else ends 0 at once (R-JOBT-3)', () => {
  it.each<[string, Case]>([
    [
      'before until: wait until it',
      {
        spec: { until: '1200' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T11:00+09:00',
        expected: wait('2026-04-01T12:00+09:00', 'CT_WTIME=1200'),
      },
    ],
    [
      'a millisecond before until still waits',
      {
        spec: { until: '1200' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T11:59:59.999+09:00',
        expected: wait('2026-04-01T12:00+09:00', 'CT_WTIME=1200'),
      },
    ],
    [
      'exactly at until: end 0',
      {
        spec: { until: '1200' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T12:00+09:00',
        expected: end(0, 'CT_WTIME=1200'),
      },
    ],
    [
      'after until without latest: end 0',
      {
        spec: { until: '1200' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T23:59+09:00',
        expected: end(0, 'CT_WTIME=1200'),
      },
    ],
    [
      'until 0000 with day change 00:00 is the start of the business date',
      {
        spec: { until: '0000' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-03-31T23:00+09:00',
        expected: wait('2026-04-01T00:00+09:00', 'CT_WTIME=0000'),
      },
    ],
  ])('%s', (_name, testCase) => expectPlan(testCase));
});

describe('planWaitTime reads HHMM relative to the day change (R-JOBT-3, WOI 8.1.4)', () => {
  it.each<[string, Case]>([
    [
      'day change 10:00: 0900 is 09:00 of the next calendar day',
      {
        spec: { until: '0900' },
        calendar: tokyoDayChange10,
        businessDate: '2026-04-01',
        now: '2026-04-01T12:00+09:00',
        expected: wait('2026-04-02T09:00+09:00', 'CT_WTIME=0900'),
      },
    ],
    [
      'day change 10:00: 0900 is reached at 09:00 the next day',
      {
        spec: { until: '0900' },
        calendar: tokyoDayChange10,
        businessDate: '2026-04-01',
        now: '2026-04-02T09:00+09:00',
        expected: end(0, 'CT_WTIME=0900'),
      },
    ],
    [
      'day change 10:00: 1000 is the start of the business date itself',
      {
        spec: { until: '1000' },
        calendar: tokyoDayChange10,
        businessDate: '2026-04-01',
        now: '2026-04-01T09:30+09:00',
        expected: wait('2026-04-01T10:00+09:00', 'CT_WTIME=1000'),
      },
    ],
    [
      'WOI example a (day change 05:00, started at 03:00): 0600 has passed, end at once',
      {
        spec: { until: '0600' },
        calendar: tokyoDayChange05,
        businessDate: '2026-04-01',
        now: '2026-04-02T03:00+09:00',
        expected: end(0, 'CT_WTIME=0600'),
      },
    ],
    [
      'WOI example b (day change 05:00, started at 03:00): 0100 has passed, end at once',
      {
        spec: { until: '0100' },
        calendar: tokyoDayChange05,
        businessDate: '2026-04-01',
        now: '2026-04-02T03:00+09:00',
        expected: end(0, 'CT_WTIME=0100'),
      },
    ],
    [
      'WOI example c (day change 05:00, started at 03:00): 0400 is ahead, wait until 04:00',
      {
        spec: { until: '0400' },
        calendar: tokyoDayChange05,
        businessDate: '2026-04-01',
        now: '2026-04-02T03:00+09:00',
        expected: wait('2026-04-02T04:00+09:00', 'CT_WTIME=0400'),
      },
    ],
  ])('%s', (_name, testCase) => expectPlan(testCase));
});

describe('planWaitTime ends 1 when started after `latest` (R-JOBT-3, R-EXIT-4)', () => {
  const window: WaitTimeSpec = { until: '1200', latest: '1500' };
  const both = 'CT_WTIME=1200\nCT_LTIME=1500';
  it.each<[string, Case]>([
    [
      'before until: wait, and end 0 after waiting',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T09:00+09:00',
        expected: wait('2026-04-01T12:00+09:00', both),
      },
    ],
    [
      'at until: end 0',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T12:00+09:00',
        expected: end(0, both),
      },
    ],
    [
      'between until and latest: end 0',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T13:30+09:00',
        expected: end(0, both),
      },
    ],
    [
      'at latest: end 0',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T15:00+09:00',
        expected: end(0, both),
      },
    ],
    [
      'within the latest minute: still end 0',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T15:00:59.999+09:00',
        expected: end(0, both),
      },
    ],
    [
      'after the latest minute: end 1',
      {
        spec: window,
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T15:01+09:00',
        expected: end(1, both),
      },
    ],
    [
      'latest equal to until is allowed: a start within that minute ends 0',
      {
        spec: { until: '1200', latest: '1200' },
        calendar: tokyo,
        businessDate: '2026-04-01',
        now: '2026-04-01T12:00:30+09:00',
        expected: end(0, 'CT_WTIME=1200\nCT_LTIME=1200'),
      },
    ],
    [
      'day change 05:00, until 1700 latest 0400: latest is 04:00 of the next calendar day (WOI)',
      {
        spec: { until: '1700', latest: '0400' },
        calendar: tokyoDayChange05,
        businessDate: '2026-04-01',
        now: '2026-04-02T03:59+09:00',
        expected: end(0, 'CT_WTIME=1700\nCT_LTIME=0400'),
      },
    ],
    [
      'day change 05:00, until 1700 latest 0400: started 04:01 the next day ends 1',
      {
        spec: { until: '1700', latest: '0400' },
        calendar: tokyoDayChange05,
        businessDate: '2026-04-01',
        now: '2026-04-02T04:01+09:00',
        expected: end(1, 'CT_WTIME=1700\nCT_LTIME=0400'),
      },
    ],
    [
      'day change 10:00, until 2300 latest 0930: started at 09:00 the next day ends 0',
      {
        spec: { until: '2300', latest: '0930' },
        calendar: tokyoDayChange10,
        businessDate: '2026-04-01',
        now: '2026-04-02T09:00+09:00',
        expected: end(0, 'CT_WTIME=2300\nCT_LTIME=0930'),
      },
    ],
  ])('%s', (_name, testCase) => expectPlan(testCase));
});

describe('planWaitTime uses the scheduled business date, so a restart on a later day does not wait again (R-JOBT-3, WOI 8.1.4)', () => {
  it.each<[string, Case]>([
    [
      'WOI example: run of 9/1 with until 2200, restarted 9/2 at 20:00, ends at once',
      {
        spec: { until: '2200' },
        calendar: tokyo,
        businessDate: '2026-09-01',
        now: '2026-09-02T20:00+09:00',
        expected: end(0, 'CT_WTIME=2200'),
      },
    ],
    [
      'restarted the next day after its latest: ends 1',
      {
        spec: { until: '2200', latest: '2300' },
        calendar: tokyo,
        businessDate: '2026-09-01',
        now: '2026-09-02T20:00+09:00',
        expected: end(1, 'CT_WTIME=2200\nCT_LTIME=2300'),
      },
    ],
    [
      'day change 10:00: restarted the next calendar day before 09:00 still waits for 0900 of the scheduled business date',
      {
        spec: { until: '0900' },
        calendar: tokyoDayChange10,
        businessDate: '2026-09-01',
        now: '2026-09-02T08:00+09:00',
        expected: wait('2026-09-02T09:00+09:00', 'CT_WTIME=0900'),
      },
    ],
    [
      'day change 10:00: restarted two calendar days later, 0900 has passed',
      {
        spec: { until: '0900' },
        calendar: tokyoDayChange10,
        businessDate: '2026-09-01',
        now: '2026-09-03T08:00+09:00',
        expected: end(0, 'CT_WTIME=0900'),
      },
    ],
  ])('%s', (_name, testCase) => expectPlan(testCase));
});

describe('planWaitTime places times in the calendar time zone across DST (America/New_York)', () => {
  it.each<[string, Case]>([
    [
      'noon of the day before spring-forward is 17:00Z (EST)',
      {
        spec: { until: '1200' },
        calendar: newYork,
        businessDate: '2026-03-07',
        now: '2026-03-07T00:00Z',
        expected: wait('2026-03-07T17:00Z', 'CT_WTIME=1200'),
      },
    ],
    [
      'noon of the spring-forward day is 16:00Z (EDT)',
      {
        spec: { until: '1200' },
        calendar: newYork,
        businessDate: '2026-03-08',
        now: '2026-03-08T06:00Z',
        expected: wait('2026-03-08T16:00Z', 'CT_WTIME=1200'),
      },
    ],
    [
      '0230 does not exist on 2026-03-08: it moves forward to 03:30 EDT',
      {
        spec: { until: '0230' },
        calendar: newYork,
        businessDate: '2026-03-08',
        now: '2026-03-08T06:00Z',
        expected: wait('2026-03-08T07:30Z', 'CT_WTIME=0230'),
      },
    ],
    [
      'day change 05:00: 0400 of business date 03-07 is 04:00 EDT on 03-08',
      {
        spec: { until: '0400' },
        calendar: newYorkDayChange05,
        businessDate: '2026-03-07',
        now: '2026-03-08T06:00Z',
        expected: wait('2026-03-08T08:00Z', 'CT_WTIME=0400'),
      },
    ],
    [
      'day change 05:00: 2300 of business date 03-07 is 23:00 EST on 03-07',
      {
        spec: { until: '2300', latest: '0400' },
        calendar: newYorkDayChange05,
        businessDate: '2026-03-07',
        now: '2026-03-08T04:30Z',
        expected: end(0, 'CT_WTIME=2300\nCT_LTIME=0400'),
      },
    ],
    [
      'day change 05:00: started 04:01 EDT on 03-08 is after latest 0400 of business date 03-07',
      {
        spec: { until: '2300', latest: '0400' },
        calendar: newYorkDayChange05,
        businessDate: '2026-03-07',
        now: '2026-03-08T08:01Z',
        expected: end(1, 'CT_WTIME=2300\nCT_LTIME=0400'),
      },
    ],
    [
      '0130 occurs twice on 2026-11-01: the earlier (EDT) one counts',
      {
        spec: { until: '0130' },
        calendar: newYork,
        businessDate: '2026-11-01',
        now: '2026-11-01T04:00Z',
        expected: wait('2026-11-01T05:30Z', 'CT_WTIME=0130'),
      },
    ],
  ])('%s', (_name, testCase) => expectPlan(testCase));
});

describe('planWaitTime ends 21 on a wrong specification (R-EXIT-4)', () => {
  it.each<[string, WaitTimeSpec, BusinessCalendar, RegExp]>([
    ['latest before until', { until: '1500', latest: '1200' }, tokyo, /latest 1200 is earlier than until 1500/],
    [
      'day change 05:00: latest 1500 before until 1700 (WOI)',
      { until: '1700', latest: '1500' },
      tokyoDayChange05,
      /day change 05:00/,
    ],
    [
      'day change 05:00: until 0400 is the next calendar day, so latest 0600 is before it',
      { until: '0400', latest: '0600' },
      tokyoDayChange05,
      /earlier/,
    ],
    [
      'day change 10:00: latest 1000 starts the business day, before until 0900',
      { until: '0900', latest: '1000' },
      tokyoDayChange10,
      /earlier/,
    ],
    [
      'day change 00:00: latest 0100 is before until 2300, not the next day',
      { until: '2300', latest: '0100' },
      tokyo,
      /earlier/,
    ],
    ['until 2400', { until: '2400' }, tokyo, /until "2400" is not a time HHMM/],
    ['until with a colon', { until: '09:30' }, tokyo, /until "09:30"/],
    ['until with three digits', { until: '930' }, tokyo, /until "930"/],
    ['until 1260', { until: '1260' }, tokyo, /until "1260"/],
    ['until empty', { until: '' }, tokyo, /until ""/],
    ['latest malformed', { until: '1200', latest: '15:00' }, tokyo, /latest "15:00" is not a time HHMM/],
  ])('%s', (_name, spec, calendar, message) => {
    const plan = planWaitTime(spec, calendar, '2026-04-01', at('2026-04-01T08:00+09:00'));
    expect(plan).toMatchObject({ kind: 'end', exitCode: 21, output: '' });
    expect(plan.kind === 'end' ? plan.message : undefined).toMatch(message);
  });

  it('throws a RangeError for a malformed business date or time (caller bugs)', () => {
    expect(() => planWaitTime({ until: '1200' }, tokyo, '2026-02-30', 0)).toThrow(RangeError);
    expect(() => planWaitTime({ until: '1200' }, tokyo, '2026-04-01', Number.NaN)).toThrow(RangeError);
  });
});
