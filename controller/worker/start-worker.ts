/**
 * Starts a Temporal worker for the product (docs/architecture.md#three-roles-one-state-store): the workflows of
 * `workflows/index.ts` (runs, resource locks), bundled for the sandbox, and the activities of
 * `workflows/activities/`, on one task queue of one namespace.
 *
 * It does network I/O (the worker's and the activities' connections) and, when command jobs are
 * allowed, keeps their programs from outliving the worker (command-supervisor.ts): before polling,
 * it kills the programs a worker on this host left running when it died, and starts the
 * supervisor process that kills this worker's programs if it dies. Nothing else: it does not
 * read definitions and holds no state of its own; everything durable is in Temporal.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type InjectedSinks,
  type WorkflowBundle,
} from '@temporalio/worker';
import { killLeftoverCommands, startCommandSupervisor } from '../../workflows/activities/command-supervisor.js';
import { createActivities } from '../../workflows/activities/index.js';
import type { RestPollTiming } from '../../workflows/activities/rest-activities.js';
import type { JobnetEvent, JobnetEventSinks } from '../../workflows/event-sink-contract.js';
import { connectClient, connectionOptionsOf, type TemporalTarget } from '../temporal/temporal-target.js';
import { defaultMaxCachedWorkflows } from './worker-defaults.js';

export interface WorkerSettings {
  target: TemporalTarget;
  /** R-JOBT-8: `command` jobs run only on workers started with this set. */
  allowCommandJobs: boolean;
  /** Most activities running at once on this worker. */
  maxConcurrentActivities?: number;
  /**
   * Most workflows kept in memory between their tasks (the SDK's `maxCachedWorkflows`); omitted:
   * {@link defaultMaxCachedWorkflows}. A workflow beyond it is evicted (least recently used first)
   * and replays its history at its next task.
   */
  maxCachedWorkflows?: number;
  /** A workflow bundle made earlier by {@link bundleWorkflows}; omitted: bundled now (a few seconds). */
  workflowBundle?: WorkflowBundle;
  /** Hears what happens in this worker's workflows and activities (metrics, terminal lines). */
  observer?: WorkerObserver;
  /**
   * Worker Versioning (docs/operations.md#rolling-out-new-workflow-code): this worker is build
   * `buildId` of the worker deployment `deploymentName`. Runs are pinned to the build they started
   * on; the long-lived workflows move to the current build at their next task. Omitted: an
   * unversioned worker, which takes every task of its task queue.
   */
  deployment?: WorkerDeployment;
}

/** What a worker process does with what its workflows and activities report. */
export interface WorkerObserver {
  /** An event of a workflow, as it happens: never for history a workflow replays. */
  event?(event: JobnetEvent): void;
  /** The timing of each REST poll. */
  restPoll?(timing: RestPollTiming): void;
}

/**
 * The workflows' event sink (event-sink-contract.ts), always registered (a workflow calling an
 * unregistered sink is logged as an error). Not called during replay: a restarted worker that
 * replays a run's history does not emit its events again.
 */
export function jobnetEventSinks(observer: WorkerObserver | undefined): InjectedSinks<JobnetEventSinks> {
  return {
    jobnetEvents: {
      emit: {
        fn: (_info, event) => observer?.event?.(event),
        callDuringReplay: false,
      },
    },
  };
}

/** A build of a worker deployment (Temporal Worker Versioning). */
export interface WorkerDeployment {
  deploymentName: string;
  buildId: string;
}

export interface RunningWorker {
  /** Resolves when the worker has shut down (after `shutdown()`); rejects on a fatal error. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Path of the module that exports every workflow the worker registers: `workflows/index.ts` next to
 * this module's sources, or `dist/workflows/index.js` when this module runs from the compiled
 * build (bin/jobnet.js) — the workflows are bundled from the same build as the rest of the worker.
 */
export const workflowsPath = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'workflows',
  `index${path.extname(import.meta.filename)}`,
);

