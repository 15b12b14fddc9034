/**
 * The jobnet state machine (R-STATE-1..3, R-EVT-2, R-SCH-3, R-TRB, R-OPS-1): what a jobnet is
 * doing across its runs, and whether a start condition that is met now starts a run, is deferred,
 * stays pending, is refused or is skipped: the state's types and the small questions and changes
 * the actor's machine (`jobnet-machine.ts`, whose effects the actor workflow carries out) is
 * built from.
 *
 * The state is plain JSON that lives in the actor's memory and travels through continue-as-new.
 * The functions named `apply…`/`record…` change the state they are given (the machine calls them
 * on its own copy, never on the state a step was given); the functions named
 * `…Refusal`/`…Status`/`…Decision` only read. Time is passed in as epoch milliseconds (the
 * workflow clock). Runs inside the Temporal workflow sandbox: no Node built-ins, no I/O, no
 * `Date.now`, no randomness.
 *
 * Readings of the specification (where it leaves room, the choice is written here):
 * - Status (docs/specification.md §4.1) is derived, in this order: `disabled` (the operator's flag, else the
 *   definition's `enabled: false`), `held`, `carriedOver`, the open run's status (`running`,
 *   `warning`, `abended`, `forced`, or `ended`/`pseudoNormal` until its workflow completes),
 *   then the last outcome of the business day (`ended`, `pseudoNormal`, `abended`, `forced`,
 *   `confirmed`), else `waiting`.
 * - A start condition (a due time start, an event start that is ready, the operator's start) is
 *   refused (`executionRefused`) while the status is `running`, `warning`, `abended`, `forced` or
 *   `carriedOver`; while `held` the first one is deferred until `release` and a second one is
 *   refused; while `disabled` it is skipped (`executionSkipped`). An operator's `start` that the
 *   state forbids is refused to the operator instead (R-OPS-3: nothing changes, no trouble).
 * - An abended or forced run stays open. Without `requireConfirmation` the day change closes it
 *   and the jobnet is `waiting` again; with it, nothing starts (and the day change changes
 *   nothing) until `confirm`, which closes the run (R-STATE-2).
 * - A run still running or warning when its business date's day changes is `carriedOver`
 *   (R-STATE-3) until it ends or the operator releases the carry-over.
 * - Events (R-EVT-2): each raise is kept with its parameter in a per-event queue of at most 255.
 *   A raise while a run is open is refused unless `whileRunning`, in which case it queues runs
 *   started one after another. An event start waits for `notBefore`, for every event with `mode:
 *   all`, and is counted against `oncePerDay`; a raise after the day's event start is refused
 *   until `cancelEnd`. `startDaysOnly` ignores raises on days that are not start days.
 * - Catch-up (R-SCH-3): time starts found overdue (the actor was down) by more than the window
 *   are recorded as skipped; of those within it only the latest runs, the earlier ones are
 *   recorded as skipped because a later start superseded them. A start found at most
 *   {@link onTimeToleranceMillis} late is on time, not missed, whatever the window (a `0s`
 *   window skips missed starts only).
 */
import type { CompiledSchedule } from './compiled-schedule.js';
import type { ForcedEndReason } from './exit-classification.js';
import type { RunStatus } from './run-state.js';
import type { PlannedStart } from './start-times.js';

/** Jobnet states (docs/specification.md §4.1). */
export type JobnetStatus =
  | 'waiting'
  | 'running'
  | 'warning'
  | 'ended'
  | 'pseudoNormal'
  | 'abended'
  | 'forced'
  | 'held'
  | 'disabled'
  | 'confirmed'
  | 'carriedOver';

/** The six trouble kinds (R-TRB, WOI 3.4.3). */
export type TroubleKind =
  'jobnetAbended' | 'startDelayed' | 'endDelayed' | 'executionRefused' | 'executionSkipped' | 'jobOverrun';

/**
 * One trouble, recorded once per occurrence (R-TRB) with everything §4.8 lists. `id` is stable
 * (`<project>/<jobnet>#<n>`): incident and log sinks use it as their correlation id.
 */
