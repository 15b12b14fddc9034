/**
 * Test harness for the run workflow on the real dev server of the test run (tier 4 of CONTRIBUTING.md#testing-tiers):
 * a real worker in this process on a task queue of its own, a client, and small helpers to build
 * compiled jobnets, start runs and wait for what the run query shows. No Temporal mocking.
 */
import { inject } from 'vitest';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../controller/worker/start-worker.js';
import {
  connectClient,
  type TemporalClientHandle,
  type TemporalTarget,
} from '../../controller/temporal/temporal-target.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import {
  runOperationUpdate,
  runViewQuery,
  type RunInput,
  type RunOperationRequest,
  type RunView,
} from '../../workflows/run-contract.js';
import { summary } from './run-fixtures.js';

export { after, jobnetOf, summary } from './run-fixtures.js';

// Worker state changes are logged at INFO; tests keep only warnings. Installed once per process.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by another harness in this process.
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle, made once per test file. */
export function sharedBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export interface RunHarness {
  target: TemporalTarget;
  client: TemporalClientHandle['client'];
  worker: RunningWorker;
  /** Starts a run of `jobnet` directly (no scheduler) and returns its workflow id. */
  start(jobnet: CompiledJobnet, extra?: Partial<RunInput>): Promise<string>;
  view(id: string): Promise<RunView>;
  /** Polls the run query until `predicate` holds; fails with the last view after `timeoutMs`. */
  waitFor(id: string, predicate: (view: RunView) => boolean, timeoutMs?: number): Promise<RunView>;
  /** Waits until the run has a final status. */
  waitForEnd(id: string, timeoutMs?: number): Promise<RunView>;
  operate(
    id: string,
    request: RunOperationRequest,
  ): Promise<{ ok: true; detail: string } | { ok: false; reason: string }>;
  stop(): Promise<void>;
}

let queueSequence = 0;

/** A worker on a fresh task queue of the shared dev server, and a client. */
export async function startRunHarness(
  options: { allowCommandJobs?: boolean; taskQueue?: string; startWorker?: boolean } = {},
): Promise<RunHarness> {
  queueSequence += 1;
  const target: TemporalTarget = {
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
    taskQueue: options.taskQueue ?? `test-${process.pid}-${Date.now().toString(36)}-${queueSequence}`,
  };
  const handle = await connectClient(target);
  const worker = await startWorker({
    target,
    allowCommandJobs: options.allowCommandJobs ?? false,
    workflowBundle: await sharedBundle(),
  });
  let runSequence = 0;
  const harness: RunHarness = {
    target,
    client: handle.client,
    worker,
    async start(jobnet, extra = {}) {
      runSequence += 1;
      const id = `run/${jobnet.project}/${jobnet.name}/${target.taskQueue}/${runSequence}`;
      const { children = {}, ...rest } = jobnet;
      const input: RunInput = {
        jobnet: rest,
        children,
        businessDate: '2026-11-23',
        trigger: 'manual',
        requestedBy: 'test',
        level: 1,
        ...extra,
      };
      await handle.client.workflow.start('runWorkflow', { workflowId: id, taskQueue: target.taskQueue, args: [input] });
      return id;
    },
    async view(id) {
      return await handle.client.workflow.getHandle(id).query(runViewQuery);
    },
    async waitFor(id, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: RunView | undefined;
      for (;;) {
        last = await harness.view(id);
        if (predicate(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(
            `condition not reached within ${timeoutMs} ms; last view: ${JSON.stringify(summary(last), null, 1)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async waitForEnd(id, timeoutMs) {
      return await harness.waitFor(id, (view) => view.state.result !== undefined, timeoutMs);
    },
    async operate(id, request) {
      try {
        const answer = await handle.client.workflow
          .getHandle(id)
          .executeUpdate(runOperationUpdate, { args: [request] });
        return { ok: true, detail: answer.detail };
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause;
        if (cause?.message !== undefined) return { ok: false, reason: cause.message };
        throw error;
      }
    },
    async stop() {
      await worker.shutdown();
      await handle.close();
    },
  };
  return harness;
}
