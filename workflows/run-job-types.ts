/**
 * What each built-in job type does once the run has decided to start it (SPEC 4.5): `sleep` and
 * `waitTime` are durable timers, `checkVariable` is evaluated in the workflow, `waitEvent` waits
 * for an event delivered to the run, `raiseEvent` records the event for routing, `jobnet` runs a
 * child run, `command` runs a program in an activity, and `rest` calls a REST API (`rest-job.ts`)
 * (DESIGN.md §3 "Jobs inside a run").
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. Cancellation (an operator's
 * force-termination or a time limit) arrives as the cancellation of the scope the executor runs
 * in; executors let it propagate, and the run turns it into a forced end (R-EXIT-2). Variables
 * are substituted here, once, when the job starts (R-VAR-4); a bad result ends the job with
 * 245/246 without running it.
 */
import { ActivityFailure, ApplicationFailure, executeChild, patched, proxyActivities, sleep, TimeoutFailure } from '@temporalio/workflow';
import type { JobnetActivities, JobnetActorActivities } from './activities/activity.types.js';
import { systemCalendar } from './lib/business-calendar.js';
import { evaluateCheckVariable } from './lib/check-variable.js';
import type { CompiledJob } from './lib/compiled-jobnet.js';
import { schedulerExitCodes } from './lib/exit-classification.js';
import type { ChildJobnetSpec, CheckVariableSpec, CommandSpec, RaiseEventSpec, SleepSpec, WaitEventSpec, WaitTimeSpec } from './lib/job-specs.js';
import { isWithinByteLimit, nameLimits } from './lib/name-rules.js';
import type { JobOutcome, RunState } from './lib/run-state.js';
import { substituteInValue } from './lib/variable-references.js';
import { planWaitTime } from './lib/wait-time.js';
import { runRestJob } from './rest-job.js';
import { childRunWorkflowId, workflowTypes } from './lib/wire-contract.js';
import type { RaisedEvent, RunInput, RunResult } from './run-contract.js';
import type { runWorkflow } from './run-workflow.js';

/** Deepest nesting of child jobnets (R-JN-2): a top-level run is level 1. */
export const maxJobnetLevel = 5;

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

