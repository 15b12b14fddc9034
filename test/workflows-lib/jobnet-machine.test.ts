/**
 * The jobnet actor's machine (workflows/lib/jobnet-machine.ts) without Temporal: each table feeds
 * inputs to `step` and checks the effects it returns and the state it leaves — operations and
 * their refusals, deadlines, event deliveries, the day change and carry-over, retire and revive,
 * runs that end without reporting (and the probe of runs an execution does not watch), wake
 * times, catch-up, continue-as-new and the search attributes. Awaited effects are answered by the
 * test (`drive`), as the workflow answers them with what Temporal did.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledJobFields, CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import {
  compiledScheduleOf,
  type CompiledEventStart,
  type CompiledSchedule,
} from '../../workflows/lib/compiled-schedule.js';
import {
  copyIsIdle,
  createMachine,
  firstRunProbeMs,
  jobnetViewOf,
  maxRunProbeMs,
  operationRefusalOf,
  step,
  type ActorAnswer,
  type ActorEffect,
  type ActorInput,
  type ActorPatch,
  type ActorWorld,
  type EffectOutcome,
  type JobnetMachine,
} from '../../workflows/lib/jobnet-machine.js';
import {
  createActorState,
  type ActorRun,
  type JobnetActorState,
  type PendingRaise,
} from '../../workflows/lib/jobnet-state.js';
import { summaryOfView } from '../../workflows/lib/jobnet-summary.js';
import type { RunStatus } from '../../workflows/lib/run-state.js';
import {
  jobnetActorWorkflowId,
  retiredDigest,
  runWorkflowIdOfActor,
  searchAttributeNames,
} from '../../workflows/lib/wire-contract.js';
import type { JobnetOperationRequest } from '../../workflows/jobnet-actor-contract.js';
import { topLevelRunStart } from '../../workflows/run-contract.js';
import { jobnetOf } from '../integration/run-fixtures.js';

// ---------------------------------------------------------------------------------------------
// Definitions, machines and a driver

const today = '2027-01-04'; // a Monday; the calendar is UTC with the day change at midnight
const tomorrow = '2027-01-05';
const t0 = Date.parse(`${today}T13:00:00Z`);
const at = (seconds: number) => t0 + seconds * 1000;
const actorId = jobnetActorWorkflowId('tq', 'sales', 'daily-close');
const sleepJob: CompiledJobFields = { name: 'a', type: 'sleep', spec: { seconds: 1 } };

function definitionOf(
  schedule: Partial<CompiledSchedule> = {},
  extra: Partial<CompiledJobnet> = {},
  jobs: CompiledJobFields[] = [sleepJob],
): CompiledJobnet {
  const full = compiledScheduleOf(schedule);
  return jobnetOf('daily-close', jobs, {
    project: 'sales',
    schedule: full,
    digest: `d-${JSON.stringify(full)}`,
    ...extra,
  });
}

function eventsOf(events: Partial<CompiledEventStart> = {}): Partial<CompiledSchedule> {
  return {
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
  };
}

function runOf(status: RunStatus = 'running', fields: Partial<ActorRun> = {}): ActorRun {
  return {
    runId: 'run-1',
    businessDate: today,
    trigger: 'schedule',
    startedAt: at(-60),
    status,
    completed: false,
    ...fields,
  };
}

/** A machine of a new execution at `now` (default t0) with `state` fields set; runs in `watched` are this execution's. */
function machineOf(
  definition: CompiledJobnet = definitionOf(),
  state: Partial<JobnetActorState> = {},
  extra: Partial<JobnetMachine> = {},
): JobnetMachine {
  const machine = createMachine({ definition, carried: { ...createActorState(today, t0), ...state } }, actorId, t0);
  const watched = state.currentRun !== undefined ? [state.currentRun.runId] : [];
  return { ...machine, watched, ...extra };
}

interface Driven {
  machine: JobnetMachine;
  /** Every effect of every step, in order. */
  effects: ActorEffect[];
  /** Whether any step said `changed`. */
  changed: boolean;
  answer?: ActorAnswer;
  refusal?: string;
  /** The patches the machine asked about. */
  asked: ActorPatch[];
}

interface DriveOptions {
  world?: Partial<Omit<ActorWorld, 'patched'>>;
  /** Answer of `patched()`: true (this execution takes the newer path), false (an older history). */
  patches?: boolean;
  /** The outcome of an awaited effect (undefined: it went well). */
  outcome?: (effect: ActorEffect) => EffectOutcome | undefined;
  /** Milliseconds each awaited effect takes. */
  elapsed?: number;
}

function defaultOutcome(effect: ActorEffect): EffectOutcome {
  switch (effect.kind) {
    case 'startRun':
      return { kind: 'runStarted', runId: effect.runId, businessDate: effect.input.businessDate };
    case 'startCopy':
      return {
        kind: 'copy',
        answer: {
          ok: true,
          jobnet: `daily-close_${effect.request.suffix}`,
          detail: 'run copy-run started',
          runId: 'copy-run',
        },
      };
    case 'operateRun':
      return { kind: 'runOperated', answer: { ok: true, detail: 'done' } };
    case 'probeRun':
      return { kind: 'probed', alive: true };
    default:
      return { kind: 'closed' };
  }
}

/** Steps `input` and the resumes of its awaited effects (answered by `options.outcome`), until the flow ends or sleeps. */
function drive(machine: JobnetMachine, input: ActorInput, now = t0, options: DriveOptions = {}): Driven {
  const asked: ActorPatch[] = [];
  const world: ActorWorld = {
    patched: (patch) => {
      asked.push(patch);
      return options.patches ?? true;
    },
    historyLength: 100,
    continueAsNewSuggested: false,
    handlersFinished: true,
    ...options.world,
  };
  const driven: Driven = { machine, effects: [], changed: false, asked };
  let next: ActorInput | undefined = input;
  let clock = now;
  while (next !== undefined) {
    const before = structuredClone(driven.machine);
    const result = step(driven.machine, next, clock, world);
    expect(driven.machine, 'step changes no machine it is given').toStrictEqual(before);
    driven.machine = result.state;
    driven.changed ||= result.changed;
    driven.effects.push(...result.effects);
    next = undefined;
    for (const effect of result.effects) {
      if (effect.kind === 'answer') driven.answer = effect.answer;
      if (effect.kind === 'refuse') driven.refusal = effect.reason;
      if ('then' in effect) {
        clock += options.elapsed ?? 0;
        next = { kind: 'resume', then: effect.then, outcome: options.outcome?.(effect) ?? defaultOutcome(effect) };
      }
    }
  }
  return driven;
}

const kinds = (driven: Driven) => driven.effects.map((effect) => effect.kind);
const troubleKinds = (machine: JobnetMachine) => machine.state.troubles.map((trouble) => trouble.kind);
const sleepOf = (driven: Driven) =>
  driven.effects.find((effect): effect is Extract<ActorEffect, { kind: 'sleep' }> => effect.kind === 'sleep');
const startOf = (driven: Driven) =>
  driven.effects.find((effect): effect is Extract<ActorEffect, { kind: 'startRun' }> => effect.kind === 'startRun');
const operate = (
  machine: JobnetMachine,
  request: Partial<JobnetOperationRequest> & Pick<JobnetOperationRequest, 'operation'>,
  now = t0,
  options: DriveOptions = {},
) => drive(machine, { kind: 'operation', request: { by: 'alice', ...request } }, now, options);
const deliver = (
  machine: JobnetMachine,
  event: string,
  extra: { parameter?: string; suffix?: string } = {},
  now = t0,
  options: DriveOptions = {},
) => drive(machine, { kind: 'eventDelivery', delivery: { event, by: 'raiser', ...extra } }, now, options);
const wake = (machine: JobnetMachine, now = t0, options: DriveOptions = {}) =>
  drive(machine, { kind: 'wake' }, now, options);
