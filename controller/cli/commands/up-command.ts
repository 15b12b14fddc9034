/**
 * `jobnet up` (R-OPS-7): the whole system in one process — a Temporal dev server on a persistent
 * database file (unless `TEMPORAL_ADDRESS`/`--address` points at a cluster), a worker, the GitOps
 * controller and the HTTP API — on the bundled `examples/` by default. It prints where the API and
 * the Temporal Web UI are, and runs until SIGINT/SIGTERM, stopping everything in order (controller,
 * API, worker, server). For production, run `jobnet worker`, `jobnet controller` and `jobnet api`
 * as separate processes against a cluster (docs/operations.md).
 *
 * Must not print a secret (the webhook secret is read from the environment variable it names).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { addTemporalOptions, connectClient, describeTemporalTarget, type TemporalClientHandle, type TemporalFlags, type TemporalTarget } from '../../temporal/temporal-target.js';
import { DeploymentOwnedError, jsonLogLine, startControllerProcess, type RunningController } from '../../system/controller-process.js';
import type { RunningWorker } from '../../worker/start-worker.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { temporalTargetForCommand, userErrorOf } from '../temporal-commands.js';
import { addListenerOptions, addSourceOptions, listenerLimitsFromFlags, parseListen, sourceSettingsOf, untilSignalled, webhookSecretFrom, type ListenerFlags, type SourceFlags } from './controller-commands.js';

interface UpFlags extends TemporalFlags, SourceFlags, ListenerFlags {
  env?: string;
  dataDir: string;
  temporalPort: string;
  uiPort: string;
  listen: string;
  allowCommandJobs?: boolean;
  webhookSecretEnv: string;
}

/** The bundled example definitions, next to the package's `controller/`. */
const examplesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'examples');

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value < 1 || value > 65535) throw new UsageError(`${flag} must be a port number, not "${text}"`);
  return value;
}

function say(message: string): void {
  process.stdout.write(jsonLogLine('info', message));
}

/** Registers `jobnet up`. */
export function registerUpCommand(program: Command): void {
  const command = program
    .command('up')
    .description('start the whole system in one process: Temporal dev server (unless TEMPORAL_ADDRESS is set), worker, controller and API, on examples/ by default')
    .option('--env <name>', 'environment to compile for (default: Settings environment)')
    .option('--data-dir <dir>', 'where the dev server keeps its database', '.data')
    .option('--temporal-port <port>', 'dev server gRPC port', '7233')
    .option('--ui-port <port>', 'Temporal Web UI port', '8233')
    .option('--listen <host:port>', 'HTTP API: /api/v1/status, /api/v1/hooks/git, /healthz, /readyz', '127.0.0.1:8080')
    .option('--allow-command-jobs', 'run `command` jobs on the embedded worker')
    .option('--webhook-secret-env <NAME>', 'environment variable holding the push webhook secret', 'JOBNET_WEBHOOK_SECRET');
  addTemporalOptions(addListenerOptions(addSourceOptions(command, examplesDir))).action(async (opts: UpFlags) => {
    const source = sourceSettingsOf(opts);
    const listen = parseListen(opts.listen);
    const listenerLimits = listenerLimitsFromFlags(opts);
    const webhookSecret = webhookSecretFrom(opts.webhookSecretEnv);
    const external = opts.address !== undefined || (process.env.TEMPORAL_ADDRESS ?? '') !== '';

    let server: DevServer | undefined;
    let handle: TemporalClientHandle | undefined;
    let worker: RunningWorker | undefined;
    let controller: RunningController | undefined;
    const stopAll = async (): Promise<void> => {
      await controller?.stop().catch(() => undefined);
      await worker?.shutdown().catch(() => undefined);
      await worker?.done.catch(() => undefined);
      await handle?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
    };
    try {
      let target: TemporalTarget;
      if (external) {
        target = temporalTargetForCommand(opts);
      } else {
        await mkdir(opts.dataDir, { recursive: true });
        say(`starting the Temporal dev server (database ${path.join(opts.dataDir, 'temporal.db')})`);
        server = await startDevServer({ dbFile: path.join(opts.dataDir, 'temporal.db'), port: port(opts.temporalPort, '--temporal-port'), uiPort: port(opts.uiPort, '--ui-port') }).catch((error: unknown) => {
          throw new CommandFailure(`the Temporal dev server did not start: ${error instanceof Error ? error.message : String(error)} (is port ${opts.temporalPort} or ${opts.uiPort} in use? set --temporal-port/--ui-port)`);
        });
        target = { ...temporalTargetForCommand({ ...opts, address: server.address }), address: server.address, namespace: server.namespace };
      }
      try {
        handle = await connectClient(target);
        const { startWorker } = await import('../../worker/start-worker.js');
        say('bundling the workflows and starting the worker');
        worker = await startWorker({ target, allowCommandJobs: opts.allowCommandJobs === true });
      } catch (error) {
        throw userErrorOf(error);
      }
      controller = await startControllerProcess({
        client: handle.client,
        taskQueue: target.taskQueue,
        source,
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        listen,
        listenerLimits,
        ...(webhookSecret !== undefined ? { webhookSecret } : {}),
        log: (level, message, fields) => process.stdout.write(jsonLogLine(level, message, fields)),
      }).catch((error: unknown) => {
        throw error instanceof DeploymentOwnedError ? new CommandFailure(error.message) : error;
      });
      const lines = [
        '',
        'jobnet is up',
        `  definitions   ${controller.source.describe()}`,
        `  Temporal      ${describeTemporalTarget(target)}`,
        ...(server?.uiUrl !== undefined ? [`  Web UI        ${server.uiUrl}`] : []),
        `  API           ${controller.api?.url ?? ''}/api/v1/status`,
        `  webhook       ${controller.api?.url ?? ''}/api/v1/hooks/git ${webhookSecret !== undefined ? '(secret set)' : `(off: set ${opts.webhookSecretEnv})`}`,
        '  try           jobnet status · jobnet ls · jobnet get jobnet infra/heartbeat   (Ctrl-C stops)',
        '',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      await stopAll();
      throw error;
    }
    await untilSignalled(stopAll, say);
  });
}
