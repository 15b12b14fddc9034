/**
 * Retry and bulk cancel (R-OPS-4) on the real dev server: a retry re-runs only the jobs that did
 * not succeed and uses the carried variable, both runs show the link, refusals change nothing; a
 * retry of an actor's run becomes the actor's open run and closes the original; cancel by job
 * state and by pattern ends exactly the matching jobs. Then the API routes over real HTTP.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import { ApiError } from '../../controller/api/api-errors.js';
import type { Caller, OperatorAuth, ProjectRole } from '../../controller/api/operator-api.js';
import { applyJobnet, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import { startRun } from '../../controller/runs/run-client.js';
import { cancelRunJobs, listRetries, retryRun } from '../../controller/runs/run-retry-client.js';
import type { CompiledJobFields, CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { sh } from './run-fixtures.js';
import { after, jobnetOf, startRunHarness, type RunHarness } from './run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';

let harness: RunHarness;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

let sequence = 0;
function flagFile(): string {
  sequence += 1;
  return `/tmp/jobnet-retry-${process.pid}-${Date.now()}-${sequence}`;
}

/** first (captures F.RUN) → middle (fails until the flag exists, then takes `seconds`) → last (prints F.RUN). */
function threeJobFields(flag: string, seconds = 0): CompiledJobFields[] {
  return [
    { name: 'first', type: 'command', capturePrefix: 'F', spec: sh('echo RUN=$$') },
    { name: 'middle', type: 'command', predecessors: after('first'), spec: sh(`test -f ${flag} && sleep ${seconds}`) },
    { name: 'last', type: 'command', predecessors: after('middle'), spec: sh('echo "carried @F.RUN@"') },
  ];
}

function threeJobs(name: string, flag: string, seconds = 0): CompiledJobnet {
  return jobnetOf(name, threeJobFields(flag, seconds));
}

async function startManual(jobnet: CompiledJobnet): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 2)); // distinct manual-<instant> ids
  return await startRun(harness.client, {
    taskQueue: harness.target.taskQueue,
    jobnet,
    requestedBy: 'test',
    trigger: 'manual',
  });
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('retry of a run without an actor', () => {
  it('re-runs the abended and the not-started job with the carried variable; links both ways; refusals change nothing', async () => {
    const flag = flagFile();
    const original = await startManual(threeJobs('retry-chain', flag, 3));
    const ended = await harness.waitForEnd(original);
    expect(ended.status).toBe('abended');
    expect(ended.state.jobs.last?.state).toBe('waiting');
    const captured = ended.state.variables['F.RUN'];
    expect(captured).toMatch(/^\d+$/);
    const firstEnded = ended.state.jobs.first?.endedAt;

    writeFileSync(flag, '');
    const retried = await retryRun(harness.client, original, 'alice');
    if (!retried.ok) throw new Error(retried.reason);
    expect(retried).toMatchObject({
      retryOf: original,
      revision: 'r1',
      plan: { rerun: ['last', 'middle'], carried: ['first'] },
    });

    // While the retry runs (middle sleeps 3 s), a second retry of the original is refused.
    await harness.waitFor(retried.runId, (view) => view.state.jobs.middle?.state === 'running');
    await eventually(
      () => listRetries(harness.client, original),
      (list) => list.length === 1,
    );
    const second = await retryRun(harness.client, original, 'alice');
    expect(second).toEqual({
      ok: false,
      reason: `cannot retry: its retry ${retried.runId} is still open (running); operate or retry that run instead`,
    });

    const retry = await harness.waitForEnd(retried.runId);
    expect(retry.status).toBe('normal');
    expect(retry.retryOf).toBe(original);
    expect(retry.trigger).toBe('retry');
    expect(retry.requestedBy).toBe('alice');
    // first did not run again: its one attempt and end are the original's; the retry used its capture.
    expect(retry.state.jobs.first).toMatchObject({ state: 'normal', attempts: 1, endedAt: firstEnded });
    expect(retry.state.jobs.middle?.state).toBe('normal');
    expect(retry.state.jobs.last?.output).toContain(`carried ${captured}`);

    // The original was closed by the retry, and lists it.
    const originalNow = await harness.view(original);
    expect(originalNow.closed?.by).toContain(`retried by ${retried.runId}`);
    const retries = await eventually(
      () => listRetries(harness.client, original),
      (list) => list[0]?.status === 'normal' && !list[0].open,
    );
    expect(retries).toEqual([{ runId: retried.runId, status: 'normal', open: false }]);

    // A retry of a run that ended normally is refused.
    expect(await retryRun(harness.client, retried.runId, 'alice')).toEqual({
      ok: false,
      reason: 'cannot retry: the run ended normal; there is nothing to retry',
    });
    expect(await listRetries(harness.client, retried.runId)).toEqual([]);
  }, 90_000);

  it('is refused while a job of the original still runs, and nothing changes', async () => {
    const id = await startManual(
      jobnetOf('retry-busy', [
        { name: 'long', type: 'sleep', spec: { seconds: 60 } },
        { name: 'bad', type: 'command', spec: sh('exit 3') },
      ]),
    );
    await harness.waitFor(
      id,
      (view) => view.state.jobs.long?.state === 'running' && view.state.jobs.bad?.state === 'abended',
    );
    const before = await harness.view(id);
    expect(await retryRun(harness.client, id, 'alice')).toEqual({
      ok: false,
      reason: 'cannot retry: 1 job still running (long)',
    });
    const afterRefusal = await harness.view(id);
    expect(afterRefusal.state.operations).toEqual(before.state.operations);
    expect(await listRetries(harness.client, id)).toEqual([]);
    await cancelRunJobs(harness.client, id, {}, 'test');
    await harness.waitForEnd(id);
  }, 60_000);
});