const failedStart = (effect: ActorEffect): EffectOutcome | undefined =>
  effect.kind === 'startRun'
    ? {
        kind: 'runStarted',
        runId: effect.runId,
        businessDate: effect.input.businessDate,
        error: 'Workflow execution already started',
      }
    : undefined;
const raise = (seconds: number, by = 'raiser', parameter?: string): PendingRaise => ({
  at: at(seconds),
  by,
  ...(parameter !== undefined ? { parameter } : {}),
});

// ---------------------------------------------------------------------------------------------

describe('operations (R-OPS-1, R-OPS-3)', () => {
  const states: Record<string, { state: Partial<JobnetActorState>; schedule?: Partial<CompiledSchedule> }> = {
    waiting: { state: {} },
    running: { state: { currentRun: runOf('running') } },
    'abended (open run)': { state: { currentRun: runOf('abended') } },
    'abended (closed, awaiting confirmation)': {
      state: { lastRun: runOf('abended', { completed: true }), lastOutcome: 'abended', awaitingConfirmation: true },
      schedule: { requireConfirmation: true },
    },
    ended: { state: { lastRun: runOf('normal', { completed: true }), lastOutcome: 'ended' } },
    held: { state: { held: true } },
    'held with a deferred start': {
      state: { held: true, deferred: { trigger: 'schedule', businessDate: today, at: at(-5), by: 'scheduler' } },
    },
    carriedOver: { state: { currentRun: runOf('running', { businessDate: '2027-01-03' }), carriedOver: 'run-1' } },
    disabled: { state: { disabledByOperator: true } },
  };
  const machineNamed = (name: string) => {
    const entry = states[name];
    if (entry === undefined) throw new Error(name);
    return machineOf(definitionOf(entry.schedule), entry.state);
  };

  it.each<[JobnetOperationRequest['operation'], string, string]>([
    ['start', 'running', 'cannot start: run run-1 is still running'],
    [
      'start',
      'abended (closed, awaiting confirmation)',
      'cannot start: the last run run-1 ended abended and the jobnet requires confirmation; confirm it first',
    ],
    ['start', 'held', 'the jobnet is held; release it to start'],
    ['start', 'disabled', 'cannot start: the jobnet is disabled'],
    ['forceTerminate', 'waiting', 'cannot force-terminate: no run is running (the jobnet is waiting)'],
    ['restart', 'running', 'cannot restart: no abended or forced run is open (the jobnet is running)'],
    ['hold', 'held', 'the jobnet is already held'],
    ['release', 'waiting', 'the jobnet is not held'],
    ['disable', 'disabled', 'the jobnet is already disabled'],
    ['enable', 'waiting', 'the jobnet is not disabled'],
    ['confirm', 'ended', 'cannot confirm: the jobnet is ended, not abended or forced'],
    ['releaseCarryOver', 'running', 'no run is carried over'],
    ['cancelEnd', 'running', 'cannot cancel the end: the jobnet is running'],
  ])(
    '%s while %s is refused with the reason, before anything changes (the validator asks the same function)',
    (operation, name, reason) => {
      const machine = machineNamed(name);
      expect(operationRefusalOf(machine, { operation, by: 'alice' })).toBe(reason);
      const driven = operate(machine, { operation });
      expect(driven.effects).toStrictEqual([{ kind: 'refuse', reason, failureType: 'OperationRefused' }]);
      expect(driven.changed).toBe(false);
      expect(driven.machine.state).toStrictEqual(machine.state);
    },
  );

  it.each<[JobnetOperationRequest['operation'], string, string, (state: JobnetActorState) => boolean]>([
    ['hold', 'waiting', 'held: starts are deferred until release', (state) => state.held],
    ['release', 'held', 'released', (state) => !state.held],
    ['disable', 'waiting', 'disabled: starts are skipped', (state) => state.disabledByOperator === true],
    ['enable', 'disabled', 'enabled', (state) => state.disabledByOperator === false],
    [
      'releaseCarryOver',
      'carriedOver',
      'carry-over of run run-1 released',
      (state) => state.carriedOver === undefined && state.currentRun?.runId === 'run-1',
    ],
    [
      'cancelEnd',
      'ended',
      'end cancelled: the jobnet may start again on this business date',
      (state) => state.lastOutcome === undefined,
    ],
    [
      'confirm',
      'abended (closed, awaiting confirmation)',
      'confirmed',
      (state) => state.lastOutcome === 'confirmed' && !state.awaitingConfirmation,
    ],
  ])('%s while %s is applied and recorded with who and when', (operation, name, detail, holds) => {
    const driven = operate(machineNamed(name), { operation }, at(7));
    expect(kinds(driven)).toEqual(['answer']);
    expect(driven.answer).toMatchObject({ operation, detail });
    expect(driven.changed).toBe(true);
    expect(holds(driven.machine.state)).toBe(true);
    expect(driven.machine.state.operations.at(-1)).toStrictEqual({ operation, by: 'alice', at: at(7), detail });
  });

  it('start: opens the run, starts it with the one top-level run input, answers once it started', () => {
    const machine = machineOf();
    const driven = operate(machine, { operation: 'start', parameter: 'P1' }, at(1), { elapsed: 500 });
    const runId = runWorkflowIdOfActor(actorId, today, 'manual-20270104T130001000Z-1');
    const expected = topLevelRunStart({
      jobnet: machine.definition,
      businessDate: today,
      trigger: 'manual',
      requestedBy: 'alice',
      actor: actorId,
      parameter: 'P1',
    });
    expect(startOf(driven)).toStrictEqual({
      kind: 'startRun',
      runId,
      input: expected.input,
      searchAttributes: expected.searchAttributes,
      then: expect.anything() as unknown,
    });
    expect(expected.input).toMatchObject({
      level: 1,
      trigger: 'manual',
      requestedBy: 'alice',
      actor: actorId,
      parameter: 'P1',
      children: {},
    });
    expect(expected.searchAttributes.map(({ key, value }) => [key.name, value])).toEqual([
      [searchAttributeNames.project, 'sales'],
      [searchAttributeNames.name, 'daily-close'],
      [searchAttributeNames.revision, 'r1'],
      [searchAttributeNames.businessDate, today],
      [searchAttributeNames.trigger, 'manual'],
      [searchAttributeNames.runStatus, 'running'],
    ]);
    expect(driven.answer).toStrictEqual({
      operation: 'start',
      detail: `run ${runId} started`,
      status: 'running',
      runId,
    });
    expect(driven.machine.state.currentRun).toMatchObject({
      runId,
      trigger: 'manual',
      parameter: 'P1',
      startedAt: at(1),
    });
    expect(driven.machine.watched).toEqual([runId]);
    expect(driven.machine.state.operations.at(-1)).toMatchObject({ operation: 'start', at: at(1) });
  });

  it('start that Temporal refuses: the run is not open, executionRefused is recorded, the operator is refused', () => {
    const driven = operate(machineOf(), { operation: 'start' }, t0, { outcome: failedStart });
    expect(driven.refusal).toBe('the run could not be started; see the jobnet troubles');
    expect(driven.machine.state.currentRun).toBeUndefined();
    expect(driven.machine.state.troubles).toMatchObject([
      {
        kind: 'executionRefused',
        businessDate: today,
        message: 'the run could not be started: Workflow execution already started',
      },
    ]);
    expect(driven.machine.state.operations).toEqual([]);
  });

  it('start with a suffix hands the start to the copy, without the suffix; the copy decides', () => {
    const machine = machineOf(definitionOf(), { currentRun: runOf('running') });
    expect(operationRefusalOf(machine, { operation: 'start', by: 'alice', suffix: 's1' })).toBeUndefined();
    const driven = operate(machine, { operation: 'start', suffix: 's1', parameter: 'P' });
    expect(driven.effects[0]).toMatchObject({
      kind: 'startCopy',
      request: {
        definition: machine.definition,
        suffix: 's1',
        request: { operation: 'start', by: 'alice', parameter: 'P', suffix: undefined },
      },
    });
    expect(driven.answer).toMatchObject({
      detail: 'copy daily-close_s1 started: run copy-run started',
      runId: 'copy-run',
    });
    const refused = operate(machine, { operation: 'start', suffix: 's1' }, t0, {
      outcome: () => ({ kind: 'copy', answer: { ok: false, reason: 'the copy is running' } }),
    });
    expect(refused.refusal).toBe('the copy is running');
    expect(refused.machine.state.operations).toEqual([]);
  });

  it('start with a suffix on a copy actor starts its own run', () => {
    const machine = { ...machineOf(), copyOf: 'daily-close' };
    expect(kinds(operate(machine, { operation: 'start', suffix: 's1' }))).toEqual(['startRun', 'answer']);
  });

  it.each<[JobnetOperationRequest['operation'], RunStatus, string]>([
    ['forceTerminate', 'running', 'forceTerminateRun'],
    ['restart', 'abended', 'restartRun'],
  ])('%s is forwarded to the open run as %s; its refusal reaches the operator', (operation, status, forwarded) => {
    const machine = machineOf(definitionOf(), { currentRun: runOf(status) });
    const driven = operate(machine, { operation });
    expect(driven.effects[0]).toMatchObject({
      kind: 'operateRun',
      request: { runId: 'run-1', request: { operation: forwarded, by: 'alice' } },
    });
    expect(driven.answer).toMatchObject({ operation, detail: 'run run-1: done', runId: 'run-1' });
    const refused = operate(machine, { operation }, t0, {
      outcome: () => ({ kind: 'runOperated', answer: { ok: false, reason: 'a job is still running' } }),
    });
    expect(refused.refusal).toBe('a job is still running');
    expect(refused.changed).toBe(false);
  });

  it('release starts the deferred start, with its trigger and parameter', () => {
    const deferred = { trigger: 'event' as const, businessDate: today, at: at(-5), by: 'raiser', parameter: 'P9' };
    const driven = operate(machineOf(definitionOf(), { held: true, deferred }), { operation: 'release' });
    expect(startOf(driven)?.input).toMatchObject({ trigger: 'event', requestedBy: 'raiser', parameter: 'P9' });
    expect(driven.answer).toMatchObject({
      detail: expect.stringMatching(
        /^released; the deferred event start: run run\/tq\/sales\/daily-close\/2027-01-04\/event-.* started$/,
      ) as unknown,
    });
    expect(driven.machine.state).toMatchObject({ held: false });
    expect(driven.machine.state.deferred).toBeUndefined();
  });

  it('release while a run is running: the deferred start is refused and recorded', () => {
    const deferred = { trigger: 'schedule' as const, businessDate: today, at: at(-5), by: 'scheduler' };
    const driven = operate(machineOf(definitionOf(), { held: true, deferred, currentRun: runOf('running') }), {
      operation: 'release',
    });
    expect(driven.answer).toMatchObject({
      detail: 'released; the deferred schedule start: refused: run run-1 is still running',
    });
    expect(troubleKinds(driven.machine)).toEqual(['executionRefused']);
  });

  it('release whose deferred start Temporal refuses says so', () => {
    const deferred = { trigger: 'schedule' as const, businessDate: today, at: at(-5), by: 'scheduler' };
    const driven = operate(machineOf(definitionOf(), { held: true, deferred }), { operation: 'release' }, t0, {
      outcome: failedStart,
    });
    expect(driven.answer).toMatchObject({
      detail: 'released; the deferred schedule start: the run could not be started',
    });
    expect(driven.answer).not.toHaveProperty('runId');
  });

  it('confirm closes the open run first, then accepts the end (R-STATE-2)', () => {
    const driven = operate(machineOf(definitionOf({ requireConfirmation: true }), { currentRun: runOf('abended') }), {
      operation: 'confirm',
    });
    expect(driven.effects[0]).toMatchObject({ kind: 'closeRun', runId: 'run-1', by: 'alice' });
    expect(driven.answer).toStrictEqual({
      operation: 'confirm',
      detail: 'confirmed; run run-1 closed',
      status: 'confirmed',
      runId: 'run-1',
    });
    expect(driven.machine.state).toMatchObject({
      lastOutcome: 'confirmed',
      awaitingConfirmation: false,
      lastRun: { runId: 'run-1' },
    });
    expect(driven.machine.state.currentRun).toBeUndefined();
  });

  it('confirm keeps a report that came in while the run was being closed', () => {
    let machine = machineOf(definitionOf({ requireConfirmation: true }), { currentRun: runOf('abended') });
    const first = step(machine, { kind: 'operation', request: { operation: 'confirm', by: 'alice' } }, t0, {
      patched: () => true,
      historyLength: 1,
      continueAsNewSuggested: false,
      handlersFinished: false,
    });
    const close = first.effects[0];
    if (close?.kind !== 'closeRun') throw new Error('no close');
    machine = step(
      first.state,
      { kind: 'runReport', report: { runId: 'run-1', status: 'abended', troubles: [], completed: true, at: at(1) } },
      at(1),
      { patched: () => true, historyLength: 1, continueAsNewSuggested: false, handlersFinished: false },
    ).state;
    const done = drive(machine, { kind: 'resume', then: close.then, outcome: { kind: 'closed' } }, at(1));
    expect(done.machine.state.lastRun).toMatchObject({ runId: 'run-1', completed: true });
    expect(done.machine.state).toMatchObject({ lastOutcome: 'confirmed', awaitingConfirmation: false });
  });

  it('clearEvents drops the pending raises and is recorded', () => {
    const driven = drive(machineOf(definitionOf(eventsOf()), { pendingEvents: { FILE_READY: [raise(1), raise(2)] } }), {
      kind: 'clearEvents',
      by: 'alice',
    });
    expect(driven.answer).toStrictEqual({ cleared: 2 });
    expect(driven.machine.state.pendingEvents).toStrictEqual({});
    expect(driven.machine.state.operations.at(-1)).toMatchObject({
      operation: 'clearEvents',
      detail: '2 pending raise(s) cleared',
    });
  });
});

