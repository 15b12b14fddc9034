/**
 * The compiled schedule (R-SCH, R-EVT-2, R-DAYS, R-TRB, R-STATE-2), through the real compile
 * step: the fixture repository test/fixtures/valid/schedules/ holds one jobnet per trigger, and
 * each compiles to a `CompiledSchedule` with every default filled in, durations in seconds, and
 * the DayPatterns its day rules reach copied in. A schedule change moves the jobnet's digest, so
 * the controller re-applies it.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileJobnet, type CompileResult } from '../../controller/compile/compile-jobnet.js';
import { jobnetStartDays } from '../../controller/compile/compile-start-days.js';
import { readDirectorySnapshot, type RepositorySnapshot } from '../../controller/definitions/repository-snapshot.js';
import {
  validateRepository,
  validateSnapshot,
  type ValidatedRepository,
} from '../../controller/definitions/validate-repository.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { scheduleStartDays, triggerKind, type CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'valid');
const schedulesDir = path.join(fixtures, 'schedules');

async function validDirectory(dir: string): Promise<ValidatedRepository> {
  const result = await validateRepository(dir);
  expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual([]);
  return result.value;
}

function compiled(result: CompileResult): CompiledJobnet {
  if (!result.ok) throw new Error(`unexpected compile failure: ${result.message}`);
  return result.jobnet;
}

function scheduleOf(jobnet: CompiledJobnet): CompiledSchedule {
  if (jobnet.schedule === undefined) throw new Error(`${jobnet.project}/${jobnet.name} has no compiled schedule`);
  return jobnet.schedule;
}

describe('a jobnet that says nothing about its schedule', () => {
  it('compiles to the defaults: enabled, manual start only, catch-up 600 s, no confirmation, no deadlines, every operating day', async () => {
    const repository = await validDirectory(path.join(fixtures, 'minimal')); // no Settings at all
    const hello = compiled(compileJobnet(repository, 'demo', 'hello'));
    expect(scheduleOf(hello)).toStrictEqual({
      enabled: true,
      days: { everyDay: true, holidayShift: 'skip' },
      dayPatterns: {},
      start: {},
      catchUpWindowSeconds: 600,
      deadlines: {},
      requireConfirmation: false,
    });
    expect(triggerKind(scheduleOf(hello).start)).toBe('manual');
  });
});

describe('the schedules of test/fixtures/valid/schedules compiled', () => {
  let repository: ValidatedRepository;
  const schedules: Record<string, CompiledSchedule> = {};
  const jobnets: Record<string, CompiledJobnet> = {};
  beforeAll(async () => {
    repository = await validDirectory(schedulesDir);
    for (const name of ['manual', 'at-times', 'every', 'on-event', 'on-events-all', 'switched-off']) {
      jobnets[name] = compiled(compileJobnet(repository, 'sched', name));
      schedules[name] = scheduleOf(jobnets[name]);
    }
  });

  it.each<[string, CompiledSchedule]>([
    [
      // Only the catch-up window differs from the defaults: Settings sets 15m.
      'manual',
      {
        enabled: true,
        days: { everyDay: true, holidayShift: 'skip' },
        dayPatterns: {},
        start: {},
        catchUpWindowSeconds: 900,
        deadlines: {},
        requireConfirmation: false,
      },
    ],
    [
      'at-times',
      {
        enabled: true,
        days: { weekdays: ['mon', 'fri'], holidayShift: 'after' },
        dayPatterns: {},
        start: { at: ['22:00', '06:30'] },
        catchUpWindowSeconds: 300,
        deadlines: { start: '22:10', endAt: '23:30' },
        requireConfirmation: true,
      },
    ],
    [
      'every',
      {
        enabled: true,
        days: { everyDay: true, holidayShift: 'skip' },
        dayPatterns: {},
        start: { every: { minutes: 30, from: '08:00', until: '20:00' } },
        catchUpWindowSeconds: 900,
        deadlines: { endAfterSeconds: 5400 },
        requireConfirmation: false,
      },
    ],
    [
      'on-event',
      {
        enabled: true,
        days: { everyDay: true, holidayShift: 'skip' },
        dayPatterns: {},
        start: {
          events: { names: ['FILE_READY'], mode: 'any', whileRunning: false, oncePerDay: false, startDaysOnly: false },
        },
        catchUpWindowSeconds: 900,
        deadlines: {},
        requireConfirmation: false,
      },
    ],
    [
      'on-events-all',
      {
        enabled: true,
        days: { monthDays: ['last'], holidayShift: 'before', except: { dayPattern: 'blackout' } },
        dayPatternName: 'month-end',
        dayPatterns: {
          audit: { months: [3], monthDays: [31] },
          blackout: { dates: ['2027-03-31', '2027-12-31'], except: { dayPattern: 'audit' } },
        },
        start: {
          events: {
            names: ['FILE_READY', 'DB_READY'],
            mode: 'all',
            notBefore: '21:00',
            whileRunning: true,
            oncePerDay: true,
            startDaysOnly: true,
          },
        },
        catchUpWindowSeconds: 0,
        deadlines: {},
        requireConfirmation: false,
      },
    ],
    [
      'switched-off',
      {
        enabled: false,
        days: { everyDay: true, except: { dayPattern: 'blackout' } },
        dayPatterns: {
          audit: { months: [3], monthDays: [31] },
          blackout: { dates: ['2027-03-31', '2027-12-31'], except: { dayPattern: 'audit' } },
        },
        start: { at: ['12:00'] },
        catchUpWindowSeconds: 900,
        deadlines: {},
        requireConfirmation: false,
      },
    ],
  ])('%s', (name, schedule) => {
    expect(schedules[name]).toStrictEqual(schedule);
  });

  it.each([
    ['manual', 'manual'],
    ['at-times', 'at'],
    ['every', 'every'],
    ['on-event', 'events'],
    ['on-events-all', 'events'],
  ])('%s has the trigger kind %s', (name, kind) => {
    expect(triggerKind(schedules[name]?.start ?? {})).toBe(kind);
  });

  it('copies in only the DayPatterns the rules reach, sorted by name (never the unused one)', () => {
    for (const schedule of Object.values(schedules)) {
      expect(Object.keys(schedule.dayPatterns)).not.toContain('unused');
      expect(Object.keys(schedule.dayPatterns)).toEqual(Object.keys(schedule.dayPatterns).sort());
    }
  });

  it.each(['on-events-all', 'switched-off', 'at-times'])(
    '%s: the compiled schedule alone gives the start days the definitions give (R-DAYS-4: the actor needs nothing else)',
    (name) => {
      const jobnet = jobnets[name] as CompiledJobnet;
      const document = repository.index.jobnets.get(`sched/${name}`)?.value;
      if (document === undefined) throw new Error(`no jobnet sched/${name} in the index`);
      const calendar = jobnet.calendar;
      if (calendar === undefined) throw new Error('no calendar');
      const window = { from: '2027-01-01', to: '2027-12-31' };
      const fromDefinitions = jobnetStartDays(repository.index, document, calendar, window);
      if (!fromDefinitions.ok) throw new Error(fromDefinitions.message);
      expect(fromDefinitions.problems).toEqual([]);
      expect(scheduleStartDays(scheduleOf(jobnet), calendar, window)).toEqual(fromDefinitions.days);
    },
  );

  it('keeps the month-end day that the transitively reached pattern (audit) gives back, and drops the blacked-out one', () => {
    const jobnet = jobnets['on-events-all'] as CompiledJobnet;
    const days = scheduleStartDays(scheduleOf(jobnet), jobnet.calendar as NonNullable<CompiledJobnet['calendar']>, {
      from: '2027-01-01',
      to: '2027-12-31',
    });
    expect(days).toContain('2027-03-31');
    expect(days).toContain('2027-11-30');
    expect(days).not.toContain('2027-12-31');
    expect(days).toHaveLength(11);
  });
});

// ---------------------------------------------------------------------------------------------
// Schedule changes and the digest (R-GIT-3).

describe('a schedule change moves the jobnet’s digest', () => {
  let original: RepositorySnapshot;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();

  beforeAll(async () => {
    original = await readDirectorySnapshot(schedulesDir);
  });

  /** The fixture with `replace` applied to `file` (which must change), validated. */
  function edited(file: string, replace: [string, string]): ValidatedRepository {
    let found = false;
    const files = original.files.map((source) => {
      if (source.path !== file) return source;
      const text = decoder.decode(source.bytes);
      const changed = text.replace(...replace);
      expect(changed, `${file} contains ${replace[0]}`).not.toBe(text);
      found = true;
      return { ...source, bytes: encoder.encode(changed) };
    });
    expect(found, `${file} is in the fixture`).toBe(true);
    const result = validateSnapshot({ files });
    expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual([]);
    return result.value;
  }

  function digestOf(repository: ValidatedRepository, jobnet: string): string {
    const digest = compiled(compileJobnet(repository, 'sched', jobnet)).digest;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    return digest as string;
  }

  const unchanged = () => validateSnapshot({ files: original.files }).value;

  it.each<[string, string, string, [string, string]]>([
    ['a start time changes', 'at-times', 'projects/sched/jobnets/at-times.yaml', ['"22:00"', '"22:05"']],
    [
      'the jobnet’s catch-up window changes',
      'at-times',
      'projects/sched/jobnets/at-times.yaml',
      ['window: 5m', 'window: 6m'],
    ],
    [
      'requireConfirmation is switched off',
      'at-times',
      'projects/sched/jobnets/at-times.yaml',
      ['requireConfirmation: true', 'requireConfirmation: false'],
    ],
    [
      'the start deadline changes',
      'at-times',
      'projects/sched/jobnets/at-times.yaml',
      ['start: "22:10"', 'start: "22:20"'],
    ],
    ['the start days change', 'at-times', 'projects/sched/jobnets/at-times.yaml', ['[mon, fri]', '[mon, thu]']],
    ['the interval changes', 'every', 'projects/sched/jobnets/every.yaml', ['minutes: 30', 'minutes: 20']],
    ['the relative end deadline changes', 'every', 'projects/sched/jobnets/every.yaml', ['after: 1h30m', 'after: 2h']],
    ['the Settings catch-up window it inherits changes', 'every', 'jobnet.yaml', ['window: 15m', 'window: 20m']],
    [
      'an event flag is set',
      'on-event',
      'projects/sched/jobnets/on-event.yaml',
      ['names: [FILE_READY]', 'names: [FILE_READY]\n      whileRunning: true'],
    ],
    [
      'the event mode changes',
      'on-events-all',
      'projects/sched/jobnets/on-events-all.yaml',
      ['mode: all', 'mode: any'],
    ],
    [
      'the DayPattern named by daysFrom changes',
      'on-events-all',
      'daypatterns/month-end.yaml',
      ['holidayShift: before', 'holidayShift: after'],
    ],
    [
      'a DayPattern reached only through except.dayPattern changes',
      'switched-off',
      'daypatterns/audit.yaml',
      ['months: [3]', 'months: [3, 12]'],
    ],
    [
      'the jobnet is enabled',
      'switched-off',
      'projects/sched/jobnets/switched-off.yaml',
      ['enabled: false', 'enabled: true'],
    ],
  ])('moves when %s (%s)', (_case, jobnet, file, replace) => {
    expect(digestOf(edited(file, replace), jobnet)).not.toBe(digestOf(unchanged(), jobnet));
  });

  it.each<[string, string, string, [string, string]]>([
    [
      'the Settings catch-up window changes for a jobnet with its own',
      'at-times',
      'jobnet.yaml',
      ['window: 15m', 'window: 20m'],
    ],
    ['a DayPattern no rule reaches changes', 'switched-off', 'daypatterns/unused.yaml', ['[sun]', '[sat]']],
    [
      'the DayPatterns change for a jobnet with its own days and no except',
      'at-times',
      'daypatterns/audit.yaml',
      ['months: [3]', 'months: [3, 12]'],
    ],
  ])('stays when %s (%s)', (_case, jobnet, file, replace) => {
    expect(digestOf(edited(file, replace), jobnet)).toBe(digestOf(unchanged(), jobnet));
  });
});
