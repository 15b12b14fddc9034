/**
 * The reconcile plan (R-GIT-3, CONTRIBUTING.md#6-plan-is-a-pure-function): what has to happen so that what Temporal runs
 * matches what the definitions say. A pure function of the desired jobnets (compiled from one
 * revision) and the observed ones (the jobnet actors found in Temporal, or — for `jobnet plan` on
 * a pull request — the jobnets compiled from the base revision).
 *
 * Both sides are normalised and paired by identity (project/name); every identity gets exactly
 * one action, and actions and warnings come out sorted by project, then name (code-unit order),
 * so the same inputs always give the same plan:
 * - `create` — desired, not observed;
 * - `update` — observed with another content digest (or none known), or retired and desired again;
 * - `noop`   — observed with the same digest (R-GIT-3: unchanged jobnets are not touched);
 * - `retire` — observed, no longer desired: no new starts, an open run finishes (the default);
 * - `delete` — observed, no longer desired, and `prune` is on: removed from the live system.
 *
 * Must not: do I/O, read the clock, or decide how an action is carried out — apply does that, as
 * a thin loop over the plan.
 */
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { jobnetDigest } from '../compile/jobnet-digest.js';

/** What Temporal runs for one jobnet: its actor's view of itself. */
export interface ObservedJobnet {
  project: string;
  name: string;
  /** Content digest of the definition the actor holds; unknown: the jobnet is updated to be sure. */
  digest?: string;
  /** Revision (commit SHA) the actor's definition came from. */
  revision?: string;
  /** The actor was retired: it starts no runs (R-GIT-3). */
  retired?: boolean;
  /** A run is open (running, or abended/forced and awaiting an operator). */
  running?: boolean;
  /** Workflow id of the open run, for messages. */
  openRunId?: string;
  /** Revision the open run started with (R-GIT-3: it keeps it); default `revision`. */
  openRunRevision?: string;
  /** The compiled definition the actor holds, when known (used to show field-level diffs). */
  definition?: CompiledJobnet;
}

/** How to plan. */
export interface PlanOptions {
  /** Delete jobnets removed from the definitions instead of retiring them (Settings `controller.prune`). */
  prune: boolean;
}

/** The kinds of action, in the order a summary lists them. */
export const actionKinds = ['create', 'update', 'noop', 'retire', 'delete'] as const;
export type ActionKind = (typeof actionKinds)[number];

interface ActionIdentity {
  project: string;
  name: string;
}

/** One action of the plan; exactly one per identity. */
export type ReconcileAction =
  | (ActionIdentity & { kind: 'create'; desired: CompiledJobnet })
  | (ActionIdentity & {
      kind: 'update';
      desired: CompiledJobnet;
      observed: ObservedJobnet;
      /** `definition`: the digest differs (or is unknown); `revive`: a retired jobnet is desired again. */
      reason: 'definition' | 'revive';
    })
  | (ActionIdentity & {
      kind: 'noop';
      /** Absent when the jobnet is no longer desired and already retired. */
      desired?: CompiledJobnet;
      observed: ObservedJobnet;
    })
  | (ActionIdentity & { kind: 'retire'; observed: ObservedJobnet })
  | (ActionIdentity & { kind: 'delete'; observed: ObservedJobnet });

/** Something a reviewer should know before the plan is applied. */
export interface PlanWarning {
  project: string;
  name: string;
  /** Stable code: `RUN-KEEPS-REVISION` (a changed jobnet's open run) or `REMOVED-WHILE-RUNNING`. */
  code: 'RUN-KEEPS-REVISION' | 'REMOVED-WHILE-RUNNING';
  message: string;
}

export interface ReconcilePlan {
  /** One action per identity, sorted by project, then name. */
  actions: ReconcileAction[];
  /** Sorted by project, name, then code. */
  warnings: PlanWarning[];
  /** How many actions of each kind. */
  counts: Record<ActionKind, number>;
  prune: boolean;
}

/** `project/name`, the identity of a jobnet (the jobnet actor's id without its prefix). */
export function jobnetIdentity(jobnet: { project: string; name: string }): string {
  return `${jobnet.project}/${jobnet.name}`;
}

/**
 * Plans the reconcile of `observed` towards `desired` (see the module header).
 * @throws Error when one side names the same jobnet twice: the compile step and the observation
 *   each yield one entry per identity, so a duplicate is a bug upstream, not something to guess about.
 */