describe('deadlines (R-TRB)', () => {
  const startDeadline = definitionOf({ ...eventsOf(), deadlines: { start: '14:00' } });
  const deadlineAt = Date.parse(`${today}T14:00:00Z`);

  it('wakes at the start deadline and records startDelayed once per business date', () => {
    const before = wake(machineOf(startDeadline));
    expect(sleepOf(before)).toMatchObject({ until: deadlineAt, milliseconds: deadlineAt - t0 });
    const due = wake(before.machine, deadlineAt + 5);
    expect(due.machine.state.troubles).toMatchObject([
      {
        kind: 'startDelayed',
        at: deadlineAt + 5,
        businessDate: today,
        message: `jobnet sales/daily-close has not started by its start deadline 14:00 of business date ${today}`,
      },
    ]);
    expect(sleepOf(due)?.until).toBe(Date.parse(`${tomorrow}T00:00:00Z`));
    const again = wake(due.machine, deadlineAt + 60_000);
    expect(troubleKinds(again.machine)).toEqual(['startDelayed']);
    const nextDay = wake(again.machine, Date.parse(`${tomorrow}T14:00:01Z`));
    expect(nextDay.machine.state.troubles.map((trouble) => trouble.businessDate)).toEqual([today, tomorrow]);
  });

  it('records a start deadline that passed before the actor came up at its first wake', () => {
    const late = wake(machineOf(startDeadline), deadlineAt + 3_600_000);
    expect(troubleKinds(late.machine)).toEqual(['startDelayed']);
  });

  it('records no startDelayed for a deadline that passed before the jobnet existed; the next day it does', () => {
    const created = createMachine({ definition: startDeadline }, actorId, deadlineAt + 3_600_000);
    const first = drive(created, { kind: 'wake' }, deadlineAt + 3_600_000);
    expect(troubleKinds(first.machine)).toEqual([]);
    expect(first.asked).toContain('start-deadline-since');
    expect(first.machine.state.startDelayedOn).toBe(today);
    const nextDay = wake(first.machine, Date.parse(`${tomorrow}T14:00:01Z`));
    expect(nextDay.machine.state.troubles).toMatchObject([{ kind: 'startDelayed', businessDate: tomorrow }]);
  });

  it('keeps recording it in an actor whose history predates the rule (patched is false)', () => {
    const created = createMachine({ definition: startDeadline }, actorId, deadlineAt + 3_600_000);
    const first = drive(created, { kind: 'wake' }, deadlineAt + 3_600_000, { patches: false });
    expect(troubleKinds(first.machine)).toEqual(['startDelayed']);
  });

  it('records no startDelayed for a deadline that an apply introduces or moves after it passed', () => {
    const without = machineOf(definitionOf(eventsOf()));
    const applyAt = deadlineAt + 600_000;
    const introduced = drive(
      without,
      { kind: 'applyDefinition', apply: { definition: { ...startDeadline, revision: 'r2' }, by: 'ctl' } },
      applyAt,
    );
    expect(introduced.machine.state.startDeadlineSince).toBe(applyAt);
    expect(troubleKinds(wake(introduced.machine, applyAt + 1).machine)).toEqual([]);

    // Moved earlier, to a time already past: not a delay either.
    const at1500 = machineOf(definitionOf({ ...eventsOf(), deadlines: { start: '15:00' } }));
    const moved = drive(
      at1500,
      { kind: 'applyDefinition', apply: { definition: { ...startDeadline, revision: 'r2' }, by: 'ctl' } },
      applyAt,
    );
    expect(troubleKinds(wake(moved.machine, applyAt + 1).machine)).toEqual([]);

    // An apply that leaves the deadline where it was keeps it: the passed deadline is a delay.
    const kept = drive(
      machineOf(startDeadline),
      {
        kind: 'applyDefinition',
        apply: { definition: { ...startDeadline, revision: 'r2', digest: 'other' }, by: 'ctl' },
      },
      applyAt,
    );
    expect(kept.machine.state.startDeadlineSince).toBeUndefined();
    expect(troubleKinds(wake(kept.machine, applyAt + 1).machine)).toEqual(['startDelayed']);
  });

  it.each<[string, JobnetMachine]>([
    ['a start on the business date', machineOf(startDeadline, { lastStartedOn: today })],
    [
      'a day that is not a start day',
      machineOf(definitionOf({ ...eventsOf(), deadlines: { start: '14:00' }, days: { weekdays: ['tue'] } })),
    ],
    [
      'a retired jobnet',
      machineOf(startDeadline, { retired: { at: at(-1), by: 'ctl', revision: 'r2', remove: false } }),
    ],
  ])('records no startDelayed after %s', (_case, machine) => {
    const driven = wake(machine, deadlineAt + 5);
    expect(troubleKinds(driven.machine)).toEqual([]);
    expect(sleepOf(driven)?.until).toBe(Date.parse(`${tomorrow}T00:00:00Z`));
  });

  it('records endDelayed once per run, at its end deadline', () => {
    const machine = operate(machineOf(definitionOf({ deadlines: { endAfterSeconds: 60 } })), {
      operation: 'start',
    }).machine;
    expect(machine.state.currentRun?.endDeadlineAt).toBe(at(60));
    expect(sleepOf(wake(machine, at(1)))?.until).toBe(at(60));
    const delayed = wake(machine, at(61));
    const runId = machine.state.currentRun?.runId;
    expect(delayed.machine.state.troubles).toMatchObject([
      {
        kind: 'endDelayed',
        at: at(61),
        runId,
        message: `run ${runId ?? ''} has not ended by its end deadline 2027-01-04T13:01:00.000Z`,
      },
    ]);
    const warned = drive(
      delayed.machine,
      {
        kind: 'runReport',
        report: { runId: runId ?? '', status: 'warning', troubles: [], completed: false, at: at(62) },
      },
      at(62),
    );
    expect(troubleKinds(wake(warned.machine, at(63)).machine)).toEqual(['endDelayed']);
  });

  it('computes the end deadline of endAt on the run’s business date', () => {
    const machine = operate(machineOf(definitionOf({ deadlines: { endAt: '23:30' } })), { operation: 'start' }).machine;
    expect(machine.state.currentRun?.endDeadlineAt).toBe(Date.parse(`${today}T23:30:00Z`));
  });

  it('records no endDelayed for a run that already ended abnormally', () => {
    const machine = machineOf(definitionOf(), { currentRun: runOf('abended', { endDeadlineAt: at(10) }) });
    expect(troubleKinds(wake(machine, at(20)).machine)).toEqual([]);
  });
});

