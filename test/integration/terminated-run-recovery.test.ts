/**
 * A run terminated in Temporal itself (`temporal workflow terminate`, the Web UI), outside the
 * jobnet operations, on the real dev server with a real worker: it never releases its exclusive
 * resource and never reports its end. The resource lock must release it once it no longer runs,
 * so the waiting jobnet proceeds; the terminated run's actor must notice, record a trouble and
 * leave the jobnet in a state the operator can act on (`confirm`, then start again). An operator
 * can also list the locks and release a holder by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyJobnets, getJobnetView, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import { listResourceLocks, releaseResource } from '../../controller/resources/resource-client.js';
import { startRunHarness, type RunHarness } from './run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';

const project = `strand${Date.now().toString(36)}`;
let harness: RunHarness;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  harness = await startRunHarness();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('a run terminated outside the product', () => {
  it('releases its exclusive resource to the waiting jobnet, and its own jobnet records a trouble and can be confirmed and started again', async () => {
    const resource = `shared-db-${project}`;
    const holder = scheduledJobnet(project, 'holder', [sleepJob('use', 120, { exclusive: [resource] })]);
    const waiter = scheduledJobnet(project, 'waiter', [sleepJob('use', 1, { exclusive: [resource] })]);
    const { taskQueue } = harness.target;
    await applyJobnets(harness.client, { taskQueue, jobnets: [holder, waiter], revision: 'r1', by: 'tester' });
    await waitForJobnet(harness.client, taskQueue, project, 'holder', (view) => view.status === 'waiting');

    const started = await operateJobnet(harness.client, taskQueue, project, 'holder', {
      operation: 'start',
      by: 'tester',
    });
    if (!started.ok) throw new Error(started.reason);
    const holderRun = started.answer.runId as string;
    await until(
      'holder holds the resource',
      async () => ((await harness.view(holderRun)).state.jobs.use?.state === 'running' ? true : undefined),
      20_000,
    );
    expect(
      await operateJobnet(harness.client, taskQueue, project, 'waiter', { operation: 'start', by: 'tester' }),
    ).toMatchObject({ ok: true });
    const locks = await until(
      'waiter queued',
      async () => {
        const views = await listResourceLocks(harness.client, taskQueue);
        return views.find((view) => view.resource === resource && view.queue.length === 1);
      },
      10_000,
    );
    expect(locks.holder?.requester).toBe(holderRun);

    // Terminated the way an operator in the Temporal Web UI would: no release, no report.
    const terminatedAt = Date.now();
    await harness.client.workflow.getHandle(holderRun).terminate('terminated in the Web UI');

    const waiterEnded = await waitForJobnet(
      harness.client,
      taskQueue,
      project,
      'waiter',
      (view) => view.state.lastRun?.status === 'normal',
      30_000,
    );
    const waiterRunStarted = waiterEnded.state.lastRun?.startedAt ?? 0;
    expect(waiterRunStarted).toBeGreaterThan(0);
    const lockViews = await listResourceLocks(harness.client, taskQueue);
    expect(lockViews.find((view) => view.resource === resource)).toBeUndefined();

    const holderView = await waitForJobnet(
      harness.client,
      taskQueue,
      project,
      'holder',
      (view) => view.state.currentRun === undefined,
      10_000,
    );
    expect(Date.now() - terminatedAt).toBeLessThan(30_000);
    expect(holderView.status).toBe('forced');
    expect(holderView.state.lastRun).toMatchObject({ runId: holderRun, status: 'forced', completed: true });
    const troubles = holderView.state.troubles.filter(
      (trouble) => trouble.kind === 'jobnetAbended' && trouble.runId === holderRun,
    );
    expect(troubles).toHaveLength(1);
    expect(troubles[0]?.message).toMatch(/ended without reporting its end \(terminated: /);

    const refused = await operateJobnet(harness.client, taskQueue, project, 'holder', {
      operation: 'start',
      by: 'tester',
    });
    expect(refused.ok).toBe(false);
    expect(
      await operateJobnet(harness.client, taskQueue, project, 'holder', { operation: 'confirm', by: 'tester' }),
    ).toMatchObject({ ok: true });
    const again = await operateJobnet(harness.client, taskQueue, project, 'holder', {
      operation: 'start',
      by: 'tester',
    });
    expect(again.ok).toBe(true);
    if (again.ok) await harness.client.workflow.getHandle(again.answer.runId as string).terminate('test over');
  }, 120_000);

  it('lets an operator list the locks and release a holder by hand', async () => {
    const resource = `manual-${project}`;
    const first = scheduledJobnet(project, 'first', [sleepJob('use', 120, { exclusive: [resource] })]);
    const second = scheduledJobnet(project, 'second', [sleepJob('use', 1, { exclusive: [resource] })]);
    const { taskQueue } = harness.target;
    await applyJobnets(harness.client, { taskQueue, jobnets: [first, second], revision: 'r1', by: 'tester' });
    await waitForJobnet(harness.client, taskQueue, project, 'second', (view) => view.status === 'waiting');
    const started = await operateJobnet(harness.client, taskQueue, project, 'first', {
      operation: 'start',
      by: 'tester',
    });
    if (!started.ok) throw new Error(started.reason);
    const firstRun = started.answer.runId as string;
    await until(
      'first holds',
      async () =>
        (await listResourceLocks(harness.client, taskQueue)).find(
          (view) => view.resource === resource && view.holder?.requester === firstRun,
        ),
      20_000,
    );

    expect(await releaseResource(harness.client, taskQueue, 'nothing-held-here', { by: 'tester' })).toMatchObject({
      ok: false,
    });
    expect(
      await operateJobnet(harness.client, taskQueue, project, 'second', { operation: 'start', by: 'tester' }),
    ).toMatchObject({ ok: true });
    const released = await releaseResource(harness.client, taskQueue, resource, { by: 'night-operator' });
    expect(released).toMatchObject({ ok: true });
    const ended = await waitForJobnet(
      harness.client,
      taskQueue,
      project,
      'second',
      (view) => view.state.lastRun?.status === 'normal',
      20_000,
    );
    expect(ended.state.lastRun?.status).toBe('normal');
    // The first run still runs: releasing by hand does not stop it.
    const firstView = await getJobnetView(harness.client, taskQueue, project, 'first');
    expect(firstView.state.currentRun?.runId, JSON.stringify(firstView.state)).toBe(firstRun);
    await harness.client.workflow.getHandle(firstRun).terminate('test over');
  }, 120_000);
});