export interface JobnetTrouble {
  id: string;
  kind: TroubleKind;
  at: number;
  project: string;
  jobnet: string;
  title?: string;
  businessDate?: string;
  runId?: string;
  job?: string;
  exitCode?: number;
  forcedReason?: ForcedEndReason;
  message: string;
  /** The ServiceNow incident opened for it (R-INC-2), once delivery has told the actor. */
  incident?: { number: string; sysId: string };
}

/** What started (or would have started) a run. */
/** `retry`: an operator's retry of an earlier run (R-OPS-4). */
export type StartTriggerKind = 'schedule' | 'event' | 'manual' | 'retry';

/** A run started by the actor. */
export interface ActorRun {
  runId: string;
  businessDate: string;
  trigger: StartTriggerKind;
  startedAt: number;
  status: RunStatus;
  parameter?: string;
  /** The run workflow has completed. */
  completed: boolean;
  /** Instant of the end deadline (R-TRB), when the jobnet has one. */
  endDeadlineAt?: number;
  endDelayedRecorded?: boolean;
}

/** A raise kept until an event start consumes it (R-EVT-2). */
export interface PendingRaise {
  at: number;
  by: string;
  parameter?: string;
}

/** A start deferred while the jobnet is held (R-STATE-1). */
export interface DeferredStart {
  trigger: StartTriggerKind;
  businessDate: string;
  at: number;
  by: string;
  parameter?: string;
}

/** An accepted operation, with who and when (R-OPS-3). */
export interface JobnetOperationRecord {
  operation: string;
  by: string;
  at: number;
  detail: string;
}

/** A start the actor decided to make. */
export interface RunStartRequest {
  trigger: StartTriggerKind;
  businessDate: string;
  by: string;
  parameter?: string;
}

/** The jobnet's state across runs (plain JSON). */
export interface JobnetActorState {
  /** The business date the actor is in: day changes up to it have been applied. */
  businessDate: string;
  /** Time starts due at or before this instant have been handled. */
  cursor: number;
  /**
   * Set when the jobnet was removed from the definitions (R-GIT-3): nothing starts any more; a
   * run still open goes on. Cleared when a revision brings the jobnet back.
   */
  retired?: { at: number; by: string; revision: string; remove: boolean };
  /** The operator's disable/enable; omitted: the definition's `enabled`. */
  disabledByOperator?: boolean;
  held: boolean;
  deferred?: DeferredStart;
  /** The outcome shown when no run is open, until the next day change. */
  lastOutcome?: 'ended' | 'pseudoNormal' | 'abended' | 'forced' | 'confirmed';
  /** `requireConfirmation`: no start until `confirm`. */
  awaitingConfirmation: boolean;
  /** The run carried over past its business date's day change (R-STATE-3). */
  carriedOver?: string;
  /** The open run: started, and its workflow not completed (or not yet closed by the actor). */
  currentRun?: ActorRun;
  lastRun?: ActorRun;
  /** Raises waiting to start runs, by event name (R-EVT-2). */
  pendingEvents: Record<string, PendingRaise[]>;
  /** Business date of the last event start (`oncePerDay`). */
  eventStartedOn?: string;
  /** Business date of the last start of any kind (start deadline). */
  lastStartedOn?: string;
  /** Business date whose `startDelayed` has been recorded. */
  startDelayedOn?: string;
  /**
   * When the start deadline in force took effect: the actor's creation, or the apply or revival
   * that introduced it or moved its instant (its time, or the calendar zone or day change placing
   * it). A deadline that passed before then is not a delay: the jobnet, or that deadline, did not
   * exist yet. Absent in actors created before it was kept.
   */
  startDeadlineSince?: number;
  runCount: number;
  troubleCount: number;
  /** The most recent troubles, oldest first. */
  troubles: JobnetTrouble[];
  /** The most recent accepted operations, oldest first. */
  operations: JobnetOperationRecord[];
}

/** Most raises of one event kept pending (R-EVT-2). */
export const maxPendingRaises = 255;
/** How many troubles and operations the state keeps (older ones are in history). */
export const keptRecords = 200;

