/**
 * `/metrics` on the real dev server over real HTTP, read with a Prometheus text-format parser:
 * runs started and ended (normal and abended), job durations, troubles, operations, reconciles and
 * API requests move by exactly the right amounts; a worker restarted in the middle of a run
 * replays its history without counting its start again; the operator API's `/metrics` is
 * authenticated and needs a global admin.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../../controller/api/api-errors.js';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import type { OperatorApi } from '../../controller/api/operator-api.js';
import { createJobnetMetrics, type JobnetMetrics } from '../../controller/metrics/metrics.js';
import { recordJobnetEvent } from '../../controller/metrics/record-events.js';
import { startControllerProcess } from '../../controller/system/controller-process.js';
import {
  connectClient,
  type TemporalClientHandle,
  type TemporalTarget,
} from '../../controller/temporal/temporal-target.js';
import { startWorker, type RunningWorker } from '../../controller/worker/start-worker.js';
import type { JobnetEvent } from '../../workflows/event-sink-contract.js';
import { runOperationUpdate, runViewQuery, type RunInput, type RunView } from '../../workflows/run-contract.js';
import { sh } from '../integration/run-fixtures.js';
import { jobnetOf, sharedBundle } from '../integration/run-harness.js';
import { scrape } from './scrape.js';

let queues = 0;
/** A task queue of its own for each test: no other test's worker takes its tasks. */
function freshTarget(): TemporalTarget {
  queues += 1;
  return {
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
    taskQueue: `metrics-${process.pid}-${Date.now().toString(36)}-${queues}`,
  };
}
let target = freshTarget();
let handle: TemporalClientHandle;
const cleanups: (() => Promise<void>)[] = [];

interface ObservedWorker {
  worker: RunningWorker;
  metrics: JobnetMetrics;
  events: JobnetEvent[];
  server: RunningApiServer;
}

/** A worker whose events feed a registry of its own, served on a listener of its own (as `jobnet worker --metrics-listen`). */
async function observedWorker(): Promise<ObservedWorker> {
  const metrics = createJobnetMetrics();
  const events: JobnetEvent[] = [];
  const worker = await startWorker({
    target,
    allowCommandJobs: true,
    workflowBundle: await sharedBundle(),
    observer: {
      event: (event) => {
        events.push(event);
        recordJobnetEvent(metrics, event);
      },
    },
  });
  const server = await startApiServer({ port: 0, metrics });
  cleanups.push(async () => {
    await worker.shutdown().catch(() => undefined);
    await server.close();
  });
  return { worker, metrics, events, server };
}

let sequence = 0;
async function startRun(jobnet: ReturnType<typeof jobnetOf>): Promise<string> {
  sequence += 1;
  const id = `run/${jobnet.project}/${jobnet.name}/${target.taskQueue}/${sequence}`;
  const { children = {}, ...rest } = jobnet;
  const input: RunInput = {
    jobnet: rest,
    children,
    businessDate: '2026-12-03',
    trigger: 'manual',
    requestedBy: 'test',
    level: 1,
  };
  await handle.client.workflow.start('runWorkflow', { workflowId: id, taskQueue: target.taskQueue, args: [input] });
  return id;
}

async function waitForView(id: string, predicate: (view: RunView) => boolean, timeoutMs = 40_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await handle.client.workflow.getHandle(id).query(runViewQuery);
    if (predicate(view)) return view;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${view.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  handle = await connectClient(target);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await handle?.close();
}, 60_000);

