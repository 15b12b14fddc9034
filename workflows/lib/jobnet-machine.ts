/**
 * The jobnet actor as a pure machine (docs/architecture.md#a-jobnet-actor-not-temporal-schedules; R-STATE-1..3, R-SCH-1..3,
 * R-EVT-1..4, R-TRB, R-OPS-1..3, R-GIT-3, R-JN-3). Every decision of the actor is made here;
 * `jobnet-actor-workflow.ts` is a loop that hands each input to {@link step} and carries out the
 * effects it returns, in order.
 *
 * `step(machine, input, now, world)` never changes the machine it is given: it returns the new
 * machine, the effects, and `changed` — whether the loop's sleep must end so it plans again.
 * Inputs ({@link ActorInput}) are the loop's wake (a timer fired or something changed), a
 * definition applied, a retire, a run's report, a run that ended without its final report, an
 * operation, an event delivery, a clear, and — for the effects that take time — the effect's
 * outcome (`resume`): an effect that must be awaited (start a run, close one, start a copy,
 * forward an operation to a run, probe a run, sleep) is the last of its step and names the point
 * to go on from (`then`); the workflow awaits it and steps again with its outcome, so everything
 * decided after it is decided on the state as it is then, as a workflow that awaited inline would.
 *
 * `world` is what the machine may ask of the execution around it: Temporal's `patched()`, asked
 * only where a decision depends on a patch (so markers land where they always did), the history
 * length, whether the server suggests continue-as-new, and whether every handler has finished.
 *
 * The jobnet's own state (`lib/jobnet-state.ts`, carried over continue-as-new) is changed here
 * only on a copy, with the helpers of that module. Besides it the machine holds what one execution
 * knows: the definition, the runs it watches (their end is a child event), the probe of a run it
 * does not watch, the search attributes it published, and a window of start days.
 *
 * Readings of the specification beyond those of `jobnet-state.ts`:
 * - The loop's pass, on every wake: the day change (closing or carrying over the open run), a
 *   retired jobnet's end once nothing is open (prune), due time starts with catch-up, event starts
 *   that became ready, a probe of an open run this execution does not watch (30 s, doubling to
 *   10 min), the start deadline (`startDelayed` once per start day that has no start yet), the end
 *   deadline (`endDelayed` once per run), a copy's end once idle, continue-as-new (4,000 events
 *   or the server's suggestion, handlers finished), the search attributes, then a sleep until the
 *   next day change, time start, deadline, probe or `notBefore`, whichever comes first.
 * - A run that ends without its final report (terminated or reset in Temporal) is `forced` unless
 *   it had already reported a final status, with a `jobnetAbended` trouble; `confirm` clears it.
 * - An unchanged definition applied again changes nothing, unless the jobnet was retired: then it
 *   is restored and schedules again (from now on: starts missed while retired are not caught up).
 *
 * Runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no `Date.now`.
 */
import type {
  JobnetCopyAnswer,
  JobnetCopyRequest,
  RunOperationOfJobnet,
  RunOperationOutcome,
} from '../activities/activity.types.js';
import type {
  DefinitionApply,
  EventDelivery,
  EventDeliveryAnswer,
  JobnetActorInput,
  JobnetOperationAnswer,
  JobnetOperationRequest,
  JobnetView,
  RetireRequest,
  RunReport,
} from '../jobnet-actor-contract.js';
import { topLevelRunStart, type RunInput } from '../run-contract.js';
import {
  addDays,
  businessDateOf,
  businessDayStartMillis,
  dayNumberOf,
  instantOf,
  systemCalendar,
  type BusinessCalendar,
} from './business-calendar.js';
import type { CompiledJobnet } from './compiled-jobnet.js';
import { compiledScheduleOf, scheduleStartDays, triggerKind, type CompiledSchedule } from './compiled-schedule.js';
import { eventRouteOf } from './event-routing.js';
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
  initialActorFlags,
  jobnetStatus,
  operationRefusal,
  raiseRefusal,
  recordOperation,
  recordTrouble,
  startDecision,
  type ActorRun,
  type DeferredStart,
  type JobnetActorState,
  type JobnetTrouble,
  type RunStartRequest,
  type StartTriggerKind,
} from './jobnet-state.js';
import type { RunStatus } from './run-state.js';
import { summaryOfView, type JobnetSummary } from './jobnet-summary.js';
import { earliestEventStart, nextStarts, type PlannedStart } from './start-times.js';
import { retiredDigest, runWorkflowIdOfActor, searchAttributeKeys as keys } from './wire-contract.js';

/** History length at which the actor continues as new (unless the server suggests it earlier). */
export const historyLimit = 4000;
/** Start days are computed for this many days ahead of the current business date. */
const startDayHorizonDays = 400;
/** At most this many overdue time starts are looked at in one go after an outage. */
const maxOverdueStarts = 2000;
/** An open run started by an earlier execution (not watched) is probed at this interval, doubling up to the maximum. */
export const firstRunProbeMs = 30_000;
export const maxRunProbeMs = 600_000;

/** The schedule of a jobnet compiled without one (hand-built in tests): manual starts, every day. */
const manualSchedule: CompiledSchedule = compiledScheduleOf();

/** The `patched()` ids the actor's decisions depend on (each guards a change running actors' histories predate). */
export type ActorPatch =
  'revive-unchanged-definition' | 'notice-unreported-run-end' | 'probe-unwatched-runs' | 'start-deadline-since';

/** What a step may ask of the workflow execution around it. */
export interface ActorWorld {
  /** Temporal's `patched(id)`: whether this execution takes the newer path. Asked only where the decision depends on it. */
  patched(patch: ActorPatch): boolean;
  historyLength: number;
  continueAsNewSuggested: boolean;
  /** No Update or signal handler is still running (`allHandlersFinished()`). */
  handlersFinished: boolean;
}

/** A search attribute the actor publishes, with its value. */
export type PublishedAttribute = { key: (typeof keys)['revision' | 'digest' | 'runStatus']; value: string };

/** The probe of an open run this execution does not watch. */
export interface RunProbe {
  runId: string;
  /** When to probe next. */
  at: number;
  intervalMs: number;
}

