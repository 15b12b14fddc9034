/**
 * Runs started without the scheduler (`jobnet start --dir`) stay apart from the scheduled system:
 * the events their `raiseEvent` jobs raise are recorded in the run and start no waiting jobnet,
 * unless `--route-events` asks for it, and an abended one says how to recover or close it, since
 * no actor closes it at the day change; once closed, Temporal shows it as failed, with the reason
 * and a summary. Through the real bin, the real dev server and a worker.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyJobnets, getJobnetView } from '../../controller/jobnets/jobnet-client.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from '../integration/scheduler-fixtures.js';
import { runJobnet, type CliResult } from './cli-process.js';

const project = 'relay';
let harness: RunHarness;
let dir: string;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
  // The scheduled system: `waiter` starts on the event PING.
  const waiter = scheduledJobnet(project, 'waiter', [sleepJob('nap', 0)], {
    start: {
      events: { names: ['PING'], mode: 'any', whileRunning: false, oncePerDay: false, startDaysOnly: false },
    },
  });
  await applyJobnets(harness.client, {
    taskQueue: harness.target.taskQueue,
    jobnets: [waiter],
    revision: 'r1',
    by: 'tester',
  });

  // A definitions directory with a jobnet that raises PING for `waiter`, then fails.
  dir = mkdtempSync(path.join(tmpdir(), 'start-dir-'));
  mkdirSync(path.join(dir, 'jobnets'));
  writeFileSync(
    path.join(dir, 'project.yaml'),
    `apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: ${project}\nspec: {}\n`,
  );
  const raiser = (name: string, fails: boolean) =>
    [
      'apiVersion: jobnet/v1',
      'kind: Jobnet',
      'metadata:',
      `  project: ${project}`,
      `  name: ${name}`,
      'spec:',
      '  jobs:',
      '    ping:',
      '      type: raiseEvent',
      '      event: PING',
      `      project: ${project}`,
      '      jobnet: waiter',
      ...(fails ? ['    fail:', '      type: command', '      after: [ping]', "      argv: [sh, -c, 'exit 3']"] : []),
      '',
    ].join('\n');
  writeFileSync(path.join(dir, 'jobnets', 'raiser.yaml'), raiser('raiser', true));
  writeFileSync(path.join(dir, 'jobnets', 'router.yaml'), raiser('router', false));
  writeFileSync(
    path.join(dir, 'jobnets', 'waiter.yaml'),
    `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata:\n  project: ${project}\n  name: waiter\nspec:\n  start:\n    events:\n      names: [PING]\n  jobs:\n    nap:\n      type: sleep\n      seconds: 0\n`,
  );
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

async function jobnet(...args: string[]): Promise<CliResult> {
  const target = ['--address', harness.target.address, '--namespace', harness.target.namespace];
  return await runJobnet([...args, ...target, '--task-queue', harness.target.taskQueue]);
}

describe('jobnet start --dir', () => {
  it('records the events it raises without starting the jobnet waiting for them, and says how to close an abended run', async () => {
    const started = await jobnet('start', `${project}/raiser`, '--dir', dir, '--wait');
    expect(started.code).toBe(1);
    expect(started.stdout).toMatch(/^ping\s+normal\s+0\s/m);
    expect(started.stdout).toMatch(/^fail\s+abended\s+3\s/m);
    const runId = started.stdout.split('\n')[0]!.trim();
    const outputs = await jobnet('get', 'run', runId, '--output');
    expect(outputs.stdout).toContain('recorded only: this run was started without the scheduler');
    expect(started.stdout).toContain(
      `stays open for recovery: jobnet run restart ${runId} re-runs its failed jobs, jobnet run close ${runId} closes it`,
    );

    const shown = await jobnet('get', 'run', runId, '--json');
    const view = JSON.parse(shown.stdout) as { raisedEvents: { event: string; jobnet?: string }[]; actor?: string };
    expect(view.raisedEvents).toMatchObject([{ event: 'PING', jobnet: 'waiter' }]);
    expect(view.actor).toBeUndefined();

    // Nothing reached the scheduled jobnet: no run, no pending event.
    const waiter = await getJobnetView(harness.client, harness.target.taskQueue, project, 'waiter');
    expect(waiter.state.currentRun).toBeUndefined();
    expect(waiter.state.lastRun).toBeUndefined();

    const closed = await jobnet('run', 'close', runId);
    expect(closed.code).toBe(0);
    const table = await jobnet('get', 'run', runId);
    expect(table.stdout).not.toContain('stays open for recovery');

    // Temporal shows the closed abended run as failed, with the reason, and says what it is.
    const handle = harness.client.workflow.getHandle(runId);
    const failure = (await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    )) as { cause?: { message?: string; type?: string } } | undefined;
    expect(failure?.cause?.type).toBe('RunAbended');
    expect(failure?.cause?.message).toMatch(
      /^jobnet relay\/raiser \(business date \d{4}-\d{2}-\d{2}\) ended abended: job fail ended abended with exit code 3; closed by /,
    );
    const described = await handle.describe();
    expect(described.status.name).toBe('FAILED');
    expect(await described.staticSummary()).toMatch(
      /^jobnet run relay\/raiser · business date \d{4}-\d{2}-\d{2} · manual$/,
    );
    expect(await described.staticDetails()).toContain('Terminate and Reset here bypass the jobnet operations');
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(
      /^\*\*abended\*\* · 2 of 2 jobs ended · job fail ended abended with exit code 3 · closed by /,
    );
  }, 90_000);

  it('routes them with --route-events', async () => {
    const started = await jobnet('start', `${project}/router`, '--dir', dir, '--route-events', '--wait');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const outputs = await jobnet('get', 'run', started.stdout.split('\n')[0]!.trim(), '--output');
    expect(outputs.stdout).not.toContain('recorded only');
    expect(outputs.stdout).toMatch(/relay\/waiter: started/);
    const waiter = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'waiter',
      (view) => view.state.lastRun !== undefined || view.state.currentRun !== undefined,
    );
    expect((waiter.state.lastRun ?? waiter.state.currentRun)?.runId).toMatch(/waiter/);
  }, 90_000);

  it('refuses --route-events without --dir', async () => {
    const refused = await jobnet('start', `${project}/waiter`, '--route-events');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--route-events goes with --dir only');
  });
});
