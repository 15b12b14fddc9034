/**
 * Operator operations on runs (R-OPS-1..3, WOI 5.3.1) through the run's Update, on the real dev
 * server: force-termination, restart keeping earlier results, the four recovery operations,
 * refusals that change nothing, and closing an abended run.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from './run-fixtures.js';
import { after, jobnetOf, startRunHarness, summary, type RunHarness } from './run-harness.js';

let harness: RunHarness;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

/** The reason of a refused operation; fails the test when the operation was accepted. */
function refusalOf(answer: { ok: true; detail: string } | { ok: false; reason: string }): string {
  if (answer.ok) throw new Error(`expected a refusal, the operation was accepted: ${answer.detail}`);
  return answer.reason;
}

let flagSequence = 0;
/** A file path a test creates to make a failing job succeed on its next run. */
function flagFile(): string {
  flagSequence += 1;
  return `/tmp/jobnet-ops-${process.pid}-${Date.now()}-${flagSequence}`;
}

/** first → fails (until the flag exists) → last; first captures a variable. */
function failingChain(name: string, flag: string) {
  return jobnetOf(name, [
    { name: 'first', type: 'command', capturePrefix: 'F', spec: sh('echo RUN=$$') },
    { name: 'middle', type: 'command', predecessors: after('first'), spec: sh(`test -f ${flag}`) },
    { name: 'last', type: 'command', predecessors: after('middle'), spec: sh('echo "@F.RUN@"') },
  ]);
}

describe('force-termination (R-OPS-1, R-EXIT-2)', () => {
  it('force-terminates one running job with 256 and reason operator; the run ends abended', async () => {
    const id = await harness.start(
      jobnetOf('kill-job', [
        { name: 'long', type: 'sleep', spec: { seconds: 60 } },
        { name: 'short', type: 'sleep', spec: { seconds: 0 } },
      ]),
    );
    await harness.waitFor(id, (view) => view.state.jobs.long?.state === 'running');
    const answer = await harness.operate(id, { operation: 'forceTerminateJob', job: 'long', by: 'bob' });
    expect(answer).toMatchObject({ ok: true });
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', long: 'forced 256 operator', short: 'normal 0' });
    expect(view.state.operations[0]).toMatchObject({ operation: 'forceTerminateJob', job: 'long', by: 'bob' });
  });

  it('force-terminates the whole run: running jobs are killed and the run ends forced', async () => {
    const id = await harness.start(
      jobnetOf('kill-run', [
        { name: 'a', type: 'sleep', spec: { seconds: 60 } },
        { name: 'b', type: 'command', spec: sh('sleep 60') },
        { name: 'c', type: 'sleep', predecessors: after('a'), spec: { seconds: 0 } },
      ]),
    );
    await harness.waitFor(
      id,
      (view) => view.state.jobs.a?.state === 'running' && view.state.jobs.b?.state === 'running',
    );
    expect(await harness.operate(id, { operation: 'forceTerminateRun', by: 'carol' })).toMatchObject({ ok: true });
    const view = await harness.waitForEnd(id, 20_000);
    expect(summary(view)).toEqual({ '': 'forced', a: 'forced 256 operator', b: 'forced 256 operator', c: 'waiting' });
  });

  it('cancelling the workflow from Temporal force-terminates the run', async () => {
    const id = await harness.start(jobnetOf('cancel-run', [{ name: 'a', type: 'sleep', spec: { seconds: 60 } }]));
    await harness.waitFor(id, (view) => view.state.jobs.a?.state === 'running');
    await harness.client.workflow.getHandle(id).cancel();
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'forced', a: 'forced 256 operator' });
  });
});

