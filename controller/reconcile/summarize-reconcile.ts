/**
 * The summary of a reconcile (R-GIT-2, R-GIT-4, CONTRIBUTING.md#5-errors-decide-control-flow, CONTRIBUTING.md#7-status-is-a-contract): one pure function turns
 * the outcomes of the steps (reconcile-steps.ts) and the status before into the status after — the
 * conditions `Fetched`, `Valid`, `Applied`, `Ready` with their reasons and messages, the
 * diagnostics, `lastError`, `lastPlan`, the warnings and the per-jobnet entries — together with
 * what the reconcile did and what to log. It is the model of Flux's summarize step: the steps only
 * report, and this is the one place that decides what a status says.
 *
 * Reasons, by the step that decided them:
 * - fetch: `Fetched`; `FetchFailed` when the source cannot be read.
 * - validate: `ValidationFailed` (the revision stalls, Ready `Stalled`, with every diagnostic).
 * - compile: `CompileFailed` (it stalls too); `Valid` once it compiled.
 * - validate, compile and plan throwing (a bug): `InternalError`, naming the step and the revision.
 * - observe and apply: `TemporalUnavailable` (Temporal does not answer), `NoWorker` (no worker polls
 *   the task queue), else `ObserveFailed` / `ApplyFailed`; `Applied` once applied.
 * - Ready: `Reconciled` when applied, `Stalled`, or the failure's reason (retried with backoff).
 * A stall or failure changes only the conditions of its step and Ready: the revision applied before
 * keeps its `Applied` condition, plan and jobnets.
 *
 * Must not: do I/O, read the clock (every instant comes with the outcomes), or change `previous`.
 * The reconciler is the only caller, and the only writer of the status.
 */
import {
  jobnetEntries,
  statusDiagnostics,
  withCondition,
  type ControllerStatus,
  type StatusCondition,
} from './controller-status.js';
import type { ReconcilePlan } from './plan.js';
import type { ReconcileSteps, StepFailure } from './reconcile-steps.js';

/** What one reconcile did. */
export interface ReconcileOutcome {
  result: 'applied' | 'unchanged' | 'stalled' | 'failed';
  revision?: string;
  plan?: ReconcilePlan;
}

/** A line for the controller's log (never a secret). */
export interface ReconcileLogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A failed step as the status names it. */
export interface ReconcileFailure {
  reason: string;
  message: string;
  /** What makes two failures the same streak: the log gets one line per streak, not one per retry. */
  streak: string;
}

export interface ReconcileSummary {
  /** The status after the steps so far. */
  status: ControllerStatus;
  /** What the reconcile did; absent while its steps are still running (only fetch has reported). */
  outcome?: ReconcileOutcome;
  /** Set when a step failed: the reconcile is retried. */
  failure?: ReconcileFailure;
  /** What to log, in order, besides the failure (whose line depends on the streak). */
  log: ReconcileLogLine[];
}

/** The Ready message of a stalled revision. */
export function stalledMessage(revision: string, applied: string | undefined): string {
  return `revision ${revision} is not applied; ${applied === undefined ? 'no revision has been applied yet' : `revision ${applied} keeps running`}`;
}

/** The reason, message and streak of a failed step of `revision`. */
export function reconcileFailureOf(failure: StepFailure, revision: string | undefined): ReconcileFailure {
  const { step, error } = failure;
  const detail = error.message;
  if (step === 'fetch')
    return { reason: 'FetchFailed', message: `fetch failed: ${detail}`, streak: `FetchFailed:${detail}` };
  if (step === 'validate' || step === 'compile' || step === 'plan') {
    const doing = step === 'validate' ? 'validating' : step === 'compile' ? 'compiling' : 'planning';
    const message = `internal error while ${doing} revision ${revision ?? '(unknown)'}: ${error.name !== undefined ? `${error.name}: ` : ''}${detail}`;
    return { reason: 'InternalError', message, streak: `InternalError:${message}` };
  }
  if (failure.temporal !== undefined) {
    const reason = failure.temporal.problem === 'NO_WORKER' ? 'NoWorker' : 'TemporalUnavailable';
    return { reason, message: `${step} failed: ${failure.temporal.message}`, streak: reason };
  }
  const reason = step === 'observe' ? 'ObserveFailed' : 'ApplyFailed';
  return { reason, message: `${step} failed: ${detail}`, streak: `${reason}:${detail}` };
}

/**
 * The status after `steps`, starting from `previous` (see the module header), what the reconcile
 * did once its steps have finished, and what to log. Pure.
 */
