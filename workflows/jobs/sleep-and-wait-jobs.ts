/**
 * The timer jobs: `sleep` (R-JOBT-2) waits a number of seconds, `waitTime` (R-JOBT-3) waits until
 * a time of the run's business day. Both are durable timers.
 *
 * Workflow code: deterministic, no I/O, no Node built-ins. Cancellation (a force-termination or a
 * time limit) cancels the timer and propagates.
 */
import { sleep } from '@temporalio/workflow';
import { systemCalendar } from '../lib/business-calendar.js';
import type { SleepSpec, WaitTimeSpec } from '../lib/job-specs.js';
import { planWaitTime } from '../lib/wait-time.js';
import { withMessage, type JobExecution, type JobRunContext } from './job-context.js';

/** R-JOBT-2. */
export async function runSleepJob(spec: SleepSpec): Promise<JobExecution> {
  if (spec.seconds > 0) await sleep(spec.seconds * 1000);
  return { outcome: { exitCode: 0, output: `SL_SLEEPSEC=${spec.seconds}` } };
}

/** R-JOBT-3: times on the run's scheduled business date, so a restart on a later day does not wait. */
export async function runWaitTimeJob(context: JobRunContext, spec: WaitTimeSpec): Promise<JobExecution> {
  const calendar = context.input.jobnet.calendar ?? systemCalendar('UTC');
  const plan = planWaitTime(spec, calendar, context.input.businessDate, context.now());
  if (plan.kind === 'end') return withMessage({ exitCode: plan.exitCode, output: plan.output }, plan.message);
  const remaining = plan.untilMillis - context.now();
  if (remaining > 0) await sleep(remaining);
  return { outcome: { exitCode: 0, output: plan.output } };
}
