/**
 * The controller's status (R-GIT-4, CONTRIBUTING.md#7-status-is-a-contract): which revision was fetched, attempted
 * and applied, conditions with a reason and a message, per-jobnet sync (does Temporal hold the
 * applied definition?) separate from health (is the jobnet doing well?), and the diagnostics of a
 * stalled revision. `jobnet status` and `GET /api/v1/status` print it as it is.
 *
 * Types and pure builders only; the reconciler is the one place that writes a status.
 */
import type { DeliveryStatus } from '../incidents/delivery-status.js';
import type { Diagnostic } from '../definitions/diagnostics.js';
import { codeFrame } from '../definitions/render-diagnostics.js';
import type { ActionKind, ObservedJobnet, PlanWarning, ReconcilePlan } from './plan.js';

/** An observed jobnet with the status its actor published (observe.ts). */
export type ObservedJobnetWithStatus = ObservedJobnet & { status?: string };

/** A condition (Flux/Kubernetes style): a type, True/False/Unknown, a reason code and a message. */
export interface StatusCondition {
  type: 'Fetched' | 'Valid' | 'Applied' | 'Ready';
  status: 'True' | 'False' | 'Unknown';
  /**
   * CamelCase reason: `Fetched`, `FetchFailed`, `ValidationFailed`, `CompileFailed`, `Applied`,
   * `ObserveFailed`, `ApplyFailed`, `TemporalUnavailable` (Temporal does not answer), `NoWorker`
   * (no worker polls the task queue), `InternalError` (a stage threw: a bug), `Stalled`,
   * `Progressing`, `Reconciled`.
   */
  reason: string;
  message: string;
  /** ISO 8601 instant of the last change of this condition. */
  since: string;
}

/** One jobnet as the controller sees it after a reconcile. */
export interface JobnetStatusEntry {
  project: string;
  jobnet: string;
  /** `Synced`: its actor holds the applied definition; `OutOfSync`: not yet (visibility lags or apply failed); `Retired`: removed from the definitions. */
  sync: 'Synced' | 'OutOfSync' | 'Retired';
  /** `Healthy`; `Degraded`: its last run abended or was forced, or it is carried over; `Progressing`: just created; `Unknown`. */
  health: 'Healthy' | 'Degraded' | 'Progressing' | 'Unknown';
  /** The jobnet status (docs/specification.md §4.1) its actor last published. */
  status?: string;
  revision?: string;
  digest?: string;
}

export interface ControllerStatus {
  /** Where the definitions come from (never carries a secret). */
  source: string;
  environment?: string;
  taskQueue: string;
  fetchedRevision?: string;
  fetchedAt?: string;
  /** The revision of the last reconcile attempt, valid or not. */
  attemptedRevision?: string;
  attemptedAt?: string;
  /** The revision Temporal runs: the last one that validated, compiled and applied. */
  appliedRevision?: string;
  appliedAt?: string;
  conditions: StatusCondition[];
  /** The last plan's action counts. */
  lastPlan?: Record<ActionKind, number>;
  /** The last plan's warnings: jobnets changed or removed while a run of theirs is open. */
  warnings?: PlanWarning[];
  /** Set while the source's revision holds no definition at all (a wrong repository, branch or path?). */
  sourceWarning?: string;
  /** Set while the Temporal namespace keeps finished runs for less time than Settings `history.retention` (R-OPS-5). */
  retentionWarning?: string;
  jobnets: JobnetStatusEntry[];
  /**
   * Every diagnostic of the attempted revision when it did not validate (R-GIT-2); the first
   * {@link maxFramedDiagnostics} with their code frame.
   */
  diagnostics: StatusDiagnostic[];
  /** Why the last fetch, observe, apply or internal stage failed, when it did. */
  lastError?: string;
  /** Incident and log delivery per sink, read from the delivery workflow when the status is read. */
  delivery?: DeliveryStatus;
}

/**
 * A diagnostic as the status carries it: with the code frame of `jobnet validate` — two lines
 * before, the line with a caret marker under the column, one after; long lines cut around the
 * column ({@link codeFrame}) — when it is one of the first {@link maxFramedDiagnostics}.
 */
export type StatusDiagnostic = Diagnostic & { frame?: string[] };

/** How many diagnostics of a stalled revision carry a code frame: the status stays small (it is stored in Temporal). */
export const maxFramedDiagnostics = 20;

/** What a code frame shows in place of a source line that holds a literal secret. */
export const withheldSecretLine = '‹a literal secret: not shown›';

/**
 * The diagnostics of a stalled revision for the status: each of the first
 * {@link maxFramedDiagnostics} that points at a line of a file in `texts` gets its code frame.
 * The lines a `CRED-LITERAL-SECRET` diagnostic points at are never shown (the status is stored in
 * Temporal and served by the API): in every frame they read {@link withheldSecretLine}. Pure.
 */
