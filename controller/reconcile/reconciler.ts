/**
 * The GitOps reconcile loop (docs/architecture.md#one-pipeline-from-source-to-status, R-GIT-1..4). One reconcile runs the steps of
 * `reconcile-steps.ts` in order — fetch a revision from the source → validate it (the same
 * `validateSnapshot` as `jobnet validate`) → compile it for the environment → observe what Temporal
 * runs → plan (pure, `plan.ts`) → apply (`apply.ts`, the only Temporal writes) — stopping at the
 * first that fails or stalls, and `summarize-reconcile.ts` turns what they found into the status.
 *
 * - An invalid revision stalls: every diagnostic goes into the status, nothing is applied, and
 *   the last good revision keeps running until the source changes (R-GIT-2).
 * - Apply is minimal and idempotent (R-GIT-3): only created and changed jobnets are sent (by
 *   digest), removed ones are retired (deleted only with prune), the event registry gets the
 *   routes only when they changed, and running runs keep their revision.
 * - A revision seen again (the periodic resync) is not validated or compiled again: what it
 *   compiled to is kept, and only observe, plan and apply run, which repairs drift (an actor
 *   terminated by hand) and refreshes each jobnet's health.
 * - A new revision is validated and compiled where it changed: unchanged files keep their parse
 *   and schema results, the rules run again on the jobnets a change touches, and unchanged
 *   jobnets keep their compiled bodies (RepositoryValidator, CompileCache) — with the result a
 *   full validation and compilation would give.
 * - Reconciles never overlap: a change noticed during one schedules exactly one more.
 * - A step that fails is retried with exponential backoff (1 s … 60 s); the status says why
 *   (CONTRIBUTING.md#5-errors-decide-control-flow; the reasons are listed in summarize-reconcile.ts). The log gets one line per
 *   streak of the same failure, and one when it ends, not one per retry.
 *
 * This module is the only writer of the controller status (CONTRIBUTING.md#7-status-is-a-contract): it writes what the
 * summarizer computes, after the fetch (so the fetched revision shows at once) and at the end.
 */
import type { Client } from '@temporalio/client';
import { CompileCache } from '../compile/compile-jobnet.js';
import { RepositoryValidator } from '../definitions/validate-repository.js';
import type { DefinitionSource, SourceRevision, StopWatching } from '../source/source-types.js';
import { applyPlan } from './apply.js';
import { initialStatus, type ControllerStatus } from './controller-status.js';
import { decideRetention, retentionWarning, type RetentionMode } from './history-retention.js';
import { planReconcile } from './plan.js';
import { namespaceRetentionSeconds, setNamespaceRetention } from '../temporal/namespace-retention.js';
import {
  compileRevision,
  observeRevision,
  stepFailure,
  validateRevision,
  type CompileOutcome,
  type ReconcileSteps,
  type StepName,
} from './reconcile-steps.js';
import { summarizeReconcile, type ReconcileFailure, type ReconcileOutcome } from './summarize-reconcile.js';

export type { ReconcileOutcome } from './summarize-reconcile.js';

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
  /** Called after every reconcile with what it did and how long it took (metrics, terminal lines); must not throw. */
  onReconciled?: (outcome: ReconcileOutcome, seconds: number) => void;
  /** How many actors are applied at once (default 16). */
  concurrency?: number;
  /**
   * Every so often the applied revision is observed and planned again even when the source has
   * not changed, repairing drift and refreshing health (default 30 000 ms; 0: never).
   */
  resyncIntervalMs?: number;
  /**
   * What to do about the Temporal namespace's retention against Settings `history.retention`
   * (history-retention.ts): `apply` sets it (`jobnet up`'s own dev server), `check` (default) only
   * warns in the status while the namespace keeps finished runs for less time.
   */
  retention?: RetentionMode;
}

/** A compiled revision. */
type CompiledRevision = Extract<CompileOutcome, { ok: true }>;

/**
 * A revision its caller has already read, validated and compiled (`jobnet apply`, which prints
 * problems its own way): the reconcile starts at observe.
 */