describe('restart and recovery (R-OPS-1, R-OPS-2, WOI 5.3.1)', () => {
  it('restarts from the failed job, keeping the results and variables of the jobs that succeeded', async () => {
    const flag = flagFile();
    const id = await harness.start(failingChain('restart', flag));
    const failed = await harness.waitForEnd(id);
    expect(summary(failed)).toEqual({ '': 'abended', first: 'normal 0', middle: 'abended 1', last: 'waiting' });
    const firstRun = failed.state.variables['F.RUN'];
    writeFileSync(flag, '');
    expect(await harness.operate(id, { operation: 'restartRun', by: 'dave' })).toMatchObject({ ok: true });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    expect(summary(view)).toEqual({ '': 'normal', first: 'normal 0', middle: 'normal 0', last: 'normal 0' });
    expect(view.state.jobs.first?.attempts).toBe(1);
    expect(view.state.jobs.middle?.attempts).toBe(2);
    expect(view.state.jobs.last?.output).toBe(`${firstRun}\n`);
    const described = await harness.client.workflow.getHandle(id).describe();
    expect(['RUNNING', 'COMPLETED']).toContain(described.status.name);
  });

  it('skips a failed job and continues with its successors', async () => {
    const id = await harness.start(failingChain('skip', flagFile()));
    await harness.waitForEnd(id);
    expect(await harness.operate(id, { operation: 'skipJob', job: 'middle', by: 'erin' })).toMatchObject({ ok: true });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    expect(summary(view)).toEqual({ '': 'normal', first: 'normal 0', middle: 'passed 1', last: 'normal 0' });
    expect(view.state.jobs.middle?.settledBy).toBe('skipped');
  });

  it('starts from an earlier job, re-running it and everything after it', async () => {
    const flag = flagFile();
    const id = await harness.start(failingChain('start-from', flag));
    await harness.waitForEnd(id);
    writeFileSync(flag, '');
    expect(await harness.operate(id, { operation: 'startFromJob', job: 'first', by: 'frank' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    expect(view.state.jobs.first?.attempts).toBe(2);
    expect(view.state.jobs.middle?.attempts).toBe(2);
    expect(view.state.jobs.last?.attempts).toBe(1);
  });

  it('restarts from the failed job itself', async () => {
    const flag = flagFile();
    const id = await harness.start(failingChain('restart-from', flag));
    await harness.waitForEnd(id);
    writeFileSync(flag, '');
    expect(await harness.operate(id, { operation: 'restartFromJob', job: 'middle', by: 'gina' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    expect(summary(view)).toEqual({ '': 'normal', first: 'normal 0', middle: 'normal 0', last: 'normal 0' });
    expect(view.state.jobs.first?.attempts).toBe(1);
  });

  it('runs only one job: the failed job re-runs, its successor does not', async () => {
    const flag = flagFile();
    const id = await harness.start(
      jobnetOf('run-only', [
        { name: 'first', type: 'sleep', spec: { seconds: 0 } },
        { name: 'leaf', type: 'command', predecessors: after('first'), spec: sh(`test -f ${flag}`) },
      ]),
    );
    await harness.waitForEnd(id);
    writeFileSync(flag, '');
    expect(await harness.operate(id, { operation: 'runOnlyJob', job: 'leaf', by: 'hank' })).toMatchObject({ ok: true });
    const view = await harness.waitFor(id, (v) => v.status === 'normal');
    expect(summary(view)).toEqual({ '': 'normal', first: 'normal 0', leaf: 'normal 0' });
    expect(view.state.jobs.first?.attempts).toBe(1);
    expect(view.state.jobs.leaf?.attempts).toBe(2);
  });
});

describe('refusals (R-OPS-3)', () => {
  it('refuses an operation the state forbids, says why, and changes nothing', async () => {
    const id = await harness.start(
      jobnetOf('refusals', [
        { name: 'long', type: 'sleep', spec: { seconds: 60 } },
        { name: 'next', type: 'sleep', predecessors: after('long'), spec: { seconds: 0 } },
      ]),
    );
    await harness.waitFor(id, (view) => view.state.jobs.long?.state === 'running');
    const before = await harness.view(id);
    const hold = await harness.operate(id, { operation: 'holdJob', job: 'long', by: 'ivan' });
    expect(refusalOf(hold)).toContain('it is running');
    const restart = await harness.operate(id, { operation: 'restartRun', by: 'ivan' });
    expect(restart.ok).toBe(false);
    const unknown = await harness.operate(id, { operation: 'skipJob', job: 'nope', by: 'ivan' });
    expect(refusalOf(unknown)).toContain('has no job "nope"');
    const close = await harness.operate(id, { operation: 'closeRun', by: 'ivan' });
    expect(refusalOf(close)).toContain('force-terminate it first');
    const afterRefusals = await harness.view(id);
    expect(afterRefusals.state).toEqual(before.state);
    expect(afterRefusals.state.operations).toEqual([]);
    // Refused Updates leave no trace in the history either.
    const history = await harness.client.workflow.getHandle(id).fetchHistory();
    const updateEvents = (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updateEvents).toHaveLength(0);
    await harness.operate(id, { operation: 'forceTerminateRun', by: 'ivan' });
  });

  it('closes an abended run on request: the workflow fails with the abend as its reason, its view stays readable', async () => {
    const id = await harness.start(failingChain('close', flagFile()));
    await harness.waitForEnd(id);
    expect(await harness.operate(id, { operation: 'closeRun', by: 'judy' })).toMatchObject({ ok: true });
    const failure = (await harness.client.workflow
      .getHandle(id)
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      )) as { cause?: { message?: string; type?: string } } | undefined;
    expect(failure?.cause?.type).toBe('RunAbended');
    expect(failure?.cause?.message).toContain(
      'ended abended: job middle ended abended with exit code 1; closed by judy',
    );
    const view = await harness.view(id);
    expect(view.status).toBe('abended');
    expect(view.closed?.by).toBe('judy');
  });
});
