/**
 * The GitOps controller as a long-running role (docs/architecture.md#three-roles-one-state-store): picks the definition
 * source for `--repo` (a git remote or a local git repository, read as git; or a local directory
 * watched on disk), runs the reconcile
 * loop against it, publishes the status in Temporal for `jobnet status` and the API, and — when
 * given an address — serves the status, the git push webhook, `/healthz` and `/readyz` (Temporal
 * answers and the last reconcile did not fail) over HTTP, with the listener limits of
 * `controller/api/listener-limits.ts`. `jobnet controller` and `jobnet up` both start it through
 * here.
 *
 * I/O: git, the file system, Temporal, one HTTP listener. Never logs a secret: the webhook secret
 * and git credentials are resolved from references by the caller or the git source.
 */
import { readDeliveryStatus, withDeliveryStatus } from '../incidents/delivery-client.js';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { startApiServer, type RunningApiServer } from '../api/api-server.js';
import { publishedAccessReader, tokenAuth } from '../api/auth/token-auth.js';
import type { TokenAccounts } from '../api/auth/token-accounts.js';
import type { ListenerLimits } from '../api/listener-limits.js';
import { reconcileCheck, temporalCheck } from '../api/readiness-checks.js';
import { registerDeliveryMetrics, type JobnetMetrics } from '../metrics/metrics.js';
import { recordReconcile } from '../metrics/record-events.js';
import type { ReconcileOutcome } from '../reconcile/summarize-reconcile.js';
import { claimController, publishControllerStatus, releaseController } from '../jobnets/jobnet-client.js';
import type { RetentionMode } from '../reconcile/history-retention.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { DirectorySource } from '../source/directory-source.js';
import { GitSource, type GitCredentials } from '../source/git-source.js';
import type { DefinitionSource } from '../source/source-types.js';

export interface SourceSettings {
  /** A git URL (https://, ssh://, git@host:path, file://), a local git repository, or a local directory. */
  repo: string;
  /** A git branch (default: `main` for a URL, HEAD's branch for a local repository); with a plain directory, reads it as a git repository instead of watching it. */
  branch?: string;
  /** Directory inside the repository holding the definitions. */
  subPath?: string;
  pollIntervalMs?: number;
  cacheDir?: string;
  credentials?: GitCredentials;
}

/** Whether `repo` names a git remote rather than a local path. */
export function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/**
 * Whether the directory `dir` is itself a git repository: a bare one (`HEAD`, `objects/` and
 * `refs/` in it, as `git init --bare` makes) or the top of a work tree (`.git` in it, a directory,
 * or a file for linked work trees and submodules). A directory inside a work tree is not one.
 */
export async function isGitRepositoryPath(dir: string): Promise<boolean> {
  const kind = async (name: string) => {
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    return info === undefined ? undefined : info.isDirectory() ? 'dir' : 'file';
  };
  if ((await kind('.git')) !== undefined) return true;
  const [head, objects, refs] = await Promise.all([kind('HEAD'), kind('objects'), kind('refs')]);
  return head === 'file' && objects === 'dir' && refs === 'dir';
}

/**
 * The branch HEAD names in the git repository at `dir` (bare or not).
 * @throws Error saying to pass --branch when HEAD is detached or git cannot tell.
 */
async function headBranchOf(dir: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: dir,
    timeout: 10_000,
  }).catch(() => ({ stdout: '' }));
  const branch = stdout.trim();
  if (branch === '') throw new Error(`${dir} is a git repository whose HEAD names no branch (detached); pass --branch`);
  return branch;
}

/**
 * The definition source of `settings` (R-GIT-1): a git source for a URL, for a local path that is
 * a git repository (bare, or the top of a work tree: its committed state is read, on the branch
 * HEAD names unless `branch` is given), or for any local path with `branch`; a watched directory
 * otherwise.
 * @throws Error when a local path does not exist or is not a directory, or names a repository
 *   whose branch cannot be told; GitSourceError for a bad git URL, branch or credentials.
 */