describe('retry of an actor’s run', () => {
  it('goes through the actor: the retry is its open run, the original is closed', async () => {
    const flag = flagFile();
    const project = `retry-${sequence}`;
    const definition = scheduledJobnet(project, 'nightly', threeJobFields(flag));
    await applyJobnet(harness.client, harness.target.taskQueue, definition, 'test');
    const started = await operateJobnet(harness.client, harness.target.taskQueue, project, 'nightly', {
      operation: 'start',
      by: 'test',
    });
    if (!started.ok) throw new Error(started.reason);
    const original = started.answer.runId ?? '';
    await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'nightly',
      (view) => view.status === 'abended',
    );

    writeFileSync(flag, '');
    const retried = await retryRun(harness.client, original, 'alice');
    if (!retried.ok) throw new Error(retried.reason);
    expect(retried.actor).toBeDefined();
    const view = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'nightly',
      (jobnet) => jobnet.status === 'ended' || jobnet.state.lastRun?.runId === retried.runId,
    );
    expect([view.state.currentRun?.runId, view.state.lastRun?.runId]).toContain(retried.runId);
    const retry = await harness.waitForEnd(retried.runId);
    expect(retry.status).toBe('normal');
    expect(retry.state.jobs.first?.attempts).toBe(1);
    expect((await harness.view(original)).closed).toBeDefined();
    expect(view.state.operations.at(-1)).toMatchObject({ operation: 'retry', by: 'alice' });
  }, 90_000);
});

describe('cancel', () => {
  it('ends exactly the jobs matching the state or the pattern; repeating is harmless', async () => {
    const id = await startManual(
      jobnetOf('cancel-many', [
        sleepJob('a', 60),
        sleepJob('load-1', 60),
        sleepJob('load-2', 60),
        sleepJob('held', 60, { hold: true }),
      ]),
    );
    await harness.waitFor(id, (view) =>
      ['a', 'load-1', 'load-2'].every((job) => view.state.jobs[job]?.state === 'running'),
    );

    const byState = await cancelRunJobs(harness.client, id, { jobState: 'held' }, 'carol');
    expect(byState).toMatchObject({
      ok: true,
      jobs: [
        { job: 'a', outcome: 'notMatching', state: 'running' },
        { job: 'held', outcome: 'terminated', state: 'held' },
        { job: 'load-1', outcome: 'notMatching', state: 'running' },
        { job: 'load-2', outcome: 'notMatching', state: 'running' },
      ],
    });

    const byPattern = await cancelRunJobs(harness.client, id, { job: 'load-*' }, 'carol');
    expect(byPattern).toMatchObject({
      ok: true,
      jobs: [
        { job: 'a', outcome: 'notMatching' },
        { job: 'held', outcome: 'notMatching', state: 'forced' },
        { job: 'load-1', outcome: 'terminated', state: 'running' },
        { job: 'load-2', outcome: 'terminated', state: 'running' },
      ],
    });
    const view = await harness.waitFor(
      id,
      (run) => run.state.jobs['load-1']?.state === 'forced' && run.state.jobs['load-2']?.state === 'forced',
    );
    expect(view.state.jobs.a?.state).toBe('running');
    expect(view.state.jobs.held).toMatchObject({ state: 'forced', exitCode: 256, forcedReason: 'operator' });

    const again = await cancelRunJobs(harness.client, id, { job: 'load-*' }, 'carol');
    expect(again).toMatchObject({
      ok: true,
      jobs: [
        { job: 'a', outcome: 'notMatching' },
        { job: 'held', outcome: 'notMatching' },
        { job: 'load-1', outcome: 'alreadyEnded' },
        { job: 'load-2', outcome: 'alreadyEnded' },
      ],
    });
    expect((await harness.view(id)).state.jobs.a?.state).toBe('running');
    const cancels = (await harness.view(id)).state.operations.filter((entry) => entry.operation === 'cancelJobs');
    expect(cancels.map((entry) => entry.by)).toEqual(['carol', 'carol']);

    const rest = await cancelRunJobs(harness.client, id, {}, 'carol');
    expect(rest.ok && rest.jobs.find((job) => job.job === 'a')).toEqual({
      job: 'a',
      outcome: 'terminated',
      state: 'running',
    });
    expect((await harness.waitForEnd(id)).status).toBe('abended');
  }, 60_000);
});

