/**
 * Several deployments in one Temporal namespace (staging and production on two task queues), on
 * the real dev server with a real worker per task queue and the real controller process: each
 * keeps its own jobnets and revision even when both define the same project and jobnet, and a
 * second controller on the same deployment is refused while the first owns it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimController, getJobnetView } from '../../controller/jobnets/jobnet-client.js';
import { observeActors } from '../../controller/reconcile/observe.js';
import {
  DeploymentOwnedError,
  startControllerProcess,
  type RunningController,
} from '../../controller/system/controller-process.js';
import { startRunHarness, type RunHarness } from './run-harness.js';

const project = `shared${Date.now().toString(36)}`;
let root: string;
let staging: RunHarness;
let production: RunHarness;
const running: RunningController[] = [];
const quiet = (): void => undefined;

async function definitions(name: string, at: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'jobnets'), { recursive: true });
  await writeFile(
    path.join(dir, 'project.yaml'),
    `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ${project}}\nspec: {}\n`,
  );
  await writeFile(
    path.join(dir, 'jobnets', 'daily.yaml'),
    `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: ${project}, name: daily}\nspec:\n  start: {at: ["${at}"]}\n  jobs:\n    a: {type: sleep, seconds: 1}\n`,
  );
  return dir;
}

async function controllerFor(harness: RunHarness, dir: string): Promise<RunningController> {
  const controller = await startControllerProcess({
    client: harness.client,
    taskQueue: harness.target.taskQueue,
    source: { repo: dir },
    log: quiet,
  });
  running.push(controller);
  return controller;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jobnet-deployments-'));
  staging = await startRunHarness();
  production = await startRunHarness();
}, 120_000);

afterAll(async () => {
  for (const controller of running) await controller.stop().catch(() => undefined);
  await staging?.stop();
  await production?.stop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('two deployments in one namespace', () => {
  it('each controller keeps its own jobnet, with its own definition, across repeated reconciles', async () => {
    const stagingController = await controllerFor(staging, await definitions('staging', '07:00'));
    const productionController = await controllerFor(production, await definitions('production', '22:00'));
    await stagingController.reconciler.settled();
    await productionController.reconciler.settled();
    for (let round = 0; round < 3; round++) {
      expect((await stagingController.reconciler.reconcile()).result).not.toBe('failed');
      expect((await productionController.reconciler.reconcile()).result).not.toBe('failed');
    }
    const stagingView = await getJobnetView(staging.client, staging.target.taskQueue, project, 'daily');
    const productionView = await getJobnetView(production.client, production.target.taskQueue, project, 'daily');
    expect(stagingView.nextStarts[0]?.instant).toMatch(/T07:00:00/);
    expect(productionView.nextStarts[0]?.instant).toMatch(/T22:00:00/);
    expect(stagingView.digest).not.toBe(productionView.digest);
    // Each actor started with its own definition and was never handed another one: a definition
    // from the other deployment would have been recorded as an apply.
    expect(stagingView.state.operations.filter((operation) => operation.operation === 'apply')).toEqual([]);
    expect(productionView.state.operations.filter((operation) => operation.operation === 'apply')).toEqual([]);
    expect(
      (await observeActors(staging.client, staging.target.taskQueue)).filter((actor) => actor.project === project),
    ).toHaveLength(1);
    expect(
      stagingController.reconciler.getStatus().conditions.find((condition) => condition.type === 'Ready')?.status,
    ).toBe('True');
  }, 90_000);

  it('refuses a second controller on a deployment another controller owns, and accepts one after the owner stops or its lease lapses', async () => {
    const dir = await definitions('second', '07:00');
    const error = await controllerFor(staging, dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeploymentOwnedError);
    expect((error as Error).message).toMatch(/another controller owns this deployment: .* on .* \(pid \d+\)/);

    const owner = running.shift() as RunningController;
    await owner.stop();
    const successor = await controllerFor(staging, dir);
    await successor.reconciler.settled();

    // A controller that died without releasing blocks only until its lease lapses.
    const lapsing = `lapse-${project}`;
    const productionController = running.shift() as RunningController;
    await productionController.stop();
    const queue = production.target.taskQueue;
    const claimed = await claimController(production.client, queue, {
      id: lapsing,
      host: 'gone-host',
      pid: 1,
      source: dir,
      leaseMs: 2_000,
    });
    expect(claimed.ok).toBe(true);
    const refused = await claimController(production.client, queue, {
      id: 'other',
      host: 'here',
      pid: 2,
      source: dir,
      leaseMs: 60_000,
    });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? '' : refused.reason).toMatch(/gone-host \(pid 1\)/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(
      await claimController(production.client, queue, {
        id: 'other',
        host: 'here',
        pid: 2,
        source: dir,
        leaseMs: 60_000,
      }),
    ).toMatchObject({ ok: true });
  }, 90_000);
});
