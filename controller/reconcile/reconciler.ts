/**
 * The GitOps reconcile loop (DESIGN.md §4, R-GIT-1..4): fetch a revision from the source → load
 * and validate it (the same `validateSnapshot` as `jobnet validate`) → compile for the selected
 * environment → observe what Temporal runs → plan (pure, `plan.ts`) → apply → status.
 *
 * - An invalid revision stalls: every diagnostic goes into the status, nothing is applied, and
 *   the last good revision keeps running until the source changes (R-GIT-2).
 * - Apply is minimal and idempotent (R-GIT-3): only created and changed jobnets are sent (by
 *   digest), removed ones are retired (deleted only with prune), the event registry gets the
 *   routes only when they changed, and running runs keep their revision.
 * - Reconciles never overlap: a change noticed during one schedules exactly one more.
 * - A fetch, observe or apply that fails (source or Temporal unreachable) is retried with
 *   exponential backoff (1 s … 60 s); the status says why (CONVENTIONS.md §5): `FetchFailed`,
 *   `TemporalUnavailable` (checked before every observe, so a resync notices an outage at once),
 *   `NoWorker` (no worker polls the task queue), else `ObserveFailed` / `ApplyFailed`. A stage that
 *   throws (validate, compile: a bug) is `InternalError`, naming the stage and the revision. The log
 *   gets one line per streak of the same failure, and one when it ends, not one per retry.
 *
 * This module is the only writer of the controller status (CONVENTIONS.md §7). Its I/O goes
 * through the source, `observe.ts` and `controller/jobnets/jobnet-client.ts`.
 */
import type { Client } from '@temporalio/client';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { eventRoutesOf } from '../../workflows/lib/event-routing.js';
import { compileAllJobnets } from '../compile/compile-jobnet.js';
import { validateSnapshot } from '../definitions/validate-repository.js';
import { applyEventRoutes, applyJobnet, getEventRegistryView, retireJobnet } from '../jobnets/jobnet-client.js';
import type { DefinitionSource, StopWatching } from '../source/source-types.js';
import { TemporalCallError, explainTemporalFailure, probeTemporal, withTemporalDeadline } from '../temporal/temporal-reachability.js';
import { initialStatus, jobnetEntries, withCondition, type ControllerStatus, type ObservedJobnetWithStatus } from './controller-status.js';
import { observeActors } from './observe.js';
import { planReconcile, type ReconcilePlan } from './plan.js';

export interface ReconcilerOptions {
  client: Client;
  /** Task queue of the deployment's workers: actors and the event registry live there. */
  taskQueue: string;
  source: DefinitionSource;
  /** Environment to compile for; omitted: Settings `controller.environment`, else none. */
  environment?: string;
  /** Delete removed jobnets instead of retiring them; omitted: Settings `controller.prune`. */
  prune?: boolean;
  /** Recorded as who applied (default `controller`). */
  by?: string;
  /** Called with the new status after every change. */
  onStatus?: (status: ControllerStatus) => void;
  /**
   * Stores the status where other processes read it (the event registry, for `jobnet status` and
   * the API). Called when something other than `fetchedAt` changed, and at least every minute.
   */
  publish?: (status: ControllerStatus) => Promise<void>;
  /** Where progress and failures are reported (one line each; never secrets). */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** How many actors are applied at once (default 16). */
  concurrency?: number;
  /**
   * Every so often the applied revision is observed and planned again even when the source has
   * not changed, repairing drift and refreshing health (default 30 000 ms; 0: never).
   */
  resyncIntervalMs?: number;
}

/** What one reconcile did. */
export interface ReconcileOutcome {
  result: 'applied' | 'unchanged' | 'stalled' | 'failed';
  revision?: string;
  plan?: ReconcilePlan;
}

const backoffMs = { first: 1_000, max: 60_000 };
/** Deadline of the event registry query of each apply. */
const registryQueryTimeoutMs = 10_000;

