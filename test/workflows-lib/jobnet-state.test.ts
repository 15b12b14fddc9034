import { describe, expect, it } from 'vitest';
import type { CompiledEventStart, CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import {
  applyClearEvents,
  applyDayChange,
  applyRaise,
  applyRunReport,
  applyRunStarted,
  catchUpDecisions,
  consumeEventStart,
  createActorState,
  eventStartReady,
  jobnetStatus,
  keptRecords,
  maxPendingRaises,
  onTimeToleranceMillis,
  operationRefusal,
  raiseRefusal,
  recordOperation,
  recordTrouble,
  startDecision,
  type ActorRun,
  type JobnetActorState,
  type JobnetStatus,
  type PendingRaise,
  type PlannedRunStart,
  type StartDecision,
} from '../../workflows/lib/jobnet-state.js';
import type { RunStatus } from '../../workflows/lib/run-state.js';

// ---------------------------------------------------------------------------------------------
// Building schedules and states

const t0 = Date.parse('2027-01-04T13:00:00Z');
const at = (seconds: number) => t0 + seconds * 1000;
const today = '2027-01-04';
const identity = { project: 'sales', jobnet: 'daily-close' };

function scheduleOf(fields: Partial<CompiledSchedule> = {}): CompiledSchedule {
  return {
    enabled: true,
    days: { everyDay: true },
    dayPatterns: {},
    start: {},
    catchUpWindowSeconds: 600,
    deadlines: {},
    requireConfirmation: false,
    ...fields,
  };
}

function eventSchedule(
  events: Partial<CompiledEventStart> = {},
  fields: Partial<CompiledSchedule> = {},
): CompiledSchedule {
  return scheduleOf({
    start: {
      events: {
        names: ['FILE_READY'],
        mode: 'any',
        whileRunning: false,
        oncePerDay: false,
        startDaysOnly: false,
        ...events,
      },
    },
    ...fields,
  });
}

const plain = scheduleOf();
const confirming = scheduleOf({ requireConfirmation: true });
const switchedOff = scheduleOf({ enabled: false });

function run(status: RunStatus = 'running', fields: Partial<ActorRun> = {}): ActorRun {
  return {
    runId: 'run-1',
    businessDate: today,
    trigger: 'schedule',
    startedAt: at(0),
    status,
    completed: false,
    ...fields,
  };
}

/** A fresh state on `today`, with `fields` set. */
function stateWith(fields: Partial<JobnetActorState> = {}): JobnetActorState {
  return { ...createActorState(today, t0), ...fields };
}

const deferred = { trigger: 'schedule' as const, businessDate: today, at: at(5), by: 'scheduler' };
const raise = (seconds: number, by = 'alice', parameter?: string): PendingRaise => ({
  at: at(seconds),
  by,
  ...(parameter !== undefined ? { parameter } : {}),
});
const raises = (count: number): PendingRaise[] => Array.from({ length: count }, (_, i) => raise(i));

/** Named states, each with the status the jobnet shows in it. */
const states: Record<string, { state: () => JobnetActorState; schedule?: CompiledSchedule }> = {
  waiting: { state: () => stateWith() },
  running: { state: () => stateWith({ currentRun: run('running') }) },
  warning: { state: () => stateWith({ currentRun: run('warning') }) },
  'abended (open run)': { state: () => stateWith({ currentRun: run('abended') }) },
  'forced (open run)': { state: () => stateWith({ currentRun: run('forced') }) },
  'abended (closed, awaiting confirmation)': {
    state: () =>
      stateWith({ lastRun: run('abended', { completed: true }), lastOutcome: 'abended', awaitingConfirmation: true }),
    schedule: confirming,
  },
  'forced (closed, awaiting confirmation)': {
    state: () =>
      stateWith({ lastRun: run('forced', { completed: true }), lastOutcome: 'forced', awaitingConfirmation: true }),
    schedule: confirming,
  },
  ended: { state: () => stateWith({ lastRun: run('normal', { completed: true }), lastOutcome: 'ended' }) },
  pseudoNormal: {
    state: () => stateWith({ lastRun: run('pseudoNormal', { completed: true }), lastOutcome: 'pseudoNormal' }),
  },
  confirmed: { state: () => stateWith({ lastRun: run('abended', { completed: true }), lastOutcome: 'confirmed' }) },
  held: { state: () => stateWith({ held: true }) },
  'held with a deferred start': { state: () => stateWith({ held: true, deferred }) },
  carriedOver: {
    state: () => stateWith({ currentRun: run('running', { businessDate: '2027-01-03' }), carriedOver: 'run-1' }),
  },
  'disabled by the definition': { state: () => stateWith(), schedule: switchedOff },
  'disabled by the operator': { state: () => stateWith({ disabledByOperator: true }) },
};

function named(name: string): { state: JobnetActorState; schedule: CompiledSchedule } {
  const entry = states[name];
  if (entry === undefined) throw new Error(`no state named ${name}`);
  return { state: entry.state(), schedule: entry.schedule ?? plain };
}

function planned(instant: string): PlannedRunStart {
  return { businessDate: today, instant, time: instant.slice(11, 16), kind: 'at' };
}

// ---------------------------------------------------------------------------------------------

describe('createActorState', () => {
  it('starts waiting on the business date, with empty queues and records', () => {
    const state = createActorState(today, t0);
    expect(state).toStrictEqual({
      businessDate: today,
      cursor: t0,
      held: false,
      awaitingConfirmation: false,
      pendingEvents: {},
      runCount: 0,
      troubleCount: 0,
      troubles: [],
      operations: [],
    });
    expect(jobnetStatus(state, plain)).toBe('waiting');
  });
});

describe('jobnetStatus (docs/specification.md §4.1, derived in the order of the module header)', () => {
  it.each<[string, JobnetStatus]>([
    ['waiting', 'waiting'],
    ['running', 'running'],
    ['warning', 'warning'],
    ['abended (open run)', 'abended'],
    ['forced (open run)', 'forced'],
    ['abended (closed, awaiting confirmation)', 'abended'],
    ['forced (closed, awaiting confirmation)', 'forced'],
    ['ended', 'ended'],
    ['pseudoNormal', 'pseudoNormal'],
    ['confirmed', 'confirmed'],
    ['held', 'held'],
    ['held with a deferred start', 'held'],
    ['carriedOver', 'carriedOver'],
    ['disabled by the definition', 'disabled'],
    ['disabled by the operator', 'disabled'],
  ])('%s → %s', (name, status) => {
    const { state, schedule } = named(name);
    expect(jobnetStatus(state, schedule)).toBe(status);
  });

  it.each<[string, Partial<JobnetActorState>, CompiledSchedule, JobnetStatus]>([
    [
      'disabled (definition) wins over held, carried over and running',
      { held: true, carriedOver: 'run-1', currentRun: run('running') },
      switchedOff,
      'disabled',
    ],
    ['disabled (operator) wins over held', { disabledByOperator: true, held: true }, plain, 'disabled'],
    [
      'the operator’s enable wins over the definition’s enabled: false',
      { disabledByOperator: false },
      switchedOff,
      'waiting',
    ],
    [
      'held wins over carried over and running',
      { held: true, carriedOver: 'run-1', currentRun: run('running') },
      plain,
      'held',
    ],
    [
      'carried over wins over the open run’s status',
      { carriedOver: 'run-1', currentRun: run('warning') },
      plain,
      'carriedOver',
    ],
    [
      'the open run wins over the day’s last outcome',
      { currentRun: run('running', { runId: 'run-2' }), lastOutcome: 'abended' },
      plain,
      'running',
    ],
    ['an open run ended normal but not yet completed is ended', { currentRun: run('normal') }, plain, 'ended'],
    [
      'an open run ended pseudo-normal but not yet completed is pseudoNormal',
      { currentRun: run('pseudoNormal') },
      plain,
      'pseudoNormal',
    ],
  ])('%s', (_case, fields, schedule, status) => {
    expect(jobnetStatus(stateWith(fields), schedule)).toBe(status);
  });
});

describe('startDecision (R-STATE-1, R-STATE-2)', () => {
  it.each<[string, StartDecision['kind'], RegExp?]>([
    ['waiting', 'start'],
    ['ended', 'start'],
    ['pseudoNormal', 'start'],
    ['confirmed', 'start'],
    ['held', 'defer'],
    [
      'held with a deferred start',
      'refuse',
      /held and a start is already deferred \(since 2027-01-04T13:00:05\.000Z\); release it first/,
    ],
    ['running', 'refuse', /run run-1 is still running/],
    ['warning', 'refuse', /run run-1 is still warning/],
    ['abended (open run)', 'refuse', /last run run-1 ended abended; restart or confirm it, or wait for the day change/],
    ['forced (open run)', 'refuse', /last run run-1 ended forced; restart or confirm it/],
    [
      'abended (closed, awaiting confirmation)',
      'refuse',
      /ended abended and the jobnet requires confirmation; confirm it first/,
    ],
    ['forced (closed, awaiting confirmation)', 'refuse', /ended forced and the jobnet requires confirmation/],
    ['carriedOver', 'refuse', /run run-1 was carried over from an earlier business date/],
    ['disabled by the definition', 'skip', /the jobnet is disabled/],
    ['disabled by the operator', 'skip', /the jobnet is disabled/],
  ])('%s → %s', (name, kind, reason) => {
    const { state, schedule } = named(name);
    const decision = startDecision(state, schedule);
    expect(decision.kind).toBe(kind);
    if (reason !== undefined) expect('reason' in decision ? decision.reason : '').toMatch(reason);
    else expect(decision).toStrictEqual({ kind });
  });

  it.each<[string, Partial<JobnetActorState>, CompiledSchedule, StartDecision['kind']]>([
    ['the operator enables a definition-disabled jobnet: start', { disabledByOperator: false }, switchedOff, 'start'],
    ['the operator disables an enabled jobnet: skip', { disabledByOperator: true }, plain, 'skip'],
    ['disabled and held: skip, not defer', { held: true }, switchedOff, 'skip'],
    [
      'held while a run is running: the first start is deferred',
      { held: true, currentRun: run('running') },
      plain,
      'defer',
    ],
    ['an open run that ended normal but has not completed: start', { currentRun: run('normal') }, plain, 'start'],
    ['an open abended run with requireConfirmation: refuse', { currentRun: run('abended') }, confirming, 'refuse'],
    [
      'a closed abended run without requireConfirmation: refuse until the day change',
      { lastOutcome: 'abended', lastRun: run('abended', { completed: true }) },
      plain,
      'refuse',
    ],
  ])('%s', (_case, fields, schedule, kind) => {
    expect(startDecision(stateWith(fields), schedule).kind).toBe(kind);
  });

  it('does not change the state it reads', () => {
    const state = stateWith({ held: true });
    const before = structuredClone(state);
    startDecision(state, plain);
    expect(state).toStrictEqual(before);
  });
});

describe('applyRunStarted', () => {
  it('opens the run with what the request says, counts it, and forgets the last outcome and confirmation', () => {
    const state = stateWith({ lastOutcome: 'confirmed', awaitingConfirmation: true, runCount: 3 });
    const started = applyRunStarted(
      state,
      { trigger: 'manual', businessDate: today, by: 'alice', parameter: 'P1' },
      'run-4',
      at(10),
      at(7210),
    );
    expect(started).toStrictEqual({
      runId: 'run-4',
      businessDate: today,
      trigger: 'manual',
      startedAt: at(10),
      status: 'running',
      completed: false,
      parameter: 'P1',
      endDeadlineAt: at(7210),
    });
    expect(state.currentRun).toBe(started);
    expect(state.runCount).toBe(4);
    expect(state.lastStartedOn).toBe(today);
    expect(state.eventStartedOn).toBeUndefined();
    expect(state.lastOutcome).toBeUndefined();
    expect(state.awaitingConfirmation).toBe(false);
    expect(jobnetStatus(state, plain)).toBe('running');
  });

  it('leaves out a parameter and an end deadline it was not given', () => {
    const state = stateWith();
    const started = applyRunStarted(
      state,
      { trigger: 'schedule', businessDate: today, by: 'scheduler' },
      'run-1',
      at(0),
      undefined,
    );
    expect(started).toStrictEqual({
      runId: 'run-1',
      businessDate: today,
      trigger: 'schedule',
      startedAt: at(0),
      status: 'running',
      completed: false,
    });
  });

  it('marks the business date of an event start (oncePerDay)', () => {
    const state = stateWith();
    applyRunStarted(state, { trigger: 'event', businessDate: today, by: 'raiser' }, 'run-1', at(0), undefined);
    expect(state.eventStartedOn).toBe(today);
  });
});

describe('applyRunReport', () => {
  it('updates the open run’s status: running → warning', () => {
    const state = stateWith({ currentRun: run('running') });
    expect(applyRunReport(state, plain, { runId: 'run-1', status: 'warning', completed: false })).toBe(true);
    expect(state.currentRun?.status).toBe('warning');
    expect(jobnetStatus(state, plain)).toBe('warning');
  });

  it('keeps an abended run open until its workflow completes', () => {
    const state = stateWith({ currentRun: run('warning') });
    expect(applyRunReport(state, plain, { runId: 'run-1', status: 'abended', completed: false })).toBe(true);
    expect(state.currentRun?.status).toBe('abended');
    expect(state.lastOutcome).toBeUndefined();
    expect(jobnetStatus(state, plain)).toBe('abended');
  });

  it.each<[RunStatus, boolean, JobnetActorState['lastOutcome'], boolean]>([
    ['normal', false, 'ended', false],
    ['pseudoNormal', false, 'pseudoNormal', false],
    ['abended', false, 'abended', false],
    ['forced', false, 'forced', false],
    ['normal', true, 'ended', false],
    ['pseudoNormal', true, 'pseudoNormal', false],
    ['abended', true, 'abended', true],
    ['forced', true, 'forced', true],
  ])(
    'a completed %s run (requireConfirmation %s) moves to lastRun with the outcome %s; awaiting confirmation: %s',
    (status, requireConfirmation, outcome, awaiting) => {
      const schedule = requireConfirmation ? confirming : plain;
      const state = stateWith({ currentRun: run('running') });
      expect(applyRunReport(state, schedule, { runId: 'run-1', status, completed: true })).toBe(true);
      expect(state.currentRun).toBeUndefined();
      expect(state.lastRun).toMatchObject({ runId: 'run-1', status, completed: true });
      expect(state.lastOutcome).toBe(outcome);
      expect(state.awaitingConfirmation).toBe(awaiting);
      expect(jobnetStatus(state, schedule)).toBe(outcome);
      expect(startDecision(state, schedule).kind).toBe(
        outcome === 'ended' || outcome === 'pseudoNormal' ? 'start' : 'refuse',
      );
    },
  );

  it.each<[string, RunStatus, boolean, boolean]>([
    ['still running', 'running', false, true],
    ['now warning', 'warning', false, true],
    ['ended abnormally (open)', 'abended', false, false],
    ['ended normally', 'normal', true, false],
  ])('a carried-over run %s: carried over %s', (_case, status, completed, stillCarried) => {
    const state = named('carriedOver').state;
    applyRunReport(state, plain, { runId: 'run-1', status, completed });
    expect(state.carriedOver !== undefined).toBe(stillCarried);
    expect(jobnetStatus(state, plain)).toBe(stillCarried ? 'carriedOver' : status === 'normal' ? 'ended' : status);
  });

  it('clears the carry-over when the carried run, no longer open, completes', () => {
    const state = stateWith({ carriedOver: 'run-1', lastRun: run('running', { businessDate: '2027-01-03' }) });
    expect(applyRunReport(state, plain, { runId: 'run-1', status: 'normal', completed: true })).toBe(false);
    expect(state.carriedOver).toBeUndefined();
    expect(state.lastRun).toMatchObject({ status: 'normal', completed: true });
  });

  it('ignores a report of a run it does not know', () => {
    const state = stateWith({
      currentRun: run('running'),
      lastRun: run('normal', { runId: 'run-0', completed: true }),
      lastOutcome: 'ended',
    });
    const before = structuredClone(state);
    expect(applyRunReport(state, plain, { runId: 'run-9', status: 'abended', completed: true })).toBe(false);
    expect(state).toStrictEqual(before);
  });

  it('updates lastRun from a late report of a run closed at the day change, without changing the jobnet’s outcome', () => {
    const state = stateWith({ lastRun: run('abended', { runId: 'run-0' }) });
    expect(applyRunReport(state, plain, { runId: 'run-0', status: 'abended', completed: true })).toBe(false);
    expect(state.lastRun).toMatchObject({ runId: 'run-0', completed: true });
    expect(state.lastOutcome).toBeUndefined();
    expect(jobnetStatus(state, plain)).toBe('waiting');
  });
});

describe('applyDayChange (R-STATE-2, R-STATE-3)', () => {
  const tomorrow = '2027-01-05';

  it.each<RunStatus>(['running', 'warning'])('carries over a %s run of the earlier business date', (status) => {
    const state = stateWith({ currentRun: run(status) });
    expect(applyDayChange(state, plain, tomorrow)).toStrictEqual({ closeRuns: [], carriedOver: 'run-1' });
    expect(state.businessDate).toBe(tomorrow);
    expect(state.carriedOver).toBe('run-1');
    expect(state.currentRun?.runId).toBe('run-1');
    expect(jobnetStatus(state, plain)).toBe('carriedOver');
    expect(startDecision(state, plain)).toMatchObject({ kind: 'refuse' });
  });

  it('does not carry over the same run twice', () => {
    const state = stateWith({ currentRun: run('running', { businessDate: '2027-01-03' }), carriedOver: 'run-1' });
    expect(applyDayChange(state, plain, tomorrow)).toStrictEqual({ closeRuns: [] });
    expect(state.carriedOver).toBe('run-1');
  });

  it.each<RunStatus>(['abended', 'forced'])(
    'closes an open %s run without requireConfirmation: the jobnet is waiting again',
    (status) => {
      const state = stateWith({ currentRun: run(status) });
      expect(applyDayChange(state, plain, tomorrow)).toStrictEqual({ closeRuns: ['run-1'] });
      expect(state.currentRun).toBeUndefined();
      expect(state.lastRun).toMatchObject({ runId: 'run-1', status });
      expect(jobnetStatus(state, plain)).toBe('waiting');
      expect(startDecision(state, plain).kind).toBe('start');
    },
  );

  it.each<RunStatus>(['abended', 'forced'])('keeps an open %s run with requireConfirmation', (status) => {
    const state = stateWith({ currentRun: run(status) });
    expect(applyDayChange(state, confirming, tomorrow)).toStrictEqual({ closeRuns: [] });
    expect(state.currentRun).toMatchObject({ runId: 'run-1', status });
    expect(jobnetStatus(state, confirming)).toBe(status);
    expect(startDecision(state, confirming).kind).toBe('refuse');
  });

  it.each(['abended (closed, awaiting confirmation)', 'forced (closed, awaiting confirmation)'])(
    'keeps %s with requireConfirmation',
    (name) => {
      const { state, schedule } = named(name);
      const before = jobnetStatus(state, schedule);
      applyDayChange(state, schedule, tomorrow);
      expect(state.awaitingConfirmation).toBe(true);
      expect(jobnetStatus(state, schedule)).toBe(before);
      expect(startDecision(state, schedule).kind).toBe('refuse');
    },
  );

  it.each(['ended', 'pseudoNormal', 'confirmed'])('forgets the outcome %s: waiting', (name) => {
    const { state } = named(name);
    applyDayChange(state, confirming, tomorrow);
    expect(state.lastOutcome).toBeUndefined();
    expect(jobnetStatus(state, confirming)).toBe('waiting');
  });

  it('forgets a closed abended outcome without requireConfirmation', () => {
    const state = stateWith({ lastOutcome: 'abended', lastRun: run('abended', { completed: true }) });
    applyDayChange(state, plain, tomorrow);
    expect(jobnetStatus(state, plain)).toBe('waiting');
    expect(startDecision(state, plain).kind).toBe('start');
  });

  it('leaves an open run that ended normally to its completion report', () => {
    const state = stateWith({ currentRun: run('normal') });
    expect(applyDayChange(state, plain, tomorrow)).toStrictEqual({ closeRuns: [] });
    expect(state.currentRun?.status).toBe('normal');
    expect(state.carriedOver).toBeUndefined();
  });

  it.each([
    ['an equal business date', today],
    ['an earlier business date', '2027-01-03'],
  ])('changes nothing for %s', (_case, date) => {
    const state = stateWith({ currentRun: run('running'), lastOutcome: 'ended' });
    const before = structuredClone(state);
    expect(applyDayChange(state, plain, date)).toStrictEqual({ closeRuns: [] });
    expect(state).toStrictEqual(before);
  });
});

describe('operationRefusal (R-OPS-3)', () => {
  // [operation, state name, refusal: undefined (allowed) or the text it must contain]
  it.each<[string, string, string | undefined, { suffix?: string }?]>([
    ['start', 'waiting', undefined],
    ['start', 'ended', undefined],
    ['start', 'confirmed', undefined],
    ['start', 'running', 'cannot start: run run-1 is still running'],
    ['start', 'warning', 'cannot start: run run-1 is still warning'],
    ['start', 'abended (open run)', 'cannot start: the last run run-1 ended abended'],
    ['start', 'forced (closed, awaiting confirmation)', 'ended forced and the jobnet requires confirmation'],
    ['start', 'carriedOver', 'cannot start: run run-1 was carried over'],
    ['start', 'held', 'the jobnet is held; release it to start'],
    ['start', 'held with a deferred start', 'cannot start: the jobnet is held and a start is already deferred'],
    ['start', 'disabled by the definition', 'cannot start: the jobnet is disabled'],
    ['start', 'running', undefined, { suffix: 'copy1' }], // a copy decides for itself (R-JN-3)
    ['forceTerminate', 'running', undefined],
    ['forceTerminate', 'warning', undefined],
    ['forceTerminate', 'carriedOver', undefined],
    ['forceTerminate', 'waiting', 'cannot force-terminate: no run is running (the jobnet is waiting)'],
    ['forceTerminate', 'abended (open run)', 'cannot force-terminate: no run is running (the jobnet is abended)'],
    ['forceTerminate', 'ended', '(the jobnet is ended)'],
    ['restart', 'abended (open run)', undefined],
    ['restart', 'forced (open run)', undefined],
    ['restart', 'running', 'cannot restart: no abended or forced run is open (the jobnet is running)'],
    ['restart', 'waiting', '(the jobnet is waiting)'],
    ['restart', 'abended (closed, awaiting confirmation)', '(the jobnet is abended)'],
    ['hold', 'waiting', undefined],
    ['hold', 'running', undefined],
    ['hold', 'held', 'the jobnet is already held'],
    ['release', 'held', undefined],
    ['release', 'held with a deferred start', undefined],
    ['release', 'waiting', 'the jobnet is not held'],
    ['disable', 'waiting', undefined],
    ['disable', 'disabled by the definition', 'the jobnet is already disabled'],
    ['disable', 'disabled by the operator', 'the jobnet is already disabled'],
    ['enable', 'disabled by the definition', undefined],
    ['enable', 'disabled by the operator', undefined],
    ['enable', 'waiting', 'the jobnet is not disabled'],
    ['confirm', 'abended (open run)', undefined],
    ['confirm', 'forced (open run)', undefined],
    ['confirm', 'abended (closed, awaiting confirmation)', undefined],
    ['confirm', 'forced (closed, awaiting confirmation)', undefined],
    ['confirm', 'waiting', 'cannot confirm: the jobnet is waiting, not abended or forced'],
    ['confirm', 'running', 'cannot confirm: the jobnet is running'],
    ['confirm', 'confirmed', 'cannot confirm: the jobnet is confirmed'],
    ['releaseCarryOver', 'carriedOver', undefined],
    ['releaseCarryOver', 'running', 'no run is carried over'],
    ['cancelEnd', 'ended', undefined],
    ['cancelEnd', 'pseudoNormal', undefined],
    ['cancelEnd', 'confirmed', undefined],
    ['cancelEnd', 'waiting', 'cannot cancel the end: the jobnet is waiting'],
    ['cancelEnd', 'running', 'cannot cancel the end: the jobnet is running'],
    ['cancelEnd', 'abended (open run)', 'cannot cancel the end: the jobnet is abended'],
    ['dance', 'waiting', 'unknown operation "dance"'],
  ])('%s while %s → %s', (operation, name, refusal, extra) => {
    const { state, schedule } = named(name);
    const result = operationRefusal(state, schedule, { operation, ...extra });
    if (refusal === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(refusal);
  });

  it('allows cancelEnd after the day’s event start with oncePerDay, even while the run is running', () => {
    const state = stateWith({ currentRun: run('running', { trigger: 'event' }), eventStartedOn: today });
    expect(operationRefusal(state, eventSchedule({ oncePerDay: true }), { operation: 'cancelEnd' })).toBeUndefined();
    expect(operationRefusal(state, eventSchedule({ oncePerDay: false }), { operation: 'cancelEnd' })).toContain(
      'the jobnet is running',
    );
  });

  it('does not change the state it reads', () => {
    const { state, schedule } = named('carriedOver');
    const before = structuredClone(state);
    for (const operation of [
      'start',
      'forceTerminate',
      'restart',
      'hold',
      'release',
      'disable',
      'enable',
      'confirm',
      'releaseCarryOver',
      'cancelEnd',
    ]) {
      operationRefusal(state, schedule, { operation });
    }
    expect(state).toStrictEqual(before);
  });
});

describe('raiseRefusal (R-EVT-2, R-STATE-1)', () => {
  const events = eventSchedule();

  it('refuses every raise to a jobnet that does not start on events, without a trouble', () => {
    expect(raiseRefusal(stateWith(), plain, 'FILE_READY')).toStrictEqual({
      reason: 'the jobnet does not start on events',
    });
  });

  it.each<[string, Partial<JobnetActorState>, CompiledSchedule]>([
    ['by the definition', {}, eventSchedule({}, { enabled: false })],
    ['by the operator', { disabledByOperator: true }, events],
  ])('skips a raise to a jobnet disabled %s (executionSkipped)', (_case, fields, schedule) => {
    expect(raiseRefusal(stateWith(fields), schedule, 'FILE_READY')).toStrictEqual({
      reason: 'skipped: the jobnet is disabled',
      trouble: 'executionSkipped',
    });
  });

  it(`accepts the ${maxPendingRaises}th pending raise and refuses the ${maxPendingRaises + 1}th, without a trouble`, () => {
    expect(maxPendingRaises).toBe(255);
    const state = stateWith({ pendingEvents: { FILE_READY: raises(254) } });
    expect(raiseRefusal(state, events, 'FILE_READY')).toBeUndefined();
    expect(applyRaise(state, 'FILE_READY', raise(300))).toBe(255);
    const refusal = raiseRefusal(state, events, 'FILE_READY');
    expect(refusal).toStrictEqual({
      reason: '255 raises of FILE_READY are already pending; the raise is refused (at most 255)',
    });
  });

  it('counts pending raises per event', () => {
    const schedule = eventSchedule({ names: ['FILE_READY', 'DB_READY'], mode: 'all' });
    const state = stateWith({ pendingEvents: { FILE_READY: raises(255) } });
    expect(raiseRefusal(state, schedule, 'DB_READY')).toBeUndefined();
  });

  it('refuses a raise after the day’s event start with oncePerDay (executionRefused), until cancelEnd', () => {
    const schedule = eventSchedule({ oncePerDay: true });
    const state = stateWith({ lastOutcome: 'ended', eventStartedOn: today });
    expect(raiseRefusal(state, schedule, 'FILE_READY')).toStrictEqual({
      reason: `the jobnet already started on an event on business date ${today} (oncePerDay); cancelEnd allows another start`,
      trouble: 'executionRefused',
    });
    delete state.eventStartedOn; // what cancelEnd does
    expect(raiseRefusal(state, schedule, 'FILE_READY')).toBeUndefined();
  });

  it('accepts a raise with oncePerDay when the event start was on an earlier business date', () => {
    expect(
      raiseRefusal(stateWith({ eventStartedOn: '2027-01-03' }), eventSchedule({ oncePerDay: true }), 'FILE_READY'),
    ).toBeUndefined();
  });

  it.each<[string, string]>([
    ['running', 'refused: run run-1 is still running'],
    ['warning', 'refused: run run-1 is still warning'],
    ['abended (open run)', 'refused: the last run run-1 ended abended'],
    ['carriedOver', 'refused: run run-1 was carried over'],
    ['held with a deferred start', 'refused: the jobnet is held and a start is already deferred'],
  ])('refuses a raise while %s without whileRunning (executionRefused)', (name, reason) => {
    const refusal = raiseRefusal(named(name).state, events, 'FILE_READY');
    expect(refusal?.trouble).toBe('executionRefused');
    expect(refusal?.reason).toContain(reason);
  });

  it.each<[string, boolean]>([
    ['waiting', false],
    ['ended', false],
    ['held', false], // the first start while held is deferred
    ['running', true], // queues a further run
    ['warning', true],
    ['held with a deferred start', true],
  ])('accepts a raise while %s (whileRunning %s)', (name, whileRunning) => {
    expect(raiseRefusal(named(name).state, eventSchedule({ whileRunning }), 'FILE_READY')).toBeUndefined();
  });

  it('accepts a raise while held during a run: the start it makes is deferred', () => {
    expect(raiseRefusal(stateWith({ held: true, currentRun: run('running') }), events, 'FILE_READY')).toBeUndefined();
  });
});

describe('applyRaise and applyClearEvents (R-EVT-2, R-EVT-3)', () => {
  it('keeps raises per event in arrival order and returns the count pending', () => {
    const state = stateWith();
    expect(applyRaise(state, 'FILE_READY', raise(1, 'a'))).toBe(1);
    expect(applyRaise(state, 'DB_READY', raise(2, 'b', 'P'))).toBe(1);
    expect(applyRaise(state, 'FILE_READY', raise(3, 'c'))).toBe(2);
    expect(state.pendingEvents).toStrictEqual({
      FILE_READY: [raise(1, 'a'), raise(3, 'c')],
      DB_READY: [raise(2, 'b', 'P')],
    });
  });

  it('clears every pending raise and says how many there were', () => {
    const state = stateWith({ pendingEvents: { FILE_READY: raises(3), DB_READY: raises(2) } });
    expect(applyClearEvents(state)).toBe(5);
    expect(state.pendingEvents).toStrictEqual({});
    expect(applyClearEvents(state)).toBe(0);
  });
});

describe('eventStartReady (R-EVT-2)', () => {
  const both = { FILE_READY: [raise(1)], DB_READY: [raise(2)] };
  const one = { FILE_READY: [raise(1)] };
  const any = eventSchedule({ names: ['FILE_READY', 'DB_READY'], mode: 'any' });
  const all = eventSchedule({ names: ['FILE_READY', 'DB_READY'], mode: 'all' });

  it.each<[string, boolean, Partial<JobnetActorState>, CompiledSchedule, boolean]>([
    ['mode any, one of the events pending', true, { pendingEvents: one }, any, true],
    ['mode any, nothing pending', false, {}, any, true],
    ['mode any, an empty queue', false, { pendingEvents: { FILE_READY: [] } }, any, true],
    ['mode all, one of two pending', false, { pendingEvents: one }, all, true],
    ['mode all, both pending', true, { pendingEvents: both }, all, true],
    ['notBefore not reached', false, { pendingEvents: both }, all, false],
    ['no event trigger', false, { pendingEvents: both }, plain, true],
    [
      'oncePerDay, already started on an event today',
      false,
      { pendingEvents: one, eventStartedOn: today },
      eventSchedule({ oncePerDay: true }),
      true,
    ],
    [
      'oncePerDay, last event start on an earlier day',
      true,
      { pendingEvents: one, eventStartedOn: '2027-01-03' },
      eventSchedule({ oncePerDay: true }),
      true,
    ],
    ['held without a deferred start (the start is deferred)', true, { pendingEvents: one, held: true }, any, true],
    [
      'held with a deferred start (the raises wait for release)',
      false,
      { pendingEvents: one, held: true, deferred },
      any,
      true,
    ],
    ['disabled (the start is skipped and recorded)', true, { pendingEvents: one, disabledByOperator: true }, any, true],
    ['running', false, { pendingEvents: one, currentRun: run('running') }, any, true],
    [
      'running with whileRunning (queued behind the run)',
      false,
      { pendingEvents: one, currentRun: run('running') },
      eventSchedule({ whileRunning: true }),
      true,
    ],
    ['abended', false, { pendingEvents: one, currentRun: run('abended') }, any, true],
    ['carried over', false, { pendingEvents: one, currentRun: run('running'), carriedOver: 'run-1' }, any, true],
    ['the run ended', true, { pendingEvents: one, lastOutcome: 'ended' }, any, true],
  ])('%s → ready: %s', (_case, ready, fields, schedule, notBeforeReached) => {
    expect(eventStartReady(stateWith(fields), schedule, notBeforeReached)).toBe(ready);
  });
});

describe('consumeEventStart (R-EVT-2, R-EVT-4)', () => {
  it('mode any: takes the oldest raise of any waited-for event, with its parameter', () => {
    const schedule = eventSchedule({ names: ['FILE_READY', 'DB_READY'] });
    const state = stateWith({
      pendingEvents: { FILE_READY: [raise(20, 'late', 'F')], DB_READY: [raise(10, 'early', 'D'), raise(30, 'later')] },
    });
    expect(consumeEventStart(state, schedule)).toStrictEqual({ by: 'early', parameter: 'D' });
    expect(state.pendingEvents).toStrictEqual({ FILE_READY: [raise(20, 'late', 'F')], DB_READY: [raise(30, 'later')] });
    expect(consumeEventStart(state, schedule)).toStrictEqual({ by: 'late', parameter: 'F' });
    expect(consumeEventStart(state, schedule)).toStrictEqual({ by: 'later' });
    expect(state.pendingEvents).toStrictEqual({});
  });

  it('a single event: one raise per start, its parameter passed (R-EVT-4)', () => {
    const state = stateWith({ pendingEvents: { FILE_READY: [raise(1, 'a', 'P1'), raise(2, 'b', 'P2')] } });
    expect(consumeEventStart(state, eventSchedule())).toStrictEqual({ by: 'a', parameter: 'P1' });
    expect(state.pendingEvents.FILE_READY).toStrictEqual([raise(2, 'b', 'P2')]);
  });

  it('a single event with mode all: its parameter passed too (R-EVT-4)', () => {
    const state = stateWith({ pendingEvents: { FILE_READY: [raise(1, 'a', 'P1')] } });
    expect(consumeEventStart(state, eventSchedule({ mode: 'all' }))).toStrictEqual({ by: 'a', parameter: 'P1' });
    expect(state.pendingEvents).toStrictEqual({});
  });

  it('mode all of several events: one raise of each, no parameter (R-EVT-4)', () => {
    const schedule = eventSchedule({ names: ['FILE_READY', 'DB_READY'], mode: 'all' });
    const state = stateWith({
      pendingEvents: {
        FILE_READY: [raise(1, 'files', 'F1'), raise(3, 'files', 'F2')],
        DB_READY: [raise(2, 'db', 'D1')],
      },
    });
    expect(consumeEventStart(state, schedule)).toStrictEqual({ by: 'files, db' });
    expect(state.pendingEvents).toStrictEqual({ FILE_READY: [raise(3, 'files', 'F2')] });
  });

  it('takes nothing from events the jobnet does not wait for', () => {
    const state = stateWith({ pendingEvents: { OTHER: [raise(1)] } });
    expect(consumeEventStart(state, eventSchedule())).toStrictEqual({ by: 'event' });
    expect(state.pendingEvents).toStrictEqual({ OTHER: [raise(1)] });
  });

  it('without an event trigger takes nothing', () => {
    const state = stateWith({ pendingEvents: { FILE_READY: [raise(1)] } });
    expect(consumeEventStart(state, plain)).toStrictEqual({ by: 'event' });
    expect(state.pendingEvents.FILE_READY).toHaveLength(1);
  });
});

describe('catchUpDecisions (R-SCH-3)', () => {
  const now = Date.parse('2027-01-04T13:00:00Z');
  const summary = (window: number, ...instants: string[]) =>
    catchUpDecisions(instants.map(planned), now, window).map((d) => `${d.start.time} ${d.action}`);

  it('runs only the latest of the starts within the window; the earlier ones are skipped as superseded', () => {
    const decisions = catchUpDecisions(
      [planned('2027-01-04T12:52:00Z'), planned('2027-01-04T12:56:00Z'), planned('2027-01-04T12:59:00Z')],
      now,
      600,
    );
    expect(decisions.map((d) => d.action)).toEqual(['skip', 'skip', 'run']);
    expect(decisions[0]?.reason).toBe(
      'missed while the scheduler was down; the later start at 2027-01-04T12:59:00Z runs instead',
    );
    expect(decisions[2]?.reason).toBeUndefined();
  });

  it('skips every start older than the window, naming the catch-up window', () => {
    const decisions = catchUpDecisions([planned('2027-01-04T11:00:00Z'), planned('2027-01-04T12:00:00Z')], now, 600);
    expect(decisions.map((d) => d.action)).toEqual(['skip', 'skip']);
    expect(decisions[0]?.reason).toBe(
      'missed by 7200 s while the scheduler was down, more than the catch-up window of 600 s',
    );
    expect(decisions[1]?.reason).toContain('catch-up window');
  });

  it.each<[string, number, string[], string[]]>([
    [
      'mixed: old ones skipped, the latest within the window runs',
      600,
      ['2027-01-04T11:00:00Z', '2027-01-04T12:51:00Z', '2027-01-04T12:55:00Z'],
      ['11:00 skip', '12:51 skip', '12:55 run'],
    ],
    ['a start exactly as late as the window still runs', 600, ['2027-01-04T12:50:00Z'], ['12:50 run']],
    ['a start a second later than the window is skipped', 600, ['2027-01-04T12:49:59Z'], ['12:49 skip']],
    ['window 0: a missed start is skipped', 0, ['2027-01-04T12:59:00Z'], ['12:59 skip']],
    [
      'window 0: the start due now runs',
      0,
      ['2027-01-04T12:59:00Z', '2027-01-04T13:00:00Z'],
      ['12:59 skip', '13:00 run'],
    ],
    ['window 0: a start its timer found a moment late runs', 0, ['2027-01-04T12:59:59.950Z'], ['12:59 run']],
    ['nothing due', 600, [], []],
  ])('%s', (_case, window, instants, expected) => {
    expect(summary(window, ...instants)).toEqual(expected);
  });

  it(`window 0: a start found up to ${onTimeToleranceMillis} ms late is on time; later than that it was missed`, () => {
    const lateBy = (millis: number) => planned(new Date(now - millis).toISOString());
    expect(catchUpDecisions([lateBy(onTimeToleranceMillis)], now, 0).map((d) => d.action)).toEqual(['run']);
    const missed = catchUpDecisions([lateBy(onTimeToleranceMillis + 1000)], now, 0);
    expect(missed.map((d) => d.action)).toEqual(['skip']);
    expect(missed[0]?.reason).toContain('more than the catch-up window of 0 s');
  });

  it('the on-time tolerance is small next to the default window: only the timer’s delay, not an outage', () => {
    expect(onTimeToleranceMillis).toBeGreaterThan(0);
    expect(onTimeToleranceMillis).toBeLessThan(60_000);
  });

  it('gives the catch-up window as the reason for each too-late start in a mixed batch', () => {
    const decisions = catchUpDecisions(
      [planned('2027-01-04T11:00:00Z'), planned('2027-01-04T12:51:00Z'), planned('2027-01-04T12:55:00Z')],
      now,
      600,
    );
    expect(decisions[0]?.reason).toContain('catch-up window of 600 s');
    expect(decisions[1]?.reason).toContain('the later start at 2027-01-04T12:55:00Z runs instead');
  });
});

describe('recordTrouble and recordOperation (R-TRB, R-OPS-3)', () => {
  it('gives troubles the ids <project>/<jobnet>#n and the jobnet’s identity', () => {
    const state = stateWith();
    const first = recordTrouble(
      state,
      { ...identity, title: '日次締め' },
      { kind: 'executionRefused', at: at(1), businessDate: today, message: 'm1' },
    );
    const second = recordTrouble(state, identity, {
      kind: 'jobnetAbended',
      at: at(2),
      runId: 'run-1',
      exitCode: 4,
      message: 'm2',
    });
    expect(first).toStrictEqual({
      id: 'sales/daily-close#1',
      kind: 'executionRefused',
      at: at(1),
      project: 'sales',
      jobnet: 'daily-close',
      title: '日次締め',
      businessDate: today,
      message: 'm1',
    });
    expect(second).toStrictEqual({
      id: 'sales/daily-close#2',
      kind: 'jobnetAbended',
      at: at(2),
      project: 'sales',
      jobnet: 'daily-close',
      runId: 'run-1',
      exitCode: 4,
      message: 'm2',
    });
    expect(state.troubles).toStrictEqual([first, second]);
    expect(state.troubleCount).toBe(2);
  });

  it(`keeps the latest ${keptRecords} troubles; ids keep counting`, () => {
    expect(keptRecords).toBe(200);
    const state = stateWith();
    for (let i = 1; i <= keptRecords + 5; i++)
      recordTrouble(state, identity, { kind: 'jobOverrun', at: at(i), message: `m${i}` });
    expect(state.troubles).toHaveLength(keptRecords);
    expect(state.troubles[0]?.id).toBe('sales/daily-close#6');
    expect(state.troubles.at(-1)?.id).toBe(`sales/daily-close#${keptRecords + 5}`);
    expect(state.troubleCount).toBe(keptRecords + 5);
  });

  it(`keeps the latest ${keptRecords} operations, oldest first`, () => {
    const state = stateWith();
    for (let i = 1; i <= keptRecords + 1; i++)
      recordOperation(state, { operation: 'hold', by: `op${i}`, at: at(i), detail: 'held' });
    expect(state.operations).toHaveLength(keptRecords);
    expect(state.operations[0]).toStrictEqual({ operation: 'hold', by: 'op2', at: at(2), detail: 'held' });
    expect(state.operations.at(-1)?.by).toBe(`op${keptRecords + 1}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Sequences the actor goes through.

describe('sequences', () => {
  it('held: the first start is deferred, a second raise is refused, release starts the deferred one (R-STATE-1)', () => {
    const schedule = eventSchedule();
    const state = stateWith({ held: true });
    expect(raiseRefusal(state, schedule, 'FILE_READY')).toBeUndefined();
    applyRaise(state, 'FILE_READY', raise(1, 'first', 'P1'));
    expect(eventStartReady(state, schedule, true)).toBe(true);
    const consumed = consumeEventStart(state, schedule);
    expect(startDecision(state, schedule)).toStrictEqual({ kind: 'defer' });
    state.deferred = { trigger: 'event', businessDate: today, at: at(1), by: consumed.by, parameter: 'P1' };
    expect(raiseRefusal(state, schedule, 'FILE_READY')).toMatchObject({ trouble: 'executionRefused' });
    state.held = false; // release
    expect(startDecision(state, schedule)).toStrictEqual({ kind: 'start' });
  });

  it('requireConfirmation: abended → no start → confirm → start (R-STATE-2)', () => {
    const state = stateWith();
    applyRunStarted(state, { trigger: 'schedule', businessDate: today, by: 'scheduler' }, 'run-1', at(0), undefined);
    applyRunReport(state, confirming, { runId: 'run-1', status: 'abended', completed: false });
    expect(startDecision(state, confirming).kind).toBe('refuse');
    applyDayChange(state, confirming, '2027-01-05');
    expect(jobnetStatus(state, confirming)).toBe('abended');
    expect(operationRefusal(state, confirming, { operation: 'confirm' })).toBeUndefined();
    // what confirm does: close the run, outcome confirmed
    state.lastRun = state.currentRun;
    delete state.currentRun;
    state.lastOutcome = 'confirmed';
    state.awaitingConfirmation = false;
    expect(jobnetStatus(state, confirming)).toBe('confirmed');
    expect(startDecision(state, confirming).kind).toBe('start');
  });
});
