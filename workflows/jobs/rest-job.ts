/**
 * The `rest` job in a run (R-REST, docs/architecture.md#the-temporal-mapping): request → wait `firstMonitorInterval` → polls →
 * end, with the termination request when the job is force-terminated after its request was sent.
 *
 * History stays small whatever the number of polls: the request is one activity, the first wait
 * one timer, and all polls one activity whose attempts are the polls (`rest-activities.ts`).
 *
 * - The request runs in a non-cancellable scope. It is never sent twice: the activity marks
 *   "sending" on the server before the request leaves, an attempt lost before the mark is tried
 *   again, and one that finds its predecessor's mark ends the job with 239 instead. A force-terminate that arrives while it is in flight waits for its response (at most the
 *   job's `timeout`), so that the termination request can name the remote work it started.
 * - Force-termination (an operator, or the time limit, cancelling the job's scope) after the
 *   request was sent sends the termination request from a non-cancellable scope; being workflow
 *   state, that decision survives a worker dying during the cancel, and the activity itself sends
 *   at most once. Its failure is reported in the output (0635–0638) and the job still ends forced.
 *
 * Workflow code: deterministic, no I/O. Secrets never reach this module: the activities resolve
 * them and return redacted results (R-CRED-4).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { JobnetActivities, RestCallInput, RestPollOutcome } from '../activities/activity.types.js';
import { schedulerExitCodes } from '../lib/exit-classification.js';
import type { RestSpec } from '../lib/job-specs.js';
import { capOutput, pollNotFinishedType, restExitCodes, restMessages, restOutputKeys } from '../lib/rest-messages.js';
import type { JobExecution, JobRunContext } from './job-context.js';

/** Since this patch the request activity retries an attempt lost before it marked "sending". */
const requestRetryPatch = 'rest-request-retry-unsent';

/** Time an activity may add to the job's HTTP timeout: resolving secrets and fetching an OAuth2 token. */
const authenticationAllowanceSeconds = 60;

/** Runs a `rest` job whose spec has not been substituted: the activities substitute (credential keys first, R-CRED-2). */
export async function runRestJob(context: JobRunContext, spec: RestSpec): Promise<JobExecution> {
  const clash = [
    ...Object.keys(spec.request.jobnetValKeys ?? {}),
    ...Object.keys(spec.monitoring?.jobnetValKeys ?? {}),
  ].find((name) => (restOutputKeys as readonly string[]).includes(name));
  if (clash !== undefined) {
    const message = restMessages.invalidParameter(
      'jobnetValKeys',
      `${clash} is an output key of the REST job; choose another variable name`,
    );
    return { outcome: { exitCode: restExitCodes.badParameter, output: message }, message };
  }
  const input: RestCallInput = {
    identity: {
      project: context.input.jobnet.project,
      jobnet: context.input.jobnet.name,
      runId: context.runId,
      job: context.job.name,
      attempt: context.attempt,
    },
    spec,
    sources: {
      definitionVariables: context.input.jobnet.variables ?? {},
      jobnetVariables: context.jobnetVariables(),
      parameter: context.input.parameter ?? '',
    },
    takeoverValues: {},
  };
  const callSeconds = spec.request.timeout + authenticationAllowanceSeconds;
  const output = new RestOutput(spec.outputLimitBytes);

  const requestActivities = proxyActivities<JobnetActivities>({
    startToCloseTimeout: `${callSeconds} seconds`,
    heartbeatTimeout: '30 seconds',
    // An attempt lost before its "sending" mark (a task dispatched to a worker that never ran it, a
    // worker that died resolving secrets) is tried again; one that finds the mark does not send.
    retry: patched(requestRetryPatch) ? { maximumAttempts: 5, initialInterval: '1 second' } : { maximumAttempts: 1 },
  });
  let request;
  try {
    request = await CancellationScope.nonCancellable(() => requestActivities.restRequest(input));
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
      return output.end(schedulerExitCodes.environmentStopped, restMessages.requestLost);
    }
    const reason = error instanceof ActivityFailure && error.cause !== undefined ? error.cause : error;
    return output.end(
      restExitCodes.internalError,
      restMessages.internalError(reason instanceof Error ? reason.message : String(reason)),
    );
  }
  output.section(request.section);
  output.variables(request.variables);
  if (request.exitCode !== restExitCodes.normal) return output.end(request.exitCode, request.message);
  input.takeoverValues = request.takeoverValues;

  const monitoring = spec.monitoring;
  try {
    if (monitoring === undefined) {
      // The request was the whole job; a force-terminate that came during it still cancels the work.
      if (CancellationScope.current().consideredCancelled) await CancellationScope.current().cancelRequested;
      return output.end(restExitCodes.normal);
    }
    await sleep(monitoring.firstMonitorInterval * 1000);
    const poll = await pollUntilDone(input, monitoring.pollingInterval, monitoring.pollingCount, callSeconds);
    output.section(poll.section);
    output.variables(poll.variables);
    return output.end(poll.exitCode, poll.message);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    if (spec.termination === undefined)
      return output.end(schedulerExitCodes.forceTerminated, 'force-terminated; the job has no termination request');
    const terminateActivities = proxyActivities<JobnetActivities>({
      startToCloseTimeout: `${callSeconds} seconds`,
      heartbeatTimeout: '30 seconds',
      // Only a lost attempt is tried again, and the activity never sends twice.
      retry: { maximumAttempts: 5, initialInterval: '1 second' },
    });
    const termination = await CancellationScope.nonCancellable(() => terminateActivities.restTerminate(input)).catch(
      (failure: unknown) => ({
        result: 'failed' as const,
        message: restMessages.terminationIssue(
          input.identity.project,
          input.identity.jobnet,
          failure instanceof Error ? failure.message : String(failure),
        ),
      }),
    );
    return output.end(schedulerExitCodes.forceTerminated, termination.message);
  }
}