export function planReconcile(
  desired: readonly CompiledJobnet[],
  observed: readonly ObservedJobnet[],
  options: PlanOptions,
): ReconcilePlan {
  const wanted = byIdentity(desired.map(withDigest), 'desired');
  const live = byIdentity(observed, 'observed');
  const identities = [...new Set([...wanted.keys(), ...live.keys()])];
  const actions: ReconcileAction[] = [];
  const warnings: PlanWarning[] = [];

  for (const id of identities) {
    const want = wanted.get(id);
    const have = live.get(id);
    if (want !== undefined && have === undefined) {
      actions.push({ kind: 'create', project: want.project, name: want.name, desired: want });
    } else if (want !== undefined && have !== undefined) {
      const same = have.digest !== undefined && have.digest === want.digest;
      if (have.retired === true) {
        actions.push({
          kind: 'update',
          project: want.project,
          name: want.name,
          desired: want,
          observed: have,
          reason: 'revive',
        });
      } else if (same) {
        actions.push({ kind: 'noop', project: want.project, name: want.name, desired: want, observed: have });
      } else {
        actions.push({
          kind: 'update',
          project: want.project,
          name: want.name,
          desired: want,
          observed: have,
          reason: 'definition',
        });
      }
      if (!same && have.running === true) {
        warnings.push({
          project: want.project,
          name: want.name,
          code: 'RUN-KEEPS-REVISION',
          message: `jobnet ${id} is changed while ${openRunText(have)} is open: the running run keeps revision ${revisionText(openRunRevision(have))}; the next run uses ${revisionText(want.revision)}`,
        });
      }
    } else if (have !== undefined) {
      if (options.prune) {
        actions.push({ kind: 'delete', project: have.project, name: have.name, observed: have });
      } else if (have.retired === true) {
        // Already retired: nothing left to do (apply must stay idempotent, R-GIT-3).
        actions.push({ kind: 'noop', project: have.project, name: have.name, observed: have });
      } else {
        actions.push({ kind: 'retire', project: have.project, name: have.name, observed: have });
      }
      // An already retired jobnet was reported when it was removed; its open run is no news.
      if (have.running === true && (options.prune || have.retired !== true)) {
        const consequence = options.prune
          ? 'prune deletes it from the live system'
          : `no new run starts; the open run finishes with revision ${revisionText(openRunRevision(have))}`;
        warnings.push({
          project: have.project,
          name: have.name,
          code: 'REMOVED-WHILE-RUNNING',
          message: `removing jobnet ${id} while ${openRunText(have)} is open: ${consequence}`,
        });
      }
    }
  }

  actions.sort(compareIdentities);
  warnings.sort((a, b) => compareIdentities(a, b) || compareText(a.code, b.code));
  const counts = Object.fromEntries(actionKinds.map((kind) => [kind, 0])) as Record<ActionKind, number>;
  for (const action of actions) counts[action.kind] += 1;
  return { actions, warnings, counts, prune: options.prune };
}

// ---------------------------------------------------------------------------------------------
// Normalisation.

/** One entry per identity, by `project/name`. */
function byIdentity<T extends { project: string; name: string }>(entries: readonly T[], side: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) {
    const id = jobnetIdentity(entry);
    if (map.has(id)) throw new Error(`planReconcile: the ${side} jobnets name ${id} twice`);
    map.set(id, entry);
  }
  return map;
}

/** A desired jobnet with its digest: the compile step sets it; a hand-built jobnet gets it computed. */
function withDigest(jobnet: CompiledJobnet): CompiledJobnet {
  return jobnet.digest === undefined ? { ...jobnet, digest: jobnetDigest(jobnet) } : jobnet;
}

function openRunRevision(observed: ObservedJobnet): string | undefined {
  return observed.openRunRevision ?? observed.revision;
}

function openRunText(observed: ObservedJobnet): string {
  return observed.openRunId === undefined ? 'a run' : `run ${observed.openRunId}`;
}

/** A revision as people read it: a commit SHA shortened to 7 characters (as GitHub shows it), anything else as is. */
export function revisionText(revision: string | undefined): string {
  if (revision === undefined) return '(unknown)';
  return /^[0-9a-f]{40}$/.test(revision) || /^[0-9a-f]{64}$/.test(revision) ? revision.slice(0, 7) : revision;
}

function compareIdentities(a: { project: string; name: string }, b: { project: string; name: string }): number {
  return compareText(a.project, b.project) || compareText(a.name, b.name);
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
