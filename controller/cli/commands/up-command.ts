/**
 * `jobnet up` (R-OPS-7): the whole system in one process — a Temporal dev server on a persistent
 * database file (unless `TEMPORAL_ADDRESS`/`--address` points at a cluster), a worker, the GitOps
 * controller and the HTTP API — on the bundled `examples/` by default. It prints where the API and
 * the Temporal Web UI are, and runs until SIGINT/SIGTERM, stopping everything in order (controller,
 * API, worker, server). For production, run `jobnet worker`, `jobnet controller` and `jobnet api`
 * as separate processes against a cluster (docs/operations.md).
 *
 * Before it starts anything it checks that every port it is to listen on is free (the dev
 * server's gRPC and Web UI ports, the API's `--listen`), and names each busy one with the flag
 * that moves it: a second `jobnet up` must neither attach to the first one's server nor die
 * half-started. Its embedded worker runs `command` jobs unless `--no-command-jobs` is given: this
 * is a single-user development system on the user's own machine, running programs as that user,
 * as a shell would (docs/operations.md). The hints it prints carry the Temporal flags that differ
 * from the defaults, so they can be copied as they are.
 *
 * The API serves the operator API for one global admin account, `admin`, whose token is made
 * fresh at every start and held in memory only: the "jobnet is up" block prints the login URL
 * `http://HOST:PORT/?token=…` once (as Jupyter does), and it is written nowhere else.
 *
 * It prints one line per run start and end, abend, trouble, operation and reconcile change
 * (`--log-format text`, the default on a terminal) or JSON lines (`--log-format json`, the default
 * otherwise), and keeps one metrics registry for its worker, controller and API, served at
 * `/metrics` of its API.
 *
 * Must not print a secret other than that one login line (the webhook secret is read from the
 * environment variable it names).
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { defaultTaskQueue } from '../../../workflows/run-contract.js';
import { apiTokenDigest, newApiToken } from '../../api/auth/api-tokens.js';
import type { DevServer } from '../../temporal/dev-server.js';
import {
  addTemporalOptions,
  connectClient,
  defaultTemporalAddress,
  defaultTemporalNamespace,
  describeTemporalTarget,
  type TemporalClientHandle,
  type TemporalFlags,
  type TemporalTarget,
} from '../../temporal/temporal-target.js';
import type { RunningController } from '../../system/controller-process.js';
import { createProcessLog, type ProcessLog } from '../../system/process-log.js';
import type { RunningWorker } from '../../worker/start-worker.js';
import { packageRoot } from '../../package-root.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { temporalTargetForCommand, userErrorOf } from '../temporal-commands.js';
import {
  addListenerOptions,
  addSourceOptions,
  listenerLimitsFromFlags,
  parseListen,
  processLogFor,
  sourceSettingsOf,
  untilSignalled,
  webhookSecretFrom,
  type ListenerFlags,
  type SourceFlags,
} from './controller-commands.js';

interface UpFlags extends TemporalFlags, SourceFlags, ListenerFlags {
  env?: string;
  dataDir: string;
  temporalPort: string;
  uiPort: string;
  listen: string;
  /** `--no-command-jobs` sets it false; `--allow-command-jobs` (the default now) is still accepted. */
  commandJobs: boolean;
  allowCommandJobs?: boolean;
  webhookSecretEnv: string;
  logFormat?: string;
}

/** The bundled example definitions, in the package's root. */
const examplesDir = path.join(packageRoot, 'examples');

/** A port `jobnet up` is to listen on, and the flag that moves it. */
interface PlannedPort {
  host: string;
  port: number;
  flag: string;
  what: string;
}

