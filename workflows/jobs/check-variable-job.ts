/**
 * The `checkVariable` job (R-JOBT-6): evaluated in the workflow against the run's jobnet
 * variables, with the same rules the validator applies before any run (`lib/check-variable.ts`).
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. It ends at once, without a command.
 */
import { evaluateCheckVariable } from '../lib/check-variable.js';
import type { CheckVariableSpec } from '../lib/job-specs.js';
import { withMessage, type JobExecution, type JobRunContext } from './job-context.js';

/** R-JOBT-6; synchronous, so the job ends in the workflow task it started in. */
export function runCheckVariableJob(context: JobRunContext, spec: CheckVariableSpec): JobExecution {
  const evaluation = evaluateCheckVariable(spec, context.jobnetVariables());
  return withMessage({ exitCode: evaluation.exitCode, output: evaluation.output }, evaluation.message);
}
