/**
 * Durability of runs (docs/architecture.md#the-temporal-mapping, CONTRIBUTING.md#testing-tiers): a `jobnet worker` process killed during a `sleep` and
 * started again finishes the run without running any job twice, a run survives a restart of
 * the Temporal dev server on its database file, and runs and actors evicted from a small workflow
 * cache replay and go on. Real processes, real server, no mocking.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type DevServer } from '../../controller/temporal/dev-server.js';
import { startWorker } from '../../controller/worker/start-worker.js';
import type { RunInput } from '../../workflows/run-contract.js';
import { applyJobnet, getJobnetView } from '../../controller/jobnets/jobnet-client.js';
import { after, jobnetOf, sharedBundle, summary } from './run-harness.js';
import { scheduledJobnet, sleepJob } from './scheduler-fixtures.js';
import {
  killWorkerProcess,
  startWorkerProcess as workerProcess,
  stopWorkerProcesses,
  waitForView,
} from './worker-process.js';

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await stopWorkerProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function runInput(jobnet: ReturnType<typeof jobnetOf>): RunInput {
  return { jobnet, children: {}, businessDate: '2026-11-23', trigger: 'manual', requestedBy: 'test', level: 1 };
}

describe('durability', () => {
  it('a worker killed during a sleep and started again finishes the run; no job runs twice', async () => {
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    const taskQueue = `durability-worker-${process.pid}-${Date.now()}`;
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace });

    const first = await workerProcess(address, namespace, taskQueue);
    const id = `run/test/worker-kill/${taskQueue}`;
    const jobnet = jobnetOf('worker-kill', [
      { name: 'before', type: 'sleep', spec: { seconds: 0 } },
      { name: 'nap', type: 'sleep', predecessors: after('before'), spec: { seconds: 4 } },
      { name: 'afterwards', type: 'sleep', predecessors: after('nap'), spec: { seconds: 0 } },
    ]);
    await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [runInput(jobnet)] });
    await waitForView(client, id, (view) => view.state.jobs.nap?.state === 'running', 20_000);
    await killWorkerProcess(first);

    await workerProcess(address, namespace, taskQueue);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 60_000);
    expect(summary(view)).toEqual({ '': 'normal', before: 'normal 0', nap: 'normal 0', afterwards: 'normal 0' });
    for (const name of ['before', 'nap', 'afterwards']) expect(view.state.jobs[name]?.attempts).toBe(1);
    const history = await client.workflow.getHandle(id).fetchHistory();
    const timers = (history.events ?? []).filter((event) => event.timerStartedEventAttributes);
    expect(timers).toHaveLength(1);
  }, 120_000);

  it('a run survives a restart of the dev server on its database file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'jobnet-durability-'));
    cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
    const dbFile = path.join(dataDir, 'temporal.db');
    const port = await freePort();
    let server: DevServer = await startDevServer({ dbFile, port });
    cleanups.push(() => server.stop());
    const target = {
      address: server.address,
      namespace: server.namespace,
      taskQueue: `durability-server-${process.pid}`,
    };
    const worker = await startWorker({ target, allowCommandJobs: false, workflowBundle: await sharedBundle() });
    cleanups.push(() => worker.shutdown().catch(() => undefined));
    let connection = await Connection.connect({ address: server.address });
    let client = new Client({ connection, namespace: server.namespace });

    const id = 'run/test/server-restart/1';
    const jobnet = jobnetOf('server-restart', [
      { name: 'nap', type: 'sleep', spec: { seconds: 3 } },
      { name: 'then', type: 'sleep', predecessors: after('nap'), spec: { seconds: 1 } },
    ]);
    await client.workflow.start('runWorkflow', {
      workflowId: id,
      taskQueue: target.taskQueue,
      args: [runInput(jobnet)],
    });
    await waitForView(client, id, (view) => view.state.jobs.nap?.state === 'running', 20_000);
    await connection.close();
    await server.stop();

    server = await startDevServer({ dbFile, port });
    connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    client = new Client({ connection, namespace: server.namespace });
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'normal', nap: 'normal 0', then: 'normal 0' });
    expect(view.state.jobs.nap?.attempts).toBe(1);
  }, 180_000);

  it('with a workflow cache of 2, six runs started together finish and idle actors answer: each evicted workflow replays', async () => {
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    const taskQueue = `durability-cache-${process.pid}-${Date.now()}`;
    const worker = await startWorker({
      target: { address, namespace, taskQueue },
      allowCommandJobs: false,
      workflowBundle: await sharedBundle(),
      maxCachedWorkflows: 2,
    });
    cleanups.push(() => worker.shutdown().catch(() => undefined));
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace });

    const farDate = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
    const actors = ['a1', 'a2', 'a3'].map((name) =>
      scheduledJobnet('cache', name, [sleepJob('a', 1)], { days: { dates: [farDate] }, start: { at: ['12:00'] } }),
    );
    for (const actor of actors) await applyJobnet(client, taskQueue, actor, 'test');
    const jobnet = jobnetOf('small-cache', [
      { name: 'before', type: 'sleep', spec: { seconds: 0 } },
      { name: 'nap', type: 'sleep', predecessors: after('before'), spec: { seconds: 1 } },
      { name: 'afterwards', type: 'sleep', predecessors: after('nap'), spec: { seconds: 0 } },
    ]);
    const handles = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        client.workflow.start('runWorkflow', {
          workflowId: `run/test/small-cache-${n}/${taskQueue}`,
          taskQueue,
          args: [runInput(jobnet)],
        }),
      ),
    );
    for (const handle of handles) {
      const view = await waitForView(client, handle.workflowId, (v) => v.state.result !== undefined, 60_000);
      expect(summary(view)).toEqual({ '': 'normal', before: 'normal 0', nap: 'normal 0', afterwards: 'normal 0' });
      for (const name of ['before', 'nap', 'afterwards']) expect(view.state.jobs[name]?.attempts).toBe(1);
    }
    for (const actor of actors) {
      const view = await getJobnetView(client, taskQueue, 'cache', actor.name);
      expect(view.name).toBe(actor.name);
      expect(view.nextStarts.length).toBeGreaterThan(0);
    }
  }, 120_000);
});
