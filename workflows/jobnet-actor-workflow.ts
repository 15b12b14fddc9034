/**
 * The jobnet actor (DESIGN.md §3 "Jobnet actor"): one long-lived workflow per jobnet, id
 * `jobnet/<deployment>/<project>/<jobnet>` (lib/wire-contract.ts), that holds the jobnet's state across runs, the compiled definition
 * of the latest applied revision, and its start logic. It
 * - sleeps on durable timers until the next time start (`start.at`, `start.every`), the next day
 *   change, or the next deadline, computed with the functions behind `jobnet days`/`jobnet next`;
 * - takes message events from the event registry (an Update, so the raiser learns at once whether
 *   the raise was accepted, refused or ignored) and operator operations (Updates, refused with a
 *   reason by their validator, R-OPS-3);
 * - decides each start with the jobnet state machine (`lib/jobnet-state.ts`): start, defer, refuse
 *   or skip (R-STATE-1..3), recording troubles (R-TRB) — never dropping a trigger silently;
 * - starts each run as a child run that outlives the actor's own continue-as-new (parent close
 *   policy ABANDON) and reports back its status, troubles and completion (`runReportSignal`);
 *   a run that ends without reporting (terminated or reset in Temporal itself) is noticed — from
 *   the child's end event, or by a liveness probe for runs of an earlier execution — recorded as
 *   a trouble, and leaves the jobnet `forced`, which `confirm` clears;
 * - continues as new when its history grows, carrying its state.
 *
 * Catch-up after an outage (R-SCH-3) needs no special code: a timer that should have fired while
 * no worker ran fires when one is back, and the starts found overdue are sorted by lateness.
 *
 * Deterministic workflow code only (CONVENTIONS.md §8): workflow clock, sorted iteration, I/O in
 * activities.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  ChildWorkflowCancellationType,
  allHandlersFinished,
  upsertSearchAttributes,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobnetActorActivities } from './activities/activity.types.js';
import {
  applyDefinitionSignal,
  clearEventsUpdate,
  deliverEventUpdate,
  jobnetOperationUpdate,
  jobnetViewQuery,
  retireSignal,
  runReportSignal,
  type EventDeliveryAnswer,
  type JobnetActorInput,
  type JobnetOperationAnswer,
  type JobnetOperationRequest,
  type JobnetView,
} from './jobnet-actor-contract.js';
import { addDays, businessDateOf, businessDayStartMillis, dayNumberOf, instantOf, systemCalendar, type BusinessCalendar } from './lib/business-calendar.js';
import type { CompiledJobnet } from './lib/compiled-jobnet.js';
import { compiledScheduleOf, scheduleStartDays, triggerKind, type CompiledSchedule } from './lib/compiled-schedule.js';
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
  operationRefusal,
  raiseRefusal,
  recordOperation,
  recordTrouble,
  startDecision,
  type JobnetActorState,
  type RunStartRequest,
} from './lib/jobnet-state.js';
import { earliestEventStart, nextStarts, type PlannedStart } from './lib/start-times.js';
import { retiredDigest, runWorkflowIdOfActor, searchAttributeKeys as keys } from './lib/wire-contract.js';
import type { RunStatus } from './lib/run-state.js';
import { closeRunSignal, deliverEventSignal, livenessProbeSignal, type RunInput, type RunResult } from './run-contract.js';
import { runWorkflow } from './run-workflow.js';

const actorActivities = proxyActivities<JobnetActorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/** The schedule of a jobnet compiled without one (hand-built in tests): manual starts, every day. */
const manualSchedule: CompiledSchedule = compiledScheduleOf();

/** History length at which the actor continues as new (unless the server suggests it earlier). */
const historyLimit = 4000;
/** Start days are computed for this many days ahead of the current business date. */
const startDayHorizonDays = 400;
/** At most this many overdue time starts are looked at in one go after an outage. */
const maxOverdueStarts = 2000;
/** An open run started by an earlier execution (not watched) is probed at this interval, doubling up to the maximum. */
const firstRunProbeMs = 30_000;
const maxRunProbeMs = 600_000;

