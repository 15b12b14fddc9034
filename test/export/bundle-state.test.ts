/**
 * `--with-state` restored on apply (R-EXP-2), on the real dev server through the real bin: a held
 * and a disabled jobnet are exported with their state, imported into a fresh directory, and
 * applied on a fresh task queue — where their actors are created held and disabled. The state is
 * taken once, at creation: after `release`, applying the same definitions (and a changed one that
 * still carries the state) does not hold the jobnet again.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jsYaml from 'js-yaml';
import type { JobnetView } from '../../workflows/jobnet-actor-contract.js';
import { runJobnet, type CliResult } from '../cli/cli-process.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';

const definitions = 'test/fixtures/valid/scheduler-cli';
let source: RunHarness;
let target: RunHarness;
let scratch = '';

async function jobnet(on: RunHarness, ...args: string[]): Promise<CliResult> {
  const flags = [
    '--address',
    on.target.address,
    '--namespace',
    on.target.namespace,
    '--task-queue',
    on.target.taskQueue,
  ];
  return await runJobnet([...args, ...flags]);
}

async function ok(result: Promise<CliResult>): Promise<CliResult> {
  const done = await result;
  expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

async function status(on: RunHarness, reference: string): Promise<JobnetView['status']> {
  const shown = await ok(jobnet(on, 'get', 'jobnet', reference, '--json'));
  return (JSON.parse(shown.stdout) as JobnetView).status;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'jobnet-bundle-state-'));
  source = await startRunHarness({ allowCommandJobs: true });
  target = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await source?.stop();
  await target?.stop();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

describe('jobnet export --with-state, import, apply', () => {
  it('creates the imported jobnets held and disabled, once: a release is not undone by the next apply', async () => {
    await ok(jobnet(source, 'apply', '--dir', definitions, '--by', 'test'));
    await ok(jobnet(source, 'hold', 'clitest/operated', '--by', 'test'));
    await ok(jobnet(source, 'disable', 'clitest/failing', '--by', 'test'));

    const bundle = path.join(scratch, 'clitest.yaml');
    await ok(jobnet(source, 'export', '--project', 'clitest', '--dir', definitions, '--with-state', '-o', bundle));
    const exported = jsYaml.load(await readFile(bundle, 'utf8')) as { state?: unknown };
    expect(exported.state).toEqual({ operated: { held: true }, failing: { disabled: true } });

    const into = path.join(scratch, 'imported');
    await mkdir(into);
    const imported = await ok(runJobnet(['import', bundle, '--into', into]));
    expect(imported.stderr).toContain('clitest/operated held');
    const operatedFile = path.join(into, 'projects/clitest/jobnets/operated.yaml');
    const operated = jsYaml.load(await readFile(operatedFile, 'utf8')) as { spec: Record<string, unknown> };
    expect(operated.spec.initialState).toEqual({ held: true });

    await ok(jobnet(target, 'apply', '--dir', into, '--by', 'test'));
    expect(await status(target, 'clitest/operated')).toBe('held');
    expect(await status(target, 'clitest/failing')).toBe('disabled');
    expect(await status(target, 'clitest/on-order')).not.toMatch(/held|disabled/);

    await ok(jobnet(target, 'release', 'clitest/operated', '--by', 'test'));
    await ok(jobnet(target, 'apply', '--dir', into, '--by', 'test'));
    expect(await status(target, 'clitest/operated')).toBe('waiting');

    // A changed definition that still says initialState: held is applied to the existing actor.
    operated.spec.requireConfirmation = true;
    await writeFile(operatedFile, jsYaml.dump(operated));
    const reapplied = await ok(jobnet(target, 'apply', '--dir', into, '--by', 'test', '--json'));
    expect(reapplied.stdout).toContain('operated');
    expect(await status(target, 'clitest/operated')).toBe('waiting');
  }, 120_000);
});