export function statusDiagnostics(
  diagnostics: readonly Diagnostic[],
  texts: ReadonlyMap<string, string> | undefined,
): StatusDiagnostic[] {
  const secretLines = new Map<string, Set<number>>();
  for (const d of diagnostics) {
    if (d.code !== 'CRED-LITERAL-SECRET' || d.line <= 0) continue;
    const lines = secretLines.get(d.file) ?? new Set<number>();
    for (let n = d.line; n <= Math.max(d.line, d.endLine ?? d.line); n++) lines.add(n);
    secretLines.set(d.file, lines);
  }
  const masked = new Map<string, string>();
  const textOf = (file: string): string | undefined => {
    const text = texts?.get(file);
    const hidden = secretLines.get(file);
    if (text === undefined || hidden === undefined) return text;
    let shown = masked.get(file);
    if (shown === undefined) {
      shown = text
        .split(/\r?\n/)
        .map((line, index) => (hidden.has(index + 1) ? withheldSecretLine : line))
        .join('\n');
      masked.set(file, shown);
    }
    return shown;
  };
  return diagnostics.map((d, index): StatusDiagnostic => {
    const text = index < maxFramedDiagnostics && d.line > 0 ? textOf(d.file) : undefined;
    return text !== undefined ? { ...d, frame: codeFrame(text, d) } : { ...d };
  });
}

/** Reasons of a Ready condition that mean the last reconcile failed (it is retried), as opposed to a stall or progress. */
export const reconcileFailureReasons: ReadonlySet<string> = new Set([
  'FetchFailed',
  'ObserveFailed',
  'ApplyFailed',
  'TemporalUnavailable',
  'NoWorker',
  'InternalError',
]);

/** The message of the Ready condition when the last reconcile failed; undefined when it did not (readiness). */
export function lastReconcileFailure(status: ControllerStatus): string | undefined {
  const ready = status.conditions.find((condition) => condition.type === 'Ready');
  return ready !== undefined && ready.status === 'False' && reconcileFailureReasons.has(ready.reason)
    ? ready.message
    : undefined;
}

/** A fresh status for a controller that has not reconciled yet. */
export function initialStatus(
  source: string,
  taskQueue: string,
  environment: string | undefined,
  at: Date,
): ControllerStatus {
  const status: ControllerStatus = {
    source,
    taskQueue,
    conditions: [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'Progressing',
        message: 'the first reconcile has not finished',
        since: at.toISOString(),
      },
    ],
    jobnets: [],
    diagnostics: [],
  };
  if (environment !== undefined) status.environment = environment;
  return status;
}

/**
 * Sets a condition; its `since` changes only when status or reason change. Returns a new list
 * sorted by type (Fetched, Valid, Applied, Ready).
 */
export function withCondition(
  conditions: readonly StatusCondition[],
  condition: Omit<StatusCondition, 'since'>,
  at: Date,
): StatusCondition[] {
  const order: StatusCondition['type'][] = ['Fetched', 'Valid', 'Applied', 'Ready'];
  const previous = conditions.find((entry) => entry.type === condition.type);
  const since =
    previous !== undefined && previous.status === condition.status && previous.reason === condition.reason
      ? previous.since
      : at.toISOString();
  const next = [...conditions.filter((entry) => entry.type !== condition.type), { ...condition, since }];
  return next.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

const degradedStatuses = new Set(['abended', 'forced', 'carriedOver']);

/** The per-jobnet entries after applying `plan`: what each action leaves behind (R-GIT-4). */
export function jobnetEntries(plan: ReconcilePlan): JobnetStatusEntry[] {
  return plan.actions.map((action): JobnetStatusEntry => {
    const entry: JobnetStatusEntry = {
      project: action.project,
      jobnet: action.name,
      sync: 'Synced',
      health: 'Unknown',
    };
    switch (action.kind) {
      case 'create':
        entry.health = 'Progressing';
        entry.revision = action.desired.revision;
        if (action.desired.digest !== undefined) entry.digest = action.desired.digest;
        return entry;
      case 'update':
      case 'noop': {
        const observed = action.observed;
        if (observed.retired === true && action.desired === undefined) entry.sync = 'Retired';
        // Desired again: the apply just sent revives it, which the next observation confirms.
        if (observed.retired === true && action.desired !== undefined) entry.sync = 'OutOfSync';
        const source = action.desired;
        entry.revision = source?.revision ?? observed.revision ?? '';
        const digest = source?.digest ?? observed.digest;
        if (digest !== undefined) entry.digest = digest;
        const status = (observed as ObservedJobnetWithStatus).status;
        if (status !== undefined) entry.status = status;
        entry.health = status === undefined ? 'Unknown' : degradedStatuses.has(status) ? 'Degraded' : 'Healthy';
        return entry;
      }
      case 'retire':
      case 'delete': {
        entry.sync = 'Retired';
        const status = (action.observed as ObservedJobnetWithStatus).status;
        if (status !== undefined) entry.status = status;
        if (action.observed.revision !== undefined) entry.revision = action.observed.revision;
        entry.health = status === undefined ? 'Unknown' : degradedStatuses.has(status) ? 'Degraded' : 'Healthy';
        return entry;
      }
    }
  });
}
