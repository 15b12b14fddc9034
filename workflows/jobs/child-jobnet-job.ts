/**
 * The `jobnet` job (R-JN-2, R-JOBT-7): the child jobnet runs as a child run workflow, and the
 * child's final status becomes the job's end.
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. Cancellation of the job's scope cancels
 * the child run, which force-terminates it and completes once its jobs have stopped.
 */
import { executeChild } from '@temporalio/workflow';
import { schedulerExitCodes } from '../lib/exit-classification.js';
import type { ChildJobnetSpec } from '../lib/job-specs.js';
import type { JobOutcome } from '../lib/run-state.js';
import { childRunWorkflowId, workflowTypes } from '../lib/wire-contract.js';
import type { RunInput, RunResult, RunWorkflow } from '../run-contract.js';
import { failed, type JobExecution, type JobRunContext } from './job-context.js';

/** Deepest nesting of child jobnets (R-JN-2): a top-level run is level 1. */
export const maxJobnetLevel = 5;

/**
 * R-JN-2, R-JOBT-7: the child runs as a child workflow that inherits the variables and the variable
 * parameter and completes at its first final status. Its status becomes the job's end: normal →
 * 0; pseudo-normal → pseudo-normal with the highest code of its pseudo-normal jobs; abended or
 * forced → the highest code among its failed jobs.
 */
export async function runChildJobnetJob(context: JobRunContext, spec: ChildJobnetSpec): Promise<JobExecution> {
  const child = context.input.children[spec.jobnet];
  if (child === undefined) {
    return failed(
      schedulerExitCodes.jobDefinitionNotFound,
      `child jobnet ${context.input.jobnet.project}/${spec.jobnet} is not in the compiled definitions`,
    );
  }
  const level = context.input.level + 1;
  if (level > maxJobnetLevel) {
    return failed(
      schedulerExitCodes.jobStartFailed,
      `child jobnet ${spec.jobnet} would run at level ${level}; at most ${maxJobnetLevel} levels are allowed`,
    );
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
  if (context.input.eventRouting !== undefined) childInput.eventRouting = context.input.eventRouting;
  const previous = context.resume ? context.previousChildState() : undefined;
  if (previous !== undefined) childInput.resumeFrom = previous;
  context.recordChildRun(workflowId);
  const result = await executeChild<RunWorkflow>(workflowTypes.run, { workflowId, args: [childInput] });
  context.recordChildState(result.state);
  return { outcome: childOutcome(workflowId, result) };
}

function childOutcome(workflowId: string, result: RunResult): JobOutcome {
  const output = `child run ${workflowId} ended ${result.status}`;
  const records = Object.values(result.state.jobs);
  const highest = (states: string[]): number =>
    records
      .filter((record) => states.includes(record.state))
      .reduce((max, record) => Math.max(max, record.exitCode ?? 0), 0);
  switch (result.status) {
    case 'normal':
      return { exitCode: 0, output };
    case 'pseudoNormal':
      return { exitCode: highest(['pseudoNormal']), output, pseudoNormal: true };
    default:
      return { exitCode: Math.max(1, highest(['abended', 'forced'])), output };
  }
}
