/**
 * The reconcile summary is a pure function of the status before and the outcomes of the steps
 * (R-GIT-2, R-GIT-4): every reason the controller reports — Fetched / FetchFailed, Valid /
 * ValidationFailed / CompileFailed / InternalError, Applied / ObserveFailed / ApplyFailed /
 * TemporalUnavailable / NoWorker, Ready Reconciled / Stalled / the failure — with its message,
 * and what becomes of the diagnostics, lastError, lastPlan, warnings and jobnets. No Temporal here.
 */
import { describe, expect, it } from 'vitest';
import { jobnetDigest } from '../../controller/compile/jobnet-digest.js';
import type { Diagnostic } from '../../controller/definitions/diagnostics.js';
import {
  initialStatus,
  type ControllerStatus,
  type StatusCondition,
} from '../../controller/reconcile/controller-status.js';
import { planReconcile, type ObservedJobnet } from '../../controller/reconcile/plan.js';
import type { ReconcileSteps, StepFailure } from '../../controller/reconcile/reconcile-steps.js';
import { summarizeReconcile, type ReconcileSummary } from '../../controller/reconcile/summarize-reconcile.js';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';

const shaA = 'a'.repeat(40);
const shaB = 'b'.repeat(40);
const t0 = new Date('2026-11-23T10:00:00.000Z');
const t1 = new Date('2026-11-23T10:00:01.000Z');
const t2 = new Date('2026-11-23T10:00:02.000Z');
const t3 = new Date('2026-11-23T10:00:03.000Z');

function desired(name: string, seconds = 1, revision = shaB): CompiledJobnet {
  const jobnet: CompiledJobnet = {
    project: 'ops',
    name,
    revision,
    jobs: { nap: compiledJob({ name: 'nap', type: 'sleep', spec: { seconds } }) },
  };
  return { ...jobnet, digest: jobnetDigest(jobnet) };
}

function observed(
  name: string,
  seconds = 1,
  extra: Partial<ObservedJobnet> & { status?: string } = {},
): ObservedJobnet & { status?: string } {
  return { project: 'ops', name, digest: desired(name, seconds, shaA).digest, revision: shaA, ...extra };
}

/** A status that applied `shaA` at t0, after an earlier failure. */
function appliedBefore(): ControllerStatus {
  const status = initialStatus('directory /defs', 'jobnet', undefined, t0);
  status.appliedRevision = shaA;
  status.appliedAt = t0.toISOString();
  status.attemptedRevision = shaA;
  status.attemptedAt = t0.toISOString();
  status.lastPlan = { create: 1, update: 0, noop: 0, retire: 0, delete: 0 };
  status.jobnets = [{ project: 'ops', jobnet: 'nightly', sync: 'Synced', health: 'Healthy', revision: shaA }];
  status.lastError = 'fetch failed: earlier';
  status.conditions = [
    { type: 'Fetched', status: 'True', reason: 'Fetched', message: `revision ${shaA}`, since: t0.toISOString() },
    {
      type: 'Valid',
      status: 'True',
      reason: 'Valid',
      message: `revision ${shaA} validated and compiled`,
      since: t0.toISOString(),
    },
    {
      type: 'Applied',
      status: 'True',
      reason: 'Applied',
      message: '1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
      since: t0.toISOString(),
    },
    {
      type: 'Ready',
      status: 'True',
      reason: 'Reconciled',
      message: `revision ${shaA} is applied`,
      since: t0.toISOString(),
    },
  ];
  return status;
}

const fetched = (
  revision = shaB,
  extra: Partial<NonNullable<ReconcileSteps['fetch']>> = {},
): NonNullable<ReconcileSteps['fetch']> => ({ revision, fetchedAt: t0, at: t1, ...extra });

function condition(
  summary: ReconcileSummary,
  type: StatusCondition['type'],
): Omit<StatusCondition, 'since'> & { since?: string } {
  return summary.status.conditions.find((entry) => entry.type === type) as StatusCondition;
}

/** The conditions as `Type Status Reason: message` lines. */
function conditionLines(summary: ReconcileSummary): string[] {
  return summary.status.conditions.map((entry) => `${entry.type} ${entry.status} ${entry.reason}: ${entry.message}`);
}

const error = (message: string, name = 'Error'): StepFailure['error'] => ({ name, message });