describe('event deliveries (R-EVT-1..4, R-JN-3)', () => {
  const waiter = definitionOf({}, {}, [{ name: 'wait', type: 'waitEvent', spec: { event: 'GO' } }]);

  it.each<[string, JobnetMachine, string, unknown]>([
    [
      'an event a waitEvent job of the open run waits for is delivered to the run',
      machineOf(waiter, { currentRun: runOf('running') }),
      'GO',
      { outcome: 'delivered', detail: 'delivered to run run-1', runId: 'run-1' },
    ],
    [
      'an event a waitEvent job waits for, no run open: ignored',
      machineOf(waiter),
      'GO',
      { outcome: 'ignored', detail: 'no run is open to take the event' },
    ],
    [
      'an event nothing waits for: ignored',
      machineOf(waiter, { currentRun: runOf('running') }),
      'OTHER',
      { outcome: 'ignored', detail: 'the jobnet does not wait for the event' },
    ],
    [
      'startDaysOnly on a day that is not a start day: ignored',
      machineOf(definitionOf({ ...eventsOf({ startDaysOnly: true }), days: { weekdays: ['tue'] } })),
      'FILE_READY',
      { outcome: 'ignored', detail: `business date ${today} is not a start day (startDaysOnly)` },
    ],
    [
      'held: the start is deferred',
      machineOf(definitionOf(eventsOf()), { held: true }),
      'FILE_READY',
      { outcome: 'pending', detail: 'the jobnet is held: the event start is deferred until release' },
    ],
    [
      'whileRunning while running: queued',
      machineOf(definitionOf(eventsOf({ whileRunning: true })), { currentRun: runOf('running') }),
      'FILE_READY',
      { outcome: 'pending', detail: '1 raise(s) of FILE_READY pending' },
    ],
    [
      'mode all, the other event missing: pending',
      machineOf(definitionOf(eventsOf({ names: ['FILE_READY', 'DB_READY'], mode: 'all' }))),
      'FILE_READY',
      { outcome: 'pending', detail: '1 raise(s) of FILE_READY pending' },
    ],
  ])('%s', (_case, machine, event, answer) => {
    const driven = deliver(machine, event);
    expect(driven.answer).toStrictEqual(answer);
    if ((answer as { outcome: string }).outcome === 'delivered')
      expect(driven.effects[0]).toStrictEqual({ kind: 'deliverToRun', runId: 'run-1', event: 'GO' });
    if ((answer as { outcome: string }).outcome !== 'pending') expect(driven.changed).toBe(false);
  });

  it('a raise of a start event starts a run with the raise’s parameter (R-EVT-4)', () => {
    const driven = deliver(machineOf(definitionOf(eventsOf())), 'FILE_READY', { parameter: 'V-1' });
    const started = startOf(driven);
    expect(started?.input).toMatchObject({ trigger: 'event', requestedBy: 'raiser', parameter: 'V-1' });
    expect(driven.answer).toStrictEqual({
      outcome: 'started',
      detail: `run ${started?.runId ?? ''} started`,
      runId: started?.runId,
    });
    expect(driven.machine.state.pendingEvents).toStrictEqual({});
    expect(driven.machine.state.eventStartedOn).toBe(today);
  });

  it('a start Temporal refuses lets the next pending raise try', () => {
    const machine = machineOf(definitionOf(eventsOf({ whileRunning: true })), {
      pendingEvents: { FILE_READY: [raise(-10, 'first')] },
    });
    let starts = 0;
    const driven = deliver(machine, 'FILE_READY', {}, t0, {
      outcome: (effect) => (effect.kind === 'startRun' && ++starts === 1 ? failedStart(effect) : undefined),
    });
    expect(kinds(driven)).toEqual(['startRun', 'startRun', 'answer']);
    expect(driven.answer).toMatchObject({ outcome: 'started' });
    expect(driven.machine.state.currentRun?.runId).toBe(
      startOf({ ...driven, effects: driven.effects.slice(1) })?.runId,
    );
    expect(troubleKinds(driven.machine)).toEqual(['executionRefused']);
  });

  it('a raise with a suffix goes to the copy, without the suffix', () => {
    const driven = deliver(machineOf(definitionOf(eventsOf())), 'FILE_READY', { suffix: 's1', parameter: 'V' });
    expect(driven.effects[0]).toMatchObject({
      kind: 'startCopy',
      request: { suffix: 's1', event: { event: 'FILE_READY', by: 'raiser', parameter: 'V', suffix: undefined } },
    });
    expect(driven.answer).toStrictEqual({
      outcome: 'copied',
      detail: 'copy daily-close_s1: run copy-run started',
      runId: 'copy-run',
    });
    const refused = deliver(machineOf(definitionOf(eventsOf())), 'FILE_READY', { suffix: 's1' }, t0, {
      outcome: () => ({ kind: 'copy', answer: { ok: false, reason: 'no' } }),
    });
    expect(refused.effects.at(-1)).toStrictEqual({ kind: 'refuse', reason: 'no', failureType: 'EventRefused' });
  });

  it.each<[string, JobnetMachine, string, string | undefined]>([
    [
      'while running without whileRunning',
      machineOf(definitionOf(eventsOf()), { currentRun: runOf('running') }),
      'refused: run run-1 is still running',
      'executionRefused',
    ],
    [
      'while disabled',
      machineOf(definitionOf(eventsOf()), { disabledByOperator: true }),
      'skipped: the jobnet is disabled',
      'executionSkipped',
    ],
    [
      'the 256th pending raise',
      machineOf(definitionOf(eventsOf({ whileRunning: true })), {
        currentRun: runOf('running'),
        pendingEvents: { FILE_READY: Array.from({ length: 255 }, (_, i) => raise(i)) },
      }),
      '255 raises of FILE_READY are already pending',
      undefined,
    ],
    ['to a jobnet that does not start on it but has no waitEvent either', machineOf(definitionOf()), '', undefined],
  ])('refuses a raise %s', (_case, machine, reason, trouble) => {
    const driven = deliver(machine, 'FILE_READY', {}, at(3));
    if (reason === '') {
      expect(driven.answer).toMatchObject({ outcome: 'ignored' });
      return;
    }
    expect(driven.effects).toHaveLength(1);
    expect(driven.effects[0]).toMatchObject({ kind: 'refuse', failureType: 'EventRefused' });
    expect(driven.refusal).toContain(reason);
    expect(troubleKinds(driven.machine)).toEqual(trouble === undefined ? [] : [trouble]);
    expect(driven.changed).toBe(trouble !== undefined);
    if (trouble !== undefined)
      expect(driven.machine.state.troubles[0]?.message).toBe(`event FILE_READY from raiser: ${driven.refusal ?? ''}`);
  });
});

