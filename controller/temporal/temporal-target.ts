/**
 * Where the product's Temporal lives and how to reach it (docs/architecture.md#three-roles-one-state-store: "users who outgrow one
 * machine point everything at a Temporal cluster — self-hosted or Temporal Cloud"). One target
 * type, read the same way by every long-running role and every CLI command: flags first, then
 * environment variables, then defaults for the local dev server.
 *
 * | flag                | environment                | default           |
 * |---------------------|----------------------------|-------------------|
 * | `--address`         | `TEMPORAL_ADDRESS`         | `127.0.0.1:7233`  |
 * | `--namespace`       | `TEMPORAL_NAMESPACE`       | `default`         |
 * | `--task-queue`      | `JOBNET_TASK_QUEUE`        | `jobnet`          |
 * | `--tls`             | `TEMPORAL_TLS` (`1`/`true`)| off               |
 * | `--tls-cert`        | `TEMPORAL_TLS_CERT`        |                   |
 * | `--tls-key`         | `TEMPORAL_TLS_KEY`         |                   |
 * | `--tls-ca`          | `TEMPORAL_TLS_CA`          |                   |
 * | `--tls-server-name` | `TEMPORAL_TLS_SERVER_NAME` |                   |
 * | `--api-key`         | `TEMPORAL_API_KEY`         |                   |
 *
 * Any TLS file or server name turns TLS on; an API key turns TLS on too (Temporal Cloud accepts
 * API keys over TLS only).
 *
 * Must not: print, log or put into an error message the API key or the contents of a TLS file
 * (R-SEC-1) — {@link describeTemporalTarget} is the one way to show a target. It reads TLS files
 * (when connection options are built) and opens connections; it knows nothing of runs or
 * definitions.
 */
import { readFileSync } from 'node:fs';
import type { Client, Connection, ConnectionOptions, TLSConfig } from '@temporalio/client';
import type { Command } from 'commander';
import { defaultTaskQueue } from '../../workflows/run-contract.js';

/** TLS settings beyond "on": client certificate pair (mTLS), a private CA, an SNI override. */
export interface TemporalTlsFiles {
  /** Client certificate (PEM) for mTLS; goes with `keyPath`. */
  certPath?: string;
  /** Private key (PEM) of the client certificate; goes with `certPath`. */
  keyPath?: string;
  /** CA certificate (PEM) the server's certificate is checked against; omitted: the system's. */
  caPath?: string;
  /** Server name for TLS host-name checking (SNI), when it differs from the address's host. */
  serverName?: string;
}

/** A Temporal endpoint, namespace and task queue, with the credentials to reach it. */
export interface TemporalTarget {
  /** `host:port` of the frontend (gRPC). */
  address: string;
  namespace: string;
  /** Task queue of the run workflows and their activities. */
  taskQueue: string;
  /** TLS: `true` for TLS with the system's trust store and no client certificate. Omitted: plain text. */
  tls?: TemporalTlsFiles | true;
  /** API key sent as `Authorization: Bearer …` (Temporal Cloud). Secret: never print it. */
  apiKey?: string;
}

/** The command-line flags of a target, as commander hands them over (camel-cased). */
export interface TemporalFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsServerName?: string;
  apiKey?: string;
}

/** The local dev server's frontend (scripts/, `jobnet up`). */
export const defaultTemporalAddress = '127.0.0.1:7233';
export const defaultTemporalNamespace = 'default';

/**
 * A target that cannot be used as configured: cert without key, an unreadable TLS file, an
 * empty address. A user mistake; the message says which flag or variable to fix.
 */
export class TemporalTargetError extends Error {
  override name = 'TemporalTargetError';
}

/** The Temporal server could not be reached (or refused the connection). */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

/**
 * Connection options that suit both `@temporalio/client`'s `Connection.connect` and
 * `@temporalio/worker`'s `NativeConnection.connect` (their `address`, `tls` and `apiKey` agree).
 */
export interface TemporalConnectionOptions extends Pick<ConnectionOptions, 'address' | 'tls' | 'apiKey'> {
  address: string;
  tls?: TLSConfig | true;
  apiKey?: string;
}