/**
 * Bundles the workflows for the Temporal sandbox. The bundler (not tsc) is what catches a Node
 * built-in or other non-deterministic import reaching workflow code (CONTRIBUTING.md#8-workflow-code-is-deterministic).
 * @throws Error when a workflow module cannot be bundled.
 */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return await bundleWorkflowCode({
    workflowsPath,
    logger: quietBundlerLogger,
    preloadModules: sharedWorkflowModules(),
  });
}

/**
 * Workflow modules loaded once per workflow thread and shared by every workflow it runs, rather
 * than evaluated again for each new workflow (the SDK's `preloadModules`; it deep-freezes what
 * they export): the pure modules of `workflows/lib/`, which hold no per-workflow state, and what
 * they import (luxon, @temporalio/common). Not the actor's machine (`jobnet-machine.ts`): it
 * imports `run-contract.ts` and through it the workflow API, which stays per workflow.
 * test/architecture/shared-workflow-modules.test.ts keeps the shared modules pure
 * (docs/performance.md#run-throughput-against-a-bare-workflow).
 */
export function sharedWorkflowModules(): string[] {
  const lib = path.join(path.dirname(workflowsPath), 'lib');
  const extension = path.extname(workflowsPath);
  return readdirSync(lib)
    .filter((name) => name.endsWith(extension) && !name.endsWith(`.d${extension}`))
    .filter((name) => !notShared.includes(path.basename(name, extension)))
    .sort()
    .map((name) => path.join(lib, name));
}

/** Modules of `workflows/lib/` that reach the workflow API, so are not shared (see {@link sharedWorkflowModules}). */
export const notShared: readonly string[] = ['jobnet-machine'];

/**
 * Workflow tasks running at once on one worker: the SDK's default (40), but never more than the
 * cache holds (the SDK requires it).
 */
function workflowTaskSlotsFor(maxCachedWorkflows: number): number {
  return Math.min(40, maxCachedWorkflows);
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/**
 * Connects to `settings.target`, starts polling its task queue and returns at once; `done`
 * follows the worker's life.
 * @throws TemporalUnavailableError when the server cannot be reached.
 */
export async function startWorker(settings: WorkerSettings): Promise<RunningWorker> {
  const { target } = settings;
  if (settings.allowCommandJobs) {
    // Their jobs have ended 239 (or will, at the heartbeat timeout); they must not also run on.
    for (const leftover of killLeftoverCommands()) {
      console.warn(
        `killed process group ${leftover.processGroup} (${leftover.program}) of job ${leftover.job} of run ${leftover.runId}, left running by worker process ${leftover.workerPid}, which stopped`,
      );
    }
    startCommandSupervisor();
  }
  const workflowBundle = settings.workflowBundle ?? (await bundleWorkflows());
  const clientHandle = await connectClient(target);
  const connection = await NativeConnection.connect(connectionOptionsOf(target));
  const maxCachedWorkflows = settings.maxCachedWorkflows ?? defaultMaxCachedWorkflows;
  const worker = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: target.taskQueue,
    workflowBundle,
    sinks: jobnetEventSinks(settings.observer),
    activities: createActivities({
      client: clientHandle.client,
      taskQueue: target.taskQueue,
      allowCommandJobs: settings.allowCommandJobs,
      ...(settings.observer?.restPoll !== undefined
        ? { onRestPoll: (timing: RestPollTiming) => settings.observer?.restPoll?.(timing) }
        : {}),
    }),
    ...(settings.maxConcurrentActivities !== undefined
      ? { maxConcurrentActivityTaskExecutions: settings.maxConcurrentActivities }
      : {}),
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlotsFor(maxCachedWorkflows),
    // Cancellation reaches a running activity with a heartbeat answer: keep that under ~1 s so a
    // force-terminated or timed-out command is killed promptly.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    // Jobs end by cancellation (force-terminate, time limit); a command gets its grace period.
    shutdownGraceTime: '10 seconds',
    ...(settings.deployment
      ? {
          workerDeploymentOptions: {
            version: settings.deployment,
            useWorkerVersioning: true,
            // A run is pinned to the code it started on; the long-lived workflows declare
            // AUTO_UPGRADE themselves (workflows/versioning.ts).
            defaultVersioningBehavior: 'PINNED' as const,
          },
        }
      : {}),
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await clientHandle.close();
  });
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