export class Reconciler {
  private status: ControllerStatus;
  private running: Promise<ReconcileOutcome> | undefined;
  private again = false;
  private stopWatching: StopWatching | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** The failure being retried (its step and reason), logged once until it ends. */
  private failureStreak: { key: string; attempts: number } | undefined;
  private stopped = false;
  /** The revision whose reconcile last finished (applied or stalled). */
  private reconciledRevision: string | undefined;
  /** What the last valid revision compiled to, so a resync of it skips validate and compile. */
  private compiledRevision: { revision: string; desired: CompiledJobnet[]; prune: boolean; environment: string | undefined } | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private published = { key: '', at: 0 };
  private publishing: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReconcilerOptions) {
    this.status = initialStatus(options.source.describe(), options.taskQueue, options.environment, new Date());
  }

  /** The current status (a copy). */
  getStatus(): ControllerStatus {
    return structuredClone(this.status);
  }

  /** Reconciles once now, then whenever the source reports a change, retrying failures with backoff. */
  start(): void {
    this.stopped = false;
    this.stopWatching = this.options.source.watch(
      () => this.request(),
      (error) => this.options.log?.('warn', `watching ${this.options.source.describe()} failed: ${error.message}`),
    );
    this.request();
    const resync = this.options.resyncIntervalMs ?? 30_000;
    if (resync > 0) {
      this.resyncTimer = setInterval(() => this.request(), resync);
      this.resyncTimer.unref();
    }
  }

  /** Stops watching and waits for a reconcile in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    await this.stopWatching?.();
    await this.running?.catch(() => undefined);
  }

  /**
   * Asks for a reconcile (the webhook and the source call this): starts one now, or one more
   * after the one in progress. Never throws.
   */
  request(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.reconcile().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.request();
      }
    });
    this.running.catch(() => undefined);
  }

  /** Waits for the reconcile in progress (and the one it scheduled), if any. */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
  }

  /**
   * One reconcile of the source's current revision (see the module header). Resolves with what it
   * did; failures are reported in the status and scheduled for a retry, never thrown.
   */
  async reconcile(): Promise<ReconcileOutcome> {
    const { source } = this.options;
    const by = this.options.by ?? 'controller';
    let step = 'fetch';
    let revision: string | undefined;
    try {
      const fetched = await source.fetch();
      revision = fetched.revision;
      const now = new Date();
      this.update((status) => {
        status.fetchedRevision = fetched.revision;
        status.fetchedAt = fetched.fetchedAt.toISOString();
        status.conditions = withCondition(status.conditions, { type: 'Fetched', status: 'True', reason: 'Fetched', message: `revision ${fetched.revision}` }, now);
      });
      // The same revision again (a periodic resync): what it compiled to is known, so only
      // observe, plan and apply — which repairs drift (an actor terminated by hand) and refreshes
      // each jobnet's health. A revision that stalled stays stalled until the source changes.
      const known = this.compiledRevision;
      if (fetched.revision === this.reconciledRevision && known?.revision !== fetched.revision) {
        this.succeeded();
        return { result: 'unchanged', revision: fetched.revision };
      }
      if (known !== undefined && known.revision === fetched.revision) {
        return await this.observeAndApply(fetched.revision, known.desired, known.prune, known.environment, now.toISOString(), by);
      }

      step = 'validate';
      const validated = validateSnapshot(fetched.snapshot, { oversized: fetched.oversized });
      const attempted = now.toISOString();
      if (!validated.ok) {
        const diagnostics = validated.diagnostics.map((diagnostic) => ({ ...diagnostic, revision: fetched.revision }));
        const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
        this.update((status) => {
          status.attemptedRevision = fetched.revision;
          status.attemptedAt = attempted;
          status.diagnostics = diagnostics;
          status.conditions = withCondition(status.conditions, { type: 'Valid', status: 'False', reason: 'ValidationFailed', message: `revision ${fetched.revision} has ${errors} error(s)` }, now);
          status.conditions = withCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Stalled', message: stalledMessage(fetched.revision, status.appliedRevision) }, now);
        });
        this.options.log?.('warn', `revision ${fetched.revision} does not validate (${errors} error(s)); ${stalledMessage(fetched.revision, this.status.appliedRevision)}`);
        this.reconciledRevision = fetched.revision;
        this.succeeded();
        return { result: 'stalled', revision: fetched.revision };
      }
      const repository = validated.value;
      this.noteEmptySource(fetched.revision, repository.documents.length === 0);
      const settings = repository.index.settings?.value.spec;
      const environment = this.options.environment ?? settings?.environment;

      step = 'compile';
      const compiled = compileAllJobnets(repository, environment !== undefined ? { environment } : {});
      const compileProblem = !compiled.ok ? compiled.message : compiled.failures.length > 0 ? compiled.failures.map((failure) => `${failure.project}/${failure.jobnet}: ${failure.message}`).join('; ') : undefined;
      if (!compiled.ok || compileProblem !== undefined) {
        this.update((status) => {
          status.attemptedRevision = fetched.revision;
          status.attemptedAt = attempted;
          status.diagnostics = [];
          status.conditions = withCondition(status.conditions, { type: 'Valid', status: 'False', reason: 'CompileFailed', message: compileProblem ?? '' }, now);
          status.conditions = withCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'Stalled', message: stalledMessage(fetched.revision, status.appliedRevision) }, now);
        });
        this.reconciledRevision = fetched.revision;
        this.succeeded();
        return { result: 'stalled', revision: fetched.revision };
      }
      const desired = compiled.jobnets;
      const prune = this.options.prune ?? settings?.controller?.prune ?? false;
      this.compiledRevision = { revision: fetched.revision, desired, prune, environment };
      step = 'apply';
      return await this.observeAndApply(fetched.revision, desired, prune, environment, attempted, by);
    } catch (error) {
      return await this.failed(step, error, revision);
    }
  }

  /** Observe → plan → apply → status for a revision that validated and compiled to `desired`. */
  private async observeAndApply(revision: string, desired: CompiledJobnet[], prune: boolean, environment: string | undefined, attempted: string, by: string): Promise<ReconcileOutcome> {
    const { client, taskQueue } = this.options;
    let step = 'observe';
    try {
      const reachable = await probeTemporal(client);
      if (!reachable.ok) throw new TemporalCallError(reachable.problem, reachable.message);
      const observed: ObservedJobnetWithStatus[] = (await observeActors(client, taskQueue)).map((actor) => {
        const entry: ObservedJobnetWithStatus = { project: actor.project, name: actor.name, retired: actor.retired };
        if (actor.digest !== undefined) entry.digest = actor.digest;
        if (actor.revision !== undefined) entry.revision = actor.revision;
        if (actor.status !== undefined) {
          entry.status = actor.status;
          entry.running = ['running', 'warning', 'abended', 'forced', 'carriedOver'].includes(actor.status);
        }
        return entry;
      });
      const plan = planReconcile(desired, observed, { prune });

      step = 'apply';
      const work: (() => Promise<unknown>)[] = [];
      for (const action of plan.actions) {
        if (action.kind === 'create' || action.kind === 'update') work.push(() => applyJobnet(client, taskQueue, action.desired, by));
        else if (action.kind === 'retire') work.push(() => retireJobnet(client, taskQueue, action.project, action.name, { revision, by, remove: false }));
        else if (action.kind === 'delete') work.push(() => retireJobnet(client, taskQueue, action.project, action.name, { revision, by, remove: true }));
      }
      await inBatches(work, this.options.concurrency ?? 16);
      const routes = eventRoutesOf(desired);
      // A query waits for a worker: without one it would hang for the SDK's retries (~18 s).
      const registry = await withTemporalDeadline(client, registryQueryTimeoutMs, 'querying the event registry', async () => await getEventRegistryView(client, taskQueue));
      if (registry === undefined || JSON.stringify(registry.routes) !== JSON.stringify(routes)) await applyEventRoutes(client, taskQueue, revision, routes);

      const applied = new Date();
      const changed = work.length > 0 || this.status.appliedRevision !== revision;
      this.update((status) => {
        if (changed) {
          status.attemptedRevision = revision;
          status.attemptedAt = attempted;
          status.appliedRevision = revision;
          status.appliedAt = applied.toISOString();
        }
        if (environment !== undefined) status.environment = environment;
        status.diagnostics = [];
        delete status.lastError;
        status.lastPlan = plan.counts;
        if (plan.warnings.length > 0) status.warnings = plan.warnings;
        else delete status.warnings;
        status.jobnets = jobnetEntries(plan);
        const { create, update, retire, delete: deleted, noop } = plan.counts;
        const summary = `${create} created, ${update} updated, ${retire} retired, ${deleted} deleted, ${noop} unchanged`;
        status.conditions = withCondition(status.conditions, { type: 'Valid', status: 'True', reason: 'Valid', message: `revision ${revision} validated and compiled` }, applied);
        status.conditions = withCondition(status.conditions, { type: 'Applied', status: 'True', reason: 'Applied', message: summary }, applied);
        status.conditions = withCondition(status.conditions, { type: 'Ready', status: 'True', reason: 'Reconciled', message: `revision ${revision} is applied` }, applied);
      });
      if (work.length > 0) this.options.log?.('info', `revision ${revision} applied`, { ...plan.counts });
      else if (changed) this.options.log?.('info', `revision ${revision} is already what Temporal runs; nothing to apply`);
      for (const warning of changed ? plan.warnings : []) this.options.log?.('warn', `${warning.project}/${warning.name}: ${warning.message}`);
      this.reconciledRevision = revision;
      this.succeeded();
      return { result: work.length > 0 ? 'applied' : 'unchanged', revision, plan };
    } catch (error) {
      return await this.failed(step, error, revision);
    }
  }

  /**
   * A revision without a single definition document is applied like any other (it retires every
   * jobnet), but it is most often a wrong repository, branch, path or directory: the status carries
   * a warning while it is the revision, and the log says so once.
   */
  private noteEmptySource(revision: string, empty: boolean): void {
    if (!empty) {
      if (this.status.sourceWarning !== undefined) this.update((status) => delete status.sourceWarning);
      return;
    }
    const warning = `revision ${revision} of ${this.options.source.describe()} holds no definitions (no *.yaml or *.yml document): check the repository, branch and path; applying it retires every jobnet`;
    if (this.status.sourceWarning === warning) return;
    this.update((status) => {
      status.sourceWarning = warning;
    });
    this.options.log?.('warn', warning);
  }

  private async failed(step: string, error: unknown, revision: string | undefined): Promise<ReconcileOutcome> {
    const { reason, message, streak } = await this.failureOf(step, error, revision);
    const now = new Date();
    this.update((status) => {
      status.lastError = message;
      if (step === 'fetch') status.conditions = withCondition(status.conditions, { type: 'Fetched', status: 'False', reason, message }, now);
      else if (step === 'validate' || step === 'compile') {
        // The revision was attempted and nothing is known about its validity: the diagnostics of
        // an earlier revision must not stand for it.
        if (revision !== undefined) {
          status.attemptedRevision = revision;
          status.attemptedAt = now.toISOString();
        }
        status.diagnostics = [];
        status.conditions = withCondition(status.conditions, { type: 'Valid', status: 'Unknown', reason, message }, now);
      } else status.conditions = withCondition(status.conditions, { type: 'Applied', status: step === 'observe' ? 'Unknown' : 'False', reason, message }, now);
      status.conditions = withCondition(status.conditions, { type: 'Ready', status: 'False', reason, message }, now);
    });
    if (this.failureStreak?.key === streak) this.failureStreak.attempts += 1;
    else {
      this.failureStreak = { key: streak, attempts: 1 };
      this.options.log?.('error', `${message} (retrying with backoff; logged once until it changes)`, { reason, ...(revision !== undefined ? { revision } : {}) });
    }
    this.scheduleRetry();
    return revision !== undefined ? { result: 'failed', revision } : { result: 'failed' };
  }

  /** The condition reason and message of a failure, and what makes two failures the same streak. */
  private async failureOf(step: string, error: unknown, revision: string | undefined): Promise<{ reason: string; message: string; streak: string }> {
    const detail = error instanceof Error ? error.message : String(error);
    if (step === 'fetch') return { reason: 'FetchFailed', message: `fetch failed: ${detail}`, streak: `FetchFailed:${detail}` };
    if (step === 'validate' || step === 'compile') {
      const name = error instanceof Error ? `${error.name}: ` : '';
      const message = `internal error while ${step === 'validate' ? 'validating' : 'compiling'} revision ${revision ?? '(unknown)'}: ${name}${detail}`;
      return { reason: 'InternalError', message, streak: `InternalError:${message}` };
    }
    const explained = await explainTemporalFailure(this.options.client, this.options.taskQueue, error);
    if (explained !== undefined) {
      const reason = explained.problem === 'NO_WORKER' ? 'NoWorker' : 'TemporalUnavailable';
      return { reason, message: `${step} failed: ${explained.message}`, streak: reason };
    }
    const reason = step === 'observe' ? 'ObserveFailed' : 'ApplyFailed';
    return { reason, message: `${step} failed: ${detail}`, streak: `${reason}:${detail}` };
  }

  private update(change: (status: ControllerStatus) => void): void {
    change(this.status);
    const snapshot = this.getStatus();
    this.options.onStatus?.(snapshot);
    const publish = this.options.publish;
    if (publish === undefined) return;
    const { fetchedAt: _fetchedAt, ...rest } = snapshot;
    const key = JSON.stringify(rest);
    if (key === this.published.key && Date.now() - this.published.at < 60_000) return;
    this.published = { key, at: Date.now() };
    this.publishing = this.publishing
      .then(() => publish(snapshot))
      .catch((error: unknown) => this.options.log?.('warn', `publishing the status failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Waits until every status published so far has been stored. */
  async flushed(): Promise<void> {
    await this.publishing;
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.failureStreak !== undefined) {
      this.options.log?.('info', `the reconcile no longer fails (after ${this.failureStreak.attempts} failed attempt(s))`);
      this.failureStreak = undefined;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = Math.min(backoffMs.max, backoffMs.first * 2 ** this.failures);
    this.failures += 1;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.request(), delay);
    this.retryTimer.unref();
  }
}

function stalledMessage(revision: string, applied: string | undefined): string {
  return `revision ${revision} is not applied; ${applied === undefined ? 'no revision has been applied yet' : `revision ${applied} keeps running`}`;
}

async function inBatches(work: readonly (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, work.length) }, async () => {
    while (next < work.length) {
      const item = work[next++] as () => Promise<unknown>;
      await item();
    }
  });
  await Promise.all(workers);
}
