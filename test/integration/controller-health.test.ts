/**
 * Health that tells the truth (R-GIT-4, R-OPS-6), on real components: the controller process
 * (`startControllerProcess`: a real git remote, its listener) and a real `jobnet api` process,
 * against a Temporal dev server of this test's own — so it can be stopped without touching the
 * shared one — with a real worker. When that server stops, `/api/v1/status` of `jobnet api`
 * answers 503 `TEMPORAL_UNAVAILABLE` within its deadline instead of hanging, `/readyz` is 503 on
 * both listeners, and the controller's Ready condition goes False with reason
 * `TemporalUnavailable`, logged once. On the shared server, a task queue no worker polls is named
 * as such in the status, the log (once) and `/api/v1/status`. A revision that makes a reconcile
 * stage throw is an `InternalError` naming the stage and the revision, and leaves no diagnostics
 * of an earlier revision behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiTokenDigest, newApiToken } from '../../controller/api/auth/api-tokens.js';
import { defaultStatusDeadlineMs } from '../../controller/api/published-status.js';
import type { ControllerStatus } from '../../controller/reconcile/controller-status.js';
import {
  jsonLogLine,
  startControllerProcess,
  type RunningController,
} from '../../controller/system/controller-process.js';
import { freePort, startDevServer, type DevServer } from '../../controller/temporal/dev-server.js';
import {
  connectClient,
  type TemporalClientHandle,
  type TemporalTarget,
} from '../../controller/temporal/temporal-target.js';
import { startWorker, type RunningWorker } from '../../controller/worker/start-worker.js';
import { createGitopsRepository, jobnetYaml, until, type GitopsRepository } from './gitops-repository.js';
import { sharedBundle } from './run-harness.js';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
/** The admin token of the `jobnet api` processes' tokens file (the controller's listener has none: it is open). */
const apiToken = newApiToken();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 120_000);

/** A controller on `target` reconciling `repository`, with its log lines kept. */
async function startController(
  handle: TemporalClientHandle,
  target: TemporalTarget,
  repository: GitopsRepository,
): Promise<{ controller: RunningController; log: string[] }> {
  const log: string[] = [];
  const controller = await startControllerProcess({
    client: handle.client,
    taskQueue: target.taskQueue,
    source: {
      repo: `file://${repository.remote}`,
      branch: 'main',
      cacheDir: path.join(repository.root, 'cache'),
      pollIntervalMs: 1_000,
    },
    listen: { host: '127.0.0.1', port: 0 },
    resyncIntervalMs: 1_000,
    log: (level, message, fields) => log.push(jsonLogLine(level, message, fields)),
  });
  cleanups.push(
    async () =>
      await Promise.race([controller.stop(), new Promise((resolve) => setTimeout(resolve, 30_000))]).then(
        () => undefined,
      ),
  );
  return { controller, log };
}

