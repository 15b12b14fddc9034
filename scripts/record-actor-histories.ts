/**
 * Records the workflow histories of jobnet actors and the event registry into
 * test/fixtures/actor-histories/, for the replay test (CONTRIBUTING.md#8-workflow-code-is-deterministic: a change to the actor's
 * or the registry's logic must replay these, or go behind `patched()`):
 *
 *   npx tsx scripts/record-actor-histories.ts
 *
 * It starts its own in-memory dev server and worker, applies jobnets and drives them through the
 * actor's paths:
 * - `on-events` (events, whileRunning, a start deadline): event starts and a queued raise,
 *   hold/release with a deferred start, a copy start;
 * - `gated` (manual, requireConfirmation, an end deadline): a failed run refused until confirm,
 *   disable/enable, the troubles;
 * - `timed` (a start at the next minute, a calendar whose day changes then): an abended run the
 *   day change closes, then the time start of the new business date;
 * - `stranded`: a run terminated in Temporal, noticed from the child's end, then confirm;
 * - `restored`: retired, then applied again unchanged (it schedules again);
 * - `carried`: continued as new with a run open, which the new execution probes, then finds
 *   terminated;
 * and the event registry. Then it terminates the actors and writes one JSON history per workflow.
 * Existing recordings are kept: each run writes `<name>-<n>.json` with the next free `n` (the
 * first recordings are `<name>.json`), which the replay test must then list with the workflow id
 * it was recorded under.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  applyJobnet,
  applyJobnets,
  getJobnetView,
  operateJobnet,
  raiseEvent,
  retireJobnet,
} from '../controller/jobnets/jobnet-client.js';
import { startDevServer, temporalCliPath } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { startWorker } from '../controller/worker/start-worker.js';
import type { JobnetView } from '../workflows/jobnet-actor-contract.js';
import { jobnetOperationUpdate, type JobnetActorInput } from '../workflows/jobnet-actor-contract.js';
import { resolveCalendar } from '../workflows/lib/business-calendar.js';
import { eventRegistryWorkflowId, jobnetActorWorkflowId, workflowTypes } from '../workflows/lib/wire-contract.js';
import { nextMinute, scheduledJobnet, sleepJob } from '../test/integration/scheduler-fixtures.js';

const outputDir = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'actor-histories');
const project = 'replay';

const server = await startDevServer();
const taskQueue = 'record-actor-histories';
const worker = await startWorker({
  target: { address: server.address, namespace: server.namespace, taskQueue },
  allowCommandJobs: false,
});
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;

async function until(name: string, predicate: (view: JobnetView) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(await getJobnetView(client, taskQueue, project, name))) {
    if (Date.now() > deadline) throw new Error(`jobnet ${name} did not reach the expected state`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `<name>.json` when there is none yet, else `<name>-<n>.json` with the first free `n` from 2. */
function nextFreeName(name: string): string {
  if (!existsSync(path.join(outputDir, `${name}.json`))) return `${name}.json`;
  for (let n = 2; ; n++) if (!existsSync(path.join(outputDir, `${name}-${n}.json`))) return `${name}-${n}.json`;
}

function expectOk(result: { ok: boolean }, what: string): void {
  if (!result.ok) throw new Error(`${what}: ${JSON.stringify(result)}`);
}