describe('the day change (R-STATE-2, R-STATE-3)', () => {
  const midnight = Date.parse(`${tomorrow}T00:00:00Z`);

  it('carries a running run over and records it', () => {
    const driven = wake(machineOf(definitionOf(), { currentRun: runOf('running') }), midnight + 1);
    expect(driven.machine.state).toMatchObject({ businessDate: tomorrow, carriedOver: 'run-1' });
    expect(driven.machine.state.operations).toStrictEqual([
      {
        operation: 'carryOver',
        by: 'scheduler',
        at: midnight + 1,
        detail: `run run-1 carried over into business date ${tomorrow}`,
      },
    ]);
    expect(kinds(driven)).toEqual(['publish', 'publishSummary', 'sleep']);
  });

  it('closes an abended run without requireConfirmation, then goes on with the day’s due start', () => {
    const machine = machineOf(definitionOf({ start: { at: ['00:00'] } }), {
      currentRun: runOf('abended'),
      cursor: midnight - 1,
    });
    const driven = wake(machine, midnight + 1, { elapsed: 10 });
    expect(kinds(driven)).toEqual(['closeRun', 'startRun', 'publish', 'publishSummary', 'sleep']);
    expect(driven.effects[0]).toMatchObject({ runId: 'run-1', by: 'day change' });
    expect(startOf(driven)).toMatchObject({ input: { businessDate: tomorrow, trigger: 'schedule' } });
    expect(driven.machine.state.lastRun).toMatchObject({ runId: 'run-1', status: 'abended' });
    // The run's start is the time after the close was awaited.
    expect(driven.machine.state.currentRun?.startedAt).toBe(midnight + 11);
  });

  it('keeps an abended run open across the day change with requireConfirmation', () => {
    const driven = wake(
      machineOf(definitionOf({ requireConfirmation: true }), { currentRun: runOf('abended') }),
      midnight + 1,
    );
    expect(kinds(driven)).not.toContain('closeRun');
    expect(driven.machine.state.currentRun?.status).toBe('abended');
  });

  it('forgets the day’s outcome', () => {
    const driven = wake(
      machineOf(definitionOf(), { lastRun: runOf('normal', { completed: true }), lastOutcome: 'ended' }),
      midnight + 1,
    );
    expect(jobnetViewOf(driven.machine, midnight + 1).status).toBe('waiting');
  });
});

