/**
 * Child jobnets as child runs (R-JN-2, R-JOBT-7) and exclusive resources across runs of
 * different jobnets (R-JOB `exclusive`), on the real dev server.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { runViewQuery } from '../../workflows/run-contract.js';
import { sh } from './run-fixtures.js';
import { after, jobnetOf, startRunHarness, summary, type RunHarness } from './run-harness.js';

let harness: RunHarness;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

/** level1 → level2 → … → level5: each runs the next as a child; the deepest echoes an inherited variable. */
function chainOfLevels(depth: number): CompiledJobnet {
  const children: Record<string, CompiledJobnet> = {};
  for (let level = 2; level <= depth; level++) {
    const name = `level${level}`;
    children[name] =
      level === depth
        ? jobnetOf(name, [{ name: 'leaf', type: 'command', spec: sh('echo "@TOP.VALUE@ @.VPARAM@"') }])
        : jobnetOf(name, [{ name: 'child', type: 'jobnet', spec: { jobnet: `level${level + 1}` } }]);
  }
  return jobnetOf(
    'level1',
    [
      { name: 'capture', type: 'command', capturePrefix: 'TOP', spec: sh('echo VALUE=from-top') },
      { name: 'child', type: 'jobnet', predecessors: after('capture'), spec: { jobnet: 'level2' } },
    ],
    { children },
  );
}

describe('child jobnets (R-JN-2)', () => {
  it('runs a 5-level chain of child runs that inherit variables and the variable parameter', async () => {
    const id = await harness.start(chainOfLevels(5), { parameter: 'vp' });
    const view = await harness.waitForEnd(id, 60_000);
    expect(summary(view)).toEqual({ '': 'normal', capture: 'normal 0', child: 'normal 0' });
    let childId = view.childRuns.child!;
    for (let level = 2; level < 5; level++) {
      const childView = await harness.client.workflow.getHandle(childId).query(runViewQuery);
      expect(childView).toMatchObject({ level, jobnet: `level${level}`, status: 'normal', trigger: 'child' });
      childId = childView.childRuns.child!;
    }
    const deepest = await harness.client.workflow.getHandle(childId).query(runViewQuery);
    expect(deepest).toMatchObject({ level: 5, jobnet: 'level5', status: 'normal' });
    expect(deepest.state.jobs.leaf?.output).toBe('from-top vp\n');
  });

  it('ends the parent job abnormally when its child run abends, and resumes the child from its failed job on restart-from', async () => {
    const flag = `/tmp/jobnet-child-${process.pid}-${Date.now()}`;
    const child = jobnetOf('child-net', [
      { name: 'ok', type: 'command', spec: sh('echo once') },
      { name: 'fails', type: 'command', predecessors: after('ok'), spec: sh(`test -f ${flag} || exit 7`) },
    ]);
    const id = await harness.start(
      jobnetOf('parent-net', [{ name: 'sub', type: 'jobnet', spec: { jobnet: 'child-net' } }], {
        children: { 'child-net': child },
      }),
    );
    const failed = await harness.waitForEnd(id);
    expect(summary(failed)).toEqual({ '': 'abended', sub: 'abended 7' });
    const firstChild = failed.childRuns.sub!;
    writeFileSync(flag, '');
    expect(await harness.operate(id, { operation: 'restartFromJob', job: 'sub', by: 'kim' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    const resumedChild = view.childRuns.sub!;
    expect(resumedChild).not.toBe(firstChild);
    const childView = await harness.client.workflow.getHandle(resumedChild).query(runViewQuery);
    expect(summary(childView)).toEqual({ '': 'normal', ok: 'normal 0', fails: 'normal 0' });
    expect(childView.state.jobs.ok?.attempts).toBe(1);
    expect(childView.state.jobs.fails?.attempts).toBe(2);
  });

  it('force-terminating a running child jobnet job force-terminates the child run', async () => {
    const child = jobnetOf('slow-child', [{ name: 'wait', type: 'sleep', spec: { seconds: 60 } }]);
    const id = await harness.start(
      jobnetOf('kill-parent', [{ name: 'sub', type: 'jobnet', spec: { jobnet: 'slow-child' } }], {
        children: { 'slow-child': child },
      }),
    );
    const running = await harness.waitFor(
      id,
      (v) => v.childRuns.sub !== undefined && v.state.jobs.sub?.state === 'running',
    );
    const childHandle = harness.client.workflow.getHandle(running.childRuns.sub!);
    // The child workflow may not answer queries yet right after the parent recorded its id.
    const childWaiting = async (): Promise<boolean> => {
      try {
        return (await childHandle.query(runViewQuery)).state.jobs.wait?.state === 'running';
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && !(await childWaiting()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await childWaiting()).toBe(true);
    expect(await harness.operate(id, { operation: 'forceTerminateJob', job: 'sub', by: 'lee' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', sub: 'forced 256 operator' });
    const childView = await childHandle.query(runViewQuery);
    expect(summary(childView)).toEqual({ '': 'forced', wait: 'forced 256 operator' });
  });
});

describe('exclusive resources across jobnets (R-JOB)', () => {
  it('never runs two jobs naming the same resource at the same time, even in runs of different jobnets', async () => {
    const resource = `db-${process.pid}-${Date.now()}`;
    const one = jobnetOf('exclusive-one', [
      { name: 'use', type: 'sleep', exclusive: [resource], spec: { seconds: 2 } },
    ]);
    const two = jobnetOf('exclusive-two', [
      { name: 'use', type: 'sleep', exclusive: [resource], spec: { seconds: 2 } },
    ]);
    const free = jobnetOf('exclusive-free', [
      { name: 'use', type: 'sleep', exclusive: [`${resource}-other`], spec: { seconds: 2 } },
    ]);
    const ids = await Promise.all([harness.start(one), harness.start(two), harness.start(free)]);
    const views = await Promise.all(ids.map((id) => harness.waitForEnd(id)));
    for (const view of views) expect(view.status).toBe('normal');
    const [a, b, c] = views.map((view) => view.state.jobs.use!);
    const overlap = (x: typeof a, y: typeof a) => x!.startedAt! < y!.endedAt! && y!.startedAt! < x!.endedAt!;
    expect(overlap(a, b)).toBe(false);
    // The job with another resource ran alongside one of them.
    expect(overlap(a, c) || overlap(b, c)).toBe(true);
  });
});