/** The machine: the jobnet's carried state and what the current execution of its actor knows. */
export interface JobnetMachine {
  /** The actor's workflow id: its runs' ids derive from it. */
  actorId: string;
  /** The compiled jobnet of the latest applied revision. */
  definition: CompiledJobnet;
  copyOf?: string;
  historyLimit?: number;
  /** The jobnet's state across runs: carried over continue-as-new. */
  state: JobnetActorState;
  /** Runs started by this execution: their end is seen as a child's end event. */
  watched: string[];
  probe: RunProbe;
  /** What was last published as search attributes, and the summary last published in the memo (as JSON). */
  published: { revision?: string; digest?: string; status?: string; summary?: string };
  /** Start days around the business date, with the key they were computed for. */
  days?: { key: string; list: string[] };
}

/** Where a flow goes on once the effect it awaited is done. */
export type Resume =
  | { flow: 'pass'; at: 'closed'; passNow: number; closing: string[] }
  | { flow: 'pass'; at: 'timeStarted' | 'eventStarted' }
  | { flow: 'pass'; at: 'probed'; probeNow: number; runId: string }
  | {
      flow: 'operation';
      at: 'copied' | 'started' | 'forwarded' | 'released' | 'confirmed' | 'retried' | 'retryClosed';
      request: JobnetOperationRequest;
      since: number;
      runId?: string;
      run?: ActorRun;
      trigger?: StartTriggerKind;
    }
  | { flow: 'delivery'; at: 'copied' }
  | { flow: 'delivery'; at: 'eventStarted'; delivery: EventDelivery; pending: number; deferredBefore?: DeferredStart };

/** The outcome of an awaited effect. */
export type EffectOutcome =
  | { kind: 'closed' }
  | { kind: 'runStarted'; runId: string; businessDate: string; error?: string }
  | { kind: 'copy'; answer: JobnetCopyAnswer }
  | { kind: 'runOperated'; answer: RunOperationOutcome }
  | { kind: 'probed'; alive: boolean };

export type ActorInput =
  | { kind: 'wake' }
  | { kind: 'applyDefinition'; apply: DefinitionApply }
  | { kind: 'retire'; retire: RetireRequest }
  | { kind: 'runReport'; report: RunReport }
  /** A run ended without its final report: its child workflow ended (status or failure text) or a probe failed. */
  | { kind: 'runEnded'; runId: string; ended: { status: RunStatus } | { failure: string } }
  | { kind: 'operation'; request: JobnetOperationRequest }
  | { kind: 'eventDelivery'; delivery: EventDelivery }
  | { kind: 'clearEvents'; by: string; event?: string }
  | { kind: 'resume'; then: Resume; outcome: EffectOutcome };

export type ActorAnswer = JobnetOperationAnswer | EventDeliveryAnswer | { cleared: number };

export type ActorEffect =
  /** Start the run as a child workflow (parent close policy ABANDON); its end is then watched. */
  | {
      kind: 'startRun';
      runId: string;
      input: RunInput;
      searchAttributes: ReturnType<typeof topLevelRunStart>['searchAttributes'];
      then: Resume;
    }
  /** Signal `closeRun` to the run; a run that has completed already is no failure. */
  | { kind: 'closeRun'; runId: string; by: string; then: Resume }
  /** Signal `deliverEvent` to the run; a failure fails the delivery. */
  | { kind: 'deliverToRun'; runId: string; event: string }
  /** The `startJobnetCopy` activity. */
  | { kind: 'startCopy'; request: JobnetCopyRequest; then: Resume }
  /** The `operateRunOfJobnet` activity. */
  | { kind: 'operateRun'; request: RunOperationOfJobnet; then: Resume }
  /** Signal `livenessProbe` to the run: a failure means it no longer runs. */
  | { kind: 'probeRun'; runId: string; then: Resume }
  | { kind: 'publish'; attributes: PublishedAttribute[] }
  /** Upsert the memo's summary (lib/jobnet-summary.ts): what the jobnet list reads. */
  | { kind: 'publishSummary'; summary: JobnetSummary }
  /** The Update's answer (the flow ends). */
  | { kind: 'answer'; answer: ActorAnswer }
  /** The Update is refused with the reason (the flow ends). */
  | { kind: 'refuse'; reason: string; failureType: 'OperationRefused' | 'EventRefused' }
  | { kind: 'continueAsNew'; input: JobnetActorInput }
  /** The actor's workflow completes. */
  | { kind: 'complete' }
  /** The loop sleeps `milliseconds` (none when not positive) or until a step says `changed`, then wakes. */
  | { kind: 'sleep'; until: number; milliseconds: number };

export interface StepResult {
  state: JobnetMachine;
  effects: ActorEffect[];
  /** Something changed that the loop's plan depends on: its sleep ends. */
  changed: boolean;
}

/** A fresh machine for an execution of the actor `actorId` (a new actor, or one continued as new). */
export function createMachine(input: JobnetActorInput, actorId: string, now: number): JobnetMachine {
  const machine: JobnetMachine = {
    actorId,
    definition: input.definition,
    state: input.carried ?? createActorState(businessDateOf(calendarOf(input.definition), now), now),
    watched: [],
    probe: { runId: '', at: 0, intervalMs: firstRunProbeMs },
    published: {},
  };
  if (input.carried === undefined) machine.state.startDeadlineSince = now;
  Object.assign(
    machine.state,
    initialActorFlags(input.definition.schedule, {
      carried: input.carried !== undefined,
      copy: input.copyOf !== undefined,
    }),
  );
  if (input.copyOf !== undefined) machine.copyOf = input.copyOf;
  if (input.historyLimit !== undefined) machine.historyLimit = input.historyLimit;
  return machine;
}

/** Why the operation must be refused now (R-OPS-3), or undefined: the Update's validator and the step ask this. */
export function operationRefusalOf(machine: JobnetMachine, request: JobnetOperationRequest): string | undefined {
  return operationRefusal(machine.state, scheduleOf(machine.definition), request);
}

/** What the jobnet query answers at `now`. Reads only. */
export function jobnetViewOf(machine: JobnetMachine, now: number, starts = 5): JobnetView {
  const { definition, state } = machine;
  const start = scheduleOf(definition).start;
  const days = startDayWindow(machine).list;
  const trigger = timeTrigger(definition);
  let upcoming: PlannedStart[] = [];
  if (trigger !== undefined)
    upcoming = nextStarts(trigger, days, calendarOf(definition), Math.max(now, state.cursor), starts);
  else if (start.events !== undefined)
    upcoming = nextStarts({ events: start.events }, days, calendarOf(definition), now, starts);
  const view: JobnetView = {
    project: definition.project,
    name: definition.name,
    revision: definition.revision,
    status: jobnetStatus(state, scheduleOf(definition)),
    businessDate: state.businessDate,
    trigger: triggerKind(start),
    nextStarts: upcoming,
    state,
  };
  if (definition.title !== undefined) view.title = definition.title;
  if (definition.digest !== undefined) view.digest = definition.digest;
  if (machine.copyOf !== undefined) view.copyOf = machine.copyOf;
  return view;
}