/** Starts `jobnet api` on `target` as its own process; resolves with its URL once it listens. */
async function startApiProcess(target: TemporalTarget): Promise<string> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'jobnet-api-tokens-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const tokensFile = path.join(dir, 'tokens.yaml');
  await writeFile(
    tokensFile,
    `accounts:\n  - subject: ops\n    admin: true\n    tokens: [{sha256: ${apiTokenDigest(apiToken)}}]\n`,
  );
  const child = spawn(
    process.execPath,
    [
      path.join(projectRoot, 'bin', 'jobnet.js'),
      'api',
      '--listen',
      `127.0.0.1:${port}`,
      '--address',
      target.address,
      '--namespace',
      target.namespace,
      '--task-queue',
      target.taskQueue,
      '--tokens-file',
      tokensFile,
    ],
    {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(
    'jobnet api listening',
    () =>
      output.includes('API listening') ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined,
    30_000,
    () => output,
  );
  return `http://127.0.0.1:${port}`;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown>; elapsedMs: number }> {
  const started = Date.now();
  const answer = await fetch(url, { headers: { authorization: `Bearer ${apiToken}` } });
  const body = (await answer.json()) as Record<string, unknown>;
  return { status: answer.status, body, elapsedMs: Date.now() - started };
}

function ready(status: ControllerStatus): ControllerStatus['conditions'][number] | undefined {
  return status.conditions.find((condition) => condition.type === 'Ready');
}

describe('with a Temporal server of its own, which the test stops', () => {
  let server: DevServer;
  let target: TemporalTarget;
  let handle: TemporalClientHandle;
  let worker: RunningWorker;
  let repository: GitopsRepository;
  let head: string;
  let controller: RunningController;
  let log: string[];
  let apiUrl: string;

  beforeAll(async () => {
    server = await startDevServer();
    cleanups.push(async () => await server.stop());
    target = { address: server.address, namespace: server.namespace, taskQueue: `health-${Date.now().toString(36)}` };
    handle = await connectClient(target);
    cleanups.push(async () => await handle.close());
    worker = await startWorker({ target, allowCommandJobs: false, workflowBundle: await sharedBundle() });
    ({ repository, head } = await createGitopsRepository('health', {
      'jobnets/alpha.yaml': jobnetYaml('alpha', '22:00'),
    }));
    cleanups.push(async () => await repository.remove());
    ({ controller, log } = await startController(handle, target, repository));
    apiUrl = await startApiProcess(target);
    await until(
      'the first revision applied and published',
      async () => {
        const answer = await getJson(`${apiUrl}/api/v1/status`);
        return answer.status === 200 && (answer.body as unknown as ControllerStatus).appliedRevision === head
          ? true
          : undefined;
      },
      60_000,
      () => JSON.stringify(controller.reconciler.getStatus().conditions),
    );
  }, 120_000);

  it('reports a stage that throws as InternalError with the stage and revision, clearing the diagnostics of the revision before', async () => {
    const invalid = await repository.push('alpha at 25:00', { 'jobnets/alpha.yaml': jobnetYaml('alpha', '25:00') });
    const stalled = await until(
      'stalled',
      () => {
        const status = controller.reconciler.getStatus();
        return status.attemptedRevision === invalid && status.diagnostics.length > 0 ? status : undefined;
      },
      20_000,
    );
    expect(ready(stalled)).toMatchObject({ status: 'False', reason: 'Stalled' });

    // A recursive YAML alias makes the validator recurse until the stack overflows (a bug of the
    // validator; the controller must report it, not mistake it for an apply failure).
    const crashing = await repository.push('a recursive alias', {
      'jobnets/alpha.yaml': `${jobnetYaml('alpha', '22:00')}    call:\n      type: rest\n      request: {url: 'https://example.test/x', method: POST, body: &loop [*loop]}\n`,
    });
    const failed = await until(
      'internal error',
      () => {
        const status = controller.reconciler.getStatus();
        return status.attemptedRevision === crashing && ready(status)?.reason === 'InternalError' ? status : undefined;
      },
      20_000,
      () => JSON.stringify(controller.reconciler.getStatus()),
    );
    expect(ready(failed)?.status).toBe('False');
    expect(ready(failed)?.message).toMatch(
      new RegExp(`^internal error while validating revision ${crashing}: RangeError: Maximum call stack size exceeded`),
    );
    expect(failed.conditions.find((c) => c.type === 'Valid')).toMatchObject({
      status: 'Unknown',
      reason: 'InternalError',
    });
    expect(failed.diagnostics).toEqual([]);
    expect(failed.appliedRevision).toBe(head);

    const repaired = await repository.push('alpha repaired', { 'jobnets/alpha.yaml': jobnetYaml('alpha', '22:15') });
    const applied = await until(
      'the repair applied',
      () => {
        const status = controller.reconciler.getStatus();
        return status.appliedRevision === repaired ? status : undefined;
      },
      20_000,
    );
    expect(ready(applied)).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(log.filter((line) => line.includes('internal error while validating'))).toHaveLength(1);
  }, 60_000);

  it('answers 503 within its deadline, is not ready, and goes Ready=False once Temporal is down', async () => {
    const listener = controller.api?.url as string;
    expect((await getJson(`${apiUrl}/readyz`)).status).toBe(200);
    expect((await getJson(`${listener}/readyz`)).status).toBe(200);

    await worker.shutdown();
    await worker.done;
    await server.stop();

    const status = await getJson(`${apiUrl}/api/v1/status`);
    expect(status.status).toBe(503);
    expect(status.body).toEqual({
      code: 'TEMPORAL_UNAVAILABLE',
      message: expect.stringContaining(`Temporal at ${target.address} is unreachable`) as string,
    });
    expect(status.elapsedMs).toBeLessThan(defaultStatusDeadlineMs + 1_500);

    const apiReady = await getJson(`${apiUrl}/readyz`);
    expect(apiReady.status).toBe(503);
    expect(apiReady.body).toMatchObject({ code: 'NOT_READY', checks: { temporal: { ok: false } } });
    expect(apiReady.elapsedMs).toBeLessThan(2_000 + 1_500);

    const down = await until(
      'Ready=False',
      () => {
        const current = controller.reconciler.getStatus();
        return ready(current)?.reason === 'TemporalUnavailable' ? current : undefined;
      },
      30_000,
      () => JSON.stringify(controller.reconciler.getStatus().conditions),
    );
    expect(ready(down)).toMatchObject({
      status: 'False',
      message: expect.stringContaining('is unreachable') as string,
    });
    const fromListener = await getJson(`${listener}/api/v1/status`);
    expect(ready(fromListener.body as unknown as ControllerStatus)).toMatchObject({
      status: 'False',
      reason: 'TemporalUnavailable',
    });
    const controllerReady = await getJson(`${listener}/readyz`);
    expect(controllerReady.status).toBe(503);
    expect(controllerReady.body).toMatchObject({
      code: 'NOT_READY',
      checks: { temporal: { ok: false }, reconcile: { ok: false } },
    });

    // Retried with backoff (resyncs included), logged once.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(log.filter((line) => line.includes('is unreachable'))).toHaveLength(1);
  }, 60_000);
});

describe('on a task queue no worker polls', () => {
  it('says so in the condition, once in the log, and in /api/v1/status of jobnet api', async () => {
    const target: TemporalTarget = {
      address: inject('temporalAddress'),
      namespace: inject('temporalNamespace'),
      taskQueue: `no-worker-${Date.now().toString(36)}`,
    };
    const handle = await connectClient(target);
    cleanups.push(async () => await handle.close());
    const { repository } = await createGitopsRepository('noworker', {
      'jobnets/alpha.yaml': jobnetYaml('alpha', '22:00'),
    });
    cleanups.push(async () => await repository.remove());
    const { controller, log } = await startController(handle, target, repository);
    const apiUrl = await startApiProcess(target);

    const status = await until(
      'Ready=False NoWorker',
      () => {
        const current = controller.reconciler.getStatus();
        return ready(current)?.reason === 'NoWorker' ? current : undefined;
      },
      40_000,
      () => JSON.stringify(controller.reconciler.getStatus().conditions),
    );
    expect(ready(status)).toMatchObject({
      status: 'False',
      message: expect.stringContaining(`no worker polls task queue ${target.taskQueue}`) as string,
    });
    expect(status.lastError).toContain(`no worker polls task queue ${target.taskQueue}`);

    const answer = await getJson(`${apiUrl}/api/v1/status`);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      code: 'NO_WORKER',
      message: expect.stringContaining(`no worker polls task queue ${target.taskQueue}`) as string,
    });
    expect(answer.elapsedMs).toBeLessThan(defaultStatusDeadlineMs + 1_500);

    // The retries fail the same way and are not logged again; a worker ends the streak, and the
    // line that says so counts the attempts.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const worker = await startWorker({ target, allowCommandJobs: false, workflowBundle: await sharedBundle() });
    cleanups.push(async () => await worker.shutdown());
    const recovered = await until(
      'the streak ended',
      () => log.find((line) => line.includes('the reconcile no longer fails')),
      30_000,
      () => log.join(''),
    );
    expect(Number(/after (\d+) failed attempt/.exec(recovered)?.[1])).toBeGreaterThanOrEqual(2);
    expect(log.filter((line) => line.includes('no worker polls task queue'))).toHaveLength(1);
    expect(ready(controller.reconciler.getStatus())).toMatchObject({ status: 'True', reason: 'Reconciled' });
  }, 120_000);
});