export async function definitionSourceOf(
  settings: SourceSettings,
): Promise<{ source: DefinitionSource; git?: { url: string; branch: string } }> {
  let gitRepository = false;
  if (!isGitUrl(settings.repo)) {
    const info = await stat(settings.repo).catch(() => undefined);
    if (!info?.isDirectory())
      throw new Error(
        `${settings.repo} is not a directory (give a git URL, a git repository, or a directory of definitions)`,
      );
    gitRepository = await isGitRepositoryPath(settings.repo);
  }
  if (isGitUrl(settings.repo) || gitRepository || settings.branch !== undefined) {
    const branch = settings.branch ?? (gitRepository ? await headBranchOf(settings.repo) : 'main');
    const source = new GitSource({
      url: settings.repo,
      branch,
      ...(settings.subPath !== undefined ? { subPath: settings.subPath } : {}),
      ...(settings.pollIntervalMs !== undefined ? { pollIntervalMs: settings.pollIntervalMs } : {}),
      ...(settings.cacheDir !== undefined ? { cacheDir: settings.cacheDir } : {}),
      ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    });
    return { source, git: { url: settings.repo, branch } };
  }
  return {
    source: new DirectorySource(
      settings.subPath !== undefined ? `${settings.repo}/${settings.subPath}` : settings.repo,
    ),
  };
}

export interface ControllerProcessOptions {
  client: Client;
  taskQueue: string;
  source: SourceSettings;
  environment?: string;
  prune?: boolean;
  /** Serve `/api/v1/status`, `/api/v1/hooks/git`, `/healthz` and `/readyz` here; omitted: no listener. */
  listen?: { host: string; port: number };
  /** Limits of the listener; omitted fields keep their defaults (`listener-limits.ts`). */
  listenerLimits?: Partial<ListenerLimits>;
  /** How often the applied revision is observed and planned again (default 30 s). */
  resyncIntervalMs?: number;
  /** Shared secret of the push webhook; omitted: the webhook answers 404. */
  webhookSecret?: string;
  /**
   * The API accounts (tokens file, or `jobnet up`'s admin): the listener then serves the operator
   * API and authenticates every route but `/healthz` and the webhook. Omitted: status only, open.
   */
  accounts?: TokenAccounts;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** The process's metrics: reconciles are observed in them and the listener serves them at `/metrics`. */
  metrics?: JobnetMetrics;
  /** Hears every reconcile's outcome (the terminal line of what it changed). */
  onReconciled?: (outcome: ReconcileOutcome) => void;
  /** Set (`apply`, `jobnet up`'s own dev server) or only check (default) the namespace's retention against Settings `history.retention`. */
  retention?: RetentionMode;
  /** How long the claim on the deployment lasts without renewal (default 60 s; renewed every third of it). */
  leaseMs?: number;
  /** How long the start waits for the claim to be decided (default 10 s). */
  claimWaitMs?: number;
}

/** Another controller owns the deployment: this one does not start. */
export class DeploymentOwnedError extends Error {
  override name = 'DeploymentOwnedError';
}

export interface RunningController {
  reconciler: Reconciler;
  source: DefinitionSource;
  /** The listener, when `listen` was given. */
  api?: RunningApiServer;
  stop(): Promise<void>;
}

