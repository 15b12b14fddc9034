/**
 * Real `jobnet worker` processes for durability tests: started as the CLI starts them, killed with
 * SIGKILL as a crashed host would be, and a run view polled across the gap. Every process started
 * is killed by {@link stopWorkerProcesses}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { runViewQuery, type RunView } from '../../workflows/run-contract.js';
import { summary } from './run-fixtures.js';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const started: ChildProcess[] = [];
const outputs = new WeakMap<ChildProcess, { text: string }>();

/** Everything a worker process has written to stdout and stderr so far (its log). */
export function workerOutput(child: ChildProcess): string {
  return outputs.get(child)?.text ?? '';
}

/**
 * Starts `jobnet worker` as its own process and resolves once it says it is connected. `nodeArgs`
 * go to node before the script (a benchmark's `--cpu-prof`, which NODE_OPTIONS may not carry);
 * `workerArgs` after `jobnet worker` and the target (`--max-cached-workflows 500`).
 */
export async function startWorkerProcess(
  address: string,
  namespace: string,
  taskQueue: string,
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: readonly string[] = [],
  workerArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      path.join(projectRoot, 'bin', 'jobnet.js'),
      'worker',
      '--address',
      address,
      '--namespace',
      namespace,
      '--task-queue',
      taskQueue,
      ...workerArgs,
    ],
    {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  const output = { text: '' };
  outputs.set(child, output);
  child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker did not connect in time: ${output.text}`)), 60_000);
    const onData = () => {
      if (output.text.includes('worker connected')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code}: ${output.text}`));
    });
  });
  return child;
}

/** Kills a worker process as a crash would (SIGKILL) and waits until it is gone. */
export async function killWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Kills every worker process still running. */
export async function stopWorkerProcesses(): Promise<void> {
  for (const child of started.splice(0)) await killWorkerProcess(child);
}

/** Polls the run query (which fails while no worker is up) until `predicate` holds. */
export async function waitForView(
  client: Client,
  id: string,
  predicate: (view: RunView) => boolean,
  timeoutMs: number,
): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  let last: RunView | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await client.workflow.getHandle(id).query(runViewQuery);
      if (predicate(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `not reached in ${timeoutMs} ms; last view ${last ? JSON.stringify(summary(last)) : 'none'}; last error ${String(lastError)}`,
  );
}