/** One input: the new machine, the effects to carry out in order, and whether the loop must plan again. */
export function step(machine: JobnetMachine, input: ActorInput, now: number, world: ActorWorld): StepResult {
  const d: Draft = {
    m: {
      ...machine,
      state: cloneState(machine.state),
      probe: { ...machine.probe },
      published: { ...machine.published },
    },
    effects: [],
    changed: false,
    now,
    world,
  };
  switch (input.kind) {
    case 'wake':
      dayChange(d);
      break;
    case 'applyDefinition':
      applyDefinition(d, input.apply);
      break;
    case 'retire':
      retire(d, input.retire);
      break;
    case 'runReport':
      runReport(d, input.report);
      break;
    case 'runEnded':
      if ('status' in input.ended)
        runEndedUnreported(d, input.runId, input.ended.status, `its workflow completed ${input.ended.status}`);
      else runEndedUnreported(d, input.runId, 'forced', input.ended.failure);
      break;
    case 'operation':
      operation(d, input.request);
      break;
    case 'eventDelivery':
      delivery(d, input.delivery);
      break;
    case 'clearEvents': {
      const cleared = applyClearEvents(d.m.state, input.event);
      recordOperation(d.m.state, {
        operation: 'clearEvents',
        by: input.by,
        at: now,
        detail: `${cleared} pending raise(s)${input.event !== undefined ? ` of ${input.event}` : ''} cleared`,
      });
      d.changed = true;
      d.effects.push({ kind: 'answer', answer: { cleared } });
      break;
    }
    case 'resume':
      resume(d, input.then, input.outcome);
      break;
  }
  return { state: d.m, effects: d.effects, changed: d.changed };
}

// --- The step's working copy ----------------------------------------------------------------------

interface Draft {
  /** A copy of the machine the step may change. */
  m: JobnetMachine;
  effects: ActorEffect[];
  changed: boolean;
  now: number;
  world: ActorWorld;
}

/** A copy of the state deep enough for the `apply…`/`record…` helpers to change it. */
function cloneState(state: JobnetActorState): JobnetActorState {
  const copy: JobnetActorState = {
    ...state,
    pendingEvents: {},
    troubles: [...state.troubles],
    operations: [...state.operations],
  };
  for (const [event, queue] of Object.entries(state.pendingEvents)) copy.pendingEvents[event] = [...queue];
  if (state.currentRun !== undefined) copy.currentRun = { ...state.currentRun };
  if (state.lastRun !== undefined) copy.lastRun = { ...state.lastRun };
  return copy;
}

function scheduleOf(definition: CompiledJobnet): CompiledSchedule {
  return definition.schedule ?? manualSchedule;
}

function calendarOf(definition: CompiledJobnet): BusinessCalendar {
  return definition.calendar ?? systemCalendar('UTC');
}

function identity(definition: CompiledJobnet): { project: string; jobnet: string; title?: string } {
  return {
    project: definition.project,
    jobnet: definition.name,
    ...(definition.title !== undefined ? { title: definition.title } : {}),
  };
}

function trouble(d: Draft, fields: Omit<JobnetTrouble, 'id' | 'project' | 'jobnet' | 'title'>): void {
  recordTrouble(d.m.state, identity(d.m.definition), fields);
}

/** Start days of the window around the business date (the one computation of start-days.ts, R-DAYS-4), kept while it fits. */
function startDayWindow(machine: JobnetMachine): { key: string; list: string[] } {
  const { definition, state } = machine;
  const from = addDays(state.businessDate, -7);
  const key = `${definition.digest ?? definition.revision}|${from}`;
  if (machine.days?.key === key) return machine.days;
  return {
    key,
    list: scheduleStartDays(scheduleOf(definition), calendarOf(definition), {
      from,
      to: addDays(state.businessDate, startDayHorizonDays),
    }),
  };
}

function startDays(d: Draft): string[] {
  d.m.days = startDayWindow(d.m);
  return d.m.days.list;
}

function timeTrigger(
  definition: CompiledJobnet,
): { at: string[] } | { every: NonNullable<CompiledSchedule['start']['every']> } | undefined {
  const { at, every } = scheduleOf(definition).start;
  return at !== undefined ? { at } : every !== undefined ? { every } : undefined;
}

/** The time starts due at `now` after the cursor (R-SCH-1, R-SCH-3). */
function dueTimeStarts(d: Draft, now: number): PlannedStart[] {
  const trigger = timeTrigger(d.m.definition);
  if (trigger === undefined) return [];
  // Ask for few starts and double only while all of them are due: on the common path (one start
  // due, or none) this is one short computation, which keeps the actor's task — and so the
  // lateness of the timers it sets — short; after an outage it grows to what is overdue.
  for (let count = 2; ; count = Math.min(count * 2, maxOverdueStarts)) {
    const starts = nextStarts(trigger, startDays(d), calendarOf(d.m.definition), d.m.state.cursor, count);
    const due = starts.filter((start) => Date.parse(start.instant) <= now);
    if (due.length < starts.length || starts.length < count || count === maxOverdueStarts) return due;
  }
}

function notBeforeReached(d: Draft, now: number): boolean {
  const events = scheduleOf(d.m.definition).start.events;
  if (events?.notBefore === undefined) return true;
  return now >= Date.parse(earliestEventStart(events, calendarOf(d.m.definition), d.m.state.businessDate));
}

// --- Starting runs ------------------------------------------------------------------------------------

type StartRunEffect = Omit<Extract<ActorEffect, { kind: 'startRun' }>, 'then'>;

function endDeadlineOf(d: Draft, businessDate: string, startedAt: number): number | undefined {
  const { endAt, endAfterSeconds } = scheduleOf(d.m.definition).deadlines;
  if (endAfterSeconds !== undefined) return startedAt + endAfterSeconds * 1000;
  if (endAt !== undefined) return Date.parse(instantOf(calendarOf(d.m.definition), businessDate, endAt));
  return undefined;
}