/** Starts the controller (see the module header); resolves once it listens and the first reconcile has begun. */
export async function startControllerProcess(options: ControllerProcessOptions): Promise<RunningController> {
  const { source, git } = await definitionSourceOf(options.source);
  // One controller per deployment: claim it before anything is applied, renew while running.
  const leaseMs = options.leaseMs ?? 60_000;
  const claim = {
    id: `${hostname()}:${process.pid}:${randomUUID()}`,
    host: hostname(),
    pid: process.pid,
    source: source.describe(),
    leaseMs,
  };
  // The claim is an Update of the event registry, which needs a worker: without one (or without
  // Temporal) it cannot be decided now, and the controller starts anyway and claims again with
  // every renewal — refused then, it stops.
  const claimWaitMs = options.claimWaitMs ?? 10_000;
  const claimed = await Promise.race([
    claimController(options.client, options.taskQueue, claim),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), claimWaitMs).unref()),
  ]).catch(() => undefined);
  if (claimed !== undefined && !claimed.ok)
    throw new DeploymentOwnedError(`task queue ${options.taskQueue}: ${claimed.reason}`);
  if (claimed === undefined) {
    options.log(
      'warn',
      `could not claim task queue ${options.taskQueue} for this controller yet (no worker polls it, or Temporal does not answer); reconciling, and claiming again every ${Math.round(leaseMs / 3000)} s`,
    );
  }
  const reconciler = new Reconciler({
    client: options.client,
    taskQueue: options.taskQueue,
    source,
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.prune !== undefined ? { prune: options.prune } : {}),
    ...(options.resyncIntervalMs !== undefined ? { resyncIntervalMs: options.resyncIntervalMs } : {}),
    ...(options.retention !== undefined ? { retention: options.retention } : {}),
    publish: async (status) => await publishControllerStatus(options.client, options.taskQueue, status),
    onReconciled: (outcome, seconds) => {
      if (options.metrics !== undefined) recordReconcile(options.metrics, outcome.result, seconds);
      options.onReconciled?.(outcome);
    },
    log: options.log,
  });
  if (options.metrics !== undefined)
    registerDeliveryMetrics(options.metrics.registry, () => readDeliveryStatus(options.client, options.taskQueue));
  let api: RunningApiServer | undefined;
  if (options.listen !== undefined) {
    api = await startApiServer({
      host: options.listen.host,
      port: options.listen.port,
      ...(options.listenerLimits !== undefined ? { limits: options.listenerLimits } : {}),
      status: async () => await withDeliveryStatus(options.client, options.taskQueue, reconciler.getStatus()),
      ...(options.accounts !== undefined
        ? {
            operator: {
              client: options.client,
              taskQueue: options.taskQueue,
              auth: tokenAuth(options.accounts, publishedAccessReader(options.client, options.taskQueue)),
              // Export reads the definitions this controller reconciles; imports are dry runs only
              // here (they are written into a repository by `jobnet import --branch`, for review).
              bundles: {
                source:
                  git !== undefined
                    ? {
                        repo: git.url,
                        ref: git.branch,
                        ...(options.source.subPath !== undefined ? { path: options.source.subPath } : {}),
                      }
                    : {
                        dir:
                          options.source.subPath !== undefined
                            ? path.join(options.source.repo, options.source.subPath)
                            : options.source.repo,
                      },
              },
            },
            accounts: async () => await (options.accounts as TokenAccounts).current(),
          }
        : {}),
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      readiness: { temporal: temporalCheck(options.client), reconcile: reconcileCheck(() => reconciler.getStatus()) },
      ...(options.webhookSecret !== undefined
        ? {
            webhook: {
              secret: options.webhookSecret,
              ...(git !== undefined ? { source: git } : {}),
              onPush: () => reconciler.request(),
            },
          }
        : {}),
      log: (level, message) => options.log(level, message),
    });
  }
  reconciler.start();
  options.log('info', `controller reconciling ${source.describe()} into task queue ${options.taskQueue}`);
  let renewal: Promise<void> = Promise.resolve();
  const renewTimer = setInterval(() => {
    renewal = claimController(options.client, options.taskQueue, claim).then(
      (renewed) => {
        if (renewed.ok) return;
        // Someone claimed the deployment after this controller's lease lapsed: it must not apply any more.
        options.log('error', `controller stopped: ${renewed.reason}`);
        clearInterval(renewTimer);
        void reconciler.stop();
      },
      (error: unknown) =>
        options.log(
          'warn',
          `renewing the claim on task queue ${options.taskQueue} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }, leaseMs / 3);
  renewTimer.unref();
  return {
    reconciler,
    source,
    ...(api !== undefined ? { api } : {}),
    async stop() {
      clearInterval(renewTimer);
      await renewal;
      await reconciler.stop();
      await reconciler.flushed();
      await releaseController(options.client, options.taskQueue, claim.id).catch((error: unknown) =>
        options.log(
          'warn',
          `releasing the claim on task queue ${options.taskQueue} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      await api?.close();
      options.accounts?.close();
    },
  };
}

export { jsonLogLine } from './log-line.js';