describe('the metrics of a worker', () => {
  it('count a normal run, an abended run with its trouble, and an operation, each once', async () => {
    target = freshTarget();
    const observed = await observedWorker();
    const url = `${observed.server.url}/metrics`;
    const before = await scrape(url);
    expect(before.families).toEqual(
      expect.arrayContaining([
        'jobnet_runs_started_total',
        'jobnet_runs_ended_total',
        'jobnet_job_duration_seconds',
        'jobnet_troubles_total',
        'jobnet_reconcile_duration_seconds',
        'jobnet_rest_poll_lateness_seconds',
        'jobnet_api_requests_total',
      ]),
    );
    const project = { project: 'test' };

    const normal = await startRun(jobnetOf('metrics-normal', [{ name: 'ok', type: 'command', spec: sh('exit 0') }]));
    await waitForView(normal, (view) => view.status === 'normal');
    const failing = await startRun(jobnetOf('metrics-abend', [{ name: 'fails', type: 'command', spec: sh('exit 3') }]));
    await waitForView(failing, (view) => view.status === 'abended');
    await handle.client.workflow
      .getHandle(failing)
      .executeUpdate(runOperationUpdate, { args: [{ operation: 'skipJob', job: 'fails', by: 'alice' }] });
    await waitForView(failing, (view) => view.status !== 'abended');

    await until(() => observed.events.filter((event) => event.event === 'runEnded').length >= 3);
    const after = await scrape(url);
    expect(after.value('jobnet_runs_started_total', project)).toBe(2);
    expect(after.value('jobnet_runs_started_total', { ...project, trigger: 'manual' })).toBe(2);
    // The abended run ends a second time once its failed job is skipped.
    expect(after.value('jobnet_runs_ended_total', { ...project, status: 'normal' })).toBe(2);
    expect(after.value('jobnet_runs_ended_total', { ...project, status: 'abended' })).toBe(1);
    expect(after.value('jobnet_runs_ended_total', project)).toBe(3);
    expect(after.count('jobnet_job_duration_seconds', { ...project, type: 'command', state: 'normal' })).toBe(1);
    expect(after.count('jobnet_job_duration_seconds', { ...project, type: 'command', state: 'abended' })).toBe(1);
    // A run no actor follows records its own troubles.
    expect(after.value('jobnet_troubles_total', { ...project, kind: 'jobnetAbended' })).toBe(1);
    expect(after.value('jobnet_operations_total', { ...project, operation: 'skipJob' })).toBe(1);
    // The two scrapes before this one were counted by route pattern.
    expect(after.value('jobnet_api_requests_total', { method: 'GET', route: '/metrics', status_class: '2xx' })).toBe(1);
    // No run id, job name or user ever becomes a label.
    const text = await (await fetch(url)).text();
    expect(text).not.toContain('run/');
    expect(text).not.toContain('alice');
    expect(text).not.toMatch(/job="/);
  }, 120_000);

  it('do not count a run again when a restarted worker replays its history', async () => {
    target = freshTarget();
    const first = await observedWorker();
    const id = await startRun(jobnetOf('metrics-restart', [{ name: 'wait', type: 'sleep', spec: { seconds: 4 } }]));
    await waitForView(id, (view) => view.state.jobs.wait?.state === 'running');
    await until(() => first.events.some((event) => event.event === 'runStarted' && event.runId === id));
    await first.worker.shutdown();

    const second = await observedWorker();
    await waitForView(id, (view) => view.status === 'normal');
    await until(() => second.events.some((event) => event.event === 'runEnded' && event.runId === id));
    const replayed = await scrape(`${second.server.url}/metrics`);
    const labels = { project: 'test' };
    expect(replayed.value('jobnet_runs_started_total', labels)).toBe(0);
    expect(replayed.value('jobnet_runs_ended_total', { ...labels, status: 'normal' })).toBe(1);
    expect(replayed.count('jobnet_job_duration_seconds', { ...labels, type: 'sleep' })).toBe(1);
    expect(second.events.filter((event) => event.runId === id).map((event) => event.event)).toEqual([
      'jobEnded',
      'runEnded',
    ]);
    const firstCounts = await scrape(`${first.server.url}/metrics`);
    expect(firstCounts.value('jobnet_runs_started_total', labels)).toBe(1);
    expect(firstCounts.value('jobnet_runs_ended_total', labels)).toBe(0);
  }, 120_000);
});

describe('the metrics of a controller', () => {
  it('observe each reconcile by result, served on its listener', async () => {
    target = freshTarget();
    await observedWorker();
    const root = await mkdtemp(path.join(tmpdir(), 'jobnet-metrics-'));
    cleanups.push(async () => await rm(root, { recursive: true, force: true }));
    const project = `metrics${Date.now().toString(36)}`;
    await mkdir(path.join(root, 'jobnets'), { recursive: true });
    await writeFile(
      path.join(root, 'project.yaml'),
      `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ${project}}\nspec: {}\n`,
    );
    await writeFile(
      path.join(root, 'jobnets', 'daily.yaml'),
      `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: ${project}, name: daily}\nspec:\n  start: {at: ["23:59"]}\n  jobs:\n    a: {type: sleep, seconds: 1}\n`,
    );
    const metrics = createJobnetMetrics();
    const outcomes: string[] = [];
    const controller = await startControllerProcess({
      client: handle.client,
      taskQueue: target.taskQueue,
      source: { repo: root },
      listen: { host: '127.0.0.1', port: 0 },
      resyncIntervalMs: 0,
      metrics,
      onReconciled: (outcome) => outcomes.push(outcome.result),
      log: () => undefined,
    });
    cleanups.push(async () => await controller.stop());
    await until(() => outcomes.length >= 1, 60_000);
    const url = `${controller.api?.url ?? ''}/metrics`;
    const scraped = await scrape(url);
    expect(outcomes[0]).toBe('applied');
    expect(scraped.count('jobnet_reconcile_duration_seconds', { result: 'applied' })).toBe(1);
    expect(scraped.count('jobnet_reconcile_duration_seconds')).toBe(outcomes.length);

    await fetch(`${controller.api?.url ?? ''}/healthz`);
    await fetch(`${controller.api?.url ?? ''}/healthz`);
    await fetch(`${controller.api?.url ?? ''}/no/such/run/123`);
    const requests = await scrape(url);
    expect(requests.value('jobnet_api_requests_total', { route: '/healthz', status_class: '2xx' })).toBe(2);
    expect(requests.value('jobnet_api_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(requests.value('jobnet_api_requests_total', { route: '/metrics' })).toBe(1);
  }, 120_000);
});

describe('GET /metrics of the operator API', () => {
  it('needs a token (401) of a global admin (403 otherwise)', async () => {
    const metrics = createJobnetMetrics();
    const accounts: Record<string, { subject: string; admin: boolean }> = {
      'admin-token': { subject: 'scraper', admin: true },
      'viewer-token': { subject: 'bob', admin: false },
    };
    const operator: OperatorApi = {
      client: handle.client,
      taskQueue: target.taskQueue,
      auth: {
        authenticate: async (request) => {
          const account = accounts[(request.headers.authorization ?? '').replace(/^Bearer /, '')];
          if (account === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'an API token is required');
          return await Promise.resolve({ ...account, groups: [] });
        },
        roleOn: async () => await Promise.resolve('viewer' as const),
        visibleProjects: async () => await Promise.resolve([]),
      },
    };
    const server = await startApiServer({ port: 0, operator, metrics });
    cleanups.push(async () => await server.close());
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const forbidden = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer viewer-token' } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { code: string }).code).toBe('FORBIDDEN');
    const scraped = await scrape(`${server.url}/metrics`, { authorization: 'Bearer admin-token' });
    expect(scraped.value('jobnet_api_requests_total', { route: '/metrics', status_class: '4xx' })).toBe(2);
    const openapi = (await (
      await fetch(`${server.url}/api/v1/openapi.json`, { headers: { authorization: 'Bearer admin-token' } })
    ).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/metrics');
  }, 60_000);
});