/** Opens the run `request` asks for, watched from its start, and returns the effect that starts it. */
function launchRun(d: Draft, request: RunStartRequest): StartRunEffect {
  const { m, now } = d;
  const sequence = `${request.trigger}-${new Date(now).toISOString().replace(/[-:.]/g, '')}-${m.state.runCount + 1}`;
  const runId = runWorkflowIdOfActor(m.actorId, request.businessDate, sequence);
  const { input, searchAttributes } = topLevelRunStart({
    jobnet: m.definition,
    businessDate: request.businessDate,
    trigger: request.trigger,
    requestedBy: request.by,
    actor: m.actorId,
    ...(request.parameter !== undefined ? { parameter: request.parameter } : {}),
  });
  applyRunStarted(m.state, request, runId, now, endDeadlineOf(d, request.businessDate, now));
  m.watched = [...m.watched, runId];
  d.changed = true;
  return { kind: 'startRun', runId, input, searchAttributes };
}

/**
 * Opens the retry run of `retry.of` (R-OPS-4) as the open run, watched from its start: the input
 * the caller built (revision, business date, state to start from), reporting to this actor.
 */
function launchRetry(d: Draft, retry: { of: string; input: RunInput }, by: string): StartRunEffect {
  const { m, now } = d;
  const { input: given } = retry;
  const sequence = `retry-${new Date(now).toISOString().replace(/[-:.]/g, '')}-${m.state.runCount + 1}`;
  const runId = runWorkflowIdOfActor(m.actorId, given.businessDate, sequence);
  const { input, searchAttributes } = topLevelRunStart({
    jobnet: { ...given.jobnet, children: given.children },
    businessDate: given.businessDate,
    trigger: 'retry',
    requestedBy: by,
    actor: m.actorId,
    ...(given.parameter !== undefined ? { parameter: given.parameter } : {}),
    ...(given.resumeFrom !== undefined ? { retry: { of: retry.of, from: given.resumeFrom } } : {}),
  });
  const request: RunStartRequest = { trigger: 'retry', businessDate: given.businessDate, by };
  if (given.parameter !== undefined) request.parameter = given.parameter;
  applyRunStarted(m.state, request, runId, now, endDeadlineOf(d, given.businessDate, now));
  m.watched = [...m.watched, runId];
  d.changed = true;
  return { kind: 'startRun', runId, input, searchAttributes };
}

/** A start condition is met (R-STATE-1): start (the effect to start the run), or defer, refuse or skip — never silently. */
function startCondition(d: Draft, request: RunStartRequest): { launch: StartRunEffect } | { detail: string } {
  const { state } = d.m;
  const decision = startDecision(state, scheduleOf(d.m.definition));
  switch (decision.kind) {
    case 'start':
      return { launch: launchRun(d, request) };
    case 'defer':
      state.deferred = {
        trigger: request.trigger,
        businessDate: request.businessDate,
        at: d.now,
        by: request.by,
        ...(request.parameter !== undefined ? { parameter: request.parameter } : {}),
      };
      d.changed = true;
      return { detail: 'the jobnet is held: the start is deferred until release' };
    case 'refuse':
      trouble(d, {
        kind: 'executionRefused',
        at: d.now,
        businessDate: request.businessDate,
        message: `${request.trigger} start refused: ${decision.reason}`,
      });
      d.changed = true;
      return { detail: `refused: ${decision.reason}` };
    case 'skip':
      trouble(d, {
        kind: 'executionSkipped',
        at: d.now,
        businessDate: request.businessDate,
        message: `${request.trigger} start skipped: ${decision.reason}`,
      });
      d.changed = true;
      return { detail: `skipped: ${decision.reason}` };
  }
}

/** Consumes pending raises while an event start is ready (R-EVT-2) until one starts a run: its effect, or undefined. */
function eventStarts(d: Draft): StartRunEffect | undefined {
  const { state } = d.m;
  const schedule = scheduleOf(d.m.definition);
  while (eventStartReady(state, schedule, notBeforeReached(d, d.now))) {
    const consumed = consumeEventStart(state, schedule);
    d.changed = true;
    const request: RunStartRequest = { trigger: 'event', businessDate: state.businessDate, by: consumed.by };
    if (consumed.parameter !== undefined) request.parameter = consumed.parameter;
    const result = startCondition(d, request);
    if ('launch' in result) return result.launch;
  }
  return undefined;
}

/** The run `runId` has ended without its final report (terminated, reset, timed out). */
function runEndedUnreported(d: Draft, runId: string, status: RunStatus, why: string): void {
  const { state } = d.m;
  const run = state.currentRun;
  if (run?.runId !== runId || run.completed || !d.world.patched('notice-unreported-run-end')) return;
  const ended: RunStatus = run.status === 'running' || run.status === 'warning' ? status : run.status;
  applyRunReport(state, scheduleOf(d.m.definition), { runId, status: ended, completed: true });
  trouble(d, {
    kind: 'jobnetAbended',
    at: d.now,
    businessDate: run.businessDate,
    runId,
    message: `run ${runId} ended without reporting its end (${why}): it was terminated or reset in Temporal, outside the jobnet operations; confirm the jobnet to start it again`,
  });
  d.changed = true;
}

// --- The loop's pass --------------------------------------------------------------------------------

/** The day change (R-STATE-2, R-STATE-3): the first thing of every pass. */
function dayChange(d: Draft): void {
  const { state } = d.m;
  const today = businessDateOf(calendarOf(d.m.definition), d.now);
  let closing: string[] = [];
  if (today > state.businessDate) {
    const change = applyDayChange(state, scheduleOf(d.m.definition), today);
    closing = change.closeRuns;
    if (change.carriedOver !== undefined) {
      recordOperation(state, {
        operation: 'carryOver',
        by: 'scheduler',
        at: d.now,
        detail: `run ${change.carriedOver} carried over into business date ${today}`,
      });
    }
  }
  closeThenStart(d, d.now, closing);
}

