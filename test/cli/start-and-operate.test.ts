/**
 * `jobnet start`, `jobnet get run` and `jobnet run <operation>` end to end through the real bin,
 * against the real dev server and a real worker (R-OPS-1, R-OPS-3, R-OPS-7): a definitions
 * directory is validated, compiled and run now, the job table and exit status follow the run,
 * and a refused operation exits 1 with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobnet, type CliResult } from './cli-process.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';

const runnable = 'test/fixtures/valid/runnable';
let harness: RunHarness;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

async function jobnet(...args: string[]): Promise<CliResult> {
  const target = [
    '--address',
    harness.target.address,
    '--namespace',
    harness.target.namespace,
    '--task-queue',
    harness.target.taskQueue,
  ];
  return await runJobnet([...args, ...target]);
}

describe('jobnet start --wait', () => {
  it('compiles the jobnet with the Settings environment, runs it with its child, and prints the job table', async () => {
    const { code, stdout, stderr } = await jobnet(
      'start',
      'ops/count-files',
      '--dir',
      runnable,
      '--param',
      'P-7',
      '--wait',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^count\s+normal\s+0\s/m);
    expect(stdout).toMatch(/^enough\s+normal\s+0\s/m);
    expect(stdout).toMatch(/^report\s+normal\s+0\s/m);
    expect(stdout).toMatch(/^too-few\s+passed\s/m);
    expect(stdout).toContain('final status: normal');

    const runId = stdout.split('\n')[0]!.trim();
    expect(runId).toMatch(/^run\/[^/]+\/ops\/count-files\/\d{4}-\d{2}-\d{2}\/manual-/);
    const shown = await jobnet('get', 'run', runId, '--json');
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as {
      status: string;
      parameter: string;
      state: { variables: Record<string, string> };
      childRuns: Record<string, string>;
    };
    expect(view.status).toBe('normal');
    expect(view.parameter).toBe('P-7');
    expect(view.state.variables).toEqual({ 'COUNT.FILES': '3', 'COUNT.WHERE': 'staging' });
    const child = await jobnet('get', 'run', view.childRuns.report!, '--json');
    const childView = JSON.parse(child.stdout) as { state: { jobs: Record<string, { output?: string }> } };
    expect(childView.state.jobs.say?.output).toBe('hello staging P-7\n');
  }, 60_000);
});

describe('jobnet run <operation>', () => {
  it('holds a job that has not started, refuses to hold it twice (exit 1, reason on stderr), and releases it', async () => {
    const started = await jobnet('start', 'ops/report', '--dir', runnable);
    expect(started.code).toBe(0);
    const runId = started.stdout.trim();
    await harness.waitFor(runId, (view) => view.state.jobs.say?.state === 'running');
    const hold = await jobnet('run', 'hold', runId, '--job', 'pause', '--by', 'operator-a');
    expect(hold.code, hold.stderr).toBe(0);
    const again = await jobnet('run', 'hold', runId, '--job', 'pause');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('refused: job "pause" is already held');
    const held = await harness.waitFor(runId, (view) => view.state.jobs.say?.state === 'normal');
    expect(held.state.jobs.pause?.state).toBe('held');
    expect(held.status).toBe('running');
    const release = await jobnet('run', 'release', runId, '--job', 'pause');
    expect(release.code).toBe(0);
    const ended = await harness.waitForEnd(runId);
    expect(ended.status).toBe('normal');
    expect(ended.state.operations.map((op) => `${op.operation} ${op.by}`)).toEqual([
      'holdJob operator-a',
      expect.stringMatching(/^releaseJob /) as string,
    ]);
  }, 60_000);
});