describe('retire and revive (R-GIT-3)', () => {
  const retired = { at: at(-100), by: 'ctl', revision: 'r2', remove: false };

  it('retires once: a repeated retire changes nothing', () => {
    const first = drive(machineOf(), { kind: 'retire', retire: { revision: 'r2', by: 'ctl', remove: false } }, at(1));
    expect(first.machine.state.retired).toStrictEqual({ at: at(1), by: 'ctl', revision: 'r2', remove: false });
    expect(first.machine.state.operations.at(-1)).toMatchObject({
      operation: 'retire',
      detail: 'removed from the definitions in revision r2',
    });
    const again = drive(first.machine, { kind: 'retire', retire: { revision: 'r2', by: 'ctl', remove: false } }, at(2));
    expect(again.changed).toBe(false);
    expect(again.machine.state).toStrictEqual(first.machine.state);
  });

  it('a retired jobnet starts nothing, moves its cursor on and publishes the retired digest', () => {
    const machine = machineOf(definitionOf({ start: { at: ['13:00'] } }), { retired, cursor: at(-10) });
    const driven = wake(machine, at(1));
    expect(kinds(driven)).toEqual(['publish', 'publishSummary', 'sleep']);
    expect(driven.machine.state.cursor).toBe(at(1));
    expect(driven.effects[0]).toMatchObject({
      attributes: expect.arrayContaining([
        { key: expect.objectContaining({ name: searchAttributeNames.digest }) as unknown, value: retiredDigest },
      ]) as unknown,
    });
    expect(sleepOf(driven)?.until).toBe(Date.parse(`${tomorrow}T00:00:00Z`));
  });

  it.each<[string, Partial<JobnetActorState>, boolean, boolean]>([
    ['pruned with no run open: the actor ends', {}, true, true],
    ['pruned with a run open: it waits for the run', { currentRun: runOf('running') }, true, false],
    ['pruned while a handler still runs: it waits', {}, false, false],
  ])('%s', (_case, state, handlersFinished, completes) => {
    const driven = wake(machineOf(definitionOf(), { ...state, retired: { ...retired, remove: true } }), at(1), {
      world: { handlersFinished },
    });
    expect(kinds(driven).includes('complete')).toBe(completes);
  });

  it('the same definition again is a no-op for a jobnet that is not retired (no patch asked)', () => {
    const machine = machineOf();
    const driven = drive(machine, { kind: 'applyDefinition', apply: { definition: machine.definition, by: 'ctl' } });
    expect(driven.changed).toBe(false);
    expect(driven.asked).toEqual([]);
    expect(driven.machine.state).toStrictEqual(machine.state);
  });

  it('a retired jobnet restored unchanged schedules again from now (revive-unchanged-definition)', () => {
    const machine = machineOf(definitionOf({ start: { at: ['12:00'] } }), { retired, cursor: at(-7200) });
    const driven = drive(
      machine,
      { kind: 'applyDefinition', apply: { definition: { ...machine.definition, revision: 'r3' }, by: 'ctl' } },
      at(5),
    );
    expect(driven.asked).toEqual(['revive-unchanged-definition']);
    expect(driven.machine.state.retired).toBeUndefined();
    expect(driven.machine.state.cursor).toBe(at(5)); // the 12:00 start missed while retired is not caught up
    expect(driven.machine.state.operations.at(-1)).toMatchObject({
      operation: 'apply',
      detail: 'restored unchanged in revision r3; it schedules again',
    });
    expect(kinds(wake(driven.machine, at(6)))).toEqual(['publish', 'publishSummary', 'sleep']);
  });

  it('without the revive patch (an older history), an unchanged definition leaves a retired jobnet retired', () => {
    const machine = machineOf(definitionOf(), { retired });
    const driven = drive(
      machine,
      { kind: 'applyDefinition', apply: { definition: machine.definition, by: 'ctl' } },
      t0,
      { patches: false },
    );
    expect(driven.changed).toBe(false);
    expect(driven.machine.state.retired).toStrictEqual(retired);
  });

  it('a changed definition is taken for the next run; another jobnet’s is ignored', () => {
    const machine = machineOf();
    const changed = definitionOf({ requireConfirmation: true }, { revision: 'r2' });
    const driven = drive(machine, { kind: 'applyDefinition', apply: { definition: changed, by: 'ctl' } });
    expect(driven.machine.definition).toBe(changed);
    expect(driven.machine.state.operations.at(-1)).toMatchObject({
      detail: 'revision r2 applied; the next run uses it',
    });
    const foreign = drive(machine, {
      kind: 'applyDefinition',
      apply: { definition: { ...changed, name: 'other' }, by: 'ctl' },
    });
    expect(foreign.changed).toBe(false);
  });
});

describe('runs that end without reporting', () => {
  const open = () => machineOf(definitionOf(), { currentRun: runOf('running') });

  it.each<[string, ActorInput & { kind: 'runEnded' }, RunStatus, string]>([
    [
      'terminated in Temporal',
      { kind: 'runEnded', runId: 'run-1', ended: { failure: 'terminated: by the Web UI' } },
      'forced',
      'terminated: by the Web UI',
    ],
    [
      'completed without its final report',
      { kind: 'runEnded', runId: 'run-1', ended: { status: 'normal' } },
      'normal',
      'its workflow completed normal',
    ],
  ])('%s: the run is closed with a jobnetAbended trouble', (_case, input, status, why) => {
    const driven = drive(open(), input, at(4));
    expect(driven.asked).toEqual(['notice-unreported-run-end']);
    expect(driven.machine.state.currentRun).toBeUndefined();
    expect(driven.machine.state.lastRun).toMatchObject({ runId: 'run-1', status, completed: true });
    expect(driven.machine.state.troubles).toMatchObject([
      {
        kind: 'jobnetAbended',
        at: at(4),
        runId: 'run-1',
        businessDate: today,
        message: `run run-1 ended without reporting its end (${why}): it was terminated or reset in Temporal, outside the jobnet operations; confirm the jobnet to start it again`,
      },
    ]);
  });

  it('a run terminated after it reported abended stays abended; confirm then allows a start', () => {
    const machine = machineOf(definitionOf(), { currentRun: runOf('abended') });
    const driven = drive(machine, { kind: 'runEnded', runId: 'run-1', ended: { failure: 'terminated: x' } });
    expect(jobnetViewOf(driven.machine, t0).status).toBe('abended');
    expect(operationRefusalOf(driven.machine, { operation: 'start', by: 'a' })).toMatch(/ended abended/);
    const confirmed = operate(driven.machine, { operation: 'confirm' });
    expect(operationRefusalOf(confirmed.machine, { operation: 'start', by: 'a' })).toBeUndefined();
  });

  it.each<[string, JobnetMachine, string, boolean]>([
    [
      'a run that already completed',
      machineOf(definitionOf(), { lastRun: runOf('normal', { completed: true }), lastOutcome: 'ended' }),
      'run-1',
      false,
    ],
    ['another run', open(), 'run-0', false],
  ])('ignores the end of %s, without asking the patch', (_case, machine, runId) => {
    const driven = drive(machine, { kind: 'runEnded', runId, ended: { failure: 'terminated' } });
    expect(driven.changed).toBe(false);
    expect(driven.asked).toEqual([]);
    expect(driven.machine.state).toStrictEqual(machine.state);
  });

  it('without the patch (an older history) the end is not noticed', () => {
    const driven = drive(open(), { kind: 'runEnded', runId: 'run-1', ended: { failure: 'terminated' } }, t0, {
      patches: false,
    });
    expect(driven.machine.state.currentRun?.runId).toBe('run-1');
  });

  it('probes a run of an earlier execution at once, then every 30 s doubling to 10 minutes', () => {
    let machine = machineOf(definitionOf(), { currentRun: runOf('running') }, { watched: [] });
    const first = wake(machine, t0);
    expect(first.asked).toContain('probe-unwatched-runs');
    expect(kinds(first)).toEqual(['probeRun', 'publish', 'publishSummary', 'sleep']);
    expect(sleepOf(first)?.until).toBe(t0 + firstRunProbeMs);
    machine = first.machine;
    expect(kinds(wake(machine, t0 + 1000))).toEqual(['sleep']);
    const probes: number[] = [];
    let now = t0;
    for (let i = 0; i < 7; i++) {
      now = sleepOf(wake(machine, now + 1))?.until ?? 0;
      const driven = wake(machine, now);
      expect(kinds(driven)[0]).toBe('probeRun');
      probes.push(((sleepOf(driven)?.until ?? 0) - now) / 1000);
      machine = driven.machine;
    }
    expect(probes).toEqual([60, 120, 240, 480, 600, 600, 600]);
    expect(maxRunProbeMs).toBe(600_000);
  });

  it('a failed probe closes the run as forced with a trouble', () => {
    const machine = machineOf(definitionOf(), { currentRun: runOf('warning') }, { watched: [] });
    const driven = wake(machine, t0, {
      outcome: (effect) => (effect.kind === 'probeRun' ? { kind: 'probed', alive: false } : undefined),
    });
    expect(driven.machine.state.lastRun).toMatchObject({ runId: 'run-1', status: 'forced', completed: true });
    expect(driven.machine.state.troubles[0]?.message).toContain('(its workflow no longer exists or has ended)');
    expect(sleepOf(driven)?.until).toBe(Date.parse(`${tomorrow}T00:00:00Z`));
  });

  it.each<[string, JobnetMachine, boolean]>([
    ['a run this execution watches', machineOf(definitionOf(), { currentRun: runOf('running') }), true],
    [
      'an older history without the probe patch',
      machineOf(definitionOf(), { currentRun: runOf('running') }, { watched: [] }),
      false,
    ],
  ])('does not probe %s', (_case, machine, patches) => {
    expect(kinds(wake(machine, t0, { patches }))).not.toContain('probeRun');
  });
});