/** Closes the runs the day change closes, one at a time; then a retired jobnet's end, and the due time starts. */
function closeThenStart(d: Draft, passNow: number, closing: string[]): void {
  const [first, ...rest] = closing;
  if (first !== undefined) {
    d.effects.push({
      kind: 'closeRun',
      runId: first,
      by: 'day change',
      then: { flow: 'pass', at: 'closed', passNow, closing: rest },
    });
    return;
  }
  const { state } = d.m;
  // A retired jobnet starts nothing; pruned, it ends once its last run is no longer open.
  if (state.retired !== undefined) {
    state.cursor = Math.max(state.cursor, passNow);
    if (state.retired.remove && state.currentRun === undefined && d.world.handlersFinished) {
      d.effects.push({ kind: 'complete' });
      return;
    }
  }
  // Time starts that are due, with catch-up after an outage (R-SCH-1, R-SCH-3). Of the decisions
  // only the last can be `run`.
  const due = dueTimeStarts(d, passNow);
  if (due.length > 0) {
    let launch: StartRunEffect | undefined;
    for (const decision of catchUpDecisions(due, passNow, scheduleOf(d.m.definition).catchUpWindowSeconds)) {
      if (decision.action === 'skip') {
        trouble(d, {
          kind: 'executionSkipped',
          at: passNow,
          businessDate: decision.start.businessDate,
          message: `start at ${decision.start.instant} skipped: ${decision.reason ?? ''}`,
        });
      } else {
        const result = startCondition(d, {
          trigger: 'schedule',
          businessDate: decision.start.businessDate,
          by: 'scheduler',
        });
        if ('launch' in result) launch = result.launch;
      }
    }
    state.cursor = Math.max(state.cursor, Date.parse(due[due.length - 1]?.instant ?? ''));
    d.changed = true;
    if (launch !== undefined) {
      d.effects.push({ ...launch, then: { flow: 'pass', at: 'timeStarted' } });
      return;
    }
  }
  eventStartsOfPass(d);
}

/** Event starts: raises pending behind a run, a notBefore or a release (R-EVT-2). */
function eventStartsOfPass(d: Draft): void {
  const launch = eventStarts(d);
  if (launch !== undefined) d.effects.push({ ...launch, then: { flow: 'pass', at: 'eventStarted' } });
  else probe(d);
}

/** An open run of an earlier execution may have been terminated in Temporal: probe it now and then. */
function probe(d: Draft): void {
  const { m, now } = d;
  const run = m.state.currentRun;
  if (run === undefined || run.completed || m.watched.includes(run.runId) || !d.world.patched('probe-unwatched-runs')) {
    settle(d, now, undefined);
    return;
  }
  if (m.probe.runId !== run.runId) m.probe = { runId: run.runId, at: now, intervalMs: firstRunProbeMs };
  if (now < m.probe.at) {
    settle(d, now, m.probe.at);
    return;
  }
  m.probe.at = now + m.probe.intervalMs;
  m.probe.intervalMs = Math.min(m.probe.intervalMs * 2, maxRunProbeMs);
  d.effects.push({
    kind: 'probeRun',
    runId: run.runId,
    then: { flow: 'pass', at: 'probed', probeNow: now, runId: run.runId },
  });
}

/** The rest of the pass, without awaiting anything: deadlines, a copy's end, continue-as-new, search attributes, the sleep. */
function settle(d: Draft, now: number, nextProbeAt: number | undefined): void {
  const { m } = d;
  const { state, definition } = m;
  const schedule = scheduleOf(definition);
  const calendar = calendarOf(definition);

  // Start deadline (R-TRB startDelayed): once per business date that is a start day.
  const deadlines = schedule.deadlines;
  let startDeadlineAt: number | undefined;
  if (
    state.retired === undefined &&
    deadlines.start !== undefined &&
    state.startDelayedOn !== state.businessDate &&
    state.lastStartedOn !== state.businessDate &&
    startDays(d).includes(state.businessDate)
  ) {
    startDeadlineAt = Date.parse(instantOf(calendar, state.businessDate, deadlines.start));
    if (now >= startDeadlineAt) {
      state.startDelayedOn = state.businessDate;
      // A deadline that had passed before it (or the jobnet) was applied is not a delay.
      const since = state.startDeadlineSince;
      const predates = since !== undefined && startDeadlineAt < since && d.world.patched('start-deadline-since');
      if (!predates)
        trouble(d, {
          kind: 'startDelayed',
          at: now,
          businessDate: state.businessDate,
          message: `jobnet ${definition.project}/${definition.name} has not started by its start deadline ${deadlines.start} of business date ${state.businessDate}`,
        });
      startDeadlineAt = undefined;
      d.changed = true;
    }
  }

  // End deadline (R-TRB endDelayed): once per run.
  const run = state.currentRun;
  let endDeadlineAt: number | undefined;
  if (
    run?.endDeadlineAt !== undefined &&
    run.endDelayedRecorded !== true &&
    (run.status === 'running' || run.status === 'warning')
  ) {
    endDeadlineAt = run.endDeadlineAt;
    if (now >= endDeadlineAt) {
      run.endDelayedRecorded = true;
      trouble(d, {
        kind: 'endDelayed',
        at: now,
        businessDate: run.businessDate,
        runId: run.runId,
        message: `run ${run.runId} has not ended by its end deadline ${new Date(run.endDeadlineAt).toISOString()}`,
      });
      endDeadlineAt = undefined;
      d.changed = true;
    }
  }

  // A copy (R-JN-3) has done its work once it is idle after a run.
  if (m.copyOf !== undefined && copyIsIdle(state) && d.world.handlersFinished) {
    d.effects.push({ kind: 'complete' });
    return;
  }

  // Continue as new before the history grows large, carrying the state.
  if (
    (d.world.continueAsNewSuggested || d.world.historyLength > (m.historyLimit ?? historyLimit)) &&
    d.world.handlersFinished
  ) {
    const carried: JobnetActorInput = { definition, carried: state };
    if (m.copyOf !== undefined) carried.copyOf = m.copyOf;
    if (m.historyLimit !== undefined) carried.historyLimit = m.historyLimit;
    d.effects.push({ kind: 'continueAsNew', input: carried });
    return;
  }

  // What the controller observes with one visibility query: the definition held and the status.
  const published = {
    revision: definition.revision,
    digest: state.retired !== undefined ? retiredDigest : (definition.digest ?? ''),
    status: jobnetStatus(state, schedule),
  };
  const attributes: PublishedAttribute[] = [];
  if (published.revision !== m.published.revision) attributes.push({ key: keys.revision, value: published.revision });
  if (published.digest !== m.published.digest) attributes.push({ key: keys.digest, value: published.digest });
  if (published.status !== m.published.status) attributes.push({ key: keys.runStatus, value: published.status });
  if (attributes.length > 0) d.effects.push({ kind: 'publish', attributes });
  // What the jobnet list shows, published only when it changed (no command otherwise).
  const summary = summaryOfView(jobnetViewOf(m, now, 1));
  const summaryText = JSON.stringify(summary);
  if (summaryText !== m.published.summary) d.effects.push({ kind: 'publishSummary', summary });
  m.published = { ...published, summary: summaryText };

  // Sleep until the next thing that can happen by itself.
  const wakes: number[] = [businessDayStartMillis(calendar, dayNumberOf(state.businessDate) + 1)];
  const trigger = state.retired === undefined ? timeTrigger(definition) : undefined;
  const next = trigger === undefined ? undefined : nextStarts(trigger, startDays(d), calendar, state.cursor, 1)[0];
  if (next !== undefined) wakes.push(Date.parse(next.instant));
  if (startDeadlineAt !== undefined) wakes.push(startDeadlineAt);
  if (endDeadlineAt !== undefined) wakes.push(endDeadlineAt);
  if (nextProbeAt !== undefined) wakes.push(nextProbeAt);
  const events = schedule.start.events;
  if (events?.notBefore !== undefined && Object.keys(state.pendingEvents).length > 0 && !notBeforeReached(d, now)) {
    wakes.push(Date.parse(earliestEventStart(events, calendar, state.businessDate)));
  }
  const until = Math.min(...wakes);
  d.effects.push({ kind: 'sleep', until, milliseconds: until - now });
}