/** A connected client; `close()` closes the connection (safe to call twice). */
export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/** A flag value, else the environment variable's, treating empty strings as unset. */
function pick(flag: string | undefined, env: NodeJS.ProcessEnv, variable: string): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const value = env[variable];
  return value !== undefined && value !== '' ? value : undefined;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * The target described by `flags`, falling back to the environment, then to the local dev
 * server (see the module header for the table). Reads no files.
 * @throws TemporalTargetError when the settings contradict each other (a client certificate
 * without its key or the reverse) or a value is blank.
 */
export function temporalTargetFrom(flags: TemporalFlags, env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const address = pick(flags.address, env, 'TEMPORAL_ADDRESS') ?? defaultTemporalAddress;
  const namespace = pick(flags.namespace, env, 'TEMPORAL_NAMESPACE') ?? defaultTemporalNamespace;
  const taskQueue = pick(flags.taskQueue, env, 'JOBNET_TASK_QUEUE') ?? defaultTaskQueue;
  for (const [what, value] of [
    ['address (--address / TEMPORAL_ADDRESS)', address],
    ['namespace (--namespace / TEMPORAL_NAMESPACE)', namespace],
    ['task queue (--task-queue / JOBNET_TASK_QUEUE)', taskQueue],
  ] as const) {
    if (value.trim() === '') throw new TemporalTargetError(`the Temporal ${what} is blank`);
  }

  const files: TemporalTlsFiles = {};
  const certPath = pick(flags.tlsCert, env, 'TEMPORAL_TLS_CERT');
  const keyPath = pick(flags.tlsKey, env, 'TEMPORAL_TLS_KEY');
  const caPath = pick(flags.tlsCa, env, 'TEMPORAL_TLS_CA');
  const serverName = pick(flags.tlsServerName, env, 'TEMPORAL_TLS_SERVER_NAME');
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new TemporalTargetError(
      certPath === undefined
        ? 'a TLS client key (--tls-key / TEMPORAL_TLS_KEY) needs its certificate (--tls-cert / TEMPORAL_TLS_CERT)'
        : 'a TLS client certificate (--tls-cert / TEMPORAL_TLS_CERT) needs its key (--tls-key / TEMPORAL_TLS_KEY)',
    );
  }
  if (certPath !== undefined) files.certPath = certPath;
  if (keyPath !== undefined) files.keyPath = keyPath;
  if (caPath !== undefined) files.caPath = caPath;
  if (serverName !== undefined) files.serverName = serverName;

  const apiKey = pick(flags.apiKey, env, 'TEMPORAL_API_KEY');
  const target: TemporalTarget = { address, namespace, taskQueue };
  if (Object.keys(files).length > 0) target.tls = files;
  else if (flags.tls === true || isTruthy(env.TEMPORAL_TLS) || apiKey !== undefined) target.tls = true;
  if (apiKey !== undefined) target.apiKey = apiKey;
  return target;
}

function readTlsFile(path: string, what: string, source: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new TemporalTargetError(`cannot read the ${what} ${path} (${source}): ${reason}`);
  }
}

/**
 * Connection options for `target`: address, TLS (certificate files read now) and API key. An
 * API key turns TLS on even when the target does not say so, as Temporal Cloud requires.
 * @throws TemporalTargetError when a TLS file cannot be read (the message names the file and the
 * flag, never its contents).
 */
export function connectionOptionsOf(target: TemporalTarget): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: target.address };
  if (target.tls === true) options.tls = true;
  else if (target.tls !== undefined) {
    const tls: TLSConfig = {};
    const { certPath, keyPath, caPath, serverName } = target.tls;
    if (certPath !== undefined || keyPath !== undefined) {
      if (certPath === undefined || keyPath === undefined) {
        throw new TemporalTargetError('a TLS client certificate and its key go together (--tls-cert and --tls-key)');
      }
      tls.clientCertPair = {
        crt: readTlsFile(certPath, 'TLS client certificate', '--tls-cert / TEMPORAL_TLS_CERT'),
        key: readTlsFile(keyPath, 'TLS client key', '--tls-key / TEMPORAL_TLS_KEY'),
      };
    }
    if (caPath !== undefined)
      tls.serverRootCACertificate = readTlsFile(caPath, 'TLS CA certificate', '--tls-ca / TEMPORAL_TLS_CA');
    if (serverName !== undefined) tls.serverNameOverride = serverName;
    options.tls = tls;
  }
  if (target.apiKey !== undefined) {
    options.apiKey = target.apiKey;
    options.tls ??= true;
  }
  return options;
}

