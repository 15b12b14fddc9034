/**
 * What `jobnet worker` and `jobnet controller` print on a terminal (`--log-format text`), through
 * the real bin against the dev server: one readable line for what a reconcile changed, and for a
 * run's start, its abend and the operation that started it, each exactly once, and never a job's
 * output; the worker's `--metrics-listen` serves its counts; `--log-format`
 * refuses other values.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { freePort } from '../../controller/temporal/dev-server.js';
import { scrape } from '../metrics/scrape.js';
import { projectRoot, runJobnet } from './cli-process.js';

const children: ChildProcess[] = [];
let root: string | undefined;

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    child.kill('SIGINT');
    await Promise.race([
      new Promise((resolve) => child.once('exit', resolve)),
      new Promise((resolve) => setTimeout(resolve, 15_000)),
    ]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (root !== undefined) await rm(root, { recursive: true, force: true });
}, 60_000);

/** Starts the bin with `args`; its output accumulates in the returned getter. */
function startBin(args: string[]): () => string {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'jobnet.js'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}

async function until(what: string, check: () => boolean | Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`${what} not reached; printed:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The lines of `text` whose tag column is `tag` and which contain `part`. */
function linesOf(text: string, tag: string, part: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\d{2}:\d{2}:\d{2} {2}/.test(line) && line.slice(10).startsWith(tag) && line.includes(part));
}

it('prints one readable line per reconcile change, run start, abend and operation', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jobnet-terminal-'));
  const project = `term${Date.now().toString(36)}`;
  await mkdir(path.join(root, 'jobnets'), { recursive: true });
  await writeFile(
    path.join(root, 'project.yaml'),
    `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ${project}}\nspec: {}\n`,
  );
  await writeFile(
    path.join(root, 'jobnets', 'fails.yaml'),
    `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: ${project}, name: fails}\nspec:\n  jobs:\n    first: {type: sleep, seconds: 0}\n    boom: {type: command, after: [first], argv: [sh, -c, 'echo "token=hunter2"; exit 3']}\n`,
  );
  const target = [
    '--address',
    inject('temporalAddress'),
    '--namespace',
    inject('temporalNamespace'),
    '--task-queue',
    `terminal-${process.pid}-${Date.now().toString(36)}`,
  ];
  const metricsPort = await freePort();
  const worker = startBin([
    'worker',
    ...target,
    '--allow-command-jobs',
    '--log-format',
    'text',
    '--metrics-listen',
    `127.0.0.1:${metricsPort}`,
  ]);
  await until('the worker', () => worker().includes('worker connected'), worker);
  expect(worker()).toContain(`metrics at http://127.0.0.1:${metricsPort}/metrics`);
  const controller = startBin([
    'controller',
    ...target,
    '--repo',
    root,
    '--listen',
    `127.0.0.1:${await freePort()}`,
    '--log-format',
    'text',
  ]);
  await until('the reconcile line', () => linesOf(controller(), 'reconcile', 'applied').length > 0, controller);
  expect(linesOf(controller(), 'reconcile', `created ${project}/fails`)).toHaveLength(1);

  const started = await runJobnet(['start', `${project}/fails`, '--by', 'carol', ...target]);
  expect(started.code, started.stderr).toBe(0);
  await until('the abend line', () => linesOf(worker(), 'abend', `${project}/fails`).length > 0, worker);
  // Let any duplicate arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const printed = worker();
  expect(linesOf(printed, 'run', `${project}/fails`)).toHaveLength(1);
  expect(linesOf(printed, 'run', `${project}/fails`)[0]).toMatch(/ started \(manual\) {2}run\//);
  const abend = linesOf(printed, 'abend', `${project}/fails`);
  expect(abend).toHaveLength(1);
  expect(abend[0]).toMatch(/ abended: job boom exit code 3 {2}run\//);
  expect(linesOf(printed, 'operation', `${project}/fails start by carol`)).toHaveLength(1);
  // The abend is said once: no second trouble line for it.
  expect(linesOf(printed, 'trouble', `${project}/fails`)).toHaveLength(0);
  // Job output (which may hold secrets) is never printed.
  expect(printed).not.toContain('hunter2');
  expect(printed).not.toMatch(/^\{"time"/m);

  const metrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(metrics.value('jobnet_runs_started_total', { project })).toBe(1);
  expect(metrics.value('jobnet_runs_ended_total', { project, status: 'abended' })).toBe(1);
  expect(metrics.value('jobnet_troubles_total', { project, kind: 'jobnetAbended' })).toBe(1);
  expect(metrics.count('jobnet_job_duration_seconds', { project, type: 'command', state: 'abended' })).toBe(1);
}, 180_000);

it('refuses a --log-format other than text or json', async () => {
  const refused = await runJobnet(['worker', '--log-format', 'yaml', '--address', inject('temporalAddress')]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--log-format must be text or json, not "yaml"');
});