/** A copy actor is idle when nothing is open, pending, held or awaiting an operator. */
export function copyIsIdle(state: JobnetActorState): boolean {
  if (state.runCount === 0 || state.currentRun !== undefined || state.held || state.deferred !== undefined)
    return false;
  if (state.awaitingConfirmation || state.carriedOver !== undefined) return false;
  if (Object.keys(state.pendingEvents).length > 0) return false;
  return state.lastOutcome === 'ended' || state.lastOutcome === 'pseudoNormal' || state.lastOutcome === 'confirmed';
}

// --- Definitions and runs' reports ------------------------------------------------------------------

function applyDefinition(d: Draft, { definition: applied, by }: DefinitionApply): void {
  const { m } = d;
  const { state } = m;
  if (applied.project !== m.definition.project || applied.name !== m.definition.name) return;
  const unchanged = applied.digest !== undefined && applied.digest === m.definition.digest;
  // The same definition again is a no-op — unless the jobnet was retired: a jobnet removed and
  // then restored unchanged is desired again and must schedule again.
  if (unchanged && (state.retired === undefined || !d.world.patched('revive-unchanged-definition'))) return;
  const deadlineBefore = startDeadlineInstant(m.definition, state.businessDate);
  m.definition = applied;
  if (state.retired !== undefined || startDeadlineInstant(applied, state.businessDate) !== deadlineBefore)
    state.startDeadlineSince = d.now;
  if (state.retired !== undefined) {
    delete state.retired;
    state.cursor = Math.max(state.cursor, d.now);
  }
  const detail = unchanged
    ? `restored unchanged in revision ${applied.revision}; it schedules again`
    : `revision ${applied.revision} applied; the next run uses it`;
  recordOperation(state, { operation: 'apply', by, at: d.now, detail });
  d.changed = true;
}

/** The instant of `definition`'s start deadline on `businessDate` (undefined: it has none). */
function startDeadlineInstant(definition: CompiledJobnet, businessDate: string): number | undefined {
  const start = scheduleOf(definition).deadlines.start;
  return start === undefined ? undefined : Date.parse(instantOf(calendarOf(definition), businessDate, start));
}

function retire(d: Draft, { revision, by, remove }: RetireRequest): void {
  const { state } = d.m;
  if (state.retired?.revision === revision && state.retired.remove === remove) return;
  state.retired = { at: d.now, by, revision, remove };
  recordOperation(state, {
    operation: 'retire',
    by,
    at: d.now,
    detail: `removed from the definitions in revision ${revision}${remove ? '; the actor ends once no run is open' : ''}`,
  });
  d.changed = true;
}

function runReport(d: Draft, report: RunReport): void {
  const { state } = d.m;
  applyRunReport(state, scheduleOf(d.m.definition), report);
  const run =
    state.currentRun?.runId === report.runId
      ? state.currentRun
      : state.lastRun?.runId === report.runId
        ? state.lastRun
        : undefined;
  for (const reported of report.troubles) {
    const fields: Parameters<typeof trouble>[1] = {
      kind: reported.kind,
      at: reported.at,
      runId: reported.runId,
      message: reported.message,
    };
    if (run !== undefined) fields.businessDate = run.businessDate;
    if (reported.job !== undefined) fields.job = reported.job;
    if (reported.exitCode !== undefined) fields.exitCode = reported.exitCode;
    if (reported.forcedReason !== undefined) fields.forcedReason = reported.forcedReason;
    trouble(d, fields);
  }
  d.changed = true;
}

// --- Operations (R-OPS-1, R-OPS-3) -------------------------------------------------------------------

function refuse(d: Draft, reason: string, failureType: 'OperationRefused' | 'EventRefused'): void {
  d.effects.push({ kind: 'refuse', reason, failureType });
}

