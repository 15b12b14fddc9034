/**
 * What the workflows tell the worker process as things happen (docs/operations.md "Metrics" and
 * "What the terminal shows"): a run started or reached a final status, a job ended, a trouble or
 * an operation was recorded. The workflows call the one sink function `jobnetEvents.emit`
 * (`proxySinks`), the worker injects it (controller/worker/start-worker.ts), and the worker
 * process feeds each event to its metrics and to its terminal line.
 *
 * A sink call is no workflow command: it writes nothing to history, so adding or removing one
 * changes no history and needs no `patched()` marker. The worker registers it without
 * `callDuringReplay`, so a workflow replayed after a worker restart (or a cache eviction) emits
 * nothing for the part of its history it replays: nothing is counted twice. A workflow task that
 * fails and is retried emits its events again (the SDK's documented limit); these events feed
 * metrics and terminal lines, never a decision.
 *
 * Plain types only (an event is copied out of the sandbox): no job output, no variable values,
 * nothing that may hold a secret.
 */
import type { Sinks } from '@temporalio/workflow';
import type { ForcedEndReason } from './lib/exit-classification.js';
import type { TroubleKind } from './lib/jobnet-state.js';
import type { JobState, RunFinalStatus } from './lib/run-state.js';

/** Fields every event has: when (workflow clock, epoch ms) and which jobnet. */
interface EventBase {
  at: number;
  project: string;
  jobnet: string;
}

/** A run began (its workflow's first task). */
export interface RunStartedEvent extends EventBase {
  event: 'runStarted';
  runId: string;
  businessDate: string;
  /** `schedule`, `manual`, `event`, `child`, `retry`. */
  trigger: string;
  level: number;
}

/** A run reached a final status (again, after a restart of an abended run). */
export interface RunEndedEvent extends EventBase {
  event: 'runEnded';
  runId: string;
  businessDate: string;
  status: RunFinalStatus;
  /** For an abended run: the job that failed first, its exit code and why it was forced. */
  job?: string;
  exitCode?: number;
  forcedReason?: ForcedEndReason;
}

/** A job that ran ended. */
export interface JobEndedEvent extends EventBase {
  event: 'jobEnded';
  runId: string;
  job: string;
  /** The job's type: `rest`, `command`, `sleep`, … */
  jobType: string;
  state: JobState;
  exitCode?: number;
  /** From its start to its end, by the workflow clock. */
  seconds: number;
}

/** A trouble was recorded: by the jobnet actor, or by a run no actor follows (child runs, `start --dir`). */
export interface TroubleEvent extends EventBase {
  event: 'trouble';
  trouble: TroubleKind;
  runId?: string;
  job?: string;
  exitCode?: number;
  message: string;
}

/** An operation was accepted and recorded: on a jobnet (its actor) or on a run. */
export interface OperationEvent extends EventBase {
  event: 'operation';
  operation: string;
  by: string;
  detail: string;
  /** Set for an operation on a run. */
  runId?: string;
}

export type JobnetEvent = RunStartedEvent | RunEndedEvent | JobEndedEvent | TroubleEvent | OperationEvent;

/** The sink the workflows call and the worker injects. */
export interface JobnetEventSinks extends Sinks {
  jobnetEvents: {
    emit(event: JobnetEvent): void;
  };
}
