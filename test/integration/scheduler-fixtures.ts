/**
 * Building blocks for jobnet actor tests: compiled jobnets with a schedule, the next minute
 * boundary far enough ahead to schedule `at` starts on, and polling of a jobnet's view. Real
 * Temporal only: these helpers read the actor's query, they do not stand in for it.
 */
import type { Client } from '@temporalio/client';
import { getJobnetView } from '../../controller/jobnets/jobnet-client.js';
import type { JobnetView } from '../../workflows/jobnet-actor-contract.js';
import { systemCalendar } from '../../workflows/lib/business-calendar.js';
import type { CompiledJobFields, CompiledJobnet, CompiledJobSettings } from '../../workflows/lib/compiled-jobnet.js';
import { compiledScheduleOf, type CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import { jobnetOf } from './run-fixtures.js';

/** A compiled jobnet of `project` with a schedule (defaults: every day, manual, no deadlines, UTC). */
export function scheduledJobnet(
  project: string,
  name: string,
  jobs: CompiledJobFields[],
  schedule: Partial<CompiledSchedule> = {},
): CompiledJobnet {
  const full = compiledScheduleOf(schedule);
  return jobnetOf(name, jobs, {
    project,
    calendar: systemCalendar('UTC'),
    schedule: full,
    digest: `${name}-${JSON.stringify(full)}`,
  });
}

/** A sleep job. */
export function sleepJob(name: string, seconds: number, extra: Partial<CompiledJobSettings> = {}): CompiledJobFields {
  return { name, type: 'sleep', spec: { seconds }, ...extra };
}

/** The first whole UTC minute at least `leadMs` from now, as epoch ms and `HH:MM`. */
export function nextMinute(leadMs: number): { at: number; time: string } {
  const at = Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
  const date = new Date(at);
  const time = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return { at, time };
}

/** Polls the jobnet's view until `predicate` holds; fails with the last view after `timeoutMs`. */
export async function waitForJobnet(
  client: Client,
  taskQueue: string,
  project: string,
  name: string,
  predicate: (view: JobnetView) => boolean,
  timeoutMs = 30_000,
): Promise<JobnetView> {
  const deadline = Date.now() + timeoutMs;
  let last: JobnetView | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await getJobnetView(client, taskQueue, project, name);
      if (predicate(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `jobnet ${project}/${name} did not reach the expected state in ${timeoutMs} ms; last view: ${JSON.stringify(last?.state ?? lastError, null, 1).slice(0, 3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