const commandActivities = proxyActivities<JobnetActivities>({
  // A program is run at most once: a worker that dies while it runs ends the job with 239 rather
  // than starting the program again behind the operator's back.
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * Runs `context.job` to its end. Cancellation of the calling scope propagates (as a
 * `CancelledFailure`) once the job has really stopped.
 */
export async function executeJob(context: JobRunContext): Promise<JobExecution> {
  // A REST job substitutes inside its activities, where credential keys are resolved: they take
  // precedence over job-definition variables of the same name and must not enter history (R-CRED-2/4).
  if (context.job.type === 'rest') return await runRestJob(context, context.job.spec);
  const substituted = substituteInValue(
    context.job.spec,
    { definitionVariables: context.input.jobnet.variables ?? {}, jobnetVariables: context.jobnetVariables(), parameter: context.input.parameter ?? '' },
    { field: `jobs.${context.job.name}`, allowNewlines: context.job.type === 'command' },
  );
  if (!substituted.ok) return failed(substituted.exitCode, substituted.message);
  const spec = substituted.value;
  switch (context.job.type) {
    case 'sleep':
      return await runSleep(spec as SleepSpec);
    case 'waitTime':
      return await runWaitTime(context, spec as WaitTimeSpec);
    case 'checkVariable': {
      const evaluation = evaluateCheckVariable(spec as CheckVariableSpec, context.jobnetVariables());
      return withMessage({ exitCode: evaluation.exitCode, output: evaluation.output }, evaluation.message);
    }
    case 'waitEvent': {
      const { event } = spec as WaitEventSpec;
      await context.takeEvent(event);
      return { outcome: { exitCode: 0, output: `CM_MSGEVENT=${event}` } };
    }
    case 'raiseEvent':
      return await runRaiseEvent(context, spec as RaiseEventSpec);
    case 'jobnet':
      return await runChildJobnet(context, spec as ChildJobnetSpec);
    case 'command':
      return await runCommand(context, spec as CommandSpec);
  }
}

function failed(exitCode: number, message: string): JobExecution {
  return { outcome: { exitCode, output: message }, message };
}

function withMessage(outcome: JobOutcome, message: string | undefined): JobExecution {
  return message === undefined ? { outcome } : { outcome, message };
}

async function runSleep(spec: SleepSpec): Promise<JobExecution> {
  if (spec.seconds > 0) await sleep(spec.seconds * 1000);
  return { outcome: { exitCode: 0, output: `SL_SLEEPSEC=${spec.seconds}` } };
}

/** R-JOBT-3: times on the run's scheduled business date, so a restart on a later day does not wait. */
async function runWaitTime(context: JobRunContext, spec: WaitTimeSpec): Promise<JobExecution> {
  const calendar = context.input.jobnet.calendar ?? systemCalendar('UTC');
  const plan = planWaitTime(spec, calendar, context.input.businessDate, context.now());
  if (plan.kind === 'end') return withMessage({ exitCode: plan.exitCode, output: plan.output }, plan.message);
  const remaining = plan.untilMillis - context.now();
  if (remaining > 0) await sleep(remaining);
  return { outcome: { exitCode: 0, output: plan.output } };
}

/** R-JOBT-4: the limits apply to the substituted values (246 when exceeded). */
const routingActivities = proxyActivities<JobnetActorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * R-JOBT-4, R-EVT-1: the event is raised through the event registry, which hands it to every
 * jobnet in scope waiting for it; the output lists what each did with it. A raise no jobnet takes
 * (refused by all, or none waits) still ends the job normally: the raise happened, and the
 * refusals are the targets' troubles. Runs recorded before routing existed only kept the event.
 */
async function runRaiseEvent(context: JobRunContext, spec: RaiseEventSpec): Promise<JobExecution> {
  const checks = [
    isWithinByteLimit(spec.event, nameLimits.raisedEventNameBytes, 'the event name'),
    spec.param === undefined ? { ok: true as const } : isWithinByteLimit(spec.param, nameLimits.eventParameterBytes, 'the variable parameter'),
    spec.suffix === undefined ? { ok: true as const } : isWithinByteLimit(spec.suffix, nameLimits.copySuffixBytes, 'the copy suffix'),
  ];
  for (const check of checks) if (!check.ok) return failed(schedulerExitCodes.limitExceeded, check.message);
  const raised: RaisedEvent = { at: context.now(), job: context.job.name, event: spec.event };
  if (spec.project !== undefined) raised.project = spec.project;
  if (spec.jobnet !== undefined) raised.jobnet = spec.jobnet;
  if (spec.param !== undefined) raised.param = spec.param;
  if (spec.suffix !== undefined) raised.suffix = spec.suffix;
  context.recordRaisedEvent(raised);
  const project = spec.project ?? context.input.jobnet.project;
  const lines = [`event ${spec.event} raised for ${spec.jobnet !== undefined ? `${project}/${spec.jobnet}` : `project ${project}`}`];
  if (patched('raise-event-routing')) {
    // Without `project` the event addresses the raising jobnet's own project (docs/architecture.md).
    const raise = { event: spec.event, by: `${context.runId} job ${context.job.name}`, project, ...(spec.jobnet !== undefined ? { jobnet: spec.jobnet } : {}), ...(spec.param !== undefined ? { parameter: spec.param } : {}), ...(spec.suffix !== undefined ? { suffix: spec.suffix } : {}) };
    const answer = await routingActivities.raiseEventFromJob(raise);
    if (answer === undefined) lines.push('no definitions are applied: no jobnet waits for events');
    else if (answer.results.length === 0) lines.push('no jobnet in scope waits for it');
    else for (const result of answer.results) lines.push(`${result.project}/${result.jobnet}: ${result.outcome}: ${result.detail}`);
  }
  return { outcome: { exitCode: 0, output: lines.join('\n') } };
}

/**
 * R-JN-2, R-JOBT-7: the child runs as a child workflow that inherits the variables and the variable
 * parameter and completes at its first final status. Its status becomes the job's end: normal →
 * 0; pseudo-normal → pseudo-normal with the highest code of its pseudo-normal jobs; abended or
 * forced → the highest code among its failed jobs.
 */
async function runChildJobnet(context: JobRunContext, spec: ChildJobnetSpec): Promise<JobExecution> {
  const child = context.input.children[spec.jobnet];
  if (child === undefined) {
    return failed(schedulerExitCodes.jobDefinitionNotFound, `child jobnet ${context.input.jobnet.project}/${spec.jobnet} is not in the compiled definitions`);
  }
  const level = context.input.level + 1;
  if (level > maxJobnetLevel) {
    return failed(schedulerExitCodes.jobStartFailed, `child jobnet ${spec.jobnet} would run at level ${level}; at most ${maxJobnetLevel} levels are allowed (R-JN-2)`);
  }
  const workflowId = childRunWorkflowId(context.runId, context.job.name, context.attempt);
  const childInput: RunInput = {
    jobnet: child,
    children: context.input.children,
    businessDate: context.input.businessDate,
    trigger: 'child',
    requestedBy: context.runId,
    level,
    inheritedVariables: context.jobnetVariables(),
    parent: { workflowId: context.runId, job: context.job.name },
  };
  if (context.input.parameter !== undefined) childInput.parameter = context.input.parameter;
  const previous = context.resume ? context.previousChildState() : undefined;
  if (previous !== undefined) childInput.resumeFrom = previous;
  context.recordChildRun(workflowId);
  const result = await executeChild<typeof runWorkflow>(workflowTypes.run, { workflowId, args: [childInput] });
  context.recordChildState(result.state);
  return { outcome: childOutcome(workflowId, result) };
}

function childOutcome(workflowId: string, result: RunResult): JobOutcome {
  const output = `child run ${workflowId} ended ${result.status}`;
  const records = Object.values(result.state.jobs);
  const highest = (states: string[]): number =>
    records.filter((record) => states.includes(record.state)).reduce((max, record) => Math.max(max, record.exitCode ?? 0), 0);
  switch (result.status) {
    case 'normal':
      return { exitCode: 0, output };
    case 'pseudoNormal':
      return { exitCode: highest(['pseudoNormal']), output, pseudoNormal: true };
    default:
      return { exitCode: Math.max(1, highest(['abended', 'forced'])), output };
  }
}

/** R-JOBT-8: the activity refuses when the worker does not allow command jobs (254). */
async function runCommand(context: JobRunContext, spec: CommandSpec): Promise<JobExecution> {
  const request = { argv: spec.argv, env: spec.env, runId: context.runId, job: context.job.name, attempt: context.attempt } as Parameters<JobnetActivities['runCommand']>[0];
  if (spec.cwd !== undefined) request.cwd = spec.cwd;
  if (spec.timeoutSeconds !== undefined) request.timeoutSeconds = spec.timeoutSeconds;
  try {
    const result = await commandActivities.runCommand(request);
    return withMessage({ exitCode: result.exitCode, output: result.output }, result.message);
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
      return failed(schedulerExitCodes.environmentStopped, 'the worker running the command stopped answering (heartbeat timeout); the program is not started again');
    }
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      return failed(schedulerExitCodes.jobStartFailed, error.cause.message);
    }
    throw error;
  }
}
