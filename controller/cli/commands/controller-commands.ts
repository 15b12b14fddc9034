/**
 * The GitOps controller's commands (R-OPS-7, R-GIT-1..4): `jobnet controller` (the long-running
 * reconcile loop, with the status and the push webhook on `--listen`), `jobnet api` (the HTTP
 * API process: the operator API for the accounts of a tokens file, status and health, reading what
 * the controller publishes in Temporal) and
 * `jobnet status` (the controller status, from Temporal). Shared source and listener flags
 * (address and limits: connection cap, timeouts, refusal rate) are used by `jobnet up` too.
 *
 * Must not print a secret: the webhook secret and git credentials are given as the names of
 * environment variables (or files) holding them, and resolved here or in the git source. The
 * listener, the controller and the Temporal SDK are loaded by the commands that run them, not
 * when the command line is built (`jobnet --help` stays fast).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseDuration } from '../../../workflows/lib/durations.js';
import { defaultListenerLimits, listenerLimitsOf, type ListenerLimits } from '../../api/listener-limits.js';
import type { TokenAccounts } from '../../api/auth/token-accounts.js';
import type { ControllerStatus } from '../../reconcile/controller-status.js';
import { renderControllerStatus } from '../../reconcile/render-status.js';
import type { GitCredentials } from '../../source/git-source.js';
import type { SourceSettings } from '../../system/controller-process.js';
import { createProcessLog, logFormatOf, type ProcessLog } from '../../system/process-log.js';
import { addTemporalOptions, describeTemporalTarget, type TemporalFlags } from '../../temporal/temporal-target.js';
import { addOperatorTargetOptions, apiTargetForCommand, ApiClient, type ServerFlags } from '../api-client.js';
import { CommandFailure, UsageError, exitCodes } from '../cli-errors.js';
import { temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';

/** Flags of the definition source (`controller`, `up`). */
export interface SourceFlags {
  repo?: string;
  branch?: string;
  path?: string;
  pollInterval?: string;
  gitUsername?: string;
  gitPasswordEnv?: string;
  gitTokenEnv?: string;
  cacheDir?: string;
}

/** Adds the definition source flags to `command`. */
export function addSourceOptions(command: Command, repoDefault?: string): Command {
  const repoHelp =
    'definitions: a git URL (https://, ssh://, git@host:path, file://), a local git repository (read as git, e.g. /srv/defs.git), or a directory (watched)';
  return (
    repoDefault === undefined
      ? command.requiredOption('--repo <url|dir>', repoHelp)
      : command.option('--repo <url|dir>', repoHelp, repoDefault)
  )
    .option(
      '--branch <name>',
      'git branch (default: main for a URL, the branch HEAD names for a local repository; with a plain directory, read it as a git repository instead of watching files)',
    )
    .option('--path <dir>', 'directory inside the repository holding the definitions')
    .option('--poll-interval <duration>', 'how often a git remote is polled', '15s')
    .option('--git-username <name>', 'user name for an https remote')
    .option('--git-password-env <NAME>', 'environment variable holding the password of an https remote')
    .option('--git-token-env <NAME>', 'environment variable holding an access token for an https remote')
    .option('--cache-dir <dir>', 'where the git clone is kept (default under $XDG_CACHE_HOME/jobnet)');
}

/**
 * The source settings of the flags.
 * @throws UsageError for a malformed poll interval or credentials without a secret.
 */
export function sourceSettingsOf(flags: SourceFlags): SourceSettings {
  const repo = flags.repo;
  if (repo === undefined || repo.trim() === '') throw new UsageError('--repo is required');
  const seconds = parseDuration(flags.pollInterval ?? '15s');
  if (seconds === undefined || seconds <= 0)
    throw new UsageError(`--poll-interval must be a duration such as 15s or 1m, not "${flags.pollInterval ?? ''}"`);
  const settings: SourceSettings = { repo, pollIntervalMs: seconds * 1000 };
  if (flags.branch !== undefined) settings.branch = flags.branch;
  if (flags.path !== undefined) settings.subPath = flags.path;
  if (flags.cacheDir !== undefined) settings.cacheDir = flags.cacheDir;
  const credentials: GitCredentials = {};
  if (flags.gitUsername !== undefined) credentials.username = flags.gitUsername;
  if (flags.gitPasswordEnv !== undefined) credentials.password = { env: flags.gitPasswordEnv };
  if (flags.gitTokenEnv !== undefined) credentials.token = { env: flags.gitTokenEnv };
  if (credentials.password !== undefined || credentials.token !== undefined) settings.credentials = credentials;
  else if (credentials.username !== undefined)
    throw new UsageError('--git-username needs --git-password-env or --git-token-env');
  return settings;
}

