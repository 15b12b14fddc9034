/**
 * `jobnet retry` and `jobnet cancel` through the real bin, against the real dev server and a
 * worker (R-OPS-4): a run abended in its second job is retried — the first job is carried, the
 * failed one and its successor run — both runs name each other in `jobnet get run`, a second
 * retry and a retry of a normal run are refused (exit 1, the reason on stderr); cancel ends only
 * the jobs its pattern matches, and a bad job state is a usage error (exit 2).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';
import { runJobnet, type CliResult } from './cli-process.js';

let harness: RunHarness;
let dir: string;
let flag: string;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
  dir = mkdtempSync(path.join(tmpdir(), 'retry-cli-'));
  flag = path.join(dir, 'fixed');
  mkdirSync(path.join(dir, 'jobnets'));
  writeFileSync(
    path.join(dir, 'project.yaml'),
    'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: ops\nspec: {}\n',
  );
  const jobnetFile = (name: string, jobs: string[]) =>
    [
      'apiVersion: jobnet/v1',
      'kind: Jobnet',
      'metadata:',
      '  project: ops',
      `  name: ${name}`,
      'spec:',
      '  jobs:',
      ...jobs,
      '',
    ].join('\n');
  writeFileSync(
    path.join(dir, 'jobnets', 'chain.yaml'),
    jobnetFile('chain', [
      '    first:',
      '      type: command',
      '      variables: {capture: F}',
      `      argv: [sh, -c, 'echo "RUN=$$"']`,
      '    middle:',
      '      type: command',
      '      after: [first]',
      `      argv: [sh, -c, 'test -e ${flag}']`,
      '    last:',
      '      type: command',
      '      after: [middle]',
      '      argv: [sh, -c, \'echo "@F.RUN@"\']',
    ]),
  );
  writeFileSync(
    path.join(dir, 'jobnets', 'parallel.yaml'),
    jobnetFile('parallel', [
      '    load-a:',
      '      type: sleep',
      '      seconds: 300',
      '    load-b:',
      '      type: sleep',
      '      seconds: 300',
      '    report:',
      '      type: sleep',
      '      seconds: 300',
    ]),
  );
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

async function jobnet(...args: string[]): Promise<CliResult> {
  const target = ['--address', harness.target.address, '--namespace', harness.target.namespace];
  return await runJobnet([...args, ...target, '--task-queue', harness.target.taskQueue]);
}

interface ShownRun {
  status: string;
  retryOf?: string;
  retries?: string[] | { runId: string }[];
  state: { jobs: Record<string, { state: string; attempts: number; output?: string }> };
}

async function shown(runId: string): Promise<ShownRun> {
  const result = await jobnet('get', 'run', runId, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ShownRun;
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('jobnet retry', () => {
  it('re-runs only what did not succeed, links both runs, and refuses a second retry and a normal run', async () => {
    const started = await jobnet('start', 'ops/chain', '--dir', dir, '--wait');
    expect(started.code).toBe(1);
    const original = started.stdout.split('\n')[0]!.trim();
    const before = await shown(original);
    expect(before.status).toBe('abended');
    const captured = before.state.jobs.first?.output;

    writeFileSync(flag, '');
    const retried = await jobnet('retry', original, '--json');
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    const answer = JSON.parse(retried.stdout) as { runId: string; retryOf: string };
    expect(answer.retryOf).toBe(original);
    const retry = await eventually(
      async () => await shown(answer.runId),
      (view) => view.status === 'normal',
    );
    expect(retry.retryOf).toBe(original);
    expect(retry.state.jobs.first?.attempts).toBe(1);
    expect(retry.state.jobs.first?.output).toBe(captured);
    expect(retry.state.jobs.last?.output?.trim()).toBe(captured?.trim().replace(/^RUN=/, ''));

    const table = await jobnet('get', 'run', original);
    expect(table.stdout).toContain(answer.runId);
    const again = await jobnet('retry', original);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^refused: /);
    const normal = await jobnet('retry', answer.runId);
    expect(normal.code).toBe(1);
    expect(normal.stderr).toMatch(/^refused: .*normal/);
  }, 120_000);
});

describe('jobnet cancel', () => {
  it('force-terminates only the jobs the pattern matches; the others keep running', async () => {
    const started = await jobnet('start', 'ops/parallel', '--dir', dir);
    expect(started.code).toBe(0);
    const runId = started.stdout.trim();
    await eventually(
      async () => await shown(runId),
      (view) => Object.values(view.state.jobs).every((job) => job.state === 'running'),
    );
    const cancelled = await jobnet('cancel', runId, '--job', 'load-*', '--json');
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    const after = await eventually(
      async () => await shown(runId),
      (view) => view.state.jobs['load-a']?.state === 'forced' && view.state.jobs['load-b']?.state === 'forced',
    );
    expect(after.state.jobs.report?.state).toBe('running');

    const badState = await jobnet('cancel', runId, '--job-state', 'normal');
    expect(badState.code).toBe(2);
    const rest = await jobnet('cancel', runId);
    expect(rest.code).toBe(0);
    await eventually(
      async () => await shown(runId),
      (view) => view.state.jobs.report?.state === 'forced',
    );
  }, 120_000);
});
