/**
 * The GitOps controller end to end (R-GIT-1..6): real git repositories (a bare "remote" and a
 * work tree that pushes to it), the real dev server, a real worker, the reconcile loop polling
 * the remote, and the HTTP API taking signed push webhooks. What the tests look at is what
 * Temporal holds: the jobnet actors (their views and search attributes) and the runs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import { getJobnetView, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import { observeActors } from '../../controller/reconcile/observe.js';
import { Reconciler } from '../../controller/reconcile/reconciler.js';
import { GitSource } from '../../controller/source/git-source.js';
import { githubSignature } from '../../controller/source/webhook-signature.js';
import type { ControllerStatus } from '../../controller/reconcile/controller-status.js';
import { jobnetActorWorkflowId } from '../../workflows/lib/wire-contract.js';
import { createGitopsRepository, jobnetYaml, type GitopsRepository } from './gitops-repository.js';
import { startRunHarness, type RunHarness } from './run-harness.js';

const secret = 'test-webhook-secret';
const pollIntervalMs = 2_000;

let harness: RunHarness;
let repository: GitopsRepository;
let root: string;
let remote: string;
let firstRevision: string;
let reconciler: Reconciler;
let api: RunningApiServer;
let project: string;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, elapsedMs: Date.now() - started };
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `${what}: not reached in ${timeoutMs} ms (${lastError instanceof Error ? lastError.message : 'no error'}); status ${JSON.stringify(reconciler.getStatus().conditions)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the controller has applied `revision`. */
async function applied(revision: string, timeoutMs: number): Promise<{ status: ControllerStatus; elapsedMs: number }> {
  const { value, elapsedMs } = await until(
    `revision ${revision} applied`,
    () => {
      const status = reconciler.getStatus();
      return status.appliedRevision === revision ? status : undefined;
    },
    timeoutMs,
  );
  return { status: value, elapsedMs };
}

async function operationsOf(name: string): Promise<number> {
  return (await getJobnetView(harness.client, harness.target.taskQueue, project, name)).state.operations.length;
}

beforeAll(async () => {
  harness = await startRunHarness();
  const created = await createGitopsRepository('gitops', {
    'jobnets/alpha.yaml': jobnetYaml('alpha', '22:00'),
    'jobnets/beta.yaml': jobnetYaml('beta', '23:00', '  calendar: plant\n'),
    'jobnets/gamma.yaml': jobnetYaml('gamma', '21:00'),
  });
  ({ repository, head: firstRevision } = created);
  ({ root, remote, project } = repository);
  const source = new GitSource({ url: remote, branch: 'main', cacheDir: path.join(root, 'cache'), pollIntervalMs });
  reconciler = new Reconciler({ client: harness.client, taskQueue: harness.target.taskQueue, source });
  api = await startApiServer({
    port: 0,
    status: () => reconciler.getStatus(),
    webhook: { secret, onPush: () => reconciler.request() },
  });
  reconciler.start();
}, 120_000);

afterAll(async () => {
  await reconciler?.stop();
  await api?.close();
  await harness?.stop();
  await repository?.remove();
});