/**
 * `host:port` of a `--listen` flag (`:8081` means 127.0.0.1:8081).
 * @throws UsageError when it is not host:port.
 */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(.*):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (match === null || port > 65535)
    throw new UsageError(`--listen must be host:port, e.g. 127.0.0.1:8081, not "${text}"`);
  return { host: match[1] === '' ? '127.0.0.1' : (match[1] as string), port };
}

/** Flags of the listener limits (`controller`, `api`, `up`). */
export interface ListenerFlags {
  maxConnections?: string;
  requestTimeout?: string;
  idleTimeout?: string;
  keepAliveTimeout?: string;
  maxRefusals?: string;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Adds the listener limit flags to `command`; their defaults are those of `listener-limits.ts`. */
export function addListenerOptions(command: Command): Command {
  const d = defaultListenerLimits;
  return command
    .option(
      '--max-connections <n>',
      `connections the listener holds at once; more are closed at once (default ${d.maxConnections})`,
    )
    .option(
      '--request-timeout <duration>',
      `a request must arrive in full within this, else 408 (default ${seconds(d.requestTimeoutMs)})`,
    )
    .option(
      '--idle-timeout <duration>',
      `a connection silent for this long is closed (default ${seconds(d.idleTimeoutMs)})`,
    )
    .option(
      '--keep-alive-timeout <duration>',
      `an idle kept-alive connection is closed after this (default ${seconds(d.keepAliveTimeoutMs)})`,
    )
    .option(
      '--max-refusals <n>',
      `refused (401) webhook requests and failed API authentications per client address and minute before 429 (default ${d.maxRefusalsPerMinute})`,
    );
}

/**
 * The listener limits of the flags, over the defaults.
 * @throws UsageError for a value that is not a positive number or duration.
 */
export function listenerLimitsFromFlags(flags: ListenerFlags): ListenerLimits {
  const count = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d{1,9}$/.test(text.trim()) || Number(text) <= 0)
      throw new UsageError(`${flag} must be a positive whole number, not "${text}"`);
    return Number(text);
  };
  const duration = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    const value = parseDuration(text.trim());
    if (value === undefined || value <= 0)
      throw new UsageError(`${flag} must be a duration such as 10s or 1m, not "${text}"`);
    return value * 1000;
  };
  const overrides: Partial<ListenerLimits> = {
    maxConnections: count(flags.maxConnections, '--max-connections'),
    requestTimeoutMs: duration(flags.requestTimeout, '--request-timeout'),
    idleTimeoutMs: duration(flags.idleTimeout, '--idle-timeout'),
    keepAliveTimeoutMs: duration(flags.keepAliveTimeout, '--keep-alive-timeout'),
    maxRefusalsPerMinute: count(flags.maxRefusals, '--max-refusals'),
  };
  return listenerLimitsOf(overrides);
}

/**
 * The webhook secret from the environment variable `name` (or `name_FILE`, a file holding it);
 * undefined when neither is set.
 */
export function webhookSecretFrom(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== '') {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      throw new UsageError(`${name}_FILE names ${file}, which cannot be read`);
    }
  }
  return undefined;
}

/** The environment variable naming the tokens file when `--tokens-file` is not given. */
export const tokensFileEnv = 'JOBNET_API_TOKENS_FILE';

/** The tokens file of `--tokens-file`, else of {@link tokensFileEnv}; undefined when neither is set. */
export function tokensFileOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined && flag.trim() !== '') return flag;
  const fromEnv = env[tokensFileEnv];
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : undefined;
}

/**
 * Loads the API accounts of the tokens file `file`, reloaded when it changes or on SIGHUP.
 * @throws CommandFailure naming file:line:column of every problem (never a token or hash).
 */
