/**
 * The activities' signatures, the only part of `workflows/activities/` that workflow code may
 * import (CONTRIBUTING.md#8-workflow-code-is-deterministic): workflows call activities through `proxyActivities<JobnetActivities>`.
 * Types only.
 */
import type {
  EventClearAnswer,
  EventClearBatch,
  EventDeliveryBatch,
  EventRaise,
  EventRaiseAnswer,
  EventTargetResult,
} from '../event-registry-contract.js';
import type { EventDelivery, JobnetOperationRequest } from '../jobnet-actor-contract.js';
import type { CompiledJobnet } from '../lib/compiled-jobnet.js';
import type { RestSpec } from '../lib/job-specs.js';
import type { RunOperationRequest } from '../run-contract.js';

/** Input of a `command` job run (R-JOBT-8), variables already substituted. */
export interface CommandRequest {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Kill the program after this many seconds; the job then ends abnormally. */
  timeoutSeconds?: number;
  /** For the worker's log: which run and job this is. */
  runId: string;
  job: string;
  attempt: number;
}

/** How a program ended. */
export interface CommandOutcome {
  exitCode: number;
  /** Standard output (its tail beyond the cap), then a note on truncation or on the kill. */
  output: string;
  /** Why the job ended without the program's own exit code (not allowed, could not start, timeout). */
  message?: string;
}

/** A request for the exclusive use of a resource (R-JOB `exclusive`). */
export interface ResourceLockRequest {
  resource: string;
  /** Workflow id of the run asking; the grant is signalled there. */
  requester: string;
  /** Identifies this request, to release it later; unique per job start. */
  token: string;
  /** Workflow id of the lock; omitted by runs of earlier versions (the id then has no deployment). */
  lock?: string;
}

/** Which run and job a REST call belongs to, for messages and the worker's log. */
export interface RestJobIdentity {
  project: string;
  jobnet: string;
  runId: string;
  job: string;
  attempt: number;
}

/**
 * The values a REST job substitutes (R-VAR-4), fixed when the job starts; credential keys are
 * added inside the activity, where the credential is resolved (R-CRED-4).
 */
export interface RestVariableSources {
  definitionVariables: Record<string, string>;
  jobnetVariables: Record<string, string>;
  parameter: string;
}

/** Input of every REST activity: the compiled job (references only, never secrets) and its variables. */
export interface RestCallInput {
  identity: RestJobIdentity;
  spec: RestSpec;
  sources: RestVariableSources;
  /** Values taken over from the request's response (R-REST-4); empty for the request itself. */
  takeoverValues: Record<string, string>;
}

/** How the request of a REST job ended (R-REST-1, R-REST-6). */
export interface RestRequestOutcome {
  /** 0, or the REST exit code that ends the job (R-EXIT-3), or 245/246 from substitution. */
  exitCode: number;
  /** The `Http…` lines of the output, when a response came. */
  section?: string;
  /** Why the job ends, when it ends abnormally. */
  message?: string;
  takeoverValues: Record<string, string>;
  /** `request.jobnetValKeys`, extracted. */
  variables: Record<string, string>;
}

/** How the polling of a REST job ended (R-REST-2): only a final poll returns; others are retried. */
export interface RestPollOutcome {
  exitCode: number;
  /** The `ChkResultHttp…` lines of the last poll, when a response came. */
  section?: string;
  message?: string;
  /** `monitoring.jobnetValKeys`, extracted. */
  variables: Record<string, string>;
  /** Polls sent, this one included. */
  polls: number;
}

/** How the termination request went (R-REST-3); a failure is logged and does not change the job's end. */
export interface RestTerminationOutcome {
  /** `sent`: answered 2xx; `failed`: not sent or answered otherwise; `unknown`: an earlier attempt was lost while sending. */
  result: 'sent' | 'failed' | 'unknown';
  status?: number;
  message: string;
}

export interface JobnetActivities {
  /** Runs a `command` job's program on the worker, heartbeating; cancelling the activity kills it. */
  runCommand(request: CommandRequest): Promise<CommandOutcome>;
  /** Sends the request of a REST job once, and extracts its takeover values and variables. */
  restRequest(input: RestCallInput): Promise<RestRequestOutcome>;
  /**
   * Sends one poll of a REST job. It returns only when polling is over (end value reached, an
   * error, or the last allowed poll); otherwise it fails retryably and Temporal's retry policy
   * sends the next poll after `pollingInterval` (docs/architecture.md#the-temporal-mapping).
   */
  restPoll(input: RestCallInput): Promise<RestPollOutcome>;
  /** Sends the termination request of a force-terminated REST job, at most once. */
  restTerminate(input: RestCallInput): Promise<RestTerminationOutcome>;
  /** Queues a request with the resource's lock workflow, starting it when needed. */
  requestResourceLock(request: ResourceLockRequest): Promise<void>;
}

/** A copy start (R-JN-3): the copy's actor is started when needed and given the start or the event. */
export interface JobnetCopyRequest {
  /** The jobnet copied (the copy is compiled from it, renamed `<name>_<suffix>`). */
  definition: CompiledJobnet;
  suffix: string;
  /** The operator's start, without the suffix. */
  request?: JobnetOperationRequest;
  /** The event, without the suffix. */
  event?: EventDelivery;
}

export type JobnetCopyAnswer =
  { ok: true; jobnet: string; detail: string; runId?: string } | { ok: false; reason: string };

/** An operation the jobnet actor forwards to its open run (forceTerminate, restart). */
export interface RunOperationOfJobnet {
  runId: string;
  request: RunOperationRequest;
}

export type RunOperationOutcome = { ok: true; detail: string } | { ok: false; reason: string };

/** The activities of the jobnet actor and the event registry: Updates they send to other workflows. */
export interface JobnetActorActivities {
  /** Starts (or reuses) the actor of the copy `<name>_<suffix>` and hands it the start or the event. */
  startJobnetCopy(request: JobnetCopyRequest): Promise<JobnetCopyAnswer>;
  /** Sends an operation to a run and returns its answer or refusal. */
  operateRunOfJobnet(request: RunOperationOfJobnet): Promise<RunOperationOutcome>;
  /** Hands a raise to each target jobnet's actor (one Update each, idempotent by update id). */
  deliverEventToJobnets(batch: EventDeliveryBatch): Promise<EventTargetResult[]>;
  /** Clears the pending raises of each target jobnet's actor. */
  clearEventsOfJobnets(batch: EventClearBatch): Promise<EventClearAnswer['results']>;
  /** Raises an event through the registry for a `raiseEvent` job; undefined when no definitions were applied. */
  raiseEventFromJob(raise: EventRaise): Promise<EventRaiseAnswer | undefined>;
}