/** All polls: one activity whose attempts are the polls (docs/architecture.md#the-temporal-mapping). */
async function pollUntilDone(
  input: RestCallInput,
  intervalSeconds: number,
  count: number,
  callSeconds: number,
): Promise<RestPollOutcome> {
  const pollActivities = proxyActivities<JobnetActivities>({
    startToCloseTimeout: `${callSeconds} seconds`,
    retry: {
      initialInterval: `${intervalSeconds} seconds`,
      backoffCoefficient: 1,
      maximumInterval: `${intervalSeconds} seconds`,
      // Unset is unlimited (pollingCount 0).
      ...(count > 0 ? { maximumAttempts: count } : {}),
    },
  });
  try {
    return await pollActivities.restPoll(input);
  } catch (error) {
    if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
    const cause = error.cause;
    // Only when the last allowed poll itself was lost (its worker died) do retries run out.
    if (
      cause instanceof TimeoutFailure ||
      (cause instanceof ApplicationFailure && cause.type === pollNotFinishedType)
    ) {
      return {
        exitCode: restExitCodes.pollingExhausted,
        message: restMessages.pollingExhausted(count),
        variables: {},
        polls: count,
      };
    }
    return {
      exitCode: restExitCodes.internalError,
      message: restMessages.internalError(cause instanceof Error ? cause.message : error.message),
      variables: {},
      polls: 0,
    };
  }
}

/**
 * The job's output in the order of R-REST-6: the request's section, the last poll's section, then
 * one `NAME=VALUE` line per extracted variable, then the message that explains the end; capped
 * at the job's `outputLimitBytes`.
 */
class RestOutput {
  private readonly sections: string[] = [];
  private readonly extracted: Record<string, string> = {};

  constructor(private readonly limitBytes: number) {}

  section(text: string | undefined): void {
    if (text !== undefined) this.sections.push(text);
  }

  variables(values: Record<string, string>): void {
    Object.assign(this.extracted, values);
  }

  end(exitCode: number, message?: string): JobExecution {
    const lines = [...this.sections, ...Object.entries(this.extracted).map(([name, value]) => `${name}=${value}`)];
    if (message !== undefined) lines.push(message);
    const output = capOutput(lines.join('\n'), this.limitBytes);
    const outcome = {
      exitCode,
      output,
      ...(Object.keys(this.extracted).length > 0 ? { variables: { ...this.extracted } } : {}),
    };
    return message === undefined || exitCode === restExitCodes.normal ? { outcome } : { outcome, message };
  }
}
