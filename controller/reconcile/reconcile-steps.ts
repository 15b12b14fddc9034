/**
 * The steps of one reconcile (docs/architecture.md#one-pipeline-from-source-to-status), in the order the reconciler runs them:
 *
 *   fetch → validate → compile → observe → plan → apply
 *
 * and what each leaves behind, as plain outcomes ({@link ReconcileSteps}). The reconciler stops at
 * the first step that fails (it threw) or stalls (the revision does not validate or compile);
 * `summarize-reconcile.ts` turns the outcomes into the controller status. Fetch is the source's,
 * plan is `plan.ts`, apply is `apply.ts` (the only Temporal writes); the others are here, together
 * with {@link stepFailure}, which records why a step threw — for observe and apply asking Temporal
 * whether the cause is on its side (unreachable, no worker), so the summarizer itself stays pure.
 *
 * `jobnet apply` runs validate and compile with these same functions (printing problems its own
 * way), then hands the compiled revision to the reconciler for observe, plan and apply.
 */
import type { Client } from '@temporalio/client';
import type { ProjectAccessGrants } from '../../workflows/event-registry-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { accessGrantsOf } from '../api/auth/roles.js';
import { compileAllJobnets, type CompileCache, type CompileFailure } from '../compile/compile-jobnet.js';
import { compileDeliveryConfig } from '../incidents/compile-delivery.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import type { Diagnostic, Result } from '../definitions/diagnostics.js';
import {
  validateSnapshot,
  type RepositoryValidator,
  type ValidatedRepository,
} from '../definitions/validate-repository.js';
import type { SourceRevision } from '../source/source-types.js';
import { TemporalCallError, explainTemporalFailure, probeTemporal } from '../temporal/temporal-reachability.js';
import type { ObservedJobnetWithStatus } from './controller-status.js';
import { retentionSecondsOf } from './history-retention.js';
import { observeActors } from './observe.js';
import type { ReconcilePlan } from './plan.js';

export type StepName = 'fetch' | 'validate' | 'compile' | 'observe' | 'plan' | 'apply';

/** The revision the source gave. */
export interface FetchOutcome {
  revision: string;
  /** When the source read it. */
  fetchedAt: Date;
  /** When the reconcile had it: the moment the revision counts as attempted. */
  at: Date;
  /**
   * The revision stalled in an earlier reconcile (it did not validate or compile): nothing more
   * runs for it until the source changes (R-GIT-2).
   */
  stalledBefore?: true;
}

/** Whether the revision validated, with every diagnostic (a `Result` of `validateSnapshot` is one). */
export interface ValidateOutcome {
  ok: boolean;
  diagnostics: readonly Diagnostic[];
  /** The revision's file texts by path, for the diagnostics' code frames. */
  texts?: ReadonlyMap<string, string>;
}

/** What the revision compiled to for the environment, or why it did not compile. */
export type CompileOutcome =
  | {
      ok: true;
      desired: CompiledJobnet[];
      environment?: string;
      prune: boolean;
      /** The projects' access grants (Project `spec.access`), published with the routes (R-SEC-3). */
      access?: ProjectAccessGrants;
      /** Settings `history.retention` in seconds (history-retention.ts); omitted: the default. */
      retentionSeconds?: number;
      /** Incident policy and log sinks, for the delivery workflow (docs/incidents.md). */
      delivery?: DeliveryConfig;
    }
  | {
      ok: false;
      /** The whole reason, for the status. */
      message: string;
      /** The jobnets that did not compile, when that is the reason (none for an unknown environment). */
      failures: CompileFailure[];
    };

/** What Temporal runs: the deployment's actors, each with the status it published. */
export interface ObserveOutcome {
  observed: ObservedJobnetWithStatus[];
}

/** What apply wrote (apply.ts), and when it had finished. */
export interface ApplyOutcome {
  /** Actors sent a definition or a retirement. */
  actors: number;
  /** Whether the event registry got new routes. */
  routes: boolean;
  at: Date;
}

/** A step that threw: which, the error, and what Temporal's side has to do with it. */
export interface StepFailure {
  step: StepName;
  error: { name?: string; message: string };
  /** Observe and apply only: Temporal did not answer, or no worker polls the task queue. */
  temporal?: { problem: 'TEMPORAL_UNAVAILABLE' | 'NO_WORKER'; message: string };
  /** When the failure was known. */
  at: Date;
}

/** The outcomes of one reconcile's steps so far; a step that did not run is absent. */
export interface ReconcileSteps {
  fetch?: FetchOutcome;
  /** Absent when validate did not run (a revision compiled before, or validated by the caller). */
  validate?: ValidateOutcome;
  compile?: CompileOutcome;
  observe?: ObserveOutcome;
  plan?: ReconcilePlan;
  apply?: ApplyOutcome;
  /** The step that threw; the steps after it did not run. */
  failure?: StepFailure;
}