export function summarizeReconcile(previous: ControllerStatus, steps: ReconcileSteps): ReconcileSummary {
  const status = structuredClone(previous);
  const set = (condition: Omit<StatusCondition, 'since'>, at: Date): void => {
    status.conditions = withCondition(status.conditions, condition, at);
  };
  const log: ReconcileLogLine[] = [];
  const { fetch } = steps;
  if (fetch !== undefined) {
    status.fetchedRevision = fetch.revision;
    status.fetchedAt = fetch.fetchedAt.toISOString();
    set({ type: 'Fetched', status: 'True', reason: 'Fetched', message: `revision ${fetch.revision}` }, fetch.at);
  }
  const revision = fetch?.revision;

  if (steps.failure !== undefined) {
    const { step, at } = steps.failure;
    const failure = reconcileFailureOf(steps.failure, revision);
    const { reason, message } = failure;
    status.lastError = message;
    if (step === 'fetch') set({ type: 'Fetched', status: 'False', reason, message }, at);
    else if (step === 'validate' || step === 'compile') {
      // The revision was attempted and nothing is known about its validity: the diagnostics of an
      // earlier revision must not stand for it.
      if (revision !== undefined) {
        status.attemptedRevision = revision;
        status.attemptedAt = at.toISOString();
      }
      status.diagnostics = [];
      set({ type: 'Valid', status: 'Unknown', reason, message }, at);
    } else set({ type: 'Applied', status: step === 'apply' ? 'False' : 'Unknown', reason, message }, at);
    set({ type: 'Ready', status: 'False', reason, message }, at);
    return {
      status,
      outcome: revision !== undefined ? { result: 'failed', revision } : { result: 'failed' },
      failure,
      log,
    };
  }
  if (fetch === undefined) return { status, log };
  // A periodic resync of a revision that stalled: it stays stalled until the source changes.
  if (fetch.stalledBefore === true) return { status, outcome: { result: 'unchanged', revision: fetch.revision }, log };

  const attempted = fetch.at;
  if (steps.validate !== undefined && !steps.validate.ok) {
    const diagnostics = statusDiagnostics(
      steps.validate.diagnostics.map((diagnostic) => ({ ...diagnostic, revision: fetch.revision })),
      steps.validate.texts,
    );
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    const stalled = stalledMessage(fetch.revision, status.appliedRevision);
    status.attemptedRevision = fetch.revision;
    status.attemptedAt = attempted.toISOString();
    status.diagnostics = diagnostics;
    set(
      {
        type: 'Valid',
        status: 'False',
        reason: 'ValidationFailed',
        message: `revision ${fetch.revision} has ${errors} error(s)`,
      },
      attempted,
    );
    set({ type: 'Ready', status: 'False', reason: 'Stalled', message: stalled }, attempted);
    log.push({
      level: 'warn',
      message: `revision ${fetch.revision} does not validate (${errors} error(s)); ${stalled}`,
    });
    return { status, outcome: { result: 'stalled', revision: fetch.revision }, log };
  }
  const { compile } = steps;
  if (compile !== undefined && !compile.ok) {
    status.attemptedRevision = fetch.revision;
    status.attemptedAt = attempted.toISOString();
    status.diagnostics = [];
    set({ type: 'Valid', status: 'False', reason: 'CompileFailed', message: compile.message }, attempted);
    set(
      {
        type: 'Ready',
        status: 'False',
        reason: 'Stalled',
        message: stalledMessage(fetch.revision, status.appliedRevision),
      },
      attempted,
    );
    return { status, outcome: { result: 'stalled', revision: fetch.revision }, log };
  }
  const { plan, apply } = steps;
  if (compile === undefined || plan === undefined || apply === undefined) return { status, log };

  // Applied. A reconcile that wrote nothing to the revision already applied (a resync) changes
  // only what it observed: health, sync, warnings.
  const changed = apply.actors > 0 || status.appliedRevision !== fetch.revision;
  if (changed) {
    status.attemptedRevision = fetch.revision;
    status.attemptedAt = attempted.toISOString();
    status.appliedRevision = fetch.revision;
    status.appliedAt = apply.at.toISOString();
  }
  if (compile.environment !== undefined) status.environment = compile.environment;
  status.diagnostics = [];
  delete status.lastError;
  status.lastPlan = plan.counts;
  if (plan.warnings.length > 0) status.warnings = plan.warnings;
  else delete status.warnings;
  status.jobnets = jobnetEntries(plan);
  const { create, update, retire, delete: deleted, noop } = plan.counts;
  set(
    { type: 'Valid', status: 'True', reason: 'Valid', message: `revision ${fetch.revision} validated and compiled` },
    apply.at,
  );
  set(
    {
      type: 'Applied',
      status: 'True',
      reason: 'Applied',
      message: `${create} created, ${update} updated, ${retire} retired, ${deleted} deleted, ${noop} unchanged`,
    },
    apply.at,
  );
  set(
    { type: 'Ready', status: 'True', reason: 'Reconciled', message: `revision ${fetch.revision} is applied` },
    apply.at,
  );
  if (apply.actors > 0)
    log.push({ level: 'info', message: `revision ${fetch.revision} applied`, fields: { ...plan.counts } });
  else if (changed)
    log.push({ level: 'info', message: `revision ${fetch.revision} is already what Temporal runs; nothing to apply` });
  for (const warning of changed ? plan.warnings : [])
    log.push({ level: 'warn', message: `${warning.project}/${warning.name}: ${warning.message}` });
  return {
    status,
    outcome: { result: apply.actors > 0 ? 'applied' : 'unchanged', revision: fetch.revision, plan },
    log,
  };
}
