/**
 * The message-event jobs: `raiseEvent` (R-JOBT-4, R-EVT-1) raises an event through the event
 * registry, `waitEvent` (R-JOBT-5) ends once an event of its name has been delivered to the run.
 *
 * Workflow code: deterministic, no I/O, no Node built-ins.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { JobnetActorActivities } from '../activities/activity.types.js';
import { schedulerExitCodes } from '../lib/exit-classification.js';
import type { RaiseEventSpec, WaitEventSpec } from '../lib/job-specs.js';
import { isWithinByteLimit, nameLimits } from '../lib/name-rules.js';
import type { RaisedEvent } from '../run-contract.js';
import { failed, type JobExecution, type JobRunContext } from './job-context.js';

const routingActivities = proxyActivities<JobnetActorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * R-JOBT-4, R-EVT-1: the event is raised through the event registry, which hands it to every
 * jobnet in scope waiting for it; the output lists what each did with it. A raise no jobnet takes
 * (refused by all, or none waits) still ends the job normally: the raise happened, and the
 * refusals are the targets' troubles. Runs recorded before routing existed only kept the event, as
 * runs started without the scheduler do (`eventRouting: 'record'`: no jobnet is started by them).
 * The limits apply to the substituted values (246 when exceeded).
 */
export async function runRaiseEventJob(context: JobRunContext, spec: RaiseEventSpec): Promise<JobExecution> {
  const checks = [
    isWithinByteLimit(spec.event, nameLimits.raisedEventNameBytes, 'the event name'),
    spec.param === undefined
      ? { ok: true as const }
      : isWithinByteLimit(spec.param, nameLimits.eventParameterBytes, 'the variable parameter'),
    spec.suffix === undefined
      ? { ok: true as const }
      : isWithinByteLimit(spec.suffix, nameLimits.copySuffixBytes, 'the copy suffix'),
  ];
  for (const check of checks) if (!check.ok) return failed(schedulerExitCodes.limitExceeded, check.message);
  const raised: RaisedEvent = { at: context.now(), job: context.job.name, event: spec.event };
  if (spec.project !== undefined) raised.project = spec.project;
  if (spec.jobnet !== undefined) raised.jobnet = spec.jobnet;
  if (spec.param !== undefined) raised.param = spec.param;
  if (spec.suffix !== undefined) raised.suffix = spec.suffix;
  context.recordRaisedEvent(raised);
  const project = spec.project ?? context.input.jobnet.project;
  const lines = [
    `event ${spec.event} raised for ${spec.jobnet !== undefined ? `${project}/${spec.jobnet}` : `project ${project}`}`,
  ];
  if (context.input.eventRouting === 'record') {
    lines.push(
      'recorded only: this run was started without the scheduler, so its events start no jobnet (jobnet start --dir --route-events routes them)',
    );
  } else if (patched('raise-event-routing')) {
    // Without `project` the event addresses the raising jobnet's own project (docs/architecture.md).
    const raise = {
      event: spec.event,
      by: `${context.runId} job ${context.job.name}`,
      project,
      ...(spec.jobnet !== undefined ? { jobnet: spec.jobnet } : {}),
      ...(spec.param !== undefined ? { parameter: spec.param } : {}),
      ...(spec.suffix !== undefined ? { suffix: spec.suffix } : {}),
    };
    const answer = await routingActivities.raiseEventFromJob(raise);
    if (answer === undefined) lines.push('no definitions are applied: no jobnet waits for events');
    else if (answer.results.length === 0) lines.push('no jobnet in scope waits for it');
    else
      for (const result of answer.results)
        lines.push(`${result.project}/${result.jobnet}: ${result.outcome}: ${result.detail}`);
  }
  return { outcome: { exitCode: 0, output: lines.join('\n') } };
}

/**
 * R-JOBT-5: the end of a `waitEvent` job once `context.takeEvent(spec.event)` has resolved. The
 * wait itself is awaited by the dispatcher (`execute-job.ts`), directly, so that the job ends at
 * the same point of the workflow's event loop as in the runs recorded before this module existed.
 */
export function waitEventJobEnd(spec: WaitEventSpec): JobExecution {
  return { outcome: { exitCode: 0, output: `CM_MSGEVENT=${spec.event}` } };
}