function operation(d: Draft, request: JobnetOperationRequest): void {
  const { m } = d;
  const { state } = m;
  const refusal = operationRefusalOf(m, request);
  if (refusal !== undefined) return refuse(d, refusal, 'OperationRefused');
  const since = d.now;
  switch (request.operation) {
    case 'start': {
      if (request.suffix !== undefined && m.copyOf === undefined) {
        d.effects.push({
          kind: 'startCopy',
          request: { definition: m.definition, suffix: request.suffix, request: { ...request, suffix: undefined } },
          then: { flow: 'operation', at: 'copied', request, since },
        });
        return;
      }
      const start: RunStartRequest = { trigger: 'manual', businessDate: state.businessDate, by: request.by };
      if (request.parameter !== undefined) start.parameter = request.parameter;
      d.effects.push({ ...launchRun(d, start), then: { flow: 'operation', at: 'started', request, since } });
      return;
    }
    case 'forceTerminate':
    case 'restart': {
      const run = state.currentRun;
      if (run === undefined) return refuse(d, 'no run is open', 'OperationRefused');
      const forwarded: RunOperationOfJobnet = {
        runId: run.runId,
        request: { operation: request.operation === 'restart' ? 'restartRun' : 'forceTerminateRun', by: request.by },
      };
      d.effects.push({
        kind: 'operateRun',
        request: forwarded,
        then: { flow: 'operation', at: 'forwarded', request, since, runId: run.runId },
      });
      return;
    }
    case 'hold':
      state.held = true;
      return finishOperation(d, request, since, 'held: starts are deferred until release');
    case 'release': {
      state.held = false;
      const deferred = state.deferred;
      delete state.deferred;
      if (deferred === undefined) return finishOperation(d, request, since, 'released');
      const start: RunStartRequest = {
        trigger: deferred.trigger,
        businessDate: deferred.businessDate,
        by: deferred.by,
      };
      if (deferred.parameter !== undefined) start.parameter = deferred.parameter;
      const result = startCondition(d, start);
      if ('launch' in result) {
        d.effects.push({
          ...result.launch,
          then: { flow: 'operation', at: 'released', request, since, trigger: deferred.trigger },
        });
        return;
      }
      return finishOperation(d, request, since, `released; the deferred ${deferred.trigger} start: ${result.detail}`);
    }
    case 'disable':
      state.disabledByOperator = true;
      return finishOperation(d, request, since, 'disabled: starts are skipped');
    case 'enable':
      state.disabledByOperator = false;
      return finishOperation(d, request, since, 'enabled');
    case 'confirm': {
      const run = state.currentRun;
      if (run !== undefined) {
        d.effects.push({
          kind: 'closeRun',
          runId: run.runId,
          by: request.by,
          then: { flow: 'operation', at: 'confirmed', request, since, run },
        });
        return;
      }
      return confirmed(d, request, since, undefined);
    }
    case 'retry': {
      const retry = request.retry;
      if (retry === undefined) return refuse(d, 'cannot retry: no run is named', 'OperationRefused');
      const open = state.currentRun?.runId === retry.of ? { ...state.currentRun } : undefined;
      d.effects.push({
        ...launchRetry(d, retry, request.by),
        then: { flow: 'operation', at: 'retried', request, since, ...(open !== undefined ? { run: open } : {}) },
      });
      return;
    }
    case 'releaseCarryOver': {
      const detail = `carry-over of run ${state.carriedOver ?? ''} released`;
      delete state.carriedOver;
      return finishOperation(d, request, since, detail);
    }
    case 'cancelEnd':
      delete state.eventStartedOn;
      if (state.currentRun === undefined) delete state.lastOutcome;
      return finishOperation(d, request, since, 'end cancelled: the jobnet may start again on this business date');
  }
}

/** `confirm` once the open run (if any) was closed: the abnormal end is accepted (R-STATE-2). */
function confirmed(d: Draft, request: JobnetOperationRequest, since: number, closed: ActorRun | undefined): void {
  const { state } = d.m;
  if (closed !== undefined) {
    // The run as it is now: a report may have come in while it was being closed.
    state.lastRun =
      state.currentRun?.runId === closed.runId
        ? state.currentRun
        : state.lastRun?.runId === closed.runId
          ? state.lastRun
          : closed;
    delete state.currentRun;
  }
  state.lastOutcome = 'confirmed';
  state.awaitingConfirmation = false;
  finishOperation(
    d,
    request,
    since,
    closed !== undefined ? `confirmed; run ${closed.runId} closed` : 'confirmed',
    closed?.runId,
  );
}

/** Records the accepted operation with who and when (R-OPS-3) and answers it. */
function finishOperation(
  d: Draft,
  request: JobnetOperationRequest,
  since: number,
  detail: string,
  runId?: string,
): void {
  const { state } = d.m;
  recordOperation(state, { operation: request.operation, by: request.by, at: since, detail });
  d.changed = true;
  const answer: JobnetOperationAnswer = {
    operation: request.operation,
    detail,
    status: jobnetStatus(state, scheduleOf(d.m.definition)),
  };
  if (runId !== undefined) answer.runId = runId;
  d.effects.push({ kind: 'answer', answer });
}

// --- Event deliveries (R-EVT-1..4, R-JN-3) -----------------------------------------------------------

function delivery(d: Draft, delivery: EventDelivery): void {
  const { m } = d;
  const { state } = m;
  const schedule = scheduleOf(m.definition);
  const events = schedule.start.events;
  if (events === undefined || !events.names.includes(delivery.event)) {
    // Not a start event: hand it to the open run's waitEvent jobs (R-EVT-1).
    const waits = eventRouteOf(m.definition)?.waitEvents.includes(delivery.event) ?? false;
    const run = state.currentRun;
    if (!waits || run === undefined || run.completed) {
      d.effects.push({
        kind: 'answer',
        answer: {
          outcome: 'ignored',
          detail: waits ? 'no run is open to take the event' : 'the jobnet does not wait for the event',
        },
      });
      return;
    }
    d.effects.push(
      { kind: 'deliverToRun', runId: run.runId, event: delivery.event },
      { kind: 'answer', answer: { outcome: 'delivered', detail: `delivered to run ${run.runId}`, runId: run.runId } },
    );
    return;
  }
  if (delivery.suffix !== undefined && m.copyOf === undefined) {
    d.effects.push({
      kind: 'startCopy',
      request: { definition: m.definition, suffix: delivery.suffix, event: { ...delivery, suffix: undefined } },
      then: { flow: 'delivery', at: 'copied' },
    });
    return;
  }
  if (events.startDaysOnly && !startDays(d).includes(state.businessDate)) {
    d.effects.push({
      kind: 'answer',
      answer: { outcome: 'ignored', detail: `business date ${state.businessDate} is not a start day (startDaysOnly)` },
    });
    return;
  }
  const refusal = raiseRefusal(state, schedule, delivery.event);
  if (refusal !== undefined) {
    if (refusal.trouble !== undefined) {
      trouble(d, {
        kind: refusal.trouble,
        at: d.now,
        businessDate: state.businessDate,
        message: `event ${delivery.event} from ${delivery.by}: ${refusal.reason}`,
      });
      d.changed = true;
    }
    return refuse(d, refusal.reason, 'EventRefused');
  }
  const pending = applyRaise(state, delivery.event, {
    at: d.now,
    by: delivery.by,
    ...(delivery.parameter !== undefined ? { parameter: delivery.parameter } : {}),
  });
  d.changed = true;
  const resume: Extract<Resume, { at: 'eventStarted'; flow: 'delivery' }> = {
    flow: 'delivery',
    at: 'eventStarted',
    delivery,
    pending,
  };
  if (state.deferred !== undefined) resume.deferredBefore = { ...state.deferred };
  deliveryStarts(d, resume);
}