export interface PreparedRevision {
  fetched: Pick<SourceRevision, 'revision' | 'fetchedAt'>;
  compiled: CompiledRevision;
}

const backoffMs = { first: 1_000, max: 60_000 };

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
  private compiledRevision: { revision: string; compiled: CompiledRevision } | undefined;
  /** What the revisions seen so far parsed, validated and compiled to: a new one is checked and compiled where it changed. */
  private readonly validator = new RepositoryValidator();
  private readonly compileCache = new CompileCache();
  private resyncTimer: NodeJS.Timeout | undefined;
  /** The delivery configuration (JSON) the last apply left in the delivery workflow. */
  private heldDelivery: string | undefined;
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
   * One reconcile of the source's current revision, or of `prepared` (see the module header).
   * Resolves with what it did; failures are reported in the status and scheduled for a retry,
   * never thrown.
   */
  async reconcile(prepared?: PreparedRevision): Promise<ReconcileOutcome> {
    const started = performance.now();
    const steps = await this.runSteps(prepared);
    // Independent of apply: a revision that compiled says what retention it wants.
    if (steps.compile?.ok === true) await this.reconcileRetention(steps.compile.retentionSeconds);
    const summary = summarizeReconcile(this.status, steps);
    this.update(summary.status);
    for (const line of summary.log) this.options.log?.(line.level, line.message, line.fields);
    const outcome = summary.outcome ?? { result: 'failed' };
    if (summary.failure !== undefined) this.failed(summary.failure, steps.fetch?.revision);
    else {
      if (outcome.revision !== undefined) this.reconciledRevision = outcome.revision;
      this.succeeded();
    }
    this.options.onReconciled?.(outcome, (performance.now() - started) / 1000);
    return outcome;
  }

  /** Runs the steps in order until one fails or stalls, or apply has run; never throws. */
  private async runSteps(prepared: PreparedRevision | undefined): Promise<ReconcileSteps> {
    const { client, taskQueue } = this.options;
    const steps: ReconcileSteps = {};
    const failed = async (step: StepName, error: unknown): Promise<ReconcileSteps> => {
      steps.failure = await stepFailure(step, error, { client, taskQueue });
      return steps;
    };

    let fetched: SourceRevision | undefined;
    if (prepared === undefined) {
      try {
        fetched = await this.options.source.fetch();
      } catch (error) {
        return await failed('fetch', error);
      }
    }
    const { revision, fetchedAt } = fetched ?? (prepared as PreparedRevision).fetched;
    const known = prepared !== undefined ? { revision, compiled: prepared.compiled } : this.compiledRevision;
    steps.fetch = { revision, fetchedAt, at: new Date() };
    if (revision === this.reconciledRevision && known?.revision !== revision) steps.fetch.stalledBefore = true;
    this.update(summarizeReconcile(this.status, steps).status);
    if (steps.fetch.stalledBefore === true) return steps;

    let compiled: CompileOutcome;
    if (known !== undefined && known.revision === revision) compiled = known.compiled;
    else {
      let validated: ReturnType<typeof validateRevision>;
      try {
        validated = validateRevision(fetched as SourceRevision, this.validator);
      } catch (error) {
        return await failed('validate', error);
      }
      steps.validate = { ok: validated.ok, diagnostics: validated.diagnostics, texts: validated.value.texts };
      if (!validated.ok) return steps;
      this.noteEmptySource(revision, validated.value.documents.length === 0);
      try {
        compiled = compileRevision(validated.value, this.options, this.compileCache);
      } catch (error) {
        return await failed('compile', error);
      }
    }
    steps.compile = compiled;
    if (!compiled.ok) return steps;
    this.compiledRevision = { revision, compiled };

    try {
      steps.observe = await observeRevision(client, taskQueue);
    } catch (error) {
      return await failed('observe', error);
    }
    try {
      steps.plan = planReconcile(compiled.desired, steps.observe.observed, { prune: compiled.prune });
    } catch (error) {
      return await failed('plan', error);
    }
    try {
      const by = this.options.by ?? 'controller';
      const applied = await applyPlan(client, {
        taskQueue,
        revision,
        desired: compiled.desired,
        plan: steps.plan,
        by,
        ...(compiled.access !== undefined ? { access: compiled.access } : {}),
        ...(compiled.delivery !== undefined ? { delivery: compiled.delivery } : {}),
        ...(this.heldDelivery !== undefined ? { heldDelivery: this.heldDelivery } : {}),
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      });
      const { delivery: heldDelivery, ...written } = applied;
      this.heldDelivery = heldDelivery;
      steps.apply = { ...written, at: new Date() };
    } catch (error) {
      return await failed('apply', error);
    }
    return steps;
  }

  /**
   * A revision without a single definition document is applied like any other (it retires every
   * jobnet), but it is most often a wrong repository, branch, path or directory: the status carries
   * a warning while it is the revision, and the log says so once.
   */
  private noteEmptySource(revision: string, empty: boolean): void {
    const warning = empty
      ? `revision ${revision} of ${this.options.source.describe()} holds no definitions (no *.yaml or *.yml document): check the repository, branch and path; applying it retires every jobnet`
      : undefined;
    if (this.status.sourceWarning === warning) return;
    const status = this.getStatus();
    if (warning === undefined) delete status.sourceWarning;
    else status.sourceWarning = warning;
    this.update(status);
    if (warning !== undefined) this.options.log?.('warn', warning);
  }

  /**
   * Checks (or, in `apply` mode, sets) the namespace's retention against the Settings; the status
   * carries a warning while the namespace keeps finished runs for less time. A failure to read the
   * namespace leaves the warning as it was; a refused update becomes the warning, with the reason.
   */
  private async reconcileRetention(desiredSeconds: number | undefined): Promise<void> {
    if (desiredSeconds === undefined) return;
    const { client } = this.options;
    const namespace = client.options.namespace;
    const mode = this.options.retention ?? 'check';
    let warning: string | undefined;
    try {
      const kept = await namespaceRetentionSeconds(client);
      const decision = decideRetention(mode, namespace, kept, desiredSeconds);
      warning = decision.warning;
      if (decision.update) {
        try {
          await setNamespaceRetention(client, desiredSeconds);
          this.options.log?.(
            'info',
            `Temporal namespace ${namespace} now keeps finished runs for the Settings history.retention`,
            {
              retentionSeconds: desiredSeconds,
            },
          );
        } catch (error) {
          const why = `; setting it failed: ${error instanceof Error ? error.message : String(error)}`;
          warning =
            kept !== undefined && kept < desiredSeconds
              ? retentionWarning(namespace, kept, desiredSeconds, why)
              : undefined;
        }
      }
    } catch {
      return;
    }
    if (this.status.retentionWarning === warning) return;
    const status = this.getStatus();
    if (warning === undefined) delete status.retentionWarning;
    else status.retentionWarning = warning;
    this.status = status;
    if (warning !== undefined) this.options.log?.('warn', warning);
  }

  /** Logs a failure once per streak and schedules the retry. */
  private failed(failure: ReconcileFailure, revision: string | undefined): void {
    if (this.failureStreak?.key === failure.streak) this.failureStreak.attempts += 1;
    else {
      this.failureStreak = { key: failure.streak, attempts: 1 };
      this.options.log?.('error', `${failure.message} (retrying with backoff; logged once until it changes)`, {
        reason: failure.reason,
        ...(revision !== undefined ? { revision } : {}),
      });
    }
    this.scheduleRetry();
  }

  private update(status: ControllerStatus): void {
    this.status = status;
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
      .catch((error: unknown) =>
        this.options.log?.(
          'warn',
          `publishing the status failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }

  /** Waits until every status published so far has been stored. */
  async flushed(): Promise<void> {
    await this.publishing;
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.failureStreak !== undefined) {
      this.options.log?.(
        'info',
        `the reconcile no longer fails (after ${this.failureStreak.attempts} failed attempt(s))`,
      );
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
