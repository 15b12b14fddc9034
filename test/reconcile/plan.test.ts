/**
 * The reconcile plan is a pure function of (desired, observed) (CONTRIBUTING.md#6-plan-is-a-pure-function, R-GIT-3):
 * every identity gets exactly one action, unchanged digests are left alone, removed jobnets are
 * retired unless prune is on, open runs produce warnings, and the order never depends on the
 * order of the inputs. No Temporal here.
 */
import { describe, expect, it } from 'vitest';
import { jobnetDigest } from '../../controller/compile/jobnet-digest.js';
import {
  planReconcile,
  type ObservedJobnet,
  type PlanWarning,
  type ReconcilePlan,
} from '../../controller/reconcile/plan.js';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';

const shaA = 'a'.repeat(40);
const shaB = 'b'.repeat(40);

/** A compiled jobnet whose content (and so digest) is determined by `seconds`. */
function desired(project: string, name: string, seconds = 1, revision = shaB): CompiledJobnet {
  const jobnet: CompiledJobnet = {
    project,
    name,
    revision,
    jobs: { nap: compiledJob({ name: 'nap', type: 'sleep', spec: { seconds } }) },
  };
  return { ...jobnet, digest: jobnetDigest(jobnet) };
}

/** What an actor holding `desired(project, name, seconds, revision)` reports. */
function observed(project: string, name: string, seconds = 1, extra: Partial<ObservedJobnet> = {}): ObservedJobnet {
  const held = desired(project, name, seconds, shaA);
  return { project, name, digest: held.digest, revision: shaA, ...extra };
}

/** The plan as `kind project/name` lines, for compact expectations. */
function actionLines(plan: ReconcilePlan): string[] {
  return plan.actions.map(
    (action) =>
      `${action.kind} ${action.project}/${action.name}${action.kind === 'update' ? ` (${action.reason})` : ''}`,
  );
}

function warningLines(warnings: readonly PlanWarning[]): string[] {
  return warnings.map((warning) => `${warning.code} ${warning.project}/${warning.name}: ${warning.message}`);
}

interface Case {
  name: string;
  desired: CompiledJobnet[];
  observed: ObservedJobnet[];
  prune?: boolean;
  actions: string[];
  warnings?: string[];
}

const cases: Case[] = [
  { name: 'nothing desired, nothing observed: an empty plan', desired: [], observed: [], actions: [] },
  {
    name: 'a desired jobnet that is not observed is created',
    desired: [desired('ops', 'nightly')],
    observed: [],
    actions: ['create ops/nightly'],
  },
  {
    name: 'the same digest is a no-op, whatever the revision',
    desired: [desired('ops', 'nightly', 1)],
    observed: [observed('ops', 'nightly', 1)],
    actions: ['noop ops/nightly'],
  },
  {
    name: 'another digest is an update',
    desired: [desired('ops', 'nightly', 2)],
    observed: [observed('ops', 'nightly', 1)],
    actions: ['update ops/nightly (definition)'],
  },
  {
    name: 'an observed jobnet without a digest is updated (it cannot be shown unchanged)',
    desired: [desired('ops', 'nightly')],
    observed: [{ project: 'ops', name: 'nightly', revision: shaA }],
    actions: ['update ops/nightly (definition)'],
  },
  {
    name: 'a retired jobnet that is desired again is revived, even with its old digest',
    desired: [desired('ops', 'nightly', 1)],
    observed: [observed('ops', 'nightly', 1, { retired: true })],
    actions: ['update ops/nightly (revive)'],
  },
  {
    name: 'a jobnet no longer desired is retired by default',
    desired: [],
    observed: [observed('ops', 'old')],
    actions: ['retire ops/old'],
  },
  {
    name: 'a jobnet no longer desired is deleted with prune',
    desired: [],
    observed: [observed('ops', 'old')],
    prune: true,
    actions: ['delete ops/old'],
  },
  {
    name: 'an already retired jobnet stays retired without another action',
    desired: [],
    observed: [observed('ops', 'old', 1, { retired: true })],
    actions: ['noop ops/old'],
  },
  {
    name: 'an already retired jobnet is deleted once prune is turned on',
    desired: [],
    observed: [observed('ops', 'old', 1, { retired: true })],
    prune: true,
    actions: ['delete ops/old'],
  },
  {
    name: 'changing a jobnet whose run is open: the run keeps its revision, the next run uses the new one',
    desired: [desired('ops', 'nightly', 2)],
    observed: [observed('ops', 'nightly', 1, { running: true, openRunId: 'run/ops/nightly/2027-01-10/1' })],
    actions: ['update ops/nightly (definition)'],
    warnings: [
      `RUN-KEEPS-REVISION ops/nightly: jobnet ops/nightly is changed while run run/ops/nightly/2027-01-10/1 is open: the running run keeps revision aaaaaaa; the next run uses bbbbbbb`,
    ],
  },
  {
    name: 'the open run may have started from an older revision than the actor holds',
    desired: [desired('ops', 'nightly', 2)],
    observed: [observed('ops', 'nightly', 1, { running: true, openRunRevision: 'c'.repeat(40) })],
    actions: ['update ops/nightly (definition)'],
    warnings: [
      'RUN-KEEPS-REVISION ops/nightly: jobnet ops/nightly is changed while a run is open: the running run keeps revision ccccccc; the next run uses bbbbbbb',
    ],
  },
  {
    name: 'an unchanged jobnet with an open run: no warning',
    desired: [desired('ops', 'nightly', 1)],
    observed: [observed('ops', 'nightly', 1, { running: true })],
    actions: ['noop ops/nightly'],
    warnings: [],
  },
  {
    name: 'removing a jobnet while its run is open: the run finishes, nothing new starts',
    desired: [],
    observed: [observed('ops', 'old', 1, { running: true, openRunId: 'run/ops/old/2027-01-10/1' })],
    actions: ['retire ops/old'],
    warnings: [
      'REMOVED-WHILE-RUNNING ops/old: removing jobnet ops/old while run run/ops/old/2027-01-10/1 is open: no new run starts; the open run finishes with revision aaaaaaa',
    ],
  },
  {
    name: 'pruning a jobnet while its run is open is warned about too',
    desired: [],
    observed: [observed('ops', 'old', 1, { running: true })],
    prune: true,
    actions: ['delete ops/old'],
    warnings: [
      'REMOVED-WHILE-RUNNING ops/old: removing jobnet ops/old while a run is open: prune deletes it from the live system',
    ],
  },
  {
    name: 'an already retired jobnet whose last run is still open is not warned about again',
    desired: [],
    observed: [observed('ops', 'old', 1, { retired: true, running: true })],
    actions: ['noop ops/old'],
    warnings: [],
  },
  {
    name: 'jobnets are paired by project and name: the same name in two projects is two jobnets',
    desired: [desired('sales', 'nightly', 1)],
    observed: [observed('ops', 'nightly', 1)],
    actions: ['retire ops/nightly', 'create sales/nightly'],
  },
  {
    name: 'every kind at once, sorted by project, then name (code-unit order)',
    desired: [
      desired('sales', 'report', 2),
      desired('ops', 'new'),
      desired('ops', 'Zeta', 1),
      desired('ops', 'nightly', 1),
    ],
    observed: [
      observed('sales', 'report', 1),
      observed('ops', 'nightly', 1),
      observed('ops', 'gone'),
      observed('ops', 'Zeta', 1),
    ],
    actions: [
      'noop ops/Zeta',
      'retire ops/gone',
      'create ops/new',
      'noop ops/nightly',
      'update sales/report (definition)',
    ],
  },
];