/** A fresh state on `businessDate`, handling time starts after `now`. */
export function createActorState(businessDate: string, now: number): JobnetActorState {
  return {
    businessDate,
    cursor: now,
    held: false,
    awaitingConfirmation: false,
    pendingEvents: {},
    runCount: 0,
    troubleCount: 0,
    troubles: [],
    operations: [],
  };
}

/**
 * The operator flags a jobnet's actor takes when it is created (R-EXP-2): the schedule's
 * `initialState` (from a `--with-state` bundle) for a new actor of the jobnet itself; nothing for a
 * copy start's actor (a copy runs what it is handed) or an actor continued as new, which carries
 * its own state. Decided once, at creation: an actor that exists keeps what its operators did.
 */
export function initialActorFlags(
  schedule: CompiledSchedule | undefined,
  creation: { carried: boolean; copy: boolean },
): { held?: true; disabledByOperator?: true } {
  const initial = schedule?.initialState;
  if (initial === undefined || creation.carried || creation.copy) return {};
  const flags: { held?: true; disabledByOperator?: true } = {};
  if (initial.held === true) flags.held = true;
  if (initial.disabled === true) flags.disabledByOperator = true;
  return flags;
}

/** Whether starts are skipped: the operator's flag, else the definition's `enabled: false`. */
export function isDisabled(state: JobnetActorState, schedule: CompiledSchedule): boolean {
  return state.disabledByOperator ?? !schedule.enabled;
}

/** The jobnet's status (docs/specification.md §4.1), derived as the module header says. */
export function jobnetStatus(state: JobnetActorState, schedule: CompiledSchedule): JobnetStatus {
  if (isDisabled(state, schedule)) return 'disabled';
  if (state.held) return 'held';
  if (state.carriedOver !== undefined) return 'carriedOver';
  const run = state.currentRun;
  if (run !== undefined) {
    if (run.status === 'normal') return 'ended';
    return run.status;
  }
  return state.lastOutcome ?? 'waiting';
}

/** The status with the scheduling flags set aside: what the runs say. */
function runPhase(state: JobnetActorState): JobnetStatus {
  const run = state.currentRun;
  if (run !== undefined) return run.status === 'normal' ? 'ended' : run.status;
  return state.lastOutcome ?? 'waiting';
}

/** What happens to a start condition that is met now. */
export type StartDecision =
  { kind: 'start' } | { kind: 'defer' } | { kind: 'refuse'; reason: string } | { kind: 'skip'; reason: string };

/**
 * The decision on a start condition (R-STATE-1, R-STATE-2): start, defer (held, first time),
 * refuse (with the reason, for the `executionRefused` trouble) or skip (disabled).
 */
export function startDecision(state: JobnetActorState, schedule: CompiledSchedule): StartDecision {
  if (state.retired !== undefined)
    return {
      kind: 'refuse',
      reason: `the jobnet was removed from the definitions in revision ${state.retired.revision}`,
    };
  if (isDisabled(state, schedule)) return { kind: 'skip', reason: 'the jobnet is disabled' };
  if (state.held) {
    return state.deferred === undefined
      ? { kind: 'defer' }
      : {
          kind: 'refuse',
          reason: `the jobnet is held and a start is already deferred (since ${isoOf(state.deferred.at)}); release it first`,
        };
  }
  if (state.carriedOver !== undefined)
    return {
      kind: 'refuse',
      reason: `run ${state.carriedOver} was carried over from an earlier business date; it must end or the carry-over be released`,
    };
  const phase = runPhase(state);
  if (phase === 'running' || phase === 'warning')
    return { kind: 'refuse', reason: `run ${state.currentRun?.runId ?? ''} is still ${phase}` };
  if (phase === 'abended' || phase === 'forced') {
    const run = state.currentRun ?? state.lastRun;
    if (state.awaitingConfirmation || schedule.requireConfirmation) {
      return {
        kind: 'refuse',
        reason: `the last run${run ? ` ${run.runId}` : ''} ended ${phase} and the jobnet requires confirmation; confirm it first`,
      };
    }
    return {
      kind: 'refuse',
      reason: `the last run${run ? ` ${run.runId}` : ''} ended ${phase}; restart or confirm it, or wait for the day change`,
    };
  }
  return { kind: 'start' };
}