export async function loadTokenAccounts(file: string): Promise<TokenAccounts> {
  const { TokenAccounts, TokensFileError } = await import('../../api/auth/token-accounts.js');
  try {
    return await TokenAccounts.fromFile(file, { log: (level, message) => log(level, message) });
  } catch (error) {
    if (error instanceof TokensFileError) throw new CommandFailure(error.message);
    throw error;
  }
}

interface ControllerFlags extends TemporalFlags, SourceFlags, ListenerFlags {
  tokensFile?: string;
  env?: string;
  prune?: boolean;
  listen?: string;
  webhookSecretEnv: string;
  logFormat?: string;
}

/**
 * The output of a long-running command for its `--log-format` (default: text on a terminal).
 * @throws UsageError for a value other than text or json.
 */
export function processLogFor(flag: string | undefined): ProcessLog {
  try {
    return createProcessLog(logFormatOf(flag, process.stdout.isTTY), (text) => process.stdout.write(text));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

const logFormatHelp = 'one readable line per event, or JSON lines (default: text on a terminal)';

/** Waits for SIGINT/SIGTERM, then runs `stop`. */
export async function untilSignalled(stop: () => Promise<void>, log: (line: string) => void): Promise<void> {
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log(`${signal} received: stopping`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stop();
}

/** The running command's output (set from its `--log-format` when it starts). */
let output: ProcessLog = createProcessLog('json', (text) => process.stdout.write(text));

function log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
  output.log(level, message, fields);
}

/** Registers `jobnet controller`, `jobnet api` and `jobnet status`. */
export function registerControllerCommands(program: Command): void {
  const controller = program
    .command('controller')
    .description(
      'run the GitOps controller: reconcile a git branch or a directory into Temporal, serve its status and the push webhook (until SIGINT/SIGTERM)',
    )
    .option('--env <name>', 'environment to compile for (default: Settings environment)')
    .option(
      '--prune',
      'delete jobnets removed from the definitions instead of retiring them (default: Settings controller.prune)',
    )
    .option(
      '--listen <host:port>',
      'serve /api/v1/status, /api/v1/hooks/git, /metrics, /healthz and /readyz here',
      '127.0.0.1:8081',
    )
    .option(
      '--webhook-secret-env <NAME>',
      'environment variable holding the push webhook secret (or NAME_FILE, a file)',
      'JOBNET_WEBHOOK_SECRET',
    )
    .option(
      '--tokens-file <path>',
      `API accounts (default $${tokensFileEnv}); with it, the listener serves the operator API and authenticates /api/v1/status and /readyz`,
    )
    .option('--log-format <text|json>', logFormatHelp);
  addTemporalOptions(addListenerOptions(addSourceOptions(controller))).action(async (opts: ControllerFlags) => {
    output = processLogFor(opts.logFormat);
    const target = temporalTargetForCommand(opts);
    const source = sourceSettingsOf(opts);
    const listen = opts.listen !== undefined ? parseListen(opts.listen) : undefined;
    const listenerLimits = listenerLimitsFromFlags(opts);
    const webhookSecret = webhookSecretFrom(opts.webhookSecretEnv);
    const tokensFile = tokensFileOf(opts.tokensFile);
    const accounts = tokensFile !== undefined ? await loadTokenAccounts(tokensFile) : undefined;
    const { startControllerProcess } = await import('../../system/controller-process.js');
    const { createJobnetMetrics } = await import('../../metrics/metrics.js');
    const metrics = createJobnetMetrics();
    await withTemporalClient(target, async ({ client }) => {
      const running = await startControllerProcess({
        client,
        taskQueue: target.taskQueue,
        source,
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        ...(opts.prune === true ? { prune: true } : {}),
        ...(listen !== undefined ? { listen } : {}),
        listenerLimits,
        ...(webhookSecret !== undefined ? { webhookSecret } : {}),
        ...(accounts !== undefined ? { accounts } : {}),
        metrics,
        onReconciled: (outcome) => output.reconciled(outcome),
        log,
      }).catch((error: unknown) => {
        throw new CommandFailure(error instanceof Error ? error.message : String(error));
      });
      log('info', `controller connected to ${describeTemporalTarget(target)}`, {
        ...(running.api !== undefined ? { api: running.api.url } : {}),
        webhook: webhookSecret !== undefined ? 'on' : `off (set ${opts.webhookSecretEnv})`,
      });
      await untilSignalled(
        () => running.stop(),
        (line) => log('info', line),
      );
    });
  });

  const api = program
    .command('api')
    .description(
      'run the operator API (jobnets, runs, events, status, /healthz, /readyz, /metrics), authenticated by the tokens file, reading Temporal (until SIGINT/SIGTERM)',
    )
    .option('--listen <host:port>', 'address to serve on', '127.0.0.1:8080')
    .option(
      '--tokens-file <path>',
      `API accounts and their token hashes (required; default $${tokensFileEnv}); reloaded when it changes or on SIGHUP`,
    )
    .option('--log-format <text|json>', logFormatHelp);
  addTemporalOptions(addListenerOptions(api)).action(
    async (opts: TemporalFlags & ListenerFlags & { listen: string; tokensFile?: string; logFormat?: string }) => {
      output = processLogFor(opts.logFormat);
      const target = temporalTargetForCommand(opts);
      const listen = parseListen(opts.listen);
      const limits = listenerLimitsFromFlags(opts);
      const tokensFile = tokensFileOf(opts.tokensFile);
      if (tokensFile === undefined)
        throw new UsageError(
          `jobnet api needs the API accounts: give --tokens-file <path> or set ${tokensFileEnv} (jobnet token create makes a token and its lines)`,
        );
      const accounts = await loadTokenAccounts(tokensFile);
      const { startApiServer } = await import('../../api/api-server.js');
      const { publishedAccessReader, tokenAuth } = await import('../../api/auth/token-auth.js');
      const { readPublishedStatus } = await import('../../api/published-status.js');
      const { temporalCheck } = await import('../../api/readiness-checks.js');
      const { createJobnetMetrics } = await import('../../metrics/metrics.js');
      const metrics = createJobnetMetrics();
      await withTemporalClient(target, async ({ client }) => {
        const server = await startApiServer({
          ...listen,
          limits,
          status: async () => await readPublishedStatus(client, target.taskQueue),
          readiness: { temporal: temporalCheck(client) },
          operator: {
            client,
            taskQueue: target.taskQueue,
            auth: tokenAuth(accounts, publishedAccessReader(client, target.taskQueue)),
          },
          accounts: async () => await accounts.current(),
          metrics,
          log: (level, message) => log(level, message),
        });
        log('info', `API listening on ${server.url}, reading ${describeTemporalTarget(target)}`);
        await untilSignalled(
          async () => {
            await server.close();
            accounts.close();
          },
          (line) => log('info', line),
        );
      });
    },
  );

  const status = program
    .command('status')
    .description(
      'show the GitOps controller status: revisions, conditions, per-jobnet sync and health, diagnostics of a stalled revision',
    )
    .option('--json', 'print the status as JSON (the API form)');
  addOperatorTargetOptions(status).action(async (opts: TemporalFlags & ServerFlags & { json?: boolean }) => {
    const remote = apiTargetForCommand(opts);
    if (remote !== undefined) {
      const found = await new ApiClient(remote).get<ControllerStatus>('/api/v1/status');
      process.stdout.write(opts.json === true ? `${JSON.stringify(found, null, 2)}\n` : renderControllerStatus(found));
      const ready = found.conditions.find((condition) => condition.type === 'Ready');
      process.exitCode = ready?.status === 'True' ? exitCodes.ok : exitCodes.failed;
      return;
    }
    const target = temporalTargetForCommand(opts);
    const { getControllerStatus } = await import('../../jobnets/jobnet-client.js');
    await withTemporalClient(target, async ({ client }) => {
      const published = (await getControllerStatus(client, target.taskQueue)) as ControllerStatus | undefined;
      if (published === undefined)
        throw new CommandFailure(
          `no controller has published a status for task queue ${target.taskQueue} (is jobnet controller running?)`,
        );
      const { withDeliveryStatus } = await import('../../incidents/delivery-client.js');
      const found = await withDeliveryStatus(client, target.taskQueue, published);
      process.stdout.write(opts.json === true ? `${JSON.stringify(found, null, 2)}\n` : renderControllerStatus(found));
      const ready = found.conditions.find((condition) => condition.type === 'Ready');
      process.exitCode = ready?.status === 'True' ? exitCodes.ok : exitCodes.failed;
    });
  });
}
