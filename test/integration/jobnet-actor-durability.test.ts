/**
 * Durability of the jobnet actor's time starts (R-SCH-1, R-SCH-3): real `jobnet worker`
 * processes are SIGKILLed, across a due time and during the wait before one. A start missed
 * during the outage runs late, once, when it is within the catch-up window, and is recorded as
 * skipped when it is not; a worker restarted during the wait neither loses nor duplicates the
 * start. The dev server and its timers are real; runs are counted in Temporal's visibility.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { applyJobnets } from '../../controller/jobnets/jobnet-client.js';
import { nextMinute, scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';
import { killWorkerProcess, startWorkerProcess, stopWorkerProcesses } from './worker-process.js';

const project = 'durable-actors';
const taskQueue = `actor-durability-${process.pid}-${Date.now().toString(36)}`;
let connection: Connection;
let client: Client;
const address = (): string => inject('temporalAddress');
const namespace = (): string => inject('temporalNamespace');

beforeAll(async () => {
  connection = await Connection.connect({ address: address() });
  client = new Client({ connection, namespace: namespace() });
});

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
});

async function sleepUntil(instant: number): Promise<void> {
  const wait = instant - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Run workflows of `jobnet` as Temporal's visibility lists them (closed ones included). */
async function runsOf(jobnet: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({
    query: `WorkflowType = 'runWorkflow' AND JobnetProject = '${project}' AND JobnetName = '${jobnet}'`,
  }))
    ids.push(execution.workflowId);
  return ids.sort();
}

async function runsEventually(jobnet: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ids = await runsOf(jobnet);
    if (ids.length >= count || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

it('runs a start missed during an outage once, late, within the catch-up window; skips it beyond; and a worker restarted during the wait starts on time, once', async () => {
  const first = nextMinute(45_000);
  const second = { at: first.at + 60_000, time: new Date(first.at + 60_000).toISOString().slice(11, 16) };
  const jobnets = [
    scheduledJobnet(project, 'late', [sleepJob('a', 1)], { start: { at: [first.time] } }),
    scheduledJobnet(project, 'strict', [sleepJob('a', 1)], { start: { at: [first.time] }, catchUpWindowSeconds: 0 }),
    scheduledJobnet(project, 'steady', [sleepJob('a', 1)], { start: { every: { minutes: 1, from: first.time } } }),
    scheduledJobnet(project, 'on-time', [sleepJob('a', 1)], { start: { at: [second.time] } }),
  ];

  let worker = await startWorkerProcess(address(), namespace(), taskQueue);
  await applyJobnets(client, { taskQueue, jobnets, revision: 'r1', by: 'tester' });
  for (const jobnet of jobnets)
    await waitForJobnet(client, taskQueue, project, jobnet.name, (view) => view.nextStarts.length > 0);

  // Outage across the first due time.
  await killWorkerProcess(worker);
  expect(Date.now()).toBeLessThan(first.at - 5_000);
  await sleepUntil(first.at + 12_000);
  worker = await startWorkerProcess(address(), namespace(), taskQueue);

  const late = await waitForJobnet(client, taskQueue, project, 'late', (view) => view.state.runCount === 1, 30_000);
  const lateStart = (late.state.currentRun ?? late.state.lastRun)?.startedAt ?? 0;
  expect(lateStart - first.at).toBeGreaterThanOrEqual(12_000);
  expect(late.state.troubles).toEqual([]);

  const strict = await waitForJobnet(
    client,
    taskQueue,
    project,
    'strict',
    (view) => view.state.troubles.length === 1,
    30_000,
  );
  expect(strict.state.runCount).toBe(0);
  expect(strict.state.troubles[0]).toMatchObject({ kind: 'executionSkipped' });
  expect(strict.state.troubles[0]?.message).toMatch(/more than the catch-up window of 0 s/);

  await waitForJobnet(client, taskQueue, project, 'steady', (view) => view.state.runCount === 1, 30_000);

  // A restart during the wait for the second due time.
  expect(Date.now()).toBeLessThan(second.at - 10_000);
  await killWorkerProcess(worker);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await startWorkerProcess(address(), namespace(), taskQueue);
  expect(Date.now()).toBeLessThan(second.at - 3_000);

  const onTime = await waitForJobnet(
    client,
    taskQueue,
    project,
    'on-time',
    (view) => view.state.runCount === 1,
    second.at - Date.now() + 20_000,
  );
  const onTimeStart = (onTime.state.currentRun ?? onTime.state.lastRun)?.startedAt ?? 0;
  expect(onTimeStart - second.at).toBeGreaterThanOrEqual(0);
  expect(onTimeStart - second.at).toBeLessThan(3_000);
  await waitForJobnet(client, taskQueue, project, 'steady', (view) => view.state.runCount === 2, 20_000);

  // Each start ran exactly once: one run workflow per start in visibility, nothing extra later.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await runsEventually('late', 1)).toHaveLength(1);
  expect(await runsEventually('on-time', 1)).toHaveLength(1);
  expect(await runsEventually('steady', 2)).toHaveLength(2);
  expect(await runsOf('strict')).toHaveLength(0);
  expect((await waitForJobnet(client, taskQueue, project, 'late', () => true)).state.runCount).toBe(1);
}, 240_000);