describe('reconcile from a git remote', () => {
  it('applies the first revision: one actor per jobnet with its next start, and status Ready', async () => {
    const { status } = await applied(firstRevision, 30_000);
    expect(status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(status.lastPlan).toMatchObject({ create: 3, update: 0, retire: 0, delete: 0 });
    expect(status.jobnets.map((entry) => entry.jobnet)).toEqual(['alpha', 'beta', 'gamma']);
    const view = await getJobnetView(harness.client, harness.target.taskQueue, project, 'alpha');
    expect(view.revision).toBe(firstRevision);
    expect(view.nextStarts[0]?.time).toBe('22:00');
  }, 60_000);

  it('picks up a push by polling, touching only the changed jobnet', async () => {
    const before = { alpha: await operationsOf('alpha'), gamma: await operationsOf('gamma') };
    const revision = await repository.push('beta at 23:30', {
      'jobnets/beta.yaml': jobnetYaml('beta', '23:30', '  calendar: plant\n'),
    });
    const { status } = await applied(revision, pollIntervalMs + 10_000);
    expect(status.lastPlan).toMatchObject({ create: 0, update: 1, noop: 2 });
    const beta = await until(
      'beta on the new revision',
      async () => {
        const view = await getJobnetView(harness.client, harness.target.taskQueue, project, 'beta');
        return view.revision === revision ? view : undefined;
      },
      10_000,
    );
    expect(beta.value.nextStarts[0]?.time).toBe('23:30');
    expect(await operationsOf('alpha')).toBe(before.alpha);
    expect(await operationsOf('gamma')).toBe(before.gamma);
  }, 60_000);

  it('applies a push on its signed webhook while polling only every 10 minutes, and refuses a bad signature', async () => {
    // From here on the controller polls every 10 minutes: only the webhook (or a test's request) makes it fetch.
    await reconciler.stop();
    reconciler = new Reconciler({
      client: harness.client,
      taskQueue: harness.target.taskQueue,
      source: new GitSource({
        url: remote,
        branch: 'main',
        cacheDir: path.join(root, 'cache'),
        pollIntervalMs: 600_000,
      }),
    });
    reconciler.start();
    await reconciler.settled();
    const revision = await repository.push('add delta', { 'jobnets/delta.yaml': jobnetYaml('delta', '20:00') });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reconciler.getStatus().appliedRevision).not.toBe(revision);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: revision, repository: { clone_url: remote } });
    const refused = await fetch(`${api.url}/api/v1/hooks/git`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
      },
      body,
    });
    expect(refused.status).toBe(401);
    const accepted = await fetch(`${api.url}/api/v1/hooks/git`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': githubSignature(body, secret),
      },
      body,
    });
    expect(accepted.status).toBe(202);
    // Running: the actor answers with the new revision and its next start computed.
    const delta = await until(
      'delta running',
      async () => {
        const view = await getJobnetView(harness.client, harness.target.taskQueue, project, 'delta');
        return view.revision === revision && view.nextStarts.length > 0 ? view : undefined;
      },
      10_000,
    );
    expect(delta.value.nextStarts[0]?.time).toBe('20:00');
    await applied(revision, 10_000);
  }, 60_000);

  it('lets a running run keep its revision while the next run uses the new one', async () => {
    const started = await operateJobnet(harness.client, harness.target.taskQueue, project, 'gamma', {
      operation: 'start',
      by: 'tester',
    });
    expect(started.ok).toBe(true);
    const oldRevision = (await getJobnetView(harness.client, harness.target.taskQueue, project, 'gamma')).revision;
    // What the controller observes: the actor's published status (visibility lags a moment).
    await until(
      'gamma seen running',
      async () =>
        (await observeActors(harness.client, harness.target.taskQueue)).find(
          (a) => a.project === project && a.name === 'gamma' && a.status === 'running',
        ),
      10_000,
    );
    const revision = await repository.push('gamma changed', {
      'jobnets/gamma.yaml': jobnetYaml('gamma', '21:15').replace('seconds: 1', 'seconds: 2'),
    });
    reconciler.request();
    const { status } = await applied(revision, 15_000);
    expect(status.warnings).toEqual([expect.objectContaining({ name: 'gamma', code: 'RUN-KEEPS-REVISION' })]);
    const runId = started.ok ? (started.answer.runId as string) : '';
    expect((await harness.view(runId)).revision).toBe(oldRevision);
    await harness.waitForEnd(runId);
    const next = await until(
      'a second run',
      async () => {
        const result = await operateJobnet(harness.client, harness.target.taskQueue, project, 'gamma', {
          operation: 'start',
          by: 'tester',
        });
        return result.ok ? result.answer.runId : undefined;
      },
      15_000,
    );
    expect((await harness.view(next.value)).revision).toBe(revision);
  }, 60_000);

  it('stalls on a bad commit with file:line:col diagnostics, changes nothing, and recovers on the revert', async () => {
    const good = reconciler.getStatus().appliedRevision as string;
    const digests = Object.fromEntries(
      (await observeActors(harness.client, harness.target.taskQueue))
        .filter((a) => a.project === project)
        .map((a) => [a.name, a.digest]),
    );
    const bad = await repository.push('broken alpha', { 'jobnets/alpha.yaml': jobnetYaml('alpha', '25:00') });
    reconciler.request();
    const stalled = await until(
      'stalled',
      () => {
        const status = reconciler.getStatus();
        return status.attemptedRevision === bad ? status : undefined;
      },
      15_000,
    );
    expect(stalled.value.appliedRevision).toBe(good);
    expect(stalled.value.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Stalled',
    });
    const diagnostic = stalled.value.diagnostics.find((d) => d.file === 'jobnets/alpha.yaml');
    expect(diagnostic).toMatchObject({ severity: 'error', line: 5, revision: bad });
    expect(diagnostic?.column).toBeGreaterThan(0);
    const after = Object.fromEntries(
      (await observeActors(harness.client, harness.target.taskQueue))
        .filter((a) => a.project === project)
        .map((a) => [a.name, a.digest]),
    );
    expect(after).toEqual(digests);
    await repository.git('revert', '--no-edit', 'HEAD');
    await repository.git('push', '-q', 'origin', 'main');
    const reverted = await repository.git('rev-parse', 'HEAD');
    reconciler.request();
    const { status } = await applied(reverted, 15_000);
    expect(status.diagnostics).toEqual([]);
    expect(status.lastPlan).toMatchObject({ create: 0, update: 0 });
  }, 60_000);

  it('re-applies exactly the jobnets using a changed calendar, keeping their operational state (R-GIT-6)', async () => {
    expect(
      await operateJobnet(harness.client, harness.target.taskQueue, project, 'beta', {
        operation: 'hold',
        by: 'tester',
      }),
    ).toMatchObject({ ok: true });
    const revision = await repository.push('plant holiday', {
      'calendars/plant.yaml': `apiVersion: jobnet/v1\nkind: Calendar\nmetadata: {name: plant}\nspec:\n  timezone: Asia/Tokyo\n  weeklyHolidays: [sun]\n  holidays: ["2031-01-02"]\n`,
    });
    reconciler.request();
    const { status } = await applied(revision, 15_000);
    expect(status.lastPlan).toMatchObject({ create: 0, update: 1, noop: 3 });
    const beta = await until(
      'beta on the new revision',
      async () => {
        const view = await getJobnetView(harness.client, harness.target.taskQueue, project, 'beta');
        return view.revision === revision ? view : undefined;
      },
      10_000,
    );
    expect(beta.value.status).toBe('held');
    expect(
      await operateJobnet(harness.client, harness.target.taskQueue, project, 'beta', {
        operation: 'release',
        by: 'tester',
      }),
    ).toMatchObject({ ok: true });
  }, 60_000);

  it('schedules a jobnet again that was removed and then restored unchanged', async () => {
    const text = jobnetYaml('epsilon', '20:00');
    const added = await repository.push('add epsilon', { 'jobnets/epsilon.yaml': text });
    reconciler.request();
    await applied(added, 15_000);
    const removed = await repository.push('remove epsilon', { 'jobnets/epsilon.yaml': null });
    reconciler.request();
    await applied(removed, 15_000);
    await until(
      'epsilon retired',
      async () =>
        (await observeActors(harness.client, harness.target.taskQueue)).find(
          (a) => a.project === project && a.name === 'epsilon' && a.retired,
        ),
      10_000,
    );
    expect(
      (
        await operateJobnet(harness.client, harness.target.taskQueue, project, 'epsilon', {
          operation: 'start',
          by: 'tester',
        })
      ).ok,
    ).toBe(false);

    const restored = await repository.push('restore epsilon unchanged', { 'jobnets/epsilon.yaml': text });
    reconciler.request();
    const { status } = await applied(restored, 15_000);
    expect(status.lastPlan).toMatchObject({ update: 1 });
    // Sent but not yet seen: the status must not claim the retired actor is in sync.
    expect(status.jobnets.find((entry) => entry.jobnet === 'epsilon')?.sync).toBe('OutOfSync');
    await until(
      'epsilon scheduling again',
      async () =>
        (await observeActors(harness.client, harness.target.taskQueue)).find(
          (a) => a.project === project && a.name === 'epsilon' && !a.retired && a.digest !== undefined,
        ),
      10_000,
    );
    const view = await getJobnetView(harness.client, harness.target.taskQueue, project, 'epsilon');
    expect(view.nextStarts.length).toBeGreaterThan(0);
    expect(view.state.retired).toBeUndefined();
    const start = await operateJobnet(harness.client, harness.target.taskQueue, project, 'epsilon', {
      operation: 'start',
      by: 'tester',
    });
    expect(start.ok).toBe(true);
    // The next reconcile of the same revision has nothing left to do and says Synced.
    const again = await reconciler.reconcile();
    expect(again.plan?.actions.find((action) => action.name === 'epsilon')?.kind).toBe('noop');
    expect(reconciler.getStatus().jobnets.find((entry) => entry.jobnet === 'epsilon')?.sync).toBe('Synced');
  }, 60_000);

  it('retires a removed jobnet, and deletes it only with prune', async () => {
    const revision = await repository.push('remove delta', { 'jobnets/delta.yaml': null });
    reconciler.request();
    const { status } = await applied(revision, 15_000);
    expect(status.lastPlan).toMatchObject({ retire: 1, delete: 0 });
    expect(status.jobnets.find((entry) => entry.jobnet === 'delta')).toMatchObject({ sync: 'Retired' });
    const retired = await until(
      'delta retired',
      async () =>
        (await observeActors(harness.client, harness.target.taskQueue)).find(
          (a) => a.project === project && a.name === 'delta' && a.retired,
        ),
      10_000,
    );
    expect(retired.value.retired).toBe(true);
    const refused = await operateJobnet(harness.client, harness.target.taskQueue, project, 'delta', {
      operation: 'start',
      by: 'tester',
    });
    expect(refused.ok).toBe(false);

    const pruning = new Reconciler({
      client: harness.client,
      taskQueue: harness.target.taskQueue,
      source: new GitSource({ url: remote, branch: 'main', cacheDir: path.join(root, 'cache-prune') }),
      prune: true,
    });
    const outcome = await pruning.reconcile();
    expect(outcome.plan?.counts).toMatchObject({ delete: 1 });
    const handle = harness.client.workflow.getHandle(jobnetActorWorkflowId(harness.target.taskQueue, project, 'delta'));
    await until(
      'delta actor ended',
      async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined),
      10_000,
    );
  }, 60_000);

  it('re-applies nothing after a controller restart when nothing changed', async () => {
    const operations = {
      alpha: await operationsOf('alpha'),
      beta: await operationsOf('beta'),
      gamma: await operationsOf('gamma'),
    };
    await reconciler.stop();
    // Visibility shows each actor's published digest a moment after its workflow task.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    reconciler = new Reconciler({
      client: harness.client,
      taskQueue: harness.target.taskQueue,
      source: new GitSource({ url: remote, branch: 'main', cacheDir: path.join(root, 'cache') }),
    });
    const outcome = await reconciler.reconcile();
    expect(outcome.plan?.counts).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(outcome.result).toBe('unchanged');
    expect({
      alpha: await operationsOf('alpha'),
      beta: await operationsOf('beta'),
      gamma: await operationsOf('gamma'),
    }).toEqual(operations);
  }, 60_000);
});