/** Whether nothing listens on `host:port` (it can be bound now). */
async function portIsFree(host: string, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first free port after `port` on `host` (for the hint), if one is found soon. */
async function nextFreePort(host: string, port: number, taken: ReadonlySet<number>): Promise<number | undefined> {
  for (let candidate = port + 1; candidate <= Math.min(65535, port + 50); candidate++) {
    if (!taken.has(candidate) && (await portIsFree(host, candidate))) return candidate;
  }
  return undefined;
}

/**
 * Checks every port before anything starts.
 * @throws UsageError when two of them are the same; CommandFailure naming each busy port, the flag
 *   that moves it (with a free port to try) and, for the Temporal port, how to use the server
 *   that is there instead.
 */
async function checkPorts(ports: readonly PlannedPort[]): Promise<void> {
  for (const [i, a] of ports.entries()) {
    const clash = ports.slice(i + 1).find((b) => b.port === a.port);
    if (clash !== undefined)
      throw new UsageError(`${a.flag} and ${clash.flag} both use port ${a.port}; give them different ports`);
  }
  const busy: PlannedPort[] = [];
  for (const planned of ports) if (!(await portIsFree(planned.host, planned.port))) busy.push(planned);
  if (busy.length === 0) return;
  const taken = new Set(ports.map((planned) => planned.port));
  const lines: string[] = [];
  const moves: string[] = [];
  for (const planned of busy) {
    lines.push(`port ${planned.port} on ${planned.host} (${planned.what}, ${planned.flag}) is in use`);
    const free = await nextFreePort(planned.host, planned.port, taken);
    if (free !== undefined) {
      taken.add(free);
      moves.push(planned.flag === '--listen' ? `--listen ${planned.host}:${free}` : `${planned.flag} ${free}`);
    }
  }
  const temporal = busy.find((planned) => planned.flag === '--temporal-port');
  const advice = [
    moves.length > 0
      ? `move ${busy.length === 1 ? 'it' : 'them'}: jobnet up ${moves.join(' ')}`
      : `move ${busy.length === 1 ? 'it' : 'them'} with ${busy.map((planned) => planned.flag).join(', ')}`,
    ...(temporal !== undefined
      ? [
          `or use the Temporal server listening there (perhaps another jobnet up): jobnet up --address ${temporal.host}:${temporal.port}`,
        ]
      : []),
  ];
  throw new CommandFailure(`nothing was started: ${lines.join('; ')}.\n${advice.join('\n')}`);
}

/** The Temporal flags of a hint: those whose value differs from the default. */
function targetFlags(target: TemporalTarget): string {
  const flags: string[] = [];
  if (target.address !== defaultTemporalAddress) flags.push(`--address ${target.address}`);
  if (target.namespace !== defaultTemporalNamespace) flags.push(`--namespace ${target.namespace}`);
  if (target.taskQueue !== defaultTaskQueue) flags.push(`--task-queue ${target.taskQueue}`);
  return flags.length === 0 ? '' : ` ${flags.join(' ')}`;
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value < 1 || value > 65535)
    throw new UsageError(`${flag} must be a port number, not "${text}"`);
  return value;
}

/** The process's output (set when the command runs). */
let output: ProcessLog = createProcessLog('json', (text) => process.stdout.write(text));

function say(message: string): void {
  output.log('info', message);
}

