/**
 * The contract of the run workflow with everyone who talks to it — the CLI, the API, the jobnet
 * actor, parent runs and the resource locks: its input, what its query answers, its operation
 * Update, its signals, and its workflow ids (docs/architecture.md#the-temporal-mapping).
 *
 * Imported by workflow code and by clients alike, so it holds only plain types, the `define*`
 * handles of `@temporalio/workflow` (which are safe outside the sandbox), and the one builder of
 * a top-level run's input and search attributes ({@link topLevelRunStart}), shared by the jobnet
 * actor and `jobnet start --dir`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompiledJobnet } from './lib/compiled-jobnet.js';
import type { ForcedEndReason } from './lib/exit-classification.js';
import type { CancelJobAnswer, CancelJobState, EpochMillis, RunState, RunStatus } from './lib/run-state.js';
import { runStartText } from './lib/temporal-ui-text.js';
import { searchAttributeKeys as keys } from './lib/wire-contract.js';

/** Task queue of the run workflows and their activities unless a worker is told otherwise. */
export const defaultTaskQueue = 'jobnet';

/** What made a run start (search attribute `JobnetTrigger`). */
export type RunTrigger = 'manual' | 'schedule' | 'event' | 'child' | 'retry';

/** Input of the run workflow. */
export interface RunInput {
  /** The revision-pinned compiled jobnet to run, without its `children` (they travel in `children`). */
  jobnet: CompiledJobnet;
  /** Compiled jobnets the run's `jobnet` jobs may start, by name (R-JN-2). */
  children: Record<string, CompiledJobnet>;
  /** The scheduled business date of the run, `YYYY-MM-DD` (R-JOBT-3). */
  businessDate: string;
  /** The variable parameter, `@.VPARAM@` (R-VAR-3); omitted: none (substituted as empty). */
  parameter?: string;
  trigger: RunTrigger;
  /** Who started the run (an operator name, `scheduler`, or the parent run id). */
  requestedBy: string;
  /** Nesting level: 1 for a run that is not a child, at most 5 (R-JN-2). */
  level: number;
  /** Jobnet variables inherited from the parent run (R-JN-2); the run's own captures override them. */
  inheritedVariables?: Record<string, string>;
  /**
   * Set on a child run: it completes as soon as it reaches a final status (normal, pseudo-normal,
   * abended or forced) and returns it, because the operator acts on the parent's `jobnet` job.
   */
  parent?: { workflowId: string; job: string };
  /**
   * A child run resumed by `restartFromJob` on the parent's `jobnet` job: the final state of the
   * previous child run, restarted from its failed jobs (R-OPS-2).
   */
  resumeFrom?: RunState;
  /**
   * What the run's `raiseEvent` jobs do with the events they raise. Omitted: route them through the
   * event registry to the jobnets waiting for them (R-EVT-1). `record`: only keep them in the run —
   * a run started without the scheduler (`jobnet start --dir`) must not start scheduled jobnets
   * unless asked to. Child runs inherit it.
   */
  eventRouting?: 'record';
  /**
   * Workflow id of the jobnet actor that started the run: the run reports its status changes,
   * troubles and completion there (`runReportSignal`), and takes `closeRunSignal` from it.
   */
  actor?: string;
  /**
   * Set on a retry (R-OPS-4): the workflow id of the run it retries. The retry starts from that
   * run's final state (`resumeFrom`), re-running only the jobs that did not succeed.
   */
  retryOf?: string;
  /**
   * The `JobnetRunStatus` search attribute the run was started with (a top-level start sets it to
   * `running`): the run publishes its status only when it differs, so it does not upsert the value
   * it already has. Omitted (child runs, and runs started before it existed, whose histories hold
   * that upsert): the run publishes its first status too.
   */
  startedWithStatus?: RunStatus;
}

/** What starts a run that is not a child: a jobnet actor's start, or an operator's `jobnet start --dir`. */
export interface TopLevelRunRequest {
  /** The compiled jobnet with its `children`. */
  jobnet: CompiledJobnet;
  businessDate: string;
  trigger: RunTrigger;
  requestedBy: string;
  parameter?: string;
  /** The workflow id of the actor that starts the run (it reports there); omitted for a start without the scheduler. */
  actor?: string;
  /** See {@link RunInput.eventRouting}. */
  eventRouting?: 'record';
  /** A retry (R-OPS-4): the run it retries, and that run's final state to start from. */
  retry?: { of: string; from: RunState };
}

/**
 * The input of a top-level run (level 1, children split off the compiled jobnet) and the search
 * attributes it is started with (R-OPS-5: history is listed by them; the status starts `running`).
 */
export function topLevelRunStart(request: TopLevelRunRequest): {
  input: RunInput;
  searchAttributes: { key: (typeof keys)[keyof typeof keys]; value: string }[];
} {
  const { children, ...jobnet } = request.jobnet;
  const startedWithStatus: RunStatus = 'running';
  const input: RunInput = {
    jobnet,
    children: children ?? {},
    businessDate: request.businessDate,
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    level: 1,
    startedWithStatus,
  };
  if (request.actor !== undefined) input.actor = request.actor;
  if (request.parameter !== undefined) input.parameter = request.parameter;
  if (request.eventRouting !== undefined) input.eventRouting = request.eventRouting;
  if (request.retry !== undefined) {
    input.retryOf = request.retry.of;
    input.resumeFrom = request.retry.from;
  }
  const searchAttributes = [
    { key: keys.project, value: jobnet.project },
    { key: keys.name, value: jobnet.name },
    { key: keys.revision, value: jobnet.revision },
    { key: keys.businessDate, value: request.businessDate },
    { key: keys.trigger, value: request.trigger },
    { key: keys.runStatus, value: startedWithStatus },
  ];
  if (request.retry !== undefined) searchAttributes.push({ key: keys.retryOf, value: request.retry.of });
  return { input, searchAttributes };
}