/**
 * The target in words for logs and messages: address, namespace, task queue, and whether TLS,
 * a client certificate and an API key are in use — never the key itself.
 */
export function describeTemporalTarget(target: TemporalTarget): string {
  const security: string[] = [];
  if (target.tls !== undefined || target.apiKey !== undefined) security.push('TLS');
  if (target.tls !== undefined && target.tls !== true && target.tls.certPath !== undefined)
    security.push('client certificate');
  if (target.apiKey !== undefined) security.push('API key');
  const suffix = security.length > 0 ? ` (${security.join(', ')})` : '';
  return `${target.address}, namespace ${target.namespace}, task queue ${target.taskQueue}${suffix}`;
}

/**
 * Connects a client to `target`'s namespace (within `connectTimeoutMs`, default the SDK's 10 s).
 * The caller closes it with `close()`.
 * @throws TemporalTargetError when a TLS file cannot be read.
 * @throws TemporalUnavailableError when the server cannot be reached; the message names the
 * address and namespace and the underlying reason.
 */
export async function connectClient(
  target: TemporalTarget,
  settings: { connectTimeoutMs?: number } = {},
): Promise<TemporalClientHandle> {
  const options = connectionOptionsOf(target);
  // Loaded on first use: the SDK takes a while to load, and most CLI commands never connect.
  const { Client, Connection } = await import('@temporalio/client');
  let connection: Connection;
  try {
    connection = await Connection.connect(
      settings.connectTimeoutMs !== undefined ? { ...options, connectTimeout: settings.connectTimeoutMs } : options,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemporalUnavailableError(
      `cannot connect to Temporal at ${target.address} (namespace ${target.namespace}): ${reason}`,
      { cause: error },
    );
  }
  let closed = false;
  return {
    client: new Client({ connection, namespace: target.namespace }),
    connection,
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}

/**
 * Connects to `target`, runs `work` with the client, and closes the connection however `work`
 * ends: the one scoped lifetime of a client, for CLI commands and long-running roles alike.
 * @throws TemporalTargetError / TemporalUnavailableError as {@link connectClient}; whatever `work` throws.
 */
export async function withConnectedClient<T>(
  target: TemporalTarget,
  work: (handle: TemporalClientHandle) => Promise<T>,
  settings: { connectTimeoutMs?: number } = {},
): Promise<T> {
  const handle = await connectClient(target, settings);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

/**
 * Adds the target flags (see the module header) to `command`, so every command that talks to
 * Temporal takes the same ones. Defaults are applied by {@link temporalTargetFrom}, not by
 * commander, so that environment variables can fill what the flags leave out.
 */
export function addTemporalOptions(command: Command): Command {
  return command
    .option(
      '--address <host:port>',
      `Temporal frontend address (env TEMPORAL_ADDRESS, default ${defaultTemporalAddress})`,
    )
    .option('--namespace <name>', `Temporal namespace (env TEMPORAL_NAMESPACE, default ${defaultTemporalNamespace})`)
    .option('--task-queue <name>', `task queue of the runs (env JOBNET_TASK_QUEUE, default ${defaultTaskQueue})`)
    .option('--tls', 'connect with TLS using the system trust store (env TEMPORAL_TLS=1)')
    .option('--tls-cert <file>', 'client certificate (PEM) for mutual TLS (env TEMPORAL_TLS_CERT)')
    .option('--tls-key <file>', 'private key (PEM) of the client certificate (env TEMPORAL_TLS_KEY)')
    .option('--tls-ca <file>', 'CA certificate (PEM) to verify the server with (env TEMPORAL_TLS_CA)')
    .option('--tls-server-name <name>', 'server name for TLS verification (env TEMPORAL_TLS_SERVER_NAME)')
    .option(
      '--api-key <key>',
      'API key, e.g. for Temporal Cloud; implies TLS. Prefer env TEMPORAL_API_KEY: flags are visible to other users',
    );
}
