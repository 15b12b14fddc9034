/**
 * The `command` job (R-JOBT-8): the program runs in the `runCommand` activity, at most once, on a
 * worker that allows command jobs.
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. Cancellation of the job's scope
 * cancels the activity, which kills the program's process group before it completes.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { CommandRequest, JobnetActivities } from '../activities/activity.types.js';
import { schedulerExitCodes } from '../lib/exit-classification.js';
import type { CommandSpec } from '../lib/job-specs.js';
import { failed, withMessage, type JobExecution, type JobRunContext } from './job-context.js';

const commandActivities = proxyActivities<JobnetActivities>({
  // A program is run at most once: a worker that dies while it runs ends the job with 239 rather
  // than starting the program again behind the operator's back.
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/** R-JOBT-8: the activity refuses when the worker does not allow command jobs (254). */
export async function runCommandJob(context: JobRunContext, spec: CommandSpec): Promise<JobExecution> {
  const request: CommandRequest = {
    argv: spec.argv,
    env: spec.env,
    runId: context.runId,
    job: context.job.name,
    attempt: context.attempt,
  };
  if (spec.cwd !== undefined) request.cwd = spec.cwd;
  if (spec.timeoutSeconds !== undefined) request.timeoutSeconds = spec.timeoutSeconds;
  try {
    const result = await commandActivities.runCommand(request);
    return withMessage({ exitCode: result.exitCode, output: result.output }, result.message);
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
      return failed(
        schedulerExitCodes.environmentStopped,
        'the worker running the command stopped answering (heartbeat timeout); the program is not started again',
      );
    }
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      return failed(schedulerExitCodes.jobStartFailed, error.cause.message);
    }
    throw error;
  }
}