/** Keeps the incident opened for a trouble still held (R-INC-2); an unknown id changes nothing. */
export function noteIncident(
  state: JobnetActorState,
  troubleId: string,
  incident: { number: string; sysId: string },
): void {
  const trouble = state.troubles.find((candidate) => candidate.id === troubleId);
  if (trouble !== undefined) trouble.incident = { ...incident };
}

/** Appends a trouble (R-TRB) with the next id; returns it. */
export function recordTrouble(
  state: JobnetActorState,
  identity: { project: string; jobnet: string; title?: string },
  fields: Omit<JobnetTrouble, 'id' | 'project' | 'jobnet' | 'title'>,
): JobnetTrouble {
  state.troubleCount += 1;
  const trouble: JobnetTrouble = {
    id: `${identity.project}/${identity.jobnet}#${state.troubleCount}`,
    project: identity.project,
    jobnet: identity.jobnet,
    ...fields,
  };
  if (identity.title !== undefined) trouble.title = identity.title;
  state.troubles.push(trouble);
  if (state.troubles.length > keptRecords) state.troubles.splice(0, state.troubles.length - keptRecords);
  return trouble;
}

/** Appends an accepted operation (R-OPS-3). */
export function recordOperation(state: JobnetActorState, record: JobnetOperationRecord): void {
  state.operations.push(record);
  if (state.operations.length > keptRecords) state.operations.splice(0, state.operations.length - keptRecords);
}

/** Marks a run as started from `request` at `now` and makes it the open run. */
export function applyRunStarted(
  state: JobnetActorState,
  request: RunStartRequest,
  runId: string,
  now: number,
  endDeadlineAt: number | undefined,
): ActorRun {
  const run: ActorRun = {
    runId,
    businessDate: request.businessDate,
    trigger: request.trigger,
    startedAt: now,
    status: 'running',
    completed: false,
  };
  if (request.parameter !== undefined) run.parameter = request.parameter;
  if (endDeadlineAt !== undefined) run.endDeadlineAt = endDeadlineAt;
  // A run that ended normally may still await its completion report: it is the last run now.
  if (state.currentRun !== undefined) state.lastRun = state.currentRun;
  state.currentRun = run;
  state.runCount += 1;
  state.lastStartedOn = request.businessDate;
  if (request.trigger === 'event') state.eventStartedOn = request.businessDate;
  delete state.lastOutcome;
  state.awaitingConfirmation = false;
  return run;
}

/** The outcome a final run status leaves when its run is no longer open. */
function outcomeOf(status: RunStatus): JobnetActorState['lastOutcome'] {
  switch (status) {
    case 'normal':
      return 'ended';
    case 'pseudoNormal':
      return 'pseudoNormal';
    case 'abended':
      return 'abended';
    case 'forced':
      return 'forced';
    default:
      return undefined;
  }
}

function isFinalStatus(status: RunStatus): boolean {
  return status !== 'running' && status !== 'warning';
}

/**
 * A run's report (status, completion). Returns true when it concerned the open run. A report of
 * a run the actor no longer tracks as open (closed at a day change, or a run of an earlier
 * actor) only updates `lastRun` when it is that run.
 */
export function applyRunReport(
  state: JobnetActorState,
  schedule: CompiledSchedule,
  report: { runId: string; status: RunStatus; completed: boolean },
): boolean {
  const run = state.currentRun;
  if (run === undefined || run.runId !== report.runId) {
    if (state.lastRun?.runId === report.runId) {
      // A report that was under way when the run's end was learnt otherwise never undoes that end.
      if (!state.lastRun.completed || isFinalStatus(report.status)) state.lastRun.status = report.status;
      state.lastRun.completed = state.lastRun.completed || report.completed;
    }
    if (state.carriedOver === report.runId && (report.completed || isFinalStatus(report.status)))
      delete state.carriedOver;
    return false;
  }
  run.status = report.status;
  if (state.carriedOver === run.runId && isFinalStatus(report.status)) delete state.carriedOver;
  if (report.completed) {
    run.completed = true;
    state.lastRun = run;
    delete state.currentRun;
    const outcome = outcomeOf(report.status);
    if (outcome !== undefined) state.lastOutcome = outcome;
    if ((report.status === 'abended' || report.status === 'forced') && schedule.requireConfirmation)
      state.awaitingConfirmation = true;
  }
  return true;
}

