/**
 * The definition a jobnet actor holds, read from its history (controller/jobnets/applied-
 * definition.ts), on the real dev server with a real worker: the newest definition applied, even
 * when hundreds of events came after it, and after the actor continued as new; an unknown jobnet
 * is WorkflowNotFoundError, as for its query.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAppliedDefinition } from '../../controller/jobnets/applied-definition.js';
import { applyJobnet } from '../../controller/jobnets/jobnet-client.js';
import { jobnetOperationUpdate, jobnetViewQuery } from '../../workflows/jobnet-actor-contract.js';
import { jobnetActorWorkflowId, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { startRunHarness, type RunHarness } from './run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';

let harness: RunHarness;
const project = 'applieddef';

beforeAll(async () => {
  harness = await startRunHarness();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('getAppliedDefinition', () => {
  it('gives the newest definition applied, also when many events came after it', async () => {
    const first = {
      ...scheduledJobnet(project, 'busy', [sleepJob('a', 1)], { start: { at: ['03:00'] } }),
      revision: 'r1',
    };
    await applyJobnet(harness.client, harness.target.taskQueue, first, 'tester');
    await waitForJobnet(harness.client, harness.target.taskQueue, project, 'busy', (view) => view.revision === 'r1');
    expect(await getAppliedDefinition(harness.client, harness.target.taskQueue, project, 'busy')).toEqual(first);

    const second = {
      ...scheduledJobnet(project, 'busy', [sleepJob('a', 1)], { start: { at: ['04:00'] }, requireConfirmation: true }),
      revision: 'r2',
    };
    await applyJobnet(harness.client, harness.target.taskQueue, second, 'tester');
    await waitForJobnet(harness.client, harness.target.taskQueue, project, 'busy', (view) => view.revision === 'r2');
    const handle = harness.client.workflow.getHandle(jobnetActorWorkflowId(harness.target.taskQueue, project, 'busy'));
    for (let i = 0; i < 60; i++) {
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'hold', by: 'tester' }] });
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'release', by: 'tester' }] });
    }
    const described = await handle.describe();
    expect(described.historyLength).toBeGreaterThan(400);
    const read = await getAppliedDefinition(harness.client, harness.target.taskQueue, project, 'busy');
    expect(read.revision).toBe('r2');
    expect(read.schedule?.start.at).toEqual(['04:00']);
    expect(read.schedule?.requireConfirmation).toBe(true);
  }, 120_000);

  it('reads the definition a continued-as-new actor carries in its input', async () => {
    const jobnet = {
      ...scheduledJobnet(project, 'renewed', [sleepJob('a', 1)], { start: { at: ['05:00'] } }),
      revision: 'r7',
    };
    const workflowId = jobnetActorWorkflowId(harness.target.taskQueue, project, 'renewed');
    const handle = await harness.client.workflow.start(workflowTypes.jobnetActor, {
      workflowId,
      taskQueue: harness.target.taskQueue,
      args: [{ definition: jobnet, historyLimit: 30 }],
    });
    for (let i = 0; i < 8; i++) {
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'hold', by: 'tester' }] });
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'release', by: 'tester' }] });
    }
    const latest = await harness.client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    expect((await harness.client.workflow.getHandle(workflowId).query(jobnetViewQuery)).revision).toBe('r7');
    expect(await getAppliedDefinition(harness.client, harness.target.taskQueue, project, 'renewed')).toEqual(jobnet);
  }, 60_000);

  it('throws WorkflowNotFoundError for a jobnet without an actor', async () => {
    await expect(
      getAppliedDefinition(harness.client, harness.target.taskQueue, project, 'never-applied'),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