/** Runs one jobnet's schedule and state across its runs (see the module header). */
export async function jobnetActorWorkflow(input: JobnetActorInput): Promise<void> {
  const actorId = workflowInfo().workflowId;
  let definition: CompiledJobnet = input.definition;
  const calendar = (): BusinessCalendar => definition.calendar ?? systemCalendar('UTC');
  const schedule = (): CompiledSchedule => definition.schedule ?? manualSchedule;
  const state: JobnetActorState = input.carried ?? createActorState(businessDateOf(calendar(), Date.now()), Date.now());
  let changed = false;
  const touch = (): void => {
    changed = true;
  };
  const identity = () => ({ project: definition.project, jobnet: definition.name, ...(definition.title !== undefined ? { title: definition.title } : {}) });

  // Start days of the window around the current business date, recomputed when it moves or the
  // definition changes (the one computation of start-days.ts, R-DAYS-4).
  let days: { key: string; from: string; to: string; list: string[] } | undefined;
  const startDays = (): string[] => {
    const from = addDays(state.businessDate, -7);
    const key = `${definition.digest ?? definition.revision}|${from}`;
    if (days?.key !== key) {
      const to = addDays(state.businessDate, startDayHorizonDays);
      days = { key, from, to, list: scheduleStartDays(schedule(), calendar(), { from, to }) };
    }
    return days.list;
  };
  const isStartDay = (date: string): boolean => startDays().includes(date);
  const timeTrigger = () => {
    const { at, every } = schedule().start;
    return at !== undefined ? { at } : every !== undefined ? { every } : undefined;
  };
  const dueTimeStarts = (now: number): PlannedStart[] => {
    const trigger = timeTrigger();
    if (trigger === undefined) return [];
    // Ask for few starts and double only while all of them are due: on the common path (one start
    // due, or none) this is one short computation, which keeps the actor's task — and so the
    // lateness of the timers it sets — short; after an outage it grows to what is overdue.
    for (let count = 2; ; count = Math.min(count * 2, maxOverdueStarts)) {
      const starts = nextStarts(trigger, startDays(), calendar(), state.cursor, count);
      const due = starts.filter((start) => Date.parse(start.instant) <= now);
      if (due.length < starts.length || starts.length < count || count === maxOverdueStarts) return due;
    }
  };
  const nextTimeStart = (): PlannedStart | undefined => {
    const trigger = timeTrigger();
    return trigger === undefined ? undefined : nextStarts(trigger, startDays(), calendar(), state.cursor, 1)[0];
  };

  // --- Starting runs --------------------------------------------------------------------------

  const endDeadlineOf = (businessDate: string, startedAt: number): number | undefined => {
    const { endAt, endAfterSeconds } = schedule().deadlines;
    if (endAfterSeconds !== undefined) return startedAt + endAfterSeconds * 1000;
    if (endAt !== undefined) return Date.parse(instantOf(calendar(), businessDate, endAt));
    return undefined;
  };

  // --- Runs that end without reporting ----------------------------------------------------------

  /** Runs whose end this execution sees as a child event; others are probed. */
  const watched = new Set<string>();
  let runProbe = { runId: '', at: 0, intervalMs: firstRunProbeMs };

  /** The open run `runId` has ended without its final report (terminated, reset, timed out). */
  const runEndedUnreported = (runId: string, status: RunStatus, why: string): void => {
    const run = state.currentRun;
    if (run?.runId !== runId || run.completed || !patched('notice-unreported-run-end')) return;
    const ended: RunStatus = run.status === 'running' || run.status === 'warning' ? status : run.status;
    applyRunReport(state, schedule(), { runId, status: ended, completed: true });
    recordTrouble(state, identity(), {
      kind: 'jobnetAbended',
      at: Date.now(),
      businessDate: run.businessDate,
      runId,
      message: `run ${runId} ended without reporting its end (${why}): it was terminated or reset in Temporal, outside the jobnet operations; confirm the jobnet to start it again`,
    });
    touch();
  };

  const watchRun = (runId: string, result: Promise<RunResult>): void => {
    void result.then(
      (ended) => runEndedUnreported(runId, ended.status, `its workflow completed ${ended.status}`),
      (error: unknown) => runEndedUnreported(runId, 'forced', failureText(error)),
    );
  };

  /** Probes an open run this execution does not watch, when due; returns when to probe next (undefined: no probing). */
  const probeOpenRun = async (now: number): Promise<number | undefined> => {
    const run = state.currentRun;
    if (run === undefined || run.completed || watched.has(run.runId) || !patched('probe-unwatched-runs')) return undefined;
    if (runProbe.runId !== run.runId) runProbe = { runId: run.runId, at: now, intervalMs: firstRunProbeMs };
    if (now < runProbe.at) return runProbe.at;
    runProbe.at = now + runProbe.intervalMs;
    runProbe.intervalMs = Math.min(runProbe.intervalMs * 2, maxRunProbeMs);
    try {
      await getExternalWorkflowHandle(run.runId).signal(livenessProbeSignal);
    } catch {
      runEndedUnreported(run.runId, 'forced', 'its workflow no longer exists or has ended');
    }
    return state.currentRun?.runId === run.runId ? runProbe.at : undefined;
  };

  /** Starts a run now as a child run; returns its id, or undefined (recorded) when Temporal refused it. */
  const startRun = async (request: RunStartRequest): Promise<string | undefined> => {
    const now = Date.now();
    const sequence = `${request.trigger}-${new Date(now).toISOString().replace(/[-:.]/g, '')}-${state.runCount + 1}`;
    const runId = runWorkflowIdOfActor(actorId, request.businessDate, sequence);
    const { children, ...jobnet } = definition;
    const runInput: RunInput = {
      jobnet,
      children: children ?? {},
      businessDate: request.businessDate,
      trigger: request.trigger,
      requestedBy: request.by,
      level: 1,
      actor: actorId,
    };
    if (request.parameter !== undefined) runInput.parameter = request.parameter;
    applyRunStarted(state, request, runId, now, endDeadlineOf(request.businessDate, now));
    // Watched from the start: the loop must not probe a run whose start is still under way.
    watched.add(runId);
    touch();
    try {
      const child = await startChild(runWorkflow, {
        workflowId: runId,
        args: [runInput],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        typedSearchAttributes: [
          { key: keys.project, value: definition.project },
          { key: keys.name, value: definition.name },
          { key: keys.revision, value: definition.revision },
          { key: keys.businessDate, value: request.businessDate },
          { key: keys.trigger, value: request.trigger },
          { key: keys.runStatus, value: 'running' },
        ],
      });
      watchRun(runId, child.result());
      return runId;
    } catch (error) {
      if (state.currentRun?.runId === runId) delete state.currentRun;
      recordTrouble(state, identity(), {
        kind: 'executionRefused',
        at: Date.now(),
        businessDate: request.businessDate,
        message: `the run could not be started: ${error instanceof Error ? error.message : String(error)}`,
      });
      touch();
      return undefined;
    }
  };

  /** A start condition is met (R-STATE-1): start, defer, refuse or skip, never silently. */
  const startCondition = async (request: RunStartRequest): Promise<{ started?: string; detail: string }> => {
    const decision = startDecision(state, schedule());
    const at = Date.now();
    switch (decision.kind) {
      case 'start': {
        const runId = await startRun(request);
        return runId === undefined ? { detail: 'the run could not be started' } : { started: runId, detail: `run ${runId} started` };
      }
      case 'defer':
        state.deferred = { trigger: request.trigger, businessDate: request.businessDate, at, by: request.by, ...(request.parameter !== undefined ? { parameter: request.parameter } : {}) };
        touch();
        return { detail: 'the jobnet is held: the start is deferred until release' };
      case 'refuse':
        recordTrouble(state, identity(), { kind: 'executionRefused', at, businessDate: request.businessDate, message: `${request.trigger} start refused: ${decision.reason}` });
        touch();
        return { detail: `refused: ${decision.reason}` };
      case 'skip':
        recordTrouble(state, identity(), { kind: 'executionSkipped', at, businessDate: request.businessDate, message: `${request.trigger} start skipped: ${decision.reason}` });
        touch();
        return { detail: `skipped: ${decision.reason}` };
    }
  };

  const notBeforeReached = (now: number): boolean => {
    const events = schedule().start.events;
    if (events?.notBefore === undefined) return true;
    return now >= Date.parse(earliestEventStart(events, calendar(), state.businessDate));
  };

  /** Starts the runs the pending raises call for (R-EVT-2); each pass consumes at least one raise. */
  const eventStarts = async (): Promise<string | undefined> => {
    let started: string | undefined;
    while (eventStartReady(state, schedule(), notBeforeReached(Date.now()))) {
      const consumed = consumeEventStart(state, schedule());
      touch();
      const request: RunStartRequest = { trigger: 'event', businessDate: state.businessDate, by: consumed.by };
      if (consumed.parameter !== undefined) request.parameter = consumed.parameter;
      const result = await startCondition(request);
      started ??= result.started;
      if (result.started !== undefined) break;
    }
    return started;
  };

  const closeRun = async (runId: string, by: string): Promise<void> => {
    try {
      await getExternalWorkflowHandle(runId).signal(closeRunSignal, { by });
    } catch {
      // The run has completed already.
    }
  };

  // --- Handlers ---------------------------------------------------------------------------------

  const view = (): JobnetView => {
    const now = Date.now();
    const start = schedule().start;
    let upcoming: PlannedStart[] = [];
    const trigger = timeTrigger();
    if (trigger !== undefined) upcoming = nextStarts(trigger, startDays(), calendar(), Math.max(now, state.cursor), 5);
    else if (start.events !== undefined) upcoming = nextStarts({ events: start.events }, startDays(), calendar(), now, 5);
    const answer: JobnetView = {
      project: definition.project,
      name: definition.name,
      revision: definition.revision,
      status: jobnetStatus(state, schedule()),
      businessDate: state.businessDate,
      trigger: triggerKind(start),
      nextStarts: upcoming,
      state,
    };
    if (definition.title !== undefined) answer.title = definition.title;
    if (definition.digest !== undefined) answer.digest = definition.digest;
    if (input.copyOf !== undefined) answer.copyOf = input.copyOf;
    return answer;
  };
  setHandler(jobnetViewQuery, view);

  setHandler(applyDefinitionSignal, ({ definition: applied, by }) => {
    if (applied.project !== definition.project || applied.name !== definition.name) return;
    const unchanged = applied.digest !== undefined && applied.digest === definition.digest;
    // The same definition again is a no-op — unless the jobnet was retired: a jobnet removed and
    // then restored unchanged is desired again and must schedule again.
    if (unchanged && (state.retired === undefined || !patched('revive-unchanged-definition'))) return;
    definition = applied;
    const revived = state.retired !== undefined;
    if (revived) {
      delete state.retired;
      state.cursor = Math.max(state.cursor, Date.now());
    }
    const detail = unchanged ? `restored unchanged in revision ${applied.revision}; it schedules again` : `revision ${applied.revision} applied; the next run uses it`;
    recordOperation(state, { operation: 'apply', by, at: Date.now(), detail });
    touch();
  });

  setHandler(retireSignal, ({ revision, by, remove }) => {
    if (state.retired?.revision === revision && state.retired.remove === remove) return;
    state.retired = { at: Date.now(), by, revision, remove };
    recordOperation(state, { operation: 'retire', by, at: Date.now(), detail: `removed from the definitions in revision ${revision}${remove ? '; the actor ends once no run is open' : ''}` });
    touch();
  });

  setHandler(runReportSignal, (report) => {
    applyRunReport(state, schedule(), report);
    const run = state.currentRun?.runId === report.runId ? state.currentRun : state.lastRun?.runId === report.runId ? state.lastRun : undefined;
    for (const trouble of report.troubles) {
      const fields: Parameters<typeof recordTrouble>[2] = { kind: trouble.kind, at: trouble.at, runId: trouble.runId, message: trouble.message };
      if (run !== undefined) fields.businessDate = run.businessDate;
      if (trouble.job !== undefined) fields.job = trouble.job;
      if (trouble.exitCode !== undefined) fields.exitCode = trouble.exitCode;
      if (trouble.forcedReason !== undefined) fields.forcedReason = trouble.forcedReason;
      recordTrouble(state, identity(), fields);
    }
    touch();
  });

  const operate = async (request: JobnetOperationRequest): Promise<JobnetOperationAnswer> => {
    const at = Date.now();
    let detail: string;
    let runId: string | undefined;
    switch (request.operation) {
      case 'start': {
        if (request.suffix !== undefined && input.copyOf === undefined) {
          const answer = await actorActivities.startJobnetCopy({ definition, suffix: request.suffix, request: { ...request, suffix: undefined } });
          if (!answer.ok) throw ApplicationFailure.nonRetryable(answer.reason, 'OperationRefused');
          detail = `copy ${answer.jobnet} started: ${answer.detail}`;
          runId = answer.runId;
          break;
        }
        const refusal = operationRefusal(state, schedule(), request);
        if (refusal !== undefined) throw ApplicationFailure.nonRetryable(refusal, 'OperationRefused');
        const startRequest: RunStartRequest = { trigger: 'manual', businessDate: state.businessDate, by: request.by };
        if (request.parameter !== undefined) startRequest.parameter = request.parameter;
        runId = await startRun(startRequest);
        if (runId === undefined) throw ApplicationFailure.nonRetryable('the run could not be started; see the jobnet troubles', 'OperationRefused');
        detail = `run ${runId} started`;
        break;
      }
      case 'forceTerminate':
      case 'restart': {
        const run = state.currentRun;
        if (run === undefined) throw ApplicationFailure.nonRetryable('no run is open', 'OperationRefused');
        const answer = await actorActivities.operateRunOfJobnet({
          runId: run.runId,
          request: { operation: request.operation === 'restart' ? 'restartRun' : 'forceTerminateRun', by: request.by },
        });
        if (!answer.ok) throw ApplicationFailure.nonRetryable(answer.reason, 'OperationRefused');
        runId = run.runId;
        detail = `run ${run.runId}: ${answer.detail}`;
        break;
      }
      case 'hold':
        state.held = true;
        detail = 'held: starts are deferred until release';
        break;
      case 'release': {
        state.held = false;
        const deferred = state.deferred;
        delete state.deferred;
        detail = 'released';
        if (deferred !== undefined) {
          const request2: RunStartRequest = { trigger: deferred.trigger, businessDate: deferred.businessDate, by: deferred.by };
          if (deferred.parameter !== undefined) request2.parameter = deferred.parameter;
          const result = await startCondition(request2);
          runId = result.started;
          detail = `released; the deferred ${deferred.trigger} start: ${result.detail}`;
        }
        break;
      }
      case 'disable':
        state.disabledByOperator = true;
        detail = 'disabled: starts are skipped';
        break;
      case 'enable':
        state.disabledByOperator = false;
        detail = 'enabled';
        break;
      case 'confirm': {
        const run = state.currentRun;
        if (run !== undefined) {
          await closeRun(run.runId, request.by);
          state.lastRun = run;
          delete state.currentRun;
          runId = run.runId;
        }
        state.lastOutcome = 'confirmed';
        state.awaitingConfirmation = false;
        detail = run !== undefined ? `confirmed; run ${run.runId} closed` : 'confirmed';
        break;
      }
      case 'releaseCarryOver':
        detail = `carry-over of run ${state.carriedOver ?? ''} released`;
        delete state.carriedOver;
        break;
      case 'cancelEnd':
        delete state.eventStartedOn;
        if (state.currentRun === undefined) delete state.lastOutcome;
        detail = 'end cancelled: the jobnet may start again on this business date';
        break;
    }
    recordOperation(state, { operation: request.operation, by: request.by, at, detail });
    touch();
    const answer: JobnetOperationAnswer = { operation: request.operation, detail, status: jobnetStatus(state, schedule()) };
    if (runId !== undefined) answer.runId = runId;
    return answer;
  };
  setHandler(jobnetOperationUpdate, operate, {
    validator: (request: JobnetOperationRequest) => {
      const refusal = operationRefusal(state, schedule(), request);
      if (refusal !== undefined) throw new Error(refusal);
    },
  });

  setHandler(deliverEventUpdate, async (delivery): Promise<EventDeliveryAnswer> => {
    const events = schedule().start.events;
    if (events === undefined || !events.names.includes(delivery.event)) {
      // Not a start event: hand it to the open run's waitEvent jobs (R-EVT-1).
      const waits = Object.values(definition.jobs).some((job) => job.type === 'waitEvent' && job.spec.event === delivery.event);
      const run = state.currentRun;
      if (!waits || run === undefined || run.completed) return { outcome: 'ignored', detail: waits ? 'no run is open to take the event' : 'the jobnet does not wait for the event' };
      await getExternalWorkflowHandle(run.runId).signal(deliverEventSignal, { event: delivery.event });
      return { outcome: 'delivered', detail: `delivered to run ${run.runId}`, runId: run.runId };
    }
    if (delivery.suffix !== undefined && input.copyOf === undefined) {
      const answer = await actorActivities.startJobnetCopy({ definition, suffix: delivery.suffix, event: { ...delivery, suffix: undefined } });
      if (!answer.ok) throw ApplicationFailure.nonRetryable(answer.reason, 'EventRefused');
      return { outcome: 'copied', detail: `copy ${answer.jobnet}: ${answer.detail}`, ...(answer.runId !== undefined ? { runId: answer.runId } : {}) };
    }
    if (events.startDaysOnly && !isStartDay(state.businessDate)) {
      return { outcome: 'ignored', detail: `business date ${state.businessDate} is not a start day (startDaysOnly)` };
    }
    const refusal = raiseRefusal(state, schedule(), delivery.event);
    if (refusal !== undefined) {
      if (refusal.trouble !== undefined) {
        recordTrouble(state, identity(), { kind: refusal.trouble, at: Date.now(), businessDate: state.businessDate, message: `event ${delivery.event} from ${delivery.by}: ${refusal.reason}` });
        touch();
      }
      throw ApplicationFailure.nonRetryable(refusal.reason, 'EventRefused');
    }
    const raise = { at: Date.now(), by: delivery.by, ...(delivery.parameter !== undefined ? { parameter: delivery.parameter } : {}) };
    const pending = applyRaise(state, delivery.event, raise);
    touch();
    const deferredBefore = state.deferred;
    const runId = await eventStarts();
    if (runId !== undefined) return { outcome: 'started', detail: `run ${runId} started`, runId };
    if (state.deferred !== undefined && state.deferred !== deferredBefore) return { outcome: 'pending', detail: 'the jobnet is held: the event start is deferred until release' };
    return { outcome: 'pending', detail: `${state.pendingEvents[delivery.event]?.length ?? pending} raise(s) of ${delivery.event} pending` };
  });

  setHandler(clearEventsUpdate, ({ by }) => {
    const cleared = applyClearEvents(state);
    recordOperation(state, { operation: 'clearEvents', by, at: Date.now(), detail: `${cleared} pending raise(s) cleared` });
    touch();
    return { cleared };
  });

  // --- The loop ---------------------------------------------------------------------------------

  let lastPublished: { revision?: string; digest?: string; status?: string } = {};

  for (;;) {
    let now = Date.now();

    // Day change (R-STATE-2, R-STATE-3).
    const today = businessDateOf(calendar(), now);
    if (today > state.businessDate) {
      const effects = applyDayChange(state, schedule(), today);
      for (const runId of effects.closeRuns) await closeRun(runId, 'day change');
      if (effects.carriedOver !== undefined) {
        recordOperation(state, { operation: 'carryOver', by: 'scheduler', at: now, detail: `run ${effects.carriedOver} carried over into business date ${today}` });
      }
    }

    // A retired jobnet starts nothing; pruned, it ends once its last run is no longer open.
    if (state.retired !== undefined) {
      state.cursor = Math.max(state.cursor, now);
      if (state.retired.remove && state.currentRun === undefined && allHandlersFinished()) return;
    }

    // Time starts that are due, with catch-up after an outage (R-SCH-1, R-SCH-3).
    const due = dueTimeStarts(now);
    if (due.length > 0) {
      for (const decision of catchUpDecisions(due, now, schedule().catchUpWindowSeconds)) {
        if (decision.action === 'skip') {
          recordTrouble(state, identity(), { kind: 'executionSkipped', at: now, businessDate: decision.start.businessDate, message: `start at ${decision.start.instant} skipped: ${decision.reason ?? ''}` });
        } else {
          await startCondition({ trigger: 'schedule', businessDate: decision.start.businessDate, by: 'scheduler' });
        }
      }
      state.cursor = Math.max(state.cursor, Date.parse(due[due.length - 1]?.instant ?? ''));
      touch();
    }

    // Event starts: raises pending behind a run, a notBefore or a release (R-EVT-2).
    await eventStarts();
    now = Date.now();

    // An open run of an earlier execution may have been terminated in Temporal: probe it now and then.
    const nextProbeAt = await probeOpenRun(now);

    // Start deadline (R-TRB startDelayed): once per business date that is a start day.
    const deadlines = schedule().deadlines;
    let startDeadlineAt: number | undefined;
    if (state.retired === undefined && deadlines.start !== undefined && state.startDelayedOn !== state.businessDate && state.lastStartedOn !== state.businessDate && isStartDay(state.businessDate)) {
      startDeadlineAt = Date.parse(instantOf(calendar(), state.businessDate, deadlines.start));
      if (now >= startDeadlineAt) {
        state.startDelayedOn = state.businessDate;
        recordTrouble(state, identity(), {
          kind: 'startDelayed',
          at: now,
          businessDate: state.businessDate,
          message: `jobnet ${definition.project}/${definition.name} has not started by its start deadline ${deadlines.start} of business date ${state.businessDate}`,
        });
        startDeadlineAt = undefined;
        touch();
      }
    }

    // End deadline (R-TRB endDelayed): once per run.
    const run = state.currentRun;
    let endDeadlineAt: number | undefined;
    if (run?.endDeadlineAt !== undefined && run.endDelayedRecorded !== true && (run.status === 'running' || run.status === 'warning')) {
      endDeadlineAt = run.endDeadlineAt;
      if (now >= endDeadlineAt) {
        run.endDelayedRecorded = true;
        recordTrouble(state, identity(), {
          kind: 'endDelayed',
          at: now,
          businessDate: run.businessDate,
          runId: run.runId,
          message: `run ${run.runId} has not ended by its end deadline ${new Date(run.endDeadlineAt).toISOString()}`,
        });
        endDeadlineAt = undefined;
        touch();
      }
    }

    // A copy (R-JN-3) has done its work once it is idle after a run.
    if (input.copyOf !== undefined && copyIsIdle(state) && allHandlersFinished()) return;

    // Continue as new before the history grows large, carrying the state.
    const info = workflowInfo();
    if ((info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? historyLimit)) && allHandlersFinished()) {
      await continueAsNew<typeof jobnetActorWorkflow>({
        definition,
        carried: state,
        ...(input.copyOf !== undefined ? { copyOf: input.copyOf } : {}),
        ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}),
      });
    }

    // What the controller observes with one visibility query: the definition held and the status.
    const published = { revision: definition.revision, digest: state.retired !== undefined ? retiredDigest : (definition.digest ?? ''), status: jobnetStatus(state, schedule()) };
    const changes: Parameters<typeof upsertSearchAttributes>[0] = [];
    if (published.revision !== lastPublished.revision) changes.push({ key: keys.revision, value: published.revision });
    if (published.digest !== lastPublished.digest) changes.push({ key: keys.digest, value: published.digest });
    if (published.status !== lastPublished.status) changes.push({ key: keys.runStatus, value: published.status });
    if (changes.length > 0) upsertSearchAttributes(changes);
    lastPublished = published;

    // Sleep until the next thing that can happen by itself.
    const wakes: number[] = [businessDayStartMillis(calendar(), dayNumberOf(state.businessDate) + 1)];
    const next = state.retired === undefined ? nextTimeStart() : undefined;
    if (next !== undefined) wakes.push(Date.parse(next.instant));
    if (startDeadlineAt !== undefined) wakes.push(startDeadlineAt);
    if (endDeadlineAt !== undefined) wakes.push(endDeadlineAt);
    if (nextProbeAt !== undefined) wakes.push(nextProbeAt);
    const events = schedule().start.events;
    if (events?.notBefore !== undefined && Object.keys(state.pendingEvents).length > 0 && !notBeforeReached(now)) {
      wakes.push(Date.parse(earliestEventStart(events, calendar(), state.businessDate)));
    }
    const wake = Math.min(...wakes);
    changed = false;
    if (wake > now) await condition(() => changed, wake - now);
  }
}

/** A copy actor is idle when nothing is open, pending, held or awaiting an operator. */
function copyIsIdle(state: JobnetActorState): boolean {
  if (state.runCount === 0 || state.currentRun !== undefined || state.held || state.deferred !== undefined) return false;
  if (state.awaitingConfirmation || state.carriedOver !== undefined) return false;
  if (Object.keys(state.pendingEvents).length > 0) return false;
  return state.lastOutcome === 'ended' || state.lastOutcome === 'pseudoNormal' || state.lastOutcome === 'confirmed';
}

/** A child run's failure as an operator reads it: `terminated: reason`, `timed out`, … */
function failureText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return `${cause.name === 'TerminatedFailure' ? 'terminated' : cause.name}: ${cause.message}`;
  return String(cause);
}