try {
  const inTwoMinutes = new Date(Date.now() + 120_000).toISOString().slice(11, 16);
  const due = nextMinute(20_000);
  const changesAtDue = resolveCalendar('changes-at-due', [{ timezone: 'UTC', dayChangeTime: due.time }], 'UTC');
  const jobnets = [
    scheduledJobnet(project, 'on-events', [sleepJob('a', 1)], {
      start: { events: { names: ['READY'], mode: 'any', whileRunning: true, oncePerDay: false, startDaysOnly: false } },
      deadlines: { start: inTwoMinutes },
    }),
    scheduledJobnet(project, 'gated', [sleepJob('a', 3, { timeLimitSeconds: 1 })], {
      requireConfirmation: true,
      deadlines: { endAfterSeconds: 1 },
    }),
    {
      ...scheduledJobnet(project, 'timed', [sleepJob('a', 3, { timeLimitSeconds: 1 })], { start: { at: [due.time] } }),
      calendar: changesAtDue,
    },
    scheduledJobnet(project, 'stranded', [sleepJob('a', 120)]),
    scheduledJobnet(project, 'restored', [sleepJob('a', 1)], { start: { at: [inTwoMinutes] } }),
  ];
  await applyJobnets(client, { taskQueue, jobnets, revision: 'r1', by: 'recorder' });
  // An abended run left open until the day change at `due`, which closes it; then the new business date's start.
  expectOk(
    await operateJobnet(client, taskQueue, project, 'timed', { operation: 'start', by: 'recorder' }),
    'timed start',
  );
  await until('timed', (view) => view.status === 'abended');

  const raise = async (extra: { suffix?: string } = {}) =>
    await raiseEvent(client, taskQueue, { event: 'READY', project, parameter: 'P-1', by: 'recorder', ...extra });
  expectOk(await raise(), 'first raise');
  expectOk(await raise(), 'queued raise');
  await until('on-events', (view) => view.state.runCount === 2 && view.state.currentRun === undefined);
  expectOk(await operateJobnet(client, taskQueue, project, 'on-events', { operation: 'hold', by: 'recorder' }), 'hold');
  expectOk(await raise(), 'deferred raise');
  expectOk(
    await operateJobnet(client, taskQueue, project, 'on-events', { operation: 'release', by: 'recorder' }),
    'release',
  );
  await until('on-events', (view) => view.state.runCount === 3 && view.state.currentRun === undefined);
  expectOk(await raise({ suffix: 'copy1' }), 'copy raise');

  expectOk(
    await operateJobnet(client, taskQueue, project, 'gated', { operation: 'start', by: 'recorder' }),
    'gated start',
  );
  await until('gated', (view) => view.status === 'abended');
  const refused = await operateJobnet(client, taskQueue, project, 'gated', { operation: 'start', by: 'recorder' });
  if (refused.ok) throw new Error('a start before confirm was accepted');
  expectOk(
    await operateJobnet(client, taskQueue, project, 'gated', { operation: 'confirm', by: 'recorder' }),
    'confirm',
  );
  expectOk(
    await operateJobnet(client, taskQueue, project, 'gated', { operation: 'disable', by: 'recorder' }),
    'disable',
  );
  expectOk(await operateJobnet(client, taskQueue, project, 'gated', { operation: 'enable', by: 'recorder' }), 'enable');

  // A run terminated outside the jobnet operations, noticed from the child's end.
  const stranded = await operateJobnet(client, taskQueue, project, 'stranded', { operation: 'start', by: 'recorder' });
  if (!stranded.ok) throw new Error(stranded.reason);
  await client.workflow.getHandle(stranded.answer.runId ?? '').terminate('terminated while recording');
  await until('stranded', (view) => view.status === 'forced');
  expectOk(
    await operateJobnet(client, taskQueue, project, 'stranded', { operation: 'confirm', by: 'recorder' }),
    'confirm stranded',
  );

  // Removed from the definitions, then restored unchanged.
  await retireJobnet(client, taskQueue, project, 'restored', { revision: 'r2', by: 'recorder', remove: false });
  await until('restored', (view) => view.state.retired !== undefined);
  await applyJobnet(client, taskQueue, jobnets[4] as (typeof jobnets)[number], 'recorder');
  await until('restored', (view) => view.state.retired === undefined);

  // Continued as new with a run open: the next execution probes it, then finds it terminated.
  const carriedId = jobnetActorWorkflowId(taskQueue, project, 'carried');
  const carriedInput: JobnetActorInput = {
    definition: scheduledJobnet(project, 'carried', [sleepJob('a', 120)]),
    historyLimit: 40,
  };
  const carried = await client.workflow.start(workflowTypes.jobnetActor, {
    workflowId: carriedId,
    taskQueue,
    args: [carriedInput],
  });
  const carriedRun = await carried.executeUpdate(jobnetOperationUpdate, {
    args: [{ operation: 'start', by: 'recorder' }],
  });
  while ((await client.workflow.getHandle(carriedId).describe()).runId === carried.firstExecutionRunId) {
    await carried.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'hold', by: 'recorder' }] });
    await carried.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'release', by: 'recorder' }] });
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await client.workflow.getHandle(carriedRun.runId ?? '').terminate('terminated while recording');

  await until('timed', (view) => view.state.runCount === 2 && view.status === 'abended', due.at - Date.now() + 30_000);
  await until('carried', (view) => view.state.lastRun?.runId === carriedRun.runId && view.status === 'forced', 60_000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const workflows = {
    'actor-on-events': jobnetActorWorkflowId(taskQueue, project, 'on-events'),
    'actor-gated': jobnetActorWorkflowId(taskQueue, project, 'gated'),
    'actor-timed': jobnetActorWorkflowId(taskQueue, project, 'timed'),
    'actor-stranded': jobnetActorWorkflowId(taskQueue, project, 'stranded'),
    'actor-restored': jobnetActorWorkflowId(taskQueue, project, 'restored'),
    'actor-carried': carriedId,
    'event-registry': eventRegistryWorkflowId(taskQueue),
  };
  for (const [name, workflowId] of Object.entries(workflows)) {
    await client.workflow.getHandle(workflowId).terminate('history recorded');
    // The CLI writes the JSON form of a history that the SDK's replayer reads (historyFromJSON).
    const json = execFileSync(
      temporalCliPath(),
      [
        'workflow',
        'show',
        '--address',
        server.address,
        '--namespace',
        server.namespace,
        '--workflow-id',
        workflowId,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    const file = nextFreeName(name);
    writeFileSync(path.join(outputDir, file), json.endsWith('\n') ? json : `${json}\n`);
    const events = (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
    process.stdout.write(`recorded ${file} (${workflowId}, ${events} events)\n`);
  }
} finally {
  await temporal.close();
  await worker.shutdown();
  await server.stop();
}
