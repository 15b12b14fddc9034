/**
 * What a job executor (`workflows/jobs/`) gets of its run and gives back: the run's input, the
 * job, its attempt, the run's variables and events, and the job's outcome with the message that
 * explains an end the job's own program did not choose.
 *
 * Workflow code: deterministic, no I/O, no Node built-ins.
 */
import type { CompiledJob } from '../lib/compiled-jobnet.js';
import type { JobOutcome, RunState } from '../lib/run-state.js';
import type { RaisedEvent, RunInput } from '../run-contract.js';

/** What a job executor may use of its run. */
export interface JobRunContext {
  input: RunInput;
  /** Workflow id of the run. */
  runId: string;
  job: CompiledJob;
  attempt: number;
  /** The job resumes its child jobnet's previous run (R-OPS-2 `restartFromJob`). */
  resume: boolean;
  /** Jobnet variables visible to the job: inherited from the parent, overridden by the run's own. */
  jobnetVariables(): Record<string, string>;
  /** Resolves when an event of this name has been delivered to the run, consuming it (R-EVT-2). */
  takeEvent(event: string): Promise<void>;
  /** Keeps an event raised by a `raiseEvent` job for routing (R-EVT-1). */
  recordRaisedEvent(event: RaisedEvent): void;
  /** Final state of the latest child run of this job, for a resume. */
  previousChildState(): RunState | undefined;
  /** Remembers the workflow id of the child run this job started. */
  recordChildRun(workflowId: string): void;
  /** Keeps the final state of the child run, for a later resume. */
  recordChildState(state: RunState): void;
  /** The run's current time in epoch milliseconds. */
  now(): number;
}

/** A job outcome plus the message that explains an end the job's own program did not choose. */
export interface JobExecution {
  outcome: JobOutcome;
  message?: string;
}

/** An end the job's program did not choose: the message is the output too. */
export function failed(exitCode: number, message: string): JobExecution {
  return { outcome: { exitCode, output: message }, message };
}

/** An outcome, with its explanation when there is one. */
export function withMessage(outcome: JobOutcome, message: string | undefined): JobExecution {
  return message === undefined ? { outcome } : { outcome, message };
}