describe('planReconcile', () => {
  for (const entry of cases) {
    it(entry.name, () => {
      const plan = planReconcile(entry.desired, entry.observed, { prune: entry.prune ?? false });
      expect(actionLines(plan)).toEqual(entry.actions);
      if (entry.warnings !== undefined) expect(warningLines(plan.warnings)).toEqual(entry.warnings);
      else expect(plan.warnings).toEqual([]);
    });
  }

  it('counts the actions of each kind', () => {
    const plan = planReconcile(
      [desired('ops', 'a', 2), desired('ops', 'b'), desired('ops', 'c')],
      [observed('ops', 'a', 1), observed('ops', 'c'), observed('ops', 'd')],
      { prune: false },
    );
    expect(plan.counts).toEqual({ create: 1, update: 1, noop: 1, retire: 1, delete: 0 });
    expect(plan.prune).toBe(false);
  });

  it('gives the same plan whatever the order of its inputs', () => {
    const wanted = [desired('b', 'x', 2), desired('a', 'y'), desired('a', 'x'), desired('c', 'z')];
    const live = [
      observed('b', 'x', 1, { running: true }),
      observed('a', 'x'),
      observed('d', 'w', 1, { running: true }),
    ];
    const first = planReconcile(wanted, live, { prune: false });
    const second = planReconcile([...wanted].reverse(), [...live].reverse(), { prune: false });
    expect(second).toEqual(first);
    expect(actionLines(first)).toEqual([
      'noop a/x',
      'create a/y',
      'update b/x (definition)',
      'create c/z',
      'retire d/w',
    ]);
    expect(first.warnings.map((w) => `${w.project}/${w.name}`)).toEqual(['b/x', 'd/w']);
  });

  it('computes the digest of a desired jobnet that has none, so an unchanged one is still a no-op', () => {
    const { digest: _digest, ...withoutDigest } = desired('ops', 'nightly', 1);
    const plan = planReconcile([withoutDigest], [observed('ops', 'nightly', 1)], { prune: false });
    expect(actionLines(plan)).toEqual(['noop ops/nightly']);
  });

  it('does not change its inputs', () => {
    const { digest: _digest, ...withoutDigest } = desired('ops', 'nightly', 1);
    const live = [observed('ops', 'old')];
    const before = JSON.stringify([withoutDigest, live]);
    planReconcile([withoutDigest], live, { prune: true });
    expect(JSON.stringify([withoutDigest, live])).toBe(before);
  });

  it('refuses a side that names the same jobnet twice instead of picking one', () => {
    expect(() => planReconcile([desired('ops', 'a'), desired('ops', 'a', 2)], [], { prune: false })).toThrow(
      /desired jobnets name ops\/a twice/,
    );
    expect(() => planReconcile([], [observed('ops', 'a'), observed('ops', 'a')], { prune: false })).toThrow(
      /observed jobnets name ops\/a twice/,
    );
  });
});
