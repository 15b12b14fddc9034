/**
 * Rolling out new workflow code with Worker Versioning (docs/operations.md#rolling-out-new-workflow-code):
 * build v1 of a worker deployment runs two jobnet actors and a long run; build v2 — a real
 * `jobnet worker --deployment-name … --build-id v2` process — becomes the current build while that
 * run is open. The open run finishes on v1 (PINNED: every workflow task of it, before and after
 * the switch, is completed by v1), a run started afterwards runs on v2 only, and the actor that
 * started it has moved to v2 (AUTO_UPGRADE). Real server (the shared test server: the dev server
 * or, with JOBNET_TEST_TEMPORAL=cluster, the cluster), real workers, no mocking.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { applyJobnets, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import { connectClient, type TemporalClientHandle } from '../../controller/temporal/temporal-target.js';
import { startWorker, type RunningWorker } from '../../controller/worker/start-worker.js';
import { jobnetActorWorkflowId } from '../../workflows/lib/wire-contract.js';
import { runViewQuery, type RunWorkflow } from '../../workflows/run-contract.js';
import { sharedBundle } from './run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';
import { startWorkerProcess, stopWorkerProcesses, workerOutput } from './worker-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await stopWorkerProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Makes `buildId` the current build of the deployment, once its workers have polled. */
async function setCurrentBuild(client: Client, namespace: string, deploymentName: string, buildId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName,
        buildId,
        identity: 'worker-versioning-test',
      });
      return;
    } catch (error) {
      // Until the build's first poll reaches the server, the version does not exist yet.
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The build id that completed each workflow task of `workflowId`, and when, in order. */
async function tasks(client: Client, workflowId: string): Promise<{ buildId: string; at: number }[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (!completed) return [];
    const buildId = completed.deploymentVersion?.buildId ?? completed.workerDeploymentVersion?.split('.').pop();
    return [{ buildId: buildId ?? 'none', at: Number(event.eventTime?.seconds ?? 0) * 1000 }];
  });
}

async function taskBuilds(client: Client, workflowId: string): Promise<string[]> {
  return (await tasks(client, workflowId)).map((task) => task.buildId);
}

async function versioningOf(client: Client, workflowId: string) {
  const description = await client.workflow.getHandle(workflowId).describe();
  const info = description.raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId };
}

describe('worker versioning', () => {
  it('a new build rolled out while a run is open: the run finishes on the old build, new runs start on the new one', async () => {
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    const stamp = `${process.pid}-${Date.now().toString(36)}`;
    const taskQueue = `rollout-${stamp}`;
    const deploymentName = `jobnet-rollout-${stamp}`;
    const target = { address, namespace, taskQueue };
    const handle: TemporalClientHandle = await connectClient(target);
    cleanups.push(() => handle.close());
    const { client } = handle;

    const v1: RunningWorker = await startWorker({
      target,
      allowCommandJobs: false,
      workflowBundle: await sharedBundle(),
      deployment: { deploymentName, buildId: 'v1' },
    });
    cleanups.push(() => v1.shutdown());
    await setCurrentBuild(client, namespace, deploymentName, 'v1');

    const project = 'rollout';
    await applyJobnets(client, {
      taskQueue,
      revision: 'r1',
      by: 'tester',
      jobnets: [
        scheduledJobnet(project, 'long', [
          sleepJob('first', 0),
          { ...sleepJob('nap', 6), predecessors: [{ job: 'first' }] },
        ]),
        scheduledJobnet(project, 'fresh', [sleepJob('a', 1)]),
      ],
    });
    // Build v2 as a real `jobnet worker` process, polling but not yet current: it gets no task.
    const v2 = await startWorkerProcess(address, namespace, taskQueue, {
      ...process.env,
      JOBNET_DEPLOYMENT_NAME: deploymentName,
      JOBNET_BUILD_ID: 'v2',
    });
    expect(workerOutput(v2)).toContain(`deployment ${deploymentName}, build v2`);
    const started = await operateJobnet(client, taskQueue, project, 'long', { operation: 'start', by: 'tester' });
    if (!started.ok) throw new Error(`start refused: ${JSON.stringify(started)}`);
    const oldRun = started.answer.runId!;
    const deadline = Date.now() + 30_000;
    while ((await client.workflow.getHandle(oldRun).query(runViewQuery)).state.jobs.nap?.state !== 'running') {
      if (Date.now() > deadline) throw new Error('the nap of the old run did not start');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // The rollout: v2 becomes the current build while the old run naps.
    await setCurrentBuild(client, namespace, deploymentName, 'v2');
    const rolledOut = Date.now();

    const next = await operateJobnet(client, taskQueue, project, 'fresh', { operation: 'start', by: 'tester' });
    if (!next.ok) throw new Error(`start refused: ${JSON.stringify(next)}`);
    const newRun = next.answer.runId!;

    const oldResult = await client.workflow.getHandle<RunWorkflow>(oldRun).result();
    const newResult = await client.workflow.getHandle<RunWorkflow>(newRun).result();
    expect(oldResult).toMatchObject({ status: 'normal' });
    expect(newResult).toMatchObject({ status: 'normal' });
    // The nap of the old run outlasted the switch: its last tasks came after it.
    expect((await tasks(client, oldRun)).filter((task) => task.at >= rolledOut - 999).length).toBeGreaterThan(0);

    // The old run: pinned to v1, every task done by v1 — including those after the switch.
    expect(await versioningOf(client, oldRun)).toEqual({ behavior: 1, buildId: 'v1' }); // PINNED
    const oldBuilds = await taskBuilds(client, oldRun);
    expect(oldBuilds.length).toBeGreaterThan(2);
    expect(new Set(oldBuilds)).toEqual(new Set(['v1']));
    // The new run: v2 from its first task on.
    expect(await versioningOf(client, newRun)).toEqual({ behavior: 1, buildId: 'v2' });
    expect(new Set(await taskBuilds(client, newRun))).toEqual(new Set(['v2']));
    // The actor that started it moved to v2 at its next task (AUTO_UPGRADE), keeping its state.
    const actor = jobnetActorWorkflowId(taskQueue, project, 'fresh');
    expect(await versioningOf(client, actor)).toEqual({ behavior: 2, buildId: 'v2' }); // AUTO_UPGRADE
    const actorBuilds = await taskBuilds(client, actor);
    expect(actorBuilds[0]).toBe('v1');
    expect(actorBuilds.at(-1)).toBe('v2');
    const view = await waitForJobnet(client, taskQueue, project, 'fresh', (v) => v.state.lastRun?.runId === newRun);
    expect(view.state.lastRun?.status).toBe('normal');
  }, 120_000);
});