describe('summarizeReconcile', () => {
  it('shows the fetched revision at once, while the later steps run (no outcome yet)', () => {
    const summary = summarizeReconcile(appliedBefore(), { fetch: fetched() });
    expect(summary.outcome).toBeUndefined();
    expect(summary.status.fetchedRevision).toBe(shaB);
    expect(summary.status.fetchedAt).toBe(t0.toISOString());
    expect(condition(summary, 'Fetched')).toMatchObject({
      status: 'True',
      reason: 'Fetched',
      message: `revision ${shaB}`,
    });
    expect(condition(summary, 'Ready')).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(summary.log).toEqual([]);
  });

  it('keeps a condition since when it last changed, and leaves the status before untouched', () => {
    const before = appliedBefore();
    const copy = structuredClone(before);
    const summary = summarizeReconcile(before, { fetch: fetched() });
    expect(before).toEqual(copy);
    expect(summary.status.conditions.find((entry) => entry.type === 'Fetched')?.since).toBe(t0.toISOString());
  });

  interface FailureCase {
    name: string;
    steps: ReconcileSteps;
    conditions: string[];
    streak: string;
    /** Whether the revision counts as attempted at the failure, with no diagnostics left. */
    attempted?: boolean;
  }
  const at = t2;
  const failures: FailureCase[] = [
    {
      name: 'a source that cannot be read: FetchFailed',
      steps: { failure: { step: 'fetch', error: error('definitions directory /defs cannot be read (ENOENT)'), at } },
      conditions: [
        'Fetched False FetchFailed: fetch failed: definitions directory /defs cannot be read (ENOENT)',
        `Valid True Valid: revision ${shaA} validated and compiled`,
        'Applied True Applied: 1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
        'Ready False FetchFailed: fetch failed: definitions directory /defs cannot be read (ENOENT)',
      ],
      streak: 'FetchFailed:definitions directory /defs cannot be read (ENOENT)',
    },
    {
      name: 'a validator that throws: InternalError naming the stage and the revision',
      steps: {
        fetch: fetched(),
        failure: { step: 'validate', error: error('Maximum call stack size exceeded', 'RangeError'), at },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid Unknown InternalError: internal error while validating revision ${shaB}: RangeError: Maximum call stack size exceeded`,
        'Applied True Applied: 1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
        `Ready False InternalError: internal error while validating revision ${shaB}: RangeError: Maximum call stack size exceeded`,
      ],
      streak: `InternalError:internal error while validating revision ${shaB}: RangeError: Maximum call stack size exceeded`,
      attempted: true,
    },
    {
      name: 'a compile step that throws something not an Error: InternalError without a name',
      steps: {
        fetch: fetched(),
        validate: { ok: true, diagnostics: [] },
        failure: { step: 'compile', error: { message: 'boom' }, at },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid Unknown InternalError: internal error while compiling revision ${shaB}: boom`,
        'Applied True Applied: 1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
        `Ready False InternalError: internal error while compiling revision ${shaB}: boom`,
      ],
      streak: `InternalError:internal error while compiling revision ${shaB}: boom`,
      attempted: true,
    },
    {
      name: 'Temporal unreachable before observing: TemporalUnavailable, Applied unknown',
      steps: {
        fetch: fetched(),
        failure: {
          step: 'observe',
          error: error('getSystemInfo failed'),
          temporal: {
            problem: 'TEMPORAL_UNAVAILABLE',
            message: 'Temporal at 127.0.0.1:7233 is unreachable: connect ECONNREFUSED',
          },
          at,
        },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid True Valid: revision ${shaA} validated and compiled`,
        'Applied Unknown TemporalUnavailable: observe failed: Temporal at 127.0.0.1:7233 is unreachable: connect ECONNREFUSED',
        'Ready False TemporalUnavailable: observe failed: Temporal at 127.0.0.1:7233 is unreachable: connect ECONNREFUSED',
      ],
      streak: 'TemporalUnavailable',
    },
    {
      name: 'a visibility query that fails otherwise: ObserveFailed',
      steps: {
        fetch: fetched(),
        failure: { step: 'observe', error: error('search attribute JobnetDigest is not defined'), at },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid True Valid: revision ${shaA} validated and compiled`,
        'Applied Unknown ObserveFailed: observe failed: search attribute JobnetDigest is not defined',
        'Ready False ObserveFailed: observe failed: search attribute JobnetDigest is not defined',
      ],
      streak: 'ObserveFailed:search attribute JobnetDigest is not defined',
    },
    {
      name: 'a plan that throws: InternalError, Applied unknown',
      steps: { fetch: fetched(), failure: { step: 'plan', error: error('x is undefined', 'TypeError'), at } },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid True Valid: revision ${shaA} validated and compiled`,
        `Applied Unknown InternalError: internal error while planning revision ${shaB}: TypeError: x is undefined`,
        `Ready False InternalError: internal error while planning revision ${shaB}: TypeError: x is undefined`,
      ],
      streak: `InternalError:internal error while planning revision ${shaB}: TypeError: x is undefined`,
    },
    {
      name: 'no worker for the registry query of apply: NoWorker, Applied false',
      steps: {
        fetch: fetched(),
        failure: {
          step: 'apply',
          error: error('querying the event registry: Temporal did not answer within 10 s'),
          temporal: {
            problem: 'NO_WORKER',
            message: 'no worker polls task queue jobnet; start one (jobnet worker --task-queue jobnet)',
          },
          at,
        },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid True Valid: revision ${shaA} validated and compiled`,
        'Applied False NoWorker: apply failed: no worker polls task queue jobnet; start one (jobnet worker --task-queue jobnet)',
        'Ready False NoWorker: apply failed: no worker polls task queue jobnet; start one (jobnet worker --task-queue jobnet)',
      ],
      streak: 'NoWorker',
    },
    {
      name: 'an apply that fails otherwise: ApplyFailed',
      steps: {
        fetch: fetched(),
        failure: { step: 'apply', error: error('search attribute JobnetDigest is not registered'), at },
      },
      conditions: [
        `Fetched True Fetched: revision ${shaB}`,
        `Valid True Valid: revision ${shaA} validated and compiled`,
        'Applied False ApplyFailed: apply failed: search attribute JobnetDigest is not registered',
        'Ready False ApplyFailed: apply failed: search attribute JobnetDigest is not registered',
      ],
      streak: 'ApplyFailed:search attribute JobnetDigest is not registered',
    },
  ];

  it.each(failures)('$name', ({ steps, conditions, streak, attempted }) => {
    const before = appliedBefore();
    before.diagnostics = [
      { code: 'YAML-SYNTAX', severity: 'error', message: 'earlier', file: 'a.yaml', line: 1, column: 1, path: '' },
    ];
    const summary = summarizeReconcile(before, steps);
    expect(conditionLines(summary)).toEqual(conditions);
    const ready = condition(summary, 'Ready');
    expect(summary.failure).toEqual({ reason: ready.reason, message: ready.message, streak });
    expect(summary.status.lastError).toBe(ready.message);
    expect(summary.outcome).toEqual(
      steps.fetch !== undefined ? { result: 'failed', revision: shaB } : { result: 'failed' },
    );
    expect(
      summary.status.conditions.filter((entry) => entry.since === at.toISOString()).map((entry) => entry.type),
    ).toEqual(
      conditions
        .filter((line) => !/^(Fetched True|Valid True|Applied True)/.test(line))
        .map((line) => line.split(' ')[0]),
    );
    // What was applied before stays as it was.
    expect(summary.status).toMatchObject({
      appliedRevision: shaA,
      appliedAt: t0.toISOString(),
      lastPlan: before.lastPlan,
      jobnets: before.jobnets,
    });
    if (attempted === true)
      expect(summary.status).toMatchObject({ attemptedRevision: shaB, attemptedAt: at.toISOString(), diagnostics: [] });
    else expect(summary.status).toMatchObject({ attemptedRevision: shaA, diagnostics: before.diagnostics });
    expect(summary.log).toEqual([]);
  });

  it('stalls a revision that does not validate, with its diagnostics, keeping the applied revision running', () => {
    const diagnostics: Diagnostic[] = [
      {
        code: 'SCHEMA-FORMAT',
        severity: 'error',
        message: '"25:00" is not a time',
        file: 'jobnets/alpha.yaml',
        line: 5,
        column: 14,
        path: '/spec/start/at/0',
      },
      {
        code: 'SCHEMA-FORMAT',
        severity: 'error',
        message: '"26:00" is not a time',
        file: 'jobnets/beta.yaml',
        line: 5,
        column: 14,
        path: '/spec/start/at/0',
      },
      {
        code: 'VAR-CAPTURE-UNKNOWN',
        severity: 'warning',
        message: 'no job captures X',
        file: 'jobnets/beta.yaml',
        line: 9,
        column: 7,
        path: '/spec/jobs/a',
      },
    ];
    const summary = summarizeReconcile(appliedBefore(), { fetch: fetched(), validate: { ok: false, diagnostics } });
    expect(conditionLines(summary)).toEqual([
      `Fetched True Fetched: revision ${shaB}`,
      `Valid False ValidationFailed: revision ${shaB} has 2 error(s)`,
      'Applied True Applied: 1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
      `Ready False Stalled: revision ${shaB} is not applied; revision ${shaA} keeps running`,
    ]);
    expect(summary.status.diagnostics).toEqual(diagnostics.map((diagnostic) => ({ ...diagnostic, revision: shaB })));
    expect(summary.status).toMatchObject({
      attemptedRevision: shaB,
      attemptedAt: t1.toISOString(),
      appliedRevision: shaA,
      lastError: 'fetch failed: earlier',
    });
    expect(summary.outcome).toEqual({ result: 'stalled', revision: shaB });
    expect(summary.failure).toBeUndefined();
    expect(summary.log).toEqual([
      {
        level: 'warn',
        message: `revision ${shaB} does not validate (2 error(s)); revision ${shaB} is not applied; revision ${shaA} keeps running`,
      },
    ]);
  });

  it('says so when no revision has been applied yet', () => {
    const first = initialStatus('directory /defs', 'jobnet', undefined, t0);
    const summary = summarizeReconcile(first, { fetch: fetched(), validate: { ok: false, diagnostics: [] } });
    expect(condition(summary, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Stalled',
      message: `revision ${shaB} is not applied; no revision has been applied yet`,
    });
  });

  it('stalls a revision that does not compile, clearing the diagnostics', () => {
    const before = appliedBefore();
    before.diagnostics = [
      { code: 'YAML-SYNTAX', severity: 'error', message: 'earlier', file: 'a.yaml', line: 1, column: 1, path: '' },
    ];
    const summary = summarizeReconcile(before, {
      fetch: fetched(),
      validate: { ok: true, diagnostics: [] },
      compile: { ok: false, message: 'unknown environment "prod"; environments: dev', failures: [] },
    });
    expect(conditionLines(summary)).toEqual([
      `Fetched True Fetched: revision ${shaB}`,
      'Valid False CompileFailed: unknown environment "prod"; environments: dev',
      'Applied True Applied: 1 created, 0 updated, 0 retired, 0 deleted, 0 unchanged',
      `Ready False Stalled: revision ${shaB} is not applied; revision ${shaA} keeps running`,
    ]);
    expect(summary.status).toMatchObject({ attemptedRevision: shaB, attemptedAt: t1.toISOString(), diagnostics: [] });
    expect(summary.outcome).toEqual({ result: 'stalled', revision: shaB });
    expect(summary.log).toEqual([]);
  });

  it('leaves a revision that stalled before stalled on a resync: only Fetched changes', () => {
    const stalled = summarizeReconcile(appliedBefore(), {
      fetch: fetched(),
      validate: { ok: false, diagnostics: [] },
    }).status;
    const again = summarizeReconcile(stalled, { fetch: fetched(shaB, { fetchedAt: t2, at: t3, stalledBefore: true }) });
    expect(again.outcome).toEqual({ result: 'unchanged', revision: shaB });
    expect({ ...again.status, fetchedAt: stalled.fetchedAt }).toEqual(stalled);
    expect(again.log).toEqual([]);
  });

  it('reports an applied revision: Valid, Applied, Ready Reconciled, with its plan, warnings and jobnets, clearing lastError', () => {
    const desiredJobnets = [desired('changed', 2), desired('fresh'), desired('same')];
    const plan = planReconcile(
      desiredJobnets,
      [
        observed('changed', 1, { running: true, status: 'running' }),
        observed('gone', 1, { status: 'abended' }),
        observed('same', 1, { status: 'waiting' }),
      ],
      { prune: false },
    );
    const before = appliedBefore();
    before.diagnostics = [
      { code: 'YAML-SYNTAX', severity: 'error', message: 'earlier', file: 'a.yaml', line: 1, column: 1, path: '' },
    ];
    const summary = summarizeReconcile(before, {
      fetch: fetched(),
      validate: { ok: true, diagnostics: [] },
      compile: { ok: true, desired: desiredJobnets, environment: 'prod', prune: false },
      observe: { observed: [] },
      plan,
      apply: { actors: 3, routes: true, at: t2 },
    });
    expect(conditionLines(summary)).toEqual([
      `Fetched True Fetched: revision ${shaB}`,
      `Valid True Valid: revision ${shaB} validated and compiled`,
      'Applied True Applied: 1 created, 1 updated, 1 retired, 0 deleted, 1 unchanged',
      `Ready True Reconciled: revision ${shaB} is applied`,
    ]);
    expect(summary.status).toMatchObject({
      attemptedRevision: shaB,
      attemptedAt: t1.toISOString(),
      appliedRevision: shaB,
      appliedAt: t2.toISOString(),
      environment: 'prod',
      diagnostics: [],
      lastPlan: plan.counts,
      warnings: plan.warnings,
    });
    expect(summary.status.lastError).toBeUndefined();
    expect(summary.status.jobnets.map((entry) => `${entry.jobnet} ${entry.sync} ${entry.health}`)).toEqual([
      'changed Synced Healthy',
      'fresh Synced Progressing',
      'gone Retired Degraded',
      'same Synced Healthy',
    ]);
    expect(summary.outcome).toEqual({ result: 'applied', revision: shaB, plan });
    expect(summary.log).toEqual([
      {
        level: 'info',
        message: `revision ${shaB} applied`,
        fields: { create: 1, update: 1, noop: 1, retire: 1, delete: 0 },
      },
      ...plan.warnings.map((warning) => ({ level: 'warn', message: `ops/${warning.name}: ${warning.message}` })),
    ]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual(['RUN-KEEPS-REVISION']);
  });

  it('on a resync that writes nothing, refreshes health and warnings but not the applied revision, and logs nothing', () => {
    const held = [desired('nightly', 1, shaA)];
    const plan = planReconcile(held, [observed('nightly', 1, { status: 'abended', running: true })], { prune: false });
    const before = appliedBefore();
    const summary = summarizeReconcile(before, {
      fetch: fetched(shaA, { at: t3 }),
      compile: { ok: true, desired: held, prune: false },
      observe: { observed: [] },
      plan,
      apply: { actors: 0, routes: false, at: t3 },
    });
    expect(summary.outcome).toEqual({ result: 'unchanged', revision: shaA, plan });
    expect(summary.status).toMatchObject({
      attemptedAt: t0.toISOString(),
      appliedAt: t0.toISOString(),
      lastPlan: { create: 0, update: 0, noop: 1, retire: 0, delete: 0 },
    });
    expect(summary.status.jobnets).toEqual([
      {
        project: 'ops',
        jobnet: 'nightly',
        sync: 'Synced',
        health: 'Degraded',
        status: 'abended',
        revision: shaA,
        digest: held[0]?.digest,
      },
    ]);
    expect(condition(summary, 'Ready')).toMatchObject({ reason: 'Reconciled', since: t0.toISOString() });
    expect(summary.status.environment).toBeUndefined();
    expect(summary.log).toEqual([]);
  });

  it('after a restart that finds everything applied, says there was nothing to apply', () => {
    const held = [desired('nightly', 1, shaA)];
    const plan = planReconcile(held, [observed('nightly', 1)], { prune: false });
    const first = initialStatus('directory /defs', 'jobnet', undefined, t0);
    const summary = summarizeReconcile(first, {
      fetch: fetched(shaA),
      validate: { ok: true, diagnostics: [] },
      compile: { ok: true, desired: held, prune: false },
      observe: { observed: [] },
      plan,
      apply: { actors: 0, routes: false, at: t2 },
    });
    expect(summary.outcome?.result).toBe('unchanged');
    expect(summary.status).toMatchObject({
      appliedRevision: shaA,
      appliedAt: t2.toISOString(),
      attemptedRevision: shaA,
    });
    expect(summary.log).toEqual([
      { level: 'info', message: `revision ${shaA} is already what Temporal runs; nothing to apply` },
    ]);
  });

  it('a reconcile that recovers after a failure is Ready again', () => {
    const failed = summarizeReconcile(appliedBefore(), {
      fetch: fetched(shaA),
      failure: {
        step: 'observe',
        error: error('down'),
        temporal: { problem: 'TEMPORAL_UNAVAILABLE', message: 'Temporal is unreachable' },
        at: t1,
      },
    }).status;
    const held = [desired('nightly', 1, shaA)];
    const plan = planReconcile(held, [observed('nightly', 1)], { prune: false });
    const summary = summarizeReconcile(failed, {
      fetch: fetched(shaA, { at: t3 }),
      compile: { ok: true, desired: held, prune: false },
      observe: { observed: [] },
      plan,
      apply: { actors: 0, routes: false, at: t3 },
    });
    expect(conditionLines(summary)).toEqual([
      `Fetched True Fetched: revision ${shaA}`,
      `Valid True Valid: revision ${shaA} validated and compiled`,
      'Applied True Applied: 0 created, 0 updated, 0 retired, 0 deleted, 1 unchanged',
      `Ready True Reconciled: revision ${shaA} is applied`,
    ]);
    expect(condition(summary, 'Ready').since).toBe(t3.toISOString());
    expect(summary.status.lastError).toBeUndefined();
  });
});