/** What the actor must do after a day change. */
export interface DayChangeEffects {
  /** Abended or forced runs to close (no `requireConfirmation`), R-STATE-2. */
  closeRuns: string[];
  /** A run that became carried over (R-STATE-3). */
  carriedOver?: string;
}

/**
 * The day change into `businessDate` (R-STATE-2, R-STATE-3): a run still running from an earlier
 * business date is carried over; without `requireConfirmation` an abended or forced jobnet
 * returns to `waiting` (its open run is closed); the day's outcome is forgotten.
 */
export function applyDayChange(
  state: JobnetActorState,
  schedule: CompiledSchedule,
  businessDate: string,
): DayChangeEffects {
  const effects: DayChangeEffects = { closeRuns: [] };
  if (businessDate <= state.businessDate) return effects;
  state.businessDate = businessDate;
  const run = state.currentRun;
  if (run !== undefined) {
    if (
      (run.status === 'running' || run.status === 'warning') &&
      run.businessDate < businessDate &&
      state.carriedOver === undefined
    ) {
      state.carriedOver = run.runId;
      effects.carriedOver = run.runId;
    } else if ((run.status === 'abended' || run.status === 'forced') && !schedule.requireConfirmation) {
      effects.closeRuns.push(run.runId);
      state.lastRun = run;
      delete state.currentRun;
    }
  }
  const awaiting =
    schedule.requireConfirmation &&
    (state.awaitingConfirmation || state.lastOutcome === 'abended' || state.lastOutcome === 'forced');
  if (!awaiting) {
    delete state.lastOutcome;
    state.awaitingConfirmation = false;
  }
  return effects;
}

/** Why `request` must be refused now (R-OPS-3), or undefined. Reads only. */
export function operationRefusal(
  state: JobnetActorState,
  schedule: CompiledSchedule,
  request: { operation: string; suffix?: string; retry?: { of: string } },
): string | undefined {
  const status = jobnetStatus(state, schedule);
  const run = state.currentRun;
  switch (request.operation) {
    case 'start': {
      if (request.suffix !== undefined) return undefined; // the copy decides for itself
      const decision = startDecision(state, schedule);
      if (decision.kind === 'start') return undefined;
      if (decision.kind === 'defer') return 'the jobnet is held; release it to start';
      return `cannot start: ${decision.reason}`;
    }
    case 'forceTerminate':
      if (run === undefined || (run.status !== 'running' && run.status !== 'warning'))
        return `cannot force-terminate: no run is running (the jobnet is ${status})`;
      return undefined;
    case 'restart':
      if (run === undefined || (run.status !== 'abended' && run.status !== 'forced'))
        return `cannot restart: no abended or forced run is open (the jobnet is ${status})`;
      return undefined;
    case 'hold':
      return state.held ? 'the jobnet is already held' : undefined;
    case 'release':
      return state.held ? undefined : 'the jobnet is not held';
    case 'disable':
      return isDisabled(state, schedule) ? 'the jobnet is already disabled' : undefined;
    case 'enable':
      return isDisabled(state, schedule) ? undefined : 'the jobnet is not disabled';
    case 'confirm': {
      const phase = runPhase(state);
      if (phase !== 'abended' && phase !== 'forced')
        return `cannot confirm: the jobnet is ${status}, not abended or forced`;
      return undefined;
    }
    case 'releaseCarryOver':
      return state.carriedOver === undefined ? 'no run is carried over' : undefined;
    case 'retry': {
      // The run checks (lib/run-retry.ts) were made by the caller; the actor keeps one run at a time.
      const of = request.retry?.of;
      if (of === undefined) return 'cannot retry: no run is named';
      if (state.retired !== undefined)
        return `cannot retry: the jobnet was removed from the definitions in revision ${state.retired.revision}`;
      if (run !== undefined && run.runId !== of)
        return `cannot retry run ${of}: run ${run.runId} of the jobnet is open (${run.status}); one run at a time`;
      if (run !== undefined && run.status !== 'abended' && run.status !== 'forced')
        return `cannot retry: run ${of} is still ${run.status}`;
      if (state.carriedOver !== undefined) return `cannot retry: run ${state.carriedOver} is carried over`;
      return undefined;
    }
    case 'cancelEnd': {
      const phase = runPhase(state);
      if (state.eventStartedOn === state.businessDate && (schedule.start.events?.oncePerDay ?? false)) return undefined;
      if (phase === 'ended' || phase === 'pseudoNormal' || phase === 'confirmed') return undefined;
      return `cannot cancel the end: the jobnet is ${status}`;
    }
    default:
      return `unknown operation "${request.operation}"`;
  }
}

