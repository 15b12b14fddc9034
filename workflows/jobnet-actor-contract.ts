/**
 * The contract of the jobnet actor (docs/architecture.md#a-jobnet-actor-not-temporal-schedules) with everyone who talks to it —
 * the CLI and API (operations, views), `jobnet apply` and the controller (definitions), the event
 * registry (raised events) and the runs it starts (their status): its input, query, Updates,
 * signals and workflow ids.
 *
 * Imported by workflow code and by clients alike: plain types and `define*` handles only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompiledJobnet } from './lib/compiled-jobnet.js';
import type { JobnetStatus, JobnetActorState, JobnetTrouble, PlannedRunStart } from './lib/jobnet-state.js';
import type { RunStatus } from './lib/run-state.js';
import type { RunInput, RunTrouble } from './run-contract.js';

/** Input of the jobnet actor; after a continue-as-new it carries the state on. */
export interface JobnetActorInput {
  /** The compiled jobnet (with `children` and `schedule`) of the latest applied revision. */
  definition: CompiledJobnet;
  /** The state carried over a continue-as-new; omitted for a new actor. */
  carried?: JobnetActorState;
  /**
   * Set on the actor of a copy start (R-JN-3): the name of the jobnet it copies. A copy has no
   * time trigger of its own; it runs the starts and events handed to it, and completes once it is
   * idle after a run.
   */
  copyOf?: string;
  /** History length after which the actor continues as new; default 4000 (the server may suggest it earlier). */
  historyLimit?: number;
}

/** Jobnet operations (R-OPS-1), each refused with a reason when the state forbids it (R-OPS-3). */
export type JobnetOperationName =
  | 'start'
  | 'forceTerminate'
  | 'restart'
  | 'hold'
  | 'release'
  | 'disable'
  | 'enable'
  | 'confirm'
  | 'releaseCarryOver'
  | 'cancelEnd'
  | 'retry';

export interface JobnetOperationRequest {
  operation: JobnetOperationName;
  /** Who asks (operator name); recorded with the operation. */
  by: string;
  /** `start`: the variable parameter `@.VPARAM@` (R-VAR-3). */
  parameter?: string;
  /** `start`: a copy start under `<name>_<suffix>` (R-JN-3). */
  suffix?: string;
  /**
   * `retry` (R-OPS-4): the run retried (`of`) and the retry's input, built from it by the caller
   * (`lib/run-retry.ts`: its revision, business date, final state). The actor starts the retry as
   * its open run and closes the original if it was the open run.
   */
  retry?: { of: string; input: RunInput };
}

export interface JobnetOperationAnswer {
  operation: JobnetOperationName;
  /** What happened, for the operator: "run … started", "held", … */
  detail: string;
  status: JobnetStatus;
  /** The run the operation started or acted on, when there is one. */
  runId?: string;
}

/** An event raised in scope of this jobnet (R-EVT-1), from the registry. */
export interface EventDelivery {
  event: string;
  parameter?: string;
  suffix?: string;
  /** Who raised it: operator name, or the run and job of a `raiseEvent` job. */
  by: string;
}

/** What the actor did with a delivered event; a refusal is a rejected Update with the reason. */
export interface EventDeliveryAnswer {
  /**
   * `started`: a run started; `pending`: counted, waiting for the other events, `notBefore` or the
   * current run (whileRunning); `delivered`: handed to a running run's `waitEvent` jobs only;
   * `copied`: handed to the copy `<name>_<suffix>`; `ignored`: not a start day (startDaysOnly),
   * or the jobnet does not wait for the event.
   */
  outcome: 'started' | 'pending' | 'delivered' | 'copied' | 'ignored';
  detail: string;
  runId?: string;
}

/** A run's report to its actor: its status changed, it recorded troubles, or its workflow ended. */
export interface RunReport {
  runId: string;
  status: RunStatus;
  /** Troubles recorded by the run since its previous report. */
  troubles: RunTrouble[];
  /** The run workflow has completed: it accepts no more operations. */
  completed: boolean;
  at: number;
}

/** A new revision of the jobnet from `jobnet apply` / the controller (R-GIT-3). */
export interface DefinitionApply {
  definition: CompiledJobnet;
  by: string;
}

/** The controller retires a jobnet removed from the definitions (R-GIT-3). */
export interface RetireRequest {
  /** The revision that no longer has the jobnet. */
  revision: string;
  by: string;
  /** Prune: the actor ends (its workflow completes) once no run is open. Otherwise it stays, idle and visible. */
  remove: boolean;
}

/** What the jobnet query answers (R-OPS-6 "jobnets … get with state and next starts"). */
export interface JobnetView {
  project: string;
  name: string;
  title?: string;
  revision: string;
  digest?: string;
  copyOf?: string;
  status: JobnetStatus;
  /** Business date the actor is in (after its last day change). */
  businessDate: string;
  /** Trigger kind: `at`, `every`, `events` or `manual`. */
  trigger: string;
  /** The next time starts, or the next business dates an event start is allowed. */
  nextStarts: PlannedRunStart[];
  state: JobnetActorState;
}

/** Events cleared by `jobnet event clear` (R-EVT-3). */
export interface EventClear {
  by: string;
  /** Only the pending raises of this event; omitted: of every event. */
  event?: string;
}

export const jobnetViewQuery = defineQuery<JobnetView>('jobnetView');
export const jobnetOperationUpdate = defineUpdate<JobnetOperationAnswer, [JobnetOperationRequest]>('jobnetOperation');
export const deliverEventUpdate = defineUpdate<EventDeliveryAnswer, [EventDelivery]>('deliverEvent');
export const clearEventsUpdate = defineUpdate<{ cleared: number }, [EventClear]>('clearEvents');
export const applyDefinitionSignal = defineSignal<[DefinitionApply]>('applyDefinition');
/** The jobnet was removed from the definitions (R-GIT-3): stop scheduling; with `remove`, end once no run is open. */
export const retireSignal = defineSignal<[RetireRequest]>('retire');
export const runReportSignal = defineSignal<[RunReport]>('runReport');

/** Name of a copy of `jobnet` started with `suffix` (R-JN-3). */
export { copyJobnetName } from './lib/jobnet-copy.js';

export type { JobnetStatus, JobnetTrouble };
