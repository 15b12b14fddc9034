/**
 * What each built-in job type does once the run has decided to start it (docs/specification.md §4.5, docs/architecture.md#the-temporal-mapping
 * "Jobs inside a run"): this module picks the executor of the job's type, one module per type or
 * family beside it — `sleep` and `waitTime` are durable timers (`sleep-and-wait-jobs.ts`),
 * `checkVariable` is evaluated in the workflow (`check-variable-job.ts`), `waitEvent` waits for an
 * event delivered to the run and `raiseEvent` raises one through the event registry
 * (`event-jobs.ts`), `jobnet` runs a child run (`child-jobnet-job.ts`), `command` runs a program in
 * an activity (`command-job.ts`), and `rest` calls a REST API (`rest-job.ts`).
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. Cancellation (an operator's
 * force-termination or a time limit) arrives as the cancellation of the scope the executor runs
 * in; executors let it propagate, and the run turns it into a forced end (R-EXIT-2). Variables
 * are substituted here, once, when the job starts (R-VAR-4); a bad result ends the job with
 * 245/246 without running it.
 *
 * Each case awaits its executor once, or nothing when the job ends at once, and awaits nothing
 * else: a job ends at the same point of the workflow's event loop as in the runs already in
 * history, so jobs that end in one workflow task end in the same order on replay.
 */
import { substituteInValue, type SubstitutionFailure, type ValueSubstitution } from '../lib/variable-references.js';
import { runCheckVariableJob } from './check-variable-job.js';
import { runChildJobnetJob } from './child-jobnet-job.js';
import { runCommandJob } from './command-job.js';
import { runRaiseEventJob, waitEventJobEnd } from './event-jobs.js';
import { failed, type JobExecution, type JobRunContext } from './job-context.js';
import { runRestJob } from './rest-job.js';
import { runSleepJob, runWaitTimeJob } from './sleep-and-wait-jobs.js';

/**
 * Runs `context.job` to its end. Cancellation of the calling scope propagates (as a
 * `CancelledFailure`) once the job has really stopped.
 */
export async function executeJob(context: JobRunContext): Promise<JobExecution> {
  const { job } = context;
  switch (job.type) {
    case 'rest':
      // A REST job substitutes inside its activities, where credential keys are resolved: they take
      // precedence over job-definition variables of the same name and must not enter history (R-CRED-2/4).
      return await runRestJob(context, job.spec);
    case 'sleep': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return await runSleepJob(spec.value);
    }
    case 'waitTime': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return await runWaitTimeJob(context, spec.value);
    }
    case 'checkVariable': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return runCheckVariableJob(context, spec.value);
    }
    case 'waitEvent': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      await context.takeEvent(spec.value.event);
      return waitEventJobEnd(spec.value);
    }
    case 'raiseEvent': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return await runRaiseEventJob(context, spec.value);
    }
    case 'jobnet': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return await runChildJobnetJob(context, spec.value);
    }
    case 'command': {
      const spec = substituted(context, job.spec);
      if (!spec.ok) return refused(spec);
      return await runCommandJob(context, spec.value);
    }
  }
}

/** The job's spec with its variables substituted (R-VAR-4); a `command` may have newlines in its values. */
function substituted<S>(context: JobRunContext, spec: S): ValueSubstitution<S> {
  return substituteInValue(
    spec,
    {
      definitionVariables: context.input.jobnet.variables ?? {},
      jobnetVariables: context.jobnetVariables(),
      parameter: context.input.parameter ?? '',
    },
    { field: `jobs.${context.job.name}`, allowNewlines: context.job.type === 'command' },
  );
}

/** A substitution that failed ends the job without running it (245/246). */
function refused(failure: SubstitutionFailure): JobExecution {
  return failed(failure.exitCode, failure.message);
}