describe('wake times', () => {
  const midnight = Date.parse(`${tomorrow}T00:00:00Z`);

  it.each<[string, JobnetMachine, number]>([
    ['no trigger: the next day change', machineOf(), midnight],
    [
      'an at start later today',
      machineOf(definitionOf({ start: { at: ['22:00'] } })),
      Date.parse(`${today}T22:00:00Z`),
    ],
    [
      'an at start earlier today: tomorrow’s day change comes first',
      machineOf(definitionOf({ start: { at: ['09:00'] } })),
      midnight,
    ],
    [
      'an interval start',
      machineOf(definitionOf({ start: { every: { minutes: 30 } } })),
      Date.parse(`${today}T13:30:00Z`),
    ],
    [
      'pending raises waiting for notBefore',
      machineOf(definitionOf(eventsOf({ notBefore: '21:00' })), { pendingEvents: { FILE_READY: [raise(-1)] } }),
      Date.parse(`${today}T21:00:00Z`),
    ],
    ['notBefore without pending raises', machineOf(definitionOf(eventsOf({ notBefore: '21:00' }))), midnight],
    [
      'a retired jobnet’s time start is no wake',
      machineOf(definitionOf({ start: { at: ['22:00'] } }), {
        retired: { at: 0, by: 'c', revision: 'r2', remove: false },
      }),
      midnight,
    ],
  ])('%s', (_case, machine, until) => {
    expect(sleepOf(wake(machine, t0))).toStrictEqual({ kind: 'sleep', until, milliseconds: until - t0 });
  });

  it('an event start that waited for notBefore starts when it is reached', () => {
    const machine = machineOf(definitionOf(eventsOf({ notBefore: '21:00' })), {
      pendingEvents: { FILE_READY: [raise(-1, 'early', 'P')] },
    });
    expect(kinds(wake(machine, Date.parse(`${today}T20:59:59Z`)))).not.toContain('startRun');
    expect(startOf(wake(machine, Date.parse(`${today}T21:00:00Z`)))?.input).toMatchObject({
      trigger: 'event',
      parameter: 'P',
      requestedBy: 'early',
    });
  });
});

describe('time starts and catch-up (R-SCH-1, R-SCH-3)', () => {
  it('starts a time start that is due and moves the cursor past it', () => {
    const driven = wake(machineOf(definitionOf({ start: { at: ['13:00', '18:00'] } }), { cursor: at(-60) }), at(1));
    expect(startOf(driven)).toMatchObject({
      runId: runWorkflowIdOfActor(actorId, today, 'schedule-20270104T130001000Z-1'),
      input: { trigger: 'schedule', requestedBy: 'scheduler' },
    });
    expect(driven.machine.state.cursor).toBe(t0);
    expect(sleepOf(driven)?.until).toBe(Date.parse(`${today}T18:00:00Z`));
  });

  it('after an outage runs only the latest start within the window and records the others as skipped', () => {
    const machine = machineOf(definitionOf({ start: { every: { minutes: 5 } } }), { cursor: at(-3600) });
    const driven = wake(machine, at(120));
    expect(kinds(driven).filter((kind) => kind === 'startRun')).toHaveLength(1);
    const skipped = driven.machine.state.troubles;
    expect(skipped.every((trouble) => trouble.kind === 'executionSkipped' && trouble.at === at(120))).toBe(true);
    expect(skipped).toHaveLength(11); // 12:05 … 12:55; 13:00 runs
    expect(skipped[0]?.message).toContain('more than the catch-up window of 600 s');
    expect(skipped.at(-1)?.message).toContain('the later start at 2027-01-04T13:00:00.000Z runs instead');
    expect(driven.machine.state.cursor).toBe(t0);
  });

  it('skips every overdue start beyond a 0 s window, but not one its timer found a moment late', () => {
    const strict = definitionOf({ start: { at: ['13:00'] }, catchUpWindowSeconds: 0 });
    expect(troubleKinds(wake(machineOf(strict, { cursor: at(-60) }), at(30)).machine)).toEqual(['executionSkipped']);
    expect(kinds(wake(machineOf(strict, { cursor: at(-60) }), at(1)))).toContain('startRun');
  });

  it.each<[string, Partial<JobnetActorState>, string | undefined, Partial<JobnetActorState>]>([
    ['running: refused', { currentRun: runOf('running', { runId: 'run-0' }) }, 'executionRefused', {}],
    ['disabled: skipped', { disabledByOperator: true }, 'executionSkipped', {}],
    [
      'held: deferred',
      { held: true },
      undefined,
      { deferred: { trigger: 'schedule', businessDate: today, at: at(1), by: 'scheduler' } },
    ],
  ])('a due start while %s', (_case, state, trouble, fields) => {
    const driven = wake(machineOf(definitionOf({ start: { at: ['13:00'] } }), { cursor: at(-60), ...state }), at(1));
    expect(kinds(driven)).not.toContain('startRun');
    expect(troubleKinds(driven.machine)).toEqual(trouble === undefined ? [] : [trouble]);
    expect(driven.machine.state).toMatchObject(fields);
  });

  it('a time start Temporal refuses is recorded, and the pass goes on', () => {
    const driven = wake(machineOf(definitionOf({ start: { at: ['13:00'] } }), { cursor: at(-60) }), at(1), {
      outcome: failedStart,
    });
    expect(troubleKinds(driven.machine)).toEqual(['executionRefused']);
    expect(driven.machine.state.currentRun).toBeUndefined();
    expect(kinds(driven).slice(-1)).toEqual(['sleep']);
  });
});