/**
 * Validates a fetched revision: the same pipeline as `jobnet validate` (R-GIT-2). With the
 * `validator` of the previous revisions (the controller's), only what changed is checked again,
 * with the same result.
 */
export function validateRevision(
  fetched: Pick<SourceRevision, 'snapshot' | 'oversized'>,
  validator?: RepositoryValidator,
): Result<ValidatedRepository> {
  const options = { oversized: fetched.oversized };
  return validator !== undefined
    ? validator.validate(fetched.snapshot, options)
    : validateSnapshot(fetched.snapshot, options);
}

/** How to compile: flags first, then the repository's Settings. */
export interface CompileRevisionOptions {
  /** Environment to compile for; omitted: Settings `environment`, else none. */
  environment?: string;
  /** Delete removed jobnets instead of retiring them; omitted: Settings `controller.prune`, else false. */
  prune?: boolean;
}

/**
 * Compiles every jobnet of a validated revision for its environment; with the `cache` of the
 * previous revisions (the controller's), a jobnet whose document and context are unchanged keeps
 * its compiled body. Not compiling is an
 * outcome, not an error: an unknown environment, or jobnets that cannot be compiled (then every
 * one is listed).
 */
export function compileRevision(
  repository: ValidatedRepository,
  options: CompileRevisionOptions = {},
  cache?: CompileCache,
): CompileOutcome {
  const settings = repository.index.settings?.value.spec;
  const environment = options.environment ?? settings?.environment;
  const compiled = compileAllJobnets(repository, {
    ...(environment !== undefined ? { environment } : {}),
    ...(cache !== undefined ? { cache } : {}),
  });
  if (!compiled.ok) return { ok: false, message: compiled.message, failures: [] };
  if (compiled.failures.length > 0) {
    return {
      ok: false,
      message: compiled.failures
        .map((failure) => `${failure.project}/${failure.jobnet}: ${failure.message}`)
        .join('; '),
      failures: compiled.failures,
    };
  }
  const prune = options.prune ?? settings?.controller?.prune ?? false;
  const access = accessGrantsOf(
    [...repository.index.projects].map(([name, project]) => ({ name, access: project.value.spec.access })),
  );
  const retentionSeconds = retentionSecondsOf(settings);
  const delivery = compileDeliveryConfig(repository, repository.revision ?? 'unversioned');
  return environment !== undefined
    ? { ok: true, desired: compiled.jobnets, environment, prune, access, retentionSeconds, delivery }
    : { ok: true, desired: compiled.jobnets, prune, access, retentionSeconds, delivery };
}

/** The statuses of a jobnet with an open run (running, or abended/forced/carried over awaiting an operator). */
const openRunStatuses: ReadonlySet<string> = new Set(['running', 'warning', 'abended', 'forced', 'carriedOver']);

/**
 * Observes what Temporal runs for the deployment on `taskQueue` (observe.ts), after checking that
 * Temporal answers at all, so a resync notices an outage at once.
 * @throws TemporalCallError when Temporal does not answer; whatever the visibility query throws.
 */
export async function observeRevision(client: Client, taskQueue: string): Promise<ObserveOutcome> {
  const reachable = await probeTemporal(client);
  if (!reachable.ok) throw new TemporalCallError(reachable.problem, reachable.message);
  const observed = (await observeActors(client, taskQueue)).map((actor) => {
    const entry: ObservedJobnetWithStatus = { project: actor.project, name: actor.name, retired: actor.retired };
    if (actor.digest !== undefined) entry.digest = actor.digest;
    if (actor.revision !== undefined) entry.revision = actor.revision;
    if (actor.status !== undefined) {
      entry.status = actor.status;
      entry.running = openRunStatuses.has(actor.status);
    }
    return entry;
  });
  return { observed };
}

/**
 * Records why `step` threw. For observe and apply, asks Temporal (`explainTemporalFailure`: a
 * probe and a task-queue description, each with a deadline) whether the server is unreachable or
 * no worker polls `taskQueue`. Never throws.
 */
export async function stepFailure(
  step: StepName,
  error: unknown,
  temporal?: { client: Client; taskQueue: string },
): Promise<StepFailure> {
  const failure: StepFailure = {
    step,
    error: error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) },
    at: new Date(),
  };
  if (temporal !== undefined && (step === 'observe' || step === 'apply')) {
    const explained = await explainTemporalFailure(temporal.client, temporal.taskQueue, error);
    if (explained !== undefined && explained.problem !== 'TEMPORAL_TIMEOUT')
      failure.temporal = { problem: explained.problem, message: explained.message };
    failure.at = new Date();
  }
  return failure;
}