/**
 * Why a raise of `event` must be refused (R-EVT-2, R-STATE-1), or undefined. `skip` marks the
 * refusal of a disabled jobnet (trouble `executionSkipped`); `trouble` marks refusals that are
 * start conditions refused by the state (trouble `executionRefused`).
 */
export function raiseRefusal(
  state: JobnetActorState,
  schedule: CompiledSchedule,
  event: string,
): { reason: string; trouble?: 'executionRefused' | 'executionSkipped' } | undefined {
  const events = schedule.start.events;
  if (events === undefined) return { reason: 'the jobnet does not start on events' };
  if (state.retired !== undefined)
    return { reason: `the jobnet was removed from the definitions in revision ${state.retired.revision}` };
  if (isDisabled(state, schedule)) return { reason: 'skipped: the jobnet is disabled', trouble: 'executionSkipped' };
  const queued = state.pendingEvents[event]?.length ?? 0;
  if (queued >= maxPendingRaises) {
    return {
      reason: `${maxPendingRaises} raises of ${event} are already pending; the raise is refused (at most ${maxPendingRaises})`,
    };
  }
  if (events.oncePerDay && state.eventStartedOn === state.businessDate) {
    return {
      reason: `the jobnet already started on an event on business date ${state.businessDate} (oncePerDay); cancelEnd allows another start`,
      trouble: 'executionRefused',
    };
  }
  if (!events.whileRunning) {
    // Held without a deferred start this is `defer` (accepted: the start is deferred); held with
    // one it is the second start while held, refused like any other (R-STATE-1).
    const decision = startDecision(state, schedule);
    if (decision.kind === 'refuse') return { reason: `refused: ${decision.reason}`, trouble: 'executionRefused' };
  }
  return undefined;
}

/** Keeps a raise of `event` pending; the caller checked {@link raiseRefusal}. Returns the count now pending. */
export function applyRaise(state: JobnetActorState, event: string, raise: PendingRaise): number {
  const queue = (state.pendingEvents[event] ??= []);
  queue.push(raise);
  return queue.length;
}

/** Drops every pending raise, or those of `event` (R-EVT-3); returns how many there were. */
export function applyClearEvents(state: JobnetActorState, event?: string): number {
  if (event !== undefined) {
    const cleared = state.pendingEvents[event]?.length ?? 0;
    delete state.pendingEvents[event];
    return cleared;
  }
  let cleared = 0;
  for (const queue of Object.values(state.pendingEvents)) cleared += queue.length;
  state.pendingEvents = {};
  return cleared;
}

/**
 * Whether the pending raises start a run now (R-EVT-2): `mode` satisfied, `notBefore` passed
 * (`notBeforeReached`), not already started today with `oncePerDay`, and the jobnet in a state
 * where the start is decided now rather than queued behind an open run. Reads only.
 */
