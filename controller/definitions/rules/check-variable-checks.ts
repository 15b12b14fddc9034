/**
 * `checkVariable` comparisons that could never be evaluated (R-JOBT-6, WOI 8.1.6): the same
 * check the job runs at its start (`checkVariableSpecProblem`), reported before any run, at the
 * job's `number` field.
 */
import { checkVariableSpecProblem } from '../../../workflows/lib/check-variable.js';
import type { CheckVariableSpec } from '../../../workflows/lib/job-specs.js';
import { validJobs, seg, validEntries, type Rule } from './rule-context.js';

export const checkVariableChecks: Rule = (context) => {
  for (const [, jobnet] of validEntries(context.index.jobnets)) {
    for (const [name, job] of validJobs(jobnet)) {
      if (job.type !== 'checkVariable' || job.number === undefined) continue;
      const { number } = job;
      let spec: CheckVariableSpec;
      if (number.from !== undefined && number.to !== undefined) {
        spec = { variable: job.variable, invert: false, number: { from: number.from, to: number.to } };
      } else if (number.op !== undefined && number.value !== undefined) {
        spec = { variable: job.variable, invert: false, number: { op: number.op, value: number.value } };
      } else {
        continue; // incomplete forms are schema errors
      }
      const problem = checkVariableSpecProblem(spec);
      if (problem !== undefined)
        context.report(
          'CHECK-VARIABLE-INVALID',
          `checkVariable ${job.variable}: ${problem}`,
          jobnet,
          `/spec/jobs${seg(name)}/number`,
        );
    }
  }
};