/** The event starts a delivery makes: started, or pending (deferred while held, or counted). */
function deliveryStarts(d: Draft, resume: Extract<Resume, { flow: 'delivery'; at: 'eventStarted' }>): void {
  const launch = eventStarts(d);
  if (launch !== undefined) {
    d.effects.push({ ...launch, then: resume });
    return;
  }
  const { state } = d.m;
  const deferred = state.deferred;
  if (deferred !== undefined && !sameDeferred(deferred, resume.deferredBefore)) {
    d.effects.push({
      kind: 'answer',
      answer: { outcome: 'pending', detail: 'the jobnet is held: the event start is deferred until release' },
    });
    return;
  }
  const event = resume.delivery.event;
  d.effects.push({
    kind: 'answer',
    answer: {
      outcome: 'pending',
      detail: `${state.pendingEvents[event]?.length ?? resume.pending} raise(s) of ${event} pending`,
    },
  });
}

function sameDeferred(a: DeferredStart, b: DeferredStart | undefined): boolean {
  return (
    b !== undefined &&
    a.trigger === b.trigger &&
    a.businessDate === b.businessDate &&
    a.at === b.at &&
    a.by === b.by &&
    a.parameter === b.parameter
  );
}

// --- Awaited effects done -------------------------------------------------------------------------------

function resume(d: Draft, then: Resume, outcome: EffectOutcome): void {
  const { state } = d.m;
  const startFailed = outcome.kind === 'runStarted' && outcome.error !== undefined;
  if (outcome.kind === 'runStarted' && outcome.error !== undefined) {
    // Temporal refused the start: the run never opened (recorded, never silent).
    if (state.currentRun?.runId === outcome.runId) delete state.currentRun;
    trouble(d, {
      kind: 'executionRefused',
      at: d.now,
      businessDate: outcome.businessDate,
      message: `the run could not be started: ${outcome.error}`,
    });
    d.changed = true;
  }
  const runId = outcome.kind === 'runStarted' ? outcome.runId : undefined;
  switch (then.flow) {
    case 'pass':
      switch (then.at) {
        case 'closed':
          return closeThenStart(d, then.passNow, then.closing);
        case 'timeStarted':
          return eventStartsOfPass(d);
        case 'eventStarted':
          // A failed start lets the next pending raise try; a started run ends the event starts.
          return startFailed ? eventStartsOfPass(d) : probe(d);
        case 'probed':
          if (outcome.kind === 'probed' && !outcome.alive)
            runEndedUnreported(d, then.runId, 'forced', 'its workflow no longer exists or has ended');
          return settle(d, then.probeNow, state.currentRun?.runId === then.runId ? d.m.probe.at : undefined);
      }
      return;
    case 'operation': {
      const { request, since } = then;
      switch (then.at) {
        case 'copied': {
          if (outcome.kind !== 'copy') return;
          if (!outcome.answer.ok) return refuse(d, outcome.answer.reason, 'OperationRefused');
          return finishOperation(
            d,
            request,
            since,
            `copy ${outcome.answer.jobnet} started: ${outcome.answer.detail}`,
            outcome.answer.runId,
          );
        }
        case 'started':
          if (startFailed)
            return refuse(d, 'the run could not be started; see the jobnet troubles', 'OperationRefused');
          return finishOperation(d, request, since, `run ${runId ?? ''} started`, runId);
        case 'forwarded': {
          if (outcome.kind !== 'runOperated') return;
          if (!outcome.answer.ok) return refuse(d, outcome.answer.reason, 'OperationRefused');
          return finishOperation(d, request, since, `run ${then.runId ?? ''}: ${outcome.answer.detail}`, then.runId);
        }
        case 'released': {
          const detail = startFailed ? 'the run could not be started' : `run ${runId ?? ''} started`;
          return finishOperation(
            d,
            request,
            since,
            `released; the deferred ${then.trigger ?? ''} start: ${detail}`,
            startFailed ? undefined : runId,
          );
        }
        case 'confirmed':
          return confirmed(d, request, since, then.run);
        case 'retried': {
          const of = request.retry?.of ?? '';
          if (startFailed) {
            // The original stays the open run, as it was.
            if (then.run !== undefined) {
              state.currentRun = then.run;
              if (state.lastRun?.runId === then.run.runId) delete state.lastRun;
            }
            return refuse(d, 'the retry could not be started; see the jobnet troubles', 'OperationRefused');
          }
          if (then.run === undefined)
            return finishOperation(d, request, since, `run ${runId ?? ''} started, retrying run ${of}`, runId);
          // The original no longer awaits the operator: the retry carries its work on.
          d.effects.push({
            kind: 'closeRun',
            runId: then.run.runId,
            by: `${request.by} (retried by ${runId ?? ''})`,
            then: { flow: 'operation', at: 'retryClosed', request, since, ...(runId !== undefined ? { runId } : {}) },
          });
          return;
        }
        case 'retryClosed':
          return finishOperation(
            d,
            request,
            since,
            `run ${then.runId ?? ''} started, retrying run ${request.retry?.of ?? ''}; run ${request.retry?.of ?? ''} closed`,
            then.runId,
          );
      }
      return;
    }
    case 'delivery':
      if (then.at === 'copied') {
        if (outcome.kind !== 'copy') return;
        if (!outcome.answer.ok) return refuse(d, outcome.answer.reason, 'EventRefused');
        const answer: EventDeliveryAnswer = {
          outcome: 'copied',
          detail: `copy ${outcome.answer.jobnet}: ${outcome.answer.detail}`,
        };
        if (outcome.answer.runId !== undefined) answer.runId = outcome.answer.runId;
        d.effects.push({ kind: 'answer', answer });
        return;
      }
      if (!startFailed && runId !== undefined) {
        d.effects.push({ kind: 'answer', answer: { outcome: 'started', detail: `run ${runId} started`, runId } });
        return;
      }
      return deliveryStarts(d, then);
  }
}