/** Registers `jobnet up`. */
export function registerUpCommand(program: Command): void {
  const command = program
    .command('up')
    .description(
      'start the whole system in one process: Temporal dev server (unless TEMPORAL_ADDRESS is set), worker, controller and API, on examples/ by default',
    )
    .option('--env <name>', 'environment to compile for (default: Settings environment)')
    .option('--data-dir <dir>', 'where the dev server keeps its database', '.data')
    .option('--temporal-port <port>', 'dev server gRPC port', '7233')
    .option('--ui-port <port>', 'Temporal Web UI port', '8233')
    .option('--listen <host:port>', 'HTTP API: /api/v1/status, /api/v1/hooks/git, /healthz, /readyz', '127.0.0.1:8080')
    .option(
      '--no-command-jobs',
      'refuse `command` jobs on the embedded worker (they end 254); by default they run, as your user',
    )
    .addOption(new Option('--allow-command-jobs', 'run `command` jobs on the embedded worker (the default)').hideHelp())
    .option(
      '--webhook-secret-env <NAME>',
      'environment variable holding the push webhook secret',
      'JOBNET_WEBHOOK_SECRET',
    )
    .option('--log-format <text|json>', 'one readable line per event, or JSON lines (default: text on a terminal)');
  addTemporalOptions(addListenerOptions(addSourceOptions(command, examplesDir))).action(async (opts: UpFlags) => {
    output = processLogFor(opts.logFormat);
    const source = sourceSettingsOf(opts);
    const listen = parseListen(opts.listen);
    const listenerLimits = listenerLimitsFromFlags(opts);
    const webhookSecret = webhookSecretFrom(opts.webhookSecretEnv);
    const external = opts.address !== undefined || (process.env.TEMPORAL_ADDRESS ?? '') !== '';
    const commandJobs = opts.commandJobs;
    if (!commandJobs && opts.allowCommandJobs === true)
      throw new UsageError('give either --no-command-jobs or --allow-command-jobs, not both');
    const temporalPort = port(opts.temporalPort, '--temporal-port');
    const uiPort = port(opts.uiPort, '--ui-port');
    await checkPorts([
      ...(external
        ? []
        : [
            { host: '127.0.0.1', port: temporalPort, flag: '--temporal-port', what: 'Temporal dev server' },
            { host: '127.0.0.1', port: uiPort, flag: '--ui-port', what: 'Temporal Web UI' },
          ]),
      { host: listen.host, port: listen.port, flag: '--listen', what: 'HTTP API' },
    ]);

    // Loaded here, not when the command line is built: the SDKs take a while to load.
    const { startDevServer } = await import('../../temporal/dev-server.js');
    const { DeploymentOwnedError, startControllerProcess } = await import('../../system/controller-process.js');
    const { TokenAccounts } = await import('../../api/auth/token-accounts.js');
    const loginToken = newApiToken();
    const accounts = TokenAccounts.inMemory([
      {
        subject: 'admin',
        groups: [],
        admin: true,
        tokens: [{ digest: Buffer.from(apiTokenDigest(loginToken), 'hex') }],
      },
    ]);
    const { createJobnetMetrics } = await import('../../metrics/metrics.js');
    const { workerObserverOf } = await import('../../system/worker-observer.js');
    const metrics = createJobnetMetrics();
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
        server = await startDevServer({
          dbFile: path.join(opts.dataDir, 'temporal.db'),
          port: temporalPort,
          uiPort,
        }).catch((error: unknown) => {
          throw new CommandFailure(
            `the Temporal dev server did not start: ${error instanceof Error ? error.message : String(error)} (is port ${temporalPort} or ${uiPort} in use now? set --temporal-port/--ui-port)`,
          );
        });
        target = {
          ...temporalTargetForCommand({ ...opts, address: server.address }),
          address: server.address,
          namespace: server.namespace,
        };
      }
      try {
        handle = await connectClient(target);
        const { startWorker } = await import('../../worker/start-worker.js');
        say('bundling the workflows and starting the worker');
        worker = await startWorker({
          target,
          allowCommandJobs: commandJobs,
          observer: workerObserverOf(metrics, output),
        });
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
        // Its own dev server takes the Settings' history retention; a cluster's is only checked.
        retention: server !== undefined ? 'apply' : 'check',
        ...(webhookSecret !== undefined ? { webhookSecret } : {}),
        accounts,
        metrics,
        onReconciled: (outcome) => output.reconciled(outcome),
        log: (level, message, fields) => output.log(level, message, fields),
      }).catch((error: unknown) => {
        if (error instanceof DeploymentOwnedError) throw new CommandFailure(error.message);
        // Taken between the check and now.
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new CommandFailure(
            `port ${listen.port} on ${listen.host} (HTTP API, --listen) is in use: move it with --listen ${listen.host}:PORT`,
          );
        throw error;
      });
      const lines = [
        '',
        'jobnet is up',
        `  definitions   ${controller.source.describe()}`,
        `  Temporal      ${describeTemporalTarget(target)}`,
        ...(server?.uiUrl !== undefined ? [`  Web UI        ${server.uiUrl}`] : []),
        `  login         ${controller.api?.url ?? ''}/?token=${loginToken}   (admin; a new token at every start)`,
        `  API           ${controller.api?.url ?? ''}/api/v1/status   (Authorization: Bearer <the token>)`,
        `  metrics       ${controller.api?.url ?? ''}/metrics   (Authorization: Bearer <the token>)`,
        ...(output.format === 'text'
          ? [
              `  terminal      one line per run, abend, trouble, operation and reconcile; times local (${Intl.DateTimeFormat().resolvedOptions().timeZone})`,
            ]
          : []),
        `  webhook       ${controller.api?.url ?? ''}/api/v1/hooks/git ${webhookSecret !== undefined ? '(secret set)' : `(off: set ${opts.webhookSecretEnv})`}`,
        `  command jobs  ${commandJobs ? 'run on this worker, as your user (--no-command-jobs refuses them)' : 'refused (--no-command-jobs)'}`,
        `  try           jobnet status${targetFlags(target)} · jobnet ls${targetFlags(target)} · jobnet get jobnet infra/heartbeat${targetFlags(target)}   (Ctrl-C stops)`,
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