describe('continue-as-new, search attributes and copies', () => {
  it.each<[string, boolean, Partial<ActorWorld>]>([
    ['history over the limit', true, { historyLength: 4001 }],
    ['the server suggests it', true, { continueAsNewSuggested: true }],
    ['over the limit while a handler runs', false, { historyLength: 4001, handlersFinished: false }],
    ['under the limit', false, { historyLength: 3999 }],
  ])('%s → continue as new: %s', (_case, continues, world) => {
    const machine = machineOf(definitionOf(), { held: true });
    const driven = wake(machine, t0, { world });
    expect(kinds(driven).includes('continueAsNew')).toBe(continues);
    if (continues)
      expect(driven.effects.at(-1)).toStrictEqual({
        kind: 'continueAsNew',
        input: { definition: machine.definition, carried: driven.machine.state },
      });
  });

  it('carries the copy and the history limit over continue-as-new', () => {
    const machine = { ...machineOf(), copyOf: 'daily-close', historyLimit: 30 };
    expect(wake(machine, t0, { world: { historyLength: 31 } }).effects.at(-1)).toMatchObject({
      kind: 'continueAsNew',
      input: { copyOf: 'daily-close', historyLimit: 30 },
    });
  });

  it('publishes revision, digest and status once, then only what changes', () => {
    const machine = machineOf();
    const first = wake(machine);
    expect(first.effects[0]).toStrictEqual({
      kind: 'publish',
      attributes: [
        { key: expect.objectContaining({ name: searchAttributeNames.revision }) as unknown, value: 'r1' },
        {
          key: expect.objectContaining({ name: searchAttributeNames.digest }) as unknown,
          value: machine.definition.digest,
        },
        { key: expect.objectContaining({ name: searchAttributeNames.runStatus }) as unknown, value: 'waiting' },
      ],
    });
    expect(kinds(wake(first.machine, at(1)))).toEqual(['sleep']);
    const held = operate(first.machine, { operation: 'hold' }).machine;
    expect(wake(held, at(2)).effects[0]).toMatchObject({ kind: 'publish', attributes: [{ value: 'held' }] });
  });

  it('publishes the summary the jobnet list reads (what its view shows), and again only when it changes', () => {
    const summaryOf = (driven: Driven) =>
      driven.effects.find(
        (effect): effect is Extract<ActorEffect, { kind: 'publishSummary' }> => effect.kind === 'publishSummary',
      )?.summary;
    const first = wake(machineOf());
    expect(summaryOf(first)).toStrictEqual(summaryOfView(jobnetViewOf(first.machine, t0)));
    expect(summaryOf(first)).toMatchObject({ status: 'waiting', openRun: null, troubleCount: 0, lastTroubleAt: null });
    expect(summaryOf(wake(first.machine, at(1)))).toBeUndefined();
    const held = operate(first.machine, { operation: 'hold' });
    const heldSummary = summaryOf(held) ?? summaryOf(wake(held.machine, at(2)));
    expect(heldSummary).toMatchObject({ status: 'held' });
    expect(heldSummary).toStrictEqual(summaryOfView(jobnetViewOf(held.machine, at(2))));
    // A run open, and the summary a view of that state gives.
    const running = wake(machineOf(definitionOf(), { currentRun: runOf('running') }), at(3));
    expect(summaryOf(running)).toMatchObject({ status: 'running', openRun: { status: 'running' } });
  });

  it.each<[string, boolean, Partial<JobnetActorState>]>([
    ['after a normal end', true, { runCount: 1, lastOutcome: 'ended' }],
    ['before any run', false, {}],
    ['with raises pending', false, { runCount: 1, lastOutcome: 'ended', pendingEvents: { FILE_READY: [raise(1)] } }],
    ['after an abended end', false, { runCount: 1, lastOutcome: 'abended' }],
  ])('a copy completes once idle: %s → %s', (_case, completes, state) => {
    const machine = { ...machineOf(definitionOf(), state), copyOf: 'daily-close' };
    expect(copyIsIdle(machine.state)).toBe(completes);
    expect(kinds(wake(machine)).includes('complete')).toBe(completes);
  });
});

describe('run reports', () => {
  it('take the run’s troubles with its business date, and always let the loop plan again', () => {
    const machine = machineOf(definitionOf(), { currentRun: runOf('running', { businessDate: '2027-01-03' }) });
    const driven = drive(machine, {
      kind: 'runReport',
      report: {
        runId: 'run-1',
        status: 'abended',
        completed: false,
        at: at(1),
        troubles: [
          {
            kind: 'jobnetAbended',
            at: at(1),
            project: 'sales',
            jobnet: 'daily-close',
            runId: 'run-1',
            job: 'a',
            exitCode: 3,
            message: 'm',
          },
        ],
      },
    });
    expect(driven.machine.state.troubles).toStrictEqual([
      {
        id: 'sales/daily-close#1',
        kind: 'jobnetAbended',
        at: at(1),
        project: 'sales',
        jobnet: 'daily-close',
        runId: 'run-1',
        businessDate: '2027-01-03',
        job: 'a',
        exitCode: 3,
        message: 'm',
      },
    ]);
    expect(driven.machine.state.currentRun?.status).toBe('abended');
    const unknown = drive(machine, {
      kind: 'runReport',
      report: { runId: 'run-9', status: 'normal', completed: true, at: at(1), troubles: [] },
    });
    expect(unknown.changed).toBe(true);
    expect(unknown.machine.state).toStrictEqual(machine.state);
  });
});

// ---------------------------------------------------------------------------------------------
// Initial state from an imported bundle (R-EXP-2)

describe('initial state of a new actor (spec.initialState)', () => {
  const heldAtCreation = definitionOf({ initialState: { held: true } });
  const disabledAtCreation = definitionOf({ initialState: { disabled: true } });

  it('creates the actor held or disabled when the definition says so, and waiting otherwise', () => {
    expect(jobnetViewOf(createMachine({ definition: heldAtCreation }, actorId, t0), t0).status).toBe('held');
    expect(jobnetViewOf(createMachine({ definition: disabledAtCreation }, actorId, t0), t0).status).toBe('disabled');
    expect(jobnetViewOf(createMachine({ definition: definitionOf() }, actorId, t0), t0).status).toBe('waiting');
  });

  it('applies it only at creation: an actor continued as new keeps the state it carries', () => {
    const carried = { ...createActorState(today, t0), held: false };
    const continued = createMachine({ definition: heldAtCreation, carried }, actorId, t0);
    expect(continued.state.held).toBe(false);
    expect(continued.state.disabledByOperator).toBeUndefined();
  });

  it('never holds the actor of a copy start', () => {
    const copy = createMachine({ definition: heldAtCreation, copyOf: 'daily-close' }, actorId, t0);
    expect(copy.state.held).toBe(false);
  });

  it('does not hold an existing actor again when the same definition is applied after a release', () => {
    const created = createMachine({ definition: heldAtCreation }, actorId, t0);
    const released = operate(created, { operation: 'release' });
    expect(released.machine.state.held).toBe(false);
    const reapplied = drive(
      released.machine,
      { kind: 'applyDefinition', apply: { definition: { ...heldAtCreation, revision: 'r2' }, by: 'ctl' } },
      at(10),
    );
    expect(reapplied.machine.state.held).toBe(false);
    expect(jobnetViewOf(reapplied.machine, at(10)).status).toBe('waiting');
  });
});
