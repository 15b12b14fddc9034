/**
 * The activities' signatures, the only part of `workflows/activities/` that workflow code may
 * import (CONVENTIONS.md §8): workflows call activities through `proxyActivities<JobnetActivities>`.
 * Types only.
 */

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
}

export interface JobnetActivities {
  /** Runs a `command` job's program on the worker, heartbeating; cancelling the activity kills it. */
  runCommand(request: CommandRequest): Promise<CommandOutcome>;
  /** Queues a request with the resource's lock workflow, starting it when needed. */
  requestResourceLock(request: ResourceLockRequest): Promise<void>;
}