/** The static summary and details Temporal shows for a top-level run (`temporal-ui-text.ts`), from its input. */
export function runStartTextOf(input: RunInput): { staticSummary: string; staticDetails: string } {
  return runStartText({
    project: input.jobnet.project,
    jobnet: input.jobnet.name,
    ...(input.jobnet.title !== undefined ? { title: input.jobnet.title } : {}),
    businessDate: input.businessDate,
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    revision: input.jobnet.revision,
  });
}

/** A trouble recorded by the run (R-TRB); the run records `jobOverrun` itself. */
export interface RunTrouble {
  kind: 'jobOverrun' | 'jobnetAbended';
  at: EpochMillis;
  project: string;
  jobnet: string;
  title?: string;
  runId: string;
  job?: string;
  exitCode?: number;
  forcedReason?: ForcedEndReason;
  message: string;
}

/** An event raised by a `raiseEvent` job (R-JOBT-4), kept in the run for routing (R-EVT-1). */
export interface RaisedEvent {
  at: EpochMillis;
  job: string;
  event: string;
  project?: string;
  jobnet?: string;
  param?: string;
  suffix?: string;
}

/** What the run query answers: everything an operator or a parent needs to see. */
export interface RunView {
  runId: string;
  project: string;
  jobnet: string;
  title?: string;
  revision: string;
  businessDate: string;
  parameter?: string;
  trigger: RunTrigger;
  requestedBy: string;
  level: number;
  status: RunStatus;
  state: RunState;
  troubles: RunTrouble[];
  raisedEvents: RaisedEvent[];
  /** Events delivered to the run and not yet consumed by a `waitEvent` job, by name (R-EVT-2). */
  pendingEvents: Record<string, number>;
  /** Why each job that could not run as written ended as it did (substitution errors, refusals). */
  jobMessages: Record<string, string>;
  /** Child runs started by `jobnet` jobs: job → workflow id of its latest child run. */
  childRuns: Record<string, string>;
  /** Set once the run was closed (after a final status): it accepts no more operations. */
  closed?: { by: string; at: EpochMillis };
  /** The jobnet actor the run reports to; absent for a run started without the scheduler (and for a child run). */
  actor?: string;
  /** On a retry (R-OPS-4): the workflow id of the run it retries. */
  retryOf?: string;
}

/** Operations on one job of a run (R-OPS-1, WOI 5.3.1). */
export type RunJobOperationName =
  | 'forceTerminateJob'
  | 'holdJob'
  | 'releaseJob'
  | 'disableJob'
  | 'enableJob'
  | 'startFromJob'
  | 'restartFromJob'
  | 'skipJob'
  | 'runOnlyJob';

/** Operations on the whole run: force-terminate, restart, and close (end an abended run's wait). */
export type RunWideOperationName = 'forceTerminateRun' | 'restartRun' | 'closeRun';

/**
 * Bulk cancel (R-OPS-4 `jobnet cancel`): force-terminates at once each named job whose state is
 * one of `jobStates`. The caller chose the names (a pattern on job names, read from the view); the
 * run re-checks each job's state when the Update runs and answers per job.
 */
export interface CancelJobsRequest {
  operation: 'cancelJobs';
  jobs: string[];
  jobStates: CancelJobState[];
  by: string;
}

export type RunOperationRequest =
  | { operation: RunJobOperationName; job: string; by: string }
  | { operation: RunWideOperationName; by: string }
  | CancelJobsRequest;

/** Answer to an accepted operation; a refused one is a rejected Update whose message says why. */
export interface RunOperationAnswer {
  operation: RunJobOperationName | RunWideOperationName | 'cancelJobs';
  detail: string;
  status: RunStatus;
  /** `cancelJobs`: what happened to each job named, in name order. */
  jobs?: CancelJobAnswer[];
}

/** The final answer of a run workflow that completes. */
export interface RunResult {
  status: RunStatus;
  state: RunState;
}

/** The run workflow's signature (`run-workflow.ts`), for starting a run as a child without importing the workflow. */
export type RunWorkflow = (input: RunInput) => Promise<RunResult>;

export const runViewQuery = defineQuery<RunView>('runView');
export const runOperationUpdate = defineUpdate<RunOperationAnswer, [RunOperationRequest]>('runOperation');
/** Delivers a message event to the run's `waitEvent` jobs (R-JOBT-5, R-EVT-1). */
export const deliverEventSignal = defineSignal<[{ event: string }]>('deliverEvent');
/**
 * The jobnet actor closes an abended or forced run (R-STATE-2: `confirm`, or the day change
 * without `requireConfirmation`). Ignored while jobs still run or when the run is not final.
 */
export const closeRunSignal = defineSignal<[{ by: string }]>('closeRun');
/** A resource lock grants this run the use of an exclusive resource (R-JOB `exclusive`). */
export const resourceGrantedSignal = defineSignal<[{ resource: string; token: string }]>('resourceGranted');

/**
 * Asks nothing of the run: a resource lock and the jobnet actor signal it to learn whether the
 * run still exists (signalling a workflow that has ended fails), so a run terminated outside the
 * product — `temporal workflow terminate`, the Web UI — releases its resources and its jobnet.
 */
export const livenessProbeSignal = defineSignal('livenessProbe');
