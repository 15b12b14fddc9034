/**
 * `jobnet worker` (docs/architecture.md#three-roles-one-state-store, R-OPS-7): the long-running Temporal worker that runs
 * the product's workflows and activities, against the target the shared Temporal flags name.
 * `command` jobs run only when the worker is started with `--allow-command-jobs` or
 * `JOBNET_ALLOW_COMMAND_JOBS=1` (R-JOBT-8). SIGINT/SIGTERM shut it down gracefully. It prints one
 * line per run start and end, abend, trouble and operation of the workflows it runs
 * (`--log-format`), and with `--metrics-listen` serves its metrics at `/metrics` (and `/healthz`).
 *
 * Must not: print the API key (only {@link describeTemporalTarget} shows the target), or know
 * how the worker is built (controller/worker/start-worker.ts does).
 */
import type { Command } from 'commander';
import type { RunningWorker, WorkerDeployment, WorkerSettings } from '../../worker/start-worker.js';
import { defaultMaxCachedWorkflows } from '../../worker/worker-defaults.js';
import { addTemporalOptions, describeTemporalTarget, type TemporalFlags } from '../../temporal/temporal-target.js';
import type { RunningApiServer } from '../../api/api-server.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { parseListen, processLogFor } from './controller-commands.js';
import { temporalTargetForCommand, userErrorOf } from '../temporal-commands.js';

interface WorkerFlags extends TemporalFlags {
  allowCommandJobs?: boolean;
  maxConcurrentActivities?: string;
  maxCachedWorkflows?: string;
  metricsListen?: string;
  logFormat?: string;
  deploymentName?: string;
  buildId?: string;
}

/** `JOBNET_ALLOW_COMMAND_JOBS` turns command jobs on when it is `1`, `true` or `yes`. */
function commandJobsAllowedByEnv(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env.JOBNET_ALLOW_COMMAND_JOBS?.trim() ?? '');
}

function parsePositiveInteger(text: string, flag: string, minimum = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < minimum || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a whole number of at least ${minimum}, not "${text}"`);
  }
  return Number(text);
}

/** A worker-deployment name or build id: what Temporal accepts in one (no `.`, no spaces). */
const deploymentPart = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/;

/** `--deployment-name` and `--build-id` (or their variables): both or neither. */
function deploymentOf(opts: WorkerFlags, env: NodeJS.ProcessEnv): WorkerDeployment | undefined {
  const deploymentName = opts.deploymentName ?? (env.JOBNET_DEPLOYMENT_NAME?.trim() || undefined);
  const buildId = opts.buildId ?? (env.JOBNET_BUILD_ID?.trim() || undefined);
  if (deploymentName === undefined && buildId === undefined) return undefined;
  if (deploymentName === undefined)
    throw new UsageError('--build-id needs --deployment-name (or JOBNET_DEPLOYMENT_NAME)');
  if (buildId === undefined) throw new UsageError('--deployment-name needs --build-id (or JOBNET_BUILD_ID)');
  if (!deploymentPart.test(deploymentName) || deploymentName.includes('.'))
    throw new UsageError(
      `--deployment-name must be letters, digits, "-" or "_" (no "."), at most 255 characters, not "${deploymentName}"`,
    );
  if (!deploymentPart.test(buildId))
    throw new UsageError(
      `--build-id must be letters, digits, ".", "-" or "_", at most 255 characters, not "${buildId}"`,
    );
  return { deploymentName, buildId };
}

/** Registers `jobnet worker`. */
export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description('run a Temporal worker for jobnet runs (until SIGINT/SIGTERM)')
    .option('--allow-command-jobs', 'run `command` jobs on this worker (env JOBNET_ALLOW_COMMAND_JOBS=1)')
    .option('--max-concurrent-activities <n>', 'most activities (jobs) running at once on this worker')
    .option(
      '--max-cached-workflows <n>',
      `most workflows kept in memory between their tasks; the rest replay their history when they wake (default ${defaultMaxCachedWorkflows}, at least 2)`,
    )
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics at /metrics (and /healthz) here')
    .option('--log-format <text|json>', 'one readable line per event, or JSON lines (default: text on a terminal)')
    .option(
      '--deployment-name <name>',
      'Worker Versioning: the worker deployment this worker belongs to (env JOBNET_DEPLOYMENT_NAME; with --build-id)',
    )
    .option(
      '--build-id <id>',
      'Worker Versioning: the build of the workflow code this worker runs (env JOBNET_BUILD_ID; with --deployment-name)',
    );
  addTemporalOptions(command).action(async (opts: WorkerFlags) => {
    const target = temporalTargetForCommand(opts);
    const output = processLogFor(opts.logFormat);
    const metricsListen = opts.metricsListen !== undefined ? parseListen(opts.metricsListen) : undefined;
    const { createJobnetMetrics } = await import('../../metrics/metrics.js');
    const { workerObserverOf } = await import('../../system/worker-observer.js');
    const metrics = createJobnetMetrics();
    const settings: WorkerSettings = {
      observer: workerObserverOf(metrics, output),
      target,
      allowCommandJobs: opts.allowCommandJobs === true || commandJobsAllowedByEnv(process.env),
    };
    if (opts.maxConcurrentActivities !== undefined) {
      settings.maxConcurrentActivities = parsePositiveInteger(
        opts.maxConcurrentActivities,
        '--max-concurrent-activities',
      );
    }
    if (opts.maxCachedWorkflows !== undefined) {
      settings.maxCachedWorkflows = parsePositiveInteger(opts.maxCachedWorkflows, '--max-cached-workflows', 2);
    }
    const deployment = deploymentOf(opts, process.env);
    if (deployment) settings.deployment = deployment;

    let worker: RunningWorker;
    let metricsServer: RunningApiServer | undefined;
    try {
      if (metricsListen !== undefined) {
        const { startApiServer } = await import('../../api/api-server.js');
        metricsServer = await startApiServer({
          ...metricsListen,
          metrics,
          log: (level, message) => output.log(level, message),
        }).catch((error: unknown) => {
          throw new CommandFailure(
            `cannot listen on ${metricsListen.host}:${metricsListen.port} (--metrics-listen): ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      }
      // Loaded here: the worker SDK and the activities are heavy, and only this command needs them.
      const { startWorker } = await import('../../worker/start-worker.js');
      worker = await startWorker(settings);
    } catch (error) {
      await metricsServer?.close();
      throw error instanceof CommandFailure ? error : userErrorOf(error);
    }
    process.stdout.write(
      `worker connected to ${describeTemporalTarget(target)}; command jobs ${settings.allowCommandJobs ? 'allowed' : 'not allowed'}` +
        `${deployment ? `; deployment ${deployment.deploymentName}, build ${deployment.buildId}` : ''}` +
        `${metricsServer !== undefined ? `; metrics at ${metricsServer.url}/metrics` : ''}\n`,
    );

    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`${signal} received: finishing running tasks and shutting down\n`);
      // The Temporal runtime may already be shutting the worker down on the same signal.
      worker.shutdown().catch(() => undefined);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      await worker.done;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CommandFailure(`the worker stopped with an error: ${reason}`);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await metricsServer?.close();
    }
    process.stdout.write('worker stopped\n');
  });
}
