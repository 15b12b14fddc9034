/**
 * Records the workflow histories of a jobnet actor and its event registry into
 * test/fixtures/actor-histories/, for the replay test (CONVENTIONS.md §8: a change to the actor's
 * or the registry's logic must replay these, or go behind `patched()`):
 *
 *   npx tsx scripts/record-actor-histories.ts
 *
 * It starts its own in-memory dev server and worker, applies two jobnets — one started on
 * events with whileRunning and a start deadline, one manual with requireConfirmation and an end
 * deadline — and drives them through the actor's paths: event starts and a queued raise, a
 * refused and a capped raise, hold/release with a deferred start, a failed run refused until
 * confirm, a run report, a copy start, the troubles. Then it terminates the actors and writes
 * one JSON history per workflow. Existing files are overwritten.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyJobnets, getJobnetView, operateJobnet, raiseEvent } from '../controller/jobnets/jobnet-client.js';
import { startDevServer, temporalCliPath } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { startWorker } from '../controller/worker/start-worker.js';
import type { JobnetView } from '../workflows/jobnet-actor-contract.js';
import { eventRegistryWorkflowId, jobnetActorWorkflowId } from '../workflows/lib/wire-contract.js';
import { scheduledJobnet, sleepJob } from '../test/integration/scheduler-fixtures.js';

const outputDir = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'actor-histories');
const project = 'replay';

const server = await startDevServer();
const taskQueue = 'record-actor-histories';
const worker = await startWorker({ target: { address: server.address, namespace: server.namespace, taskQueue }, allowCommandJobs: false });
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;

async function until(name: string, predicate: (view: JobnetView) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!predicate(await getJobnetView(client, taskQueue, project, name))) {
    if (Date.now() > deadline) throw new Error(`jobnet ${name} did not reach the expected state`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectOk(result: { ok: boolean }, what: string): void {
  if (!result.ok) throw new Error(`${what}: ${JSON.stringify(result)}`);
}

try {
  const inTwoMinutes = new Date(Date.now() + 120_000).toISOString().slice(11, 16);
  const jobnets = [
    scheduledJobnet(project, 'on-events', [sleepJob('a', 1)], {
      start: { events: { names: ['READY'], mode: 'any', whileRunning: true, oncePerDay: false, startDaysOnly: false } },
      deadlines: { start: inTwoMinutes },
    }),
    scheduledJobnet(project, 'gated', [sleepJob('a', 3, { timeLimitSeconds: 1 })], { requireConfirmation: true, deadlines: { endAfterSeconds: 1 } }),
  ];
  await applyJobnets(client, { taskQueue, jobnets, revision: 'r1', by: 'recorder' });

  const raise = async (extra: { suffix?: string } = {}) => await raiseEvent(client, taskQueue, { event: 'READY', project, parameter: 'P-1', by: 'recorder', ...extra });
  expectOk(await raise(), 'first raise');
  expectOk(await raise(), 'queued raise');
  await until('on-events', (view) => view.state.runCount === 2 && view.state.currentRun === undefined);
  expectOk(await operateJobnet(client, taskQueue, project, 'on-events', { operation: 'hold', by: 'recorder' }), 'hold');
  expectOk(await raise(), 'deferred raise');
  expectOk(await operateJobnet(client, taskQueue, project, 'on-events', { operation: 'release', by: 'recorder' }), 'release');
  await until('on-events', (view) => view.state.runCount === 3 && view.state.currentRun === undefined);
  expectOk(await raise({ suffix: 'copy1' }), 'copy raise');

  expectOk(await operateJobnet(client, taskQueue, project, 'gated', { operation: 'start', by: 'recorder' }), 'gated start');
  await until('gated', (view) => view.status === 'abended');
  const refused = await operateJobnet(client, taskQueue, project, 'gated', { operation: 'start', by: 'recorder' });
  if (refused.ok) throw new Error('a start before confirm was accepted');
  expectOk(await operateJobnet(client, taskQueue, project, 'gated', { operation: 'confirm', by: 'recorder' }), 'confirm');
  expectOk(await operateJobnet(client, taskQueue, project, 'gated', { operation: 'disable', by: 'recorder' }), 'disable');
  expectOk(await operateJobnet(client, taskQueue, project, 'gated', { operation: 'enable', by: 'recorder' }), 'enable');
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const workflows = {
    'actor-on-events': jobnetActorWorkflowId(taskQueue, project, 'on-events'),
    'actor-gated': jobnetActorWorkflowId(taskQueue, project, 'gated'),
    'event-registry': eventRegistryWorkflowId(taskQueue),
  };
  for (const [name, workflowId] of Object.entries(workflows)) {
    await client.workflow.getHandle(workflowId).terminate('history recorded');
    // The CLI writes the JSON form of a history that the SDK's replayer reads (historyFromJSON).
    const json = execFileSync(temporalCliPath(), ['workflow', 'show', '--address', server.address, '--namespace', server.namespace, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' });
    writeFileSync(path.join(outputDir, `${name}.json`), json.endsWith('\n') ? json : `${json}\n`);
    const events = (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
    process.stdout.write(`recorded ${name} (${workflowId}, ${events} events)\n`);
  }
} finally {
  await temporal.close();
  await worker.shutdown();
  await server.stop();
}