describe('API routes', () => {
  let server: RunningApiServer;
  const accounts: Record<string, { caller: Caller; role?: ProjectRole }> = {
    'op-token': { caller: { subject: 'olga', groups: [], admin: false }, role: 'operator' },
    'view-token': { caller: { subject: 'vic', groups: [], admin: false }, role: 'viewer' },
    'none-token': { caller: { subject: 'nina', groups: [], admin: false } },
  };
  const auth: OperatorAuth = {
    authenticate(request: FastifyRequest) {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const account = token === undefined ? undefined : accounts[token];
      if (account === undefined)
        return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'an API token is required'));
      return Promise.resolve(account.caller);
    },
    roleOn(caller, project) {
      const account = Object.values(accounts).find((entry) => entry.caller.subject === caller.subject);
      return Promise.resolve(project === 'test' ? account?.role : undefined);
    },
    visibleProjects: () => Promise.resolve(['test']),
  };

  beforeAll(async () => {
    server = await startApiServer({
      port: 0,
      operator: { client: harness.client, taskQueue: harness.target.taskQueue, auth },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function post(path: string, body: unknown = {}, token = 'op-token') {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const runPath = (id: string) => `/api/v1/runs/${encodeURIComponent(id)}`;

  it('operates, cancels and retries a run as the authenticated subject; refusals are 409', async () => {
    const flag = flagFile();
    const id = await startManual(threeJobs('api-chain', flag));
    await harness.waitForEnd(id);

    const retryRefused = await post(`${runPath(id)}/operations/restart`, { job: 'middle' });
    expect(retryRefused.status).toBe(400);
    expect(retryRefused.body.code).toBe('INVALID_FIELD');

    const held = await post(`${runPath(id)}/operations/hold`, { job: 'last' });
    expect(held).toMatchObject({ status: 200, body: { operation: 'hold', status: 'abended' } });
    const again = await post(`${runPath(id)}/operations/hold`, { job: 'last' });
    expect(again).toEqual({ status: 409, body: { code: 'REFUSED', message: 'job "last" is already held' } });
    expect(await post(`${runPath(id)}/operations/release`, { job: 'last' })).toMatchObject({ status: 200 });
    const operations = (await harness.view(id)).state.operations;
    expect(operations.map((entry) => [entry.operation, entry.by])).toEqual([
      ['holdJob', 'olga'],
      ['releaseJob', 'olga'],
    ]);

    writeFileSync(flag, '');
    const retried = await post(`${runPath(id)}/retry`);
    expect(retried).toMatchObject({
      status: 200,
      body: { retryOf: id, revision: 'r1', rerun: ['last', 'middle'], carried: ['first'] },
    });
    const retryId = String(retried.body.runId);
    expect((await harness.waitForEnd(retryId)).requestedBy).toBe('olga');
    expect(await post(`${runPath(retryId)}/retry`)).toEqual({
      status: 409,
      body: { code: 'REFUSED', message: 'cannot retry: the run ended normal; there is nothing to retry' },
    });

    const cancelled = await post(`${runPath(retryId)}/cancel`, { jobState: 'running' });
    expect(cancelled).toMatchObject({ status: 200, body: { runId: retryId, status: 'closed' } });
    expect(existsSync(flag)).toBe(true);
  }, 90_000);

  it('answers 400 for bad input, 404 for unknown or malformed runs, 403/404 for too low or no role', async () => {
    const id = await startManual(jobnetOf('api-refusals', [sleepJob('a', 0)]));
    await harness.waitForEnd(id);
    expect((await post(`${runPath(id)}/operations/explode`, {})).status).toBe(400);
    expect((await post(`${runPath(id)}/cancel`, { jobState: 'normal' })).body).toMatchObject({
      code: 'INVALID_FIELD',
      field: 'body/jobState',
    });
    expect((await post(`${runPath(id)}/cancel`, { who: 'me' })).body).toMatchObject({ code: 'INVALID_FIELD' });
    expect((await post(`${runPath(id)}/cancel`, '{broken')).status).toBe(400);
    expect((await post(`${runPath(id)}/retry`, { by: 'mallory' })).status).toBe(400);
    expect((await post(`${runPath(id)}/operations/hold`, { job: 7 })).status).toBe(400);

    const unknown = id.replace(/manual-[^/]+$/, 'manual-nothing');
    expect(await post(`${runPath(unknown)}/retry`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await post(`${runPath('../../etc/passwd')}/retry`)).status).toBe(404);
    expect((await post(`${runPath('run/%zz')}/cancel`)).status).toBe(404);
    expect((await post(`${runPath(id)}/retry`, {}, 'view-token')).status).toBe(403);
    expect((await post(`${runPath(id)}/retry`, {}, 'none-token')).status).toBe(404);
    expect((await post(`${runPath(id)}/retry`, {}, 'bad-token')).status).toBe(401);
  }, 60_000);
});