export function eventStartReady(
  state: JobnetActorState,
  schedule: CompiledSchedule,
  notBeforeReached: boolean,
): boolean {
  const events = schedule.start.events;
  if (events === undefined || !notBeforeReached) return false;
  const has = (name: string) => (state.pendingEvents[name]?.length ?? 0) > 0;
  const satisfied = events.mode === 'all' ? events.names.every(has) : events.names.some(has);
  if (!satisfied) return false;
  if (events.oncePerDay && state.eventStartedOn === state.businessDate) return false;
  if (state.held && state.deferred !== undefined) return false;
  if (state.held || isDisabled(state, schedule)) return true;
  return startDecision(state, schedule).kind === 'start';
}

/**
 * Takes the raises one event start consumes (R-EVT-2): with `mode: any` the oldest raise of any
 * waited-for event, with `mode: all` the oldest raise of each. The variable parameter is that of
 * the raise consumed (R-EVT-4: only for a single event or any-of events).
 */
export function consumeEventStart(
  state: JobnetActorState,
  schedule: CompiledSchedule,
): { parameter?: string; by: string } {
  const events = schedule.start.events;
  if (events === undefined) return { by: 'event' };
  const take = (name: string): PendingRaise | undefined => {
    const queue = state.pendingEvents[name];
    const raise = queue?.shift();
    if (queue !== undefined && queue.length === 0) delete state.pendingEvents[name];
    return raise;
  };
  if (events.mode === 'all') {
    const taken = events.names.map(take).filter((raise): raise is PendingRaise => raise !== undefined);
    const result: { parameter?: string; by: string } = { by: taken.map((raise) => raise.by).join(', ') || 'event' };
    if (events.names.length === 1 && taken[0]?.parameter !== undefined) result.parameter = taken[0].parameter;
    return result;
  }
  let oldest: { name: string; raise: PendingRaise } | undefined;
  for (const name of events.names) {
    const raise = state.pendingEvents[name]?.[0];
    if (raise !== undefined && (oldest === undefined || raise.at < oldest.raise.at)) oldest = { name, raise };
  }
  if (oldest === undefined) return { by: 'event' };
  take(oldest.name);
  const result: { parameter?: string; by: string } = { by: oldest.raise.by };
  if (oldest.raise.parameter !== undefined) result.parameter = oldest.raise.parameter;
  return result;
}

/** A time start found due, and what to do with it (R-SCH-3). */
export interface DueStart {
  start: PlannedStart;
  action: 'run' | 'skip';
  /** Why it is skipped. */
  reason?: string;
}

/**
 * How late a time start may be found and still be on time, whatever the catch-up window: the
 * actor's timer fires, and the workflow clock reads, a little after the due instant — on a busy
 * worker a few seconds after (R-SCH-3 promises 1 s under normal load). Without it a `0s` window
 * would skip every start, not only the missed ones.
 */
export const onTimeToleranceMillis = 5000;

/**
 * Sorts the time starts due at `now` into the one to run and the ones to record as skipped
 * (R-SCH-3, module header): late by more than `windowSeconds` → skipped; of the rest only the
 * latest runs. `due` is ascending, every entry at or before `now`.
 */
export function catchUpDecisions(due: readonly PlannedStart[], now: number, windowSeconds: number): DueStart[] {
  const late = (start: PlannedStart) => now - Date.parse(start.instant);
  const allowed = Math.max(windowSeconds * 1000, onTimeToleranceMillis);
  let runIndex = -1;
  due.forEach((start, index) => {
    if (late(start) <= allowed) runIndex = index;
  });
  return due.map((start, index) => {
    if (index === runIndex) return { start, action: 'run' };
    const lateness = late(start);
    if (lateness > allowed) {
      return {
        start,
        action: 'skip',
        reason: `missed by ${Math.round(lateness / 1000)} s while the scheduler was down, more than the catch-up window of ${windowSeconds} s`,
      };
    }
    return {
      start,
      action: 'skip',
      reason: `missed while the scheduler was down; the later start at ${due[runIndex]?.instant ?? ''} runs instead`,
    };
  });
}

function isoOf(millis: number): string {
  return new Date(millis).toISOString();
}

export type { PlannedStart as PlannedRunStart };
