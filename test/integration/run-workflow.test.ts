/**
 * The run workflow on the real dev server with a real worker: dependencies (R-DEP), exit codes
 * (R-EXIT), per-job controls (R-JOB), variables (R-VAR), the built-in job types (R-JOBT) and the
 * run status it publishes to visibility (R-OPS-5).
 * Times are short but real.
 */
import { defaultPayloadConverter } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCalendar } from '../../workflows/lib/business-calendar.js';
import { searchAttributeKeys, searchAttributeNames, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { topLevelRunStart } from '../../workflows/run-contract.js';
import { condition, sh } from './run-fixtures.js';
import { after, jobnetOf, startRunHarness, summary, type RunHarness } from './run-harness.js';

let harness: RunHarness;

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('dependencies (R-DEP)', () => {
  it('runs an AND join after both predecessors and captures variables for later jobs', async () => {
    const id = await harness.start(
      jobnetOf('and-join', [
        { name: 'a', type: 'command', capturePrefix: 'A', spec: sh('echo COUNT=7') },
        { name: 'b', type: 'sleep', spec: { seconds: 1 } },
        {
          name: 'check',
          type: 'checkVariable',
          predecessors: after('a', 'b'),
          spec: { variable: 'A.COUNT', number: { op: 'GE', value: 5 }, invert: false },
        },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', a: 'normal 0', b: 'normal 0', check: 'normal 0' });
    expect(view.state.variables).toEqual({ 'A.COUNT': '7' });
    expect(view.state.jobs.check?.output).toBe('A.COUNT=7');
    expect(view.state.jobs.b?.output).toBe('SL_SLEEPSEC=1');
    expect(view.state.jobs.check!.startedAt!).toBeGreaterThanOrEqual(view.state.jobs.b!.endedAt!);
  });

  it('fires an OR join at the first predecessor and ends the predecessor that has not started with 248', async () => {
    const id = await harness.start(
      jobnetOf('or-join', [
        { name: 'fast', type: 'sleep', spec: { seconds: 0 } },
        { name: 'slow', type: 'sleep', spec: { seconds: 3 } },
        { name: 'late', type: 'sleep', predecessors: after('slow'), spec: { seconds: 0 } },
        { name: 'join', type: 'sleep', join: 'any', predecessors: after('fast', 'late'), spec: { seconds: 0 } },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({
      '': 'normal',
      fast: 'normal 0',
      slow: 'normal 0',
      late: 'passed 248',
      join: 'normal 0',
    });
    expect(view.state.jobs.late?.settledBy).toBe('orJoinFired');
    expect(view.state.jobs.late?.attempts).toBe(0);
  });

  it('ends the waiting OR-join predecessors with 249 when another ends abnormally first', async () => {
    const id = await harness.start(
      jobnetOf('or-join-broken', [
        { name: 'bad', type: 'command', spec: sh('exit 3') },
        { name: 'slow', type: 'sleep', spec: { seconds: 2 } },
        { name: 'late', type: 'sleep', predecessors: after('slow'), spec: { seconds: 0 } },
        { name: 'join', type: 'sleep', join: 'any', predecessors: after('bad', 'late'), spec: { seconds: 0 } },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toMatchObject({
      '': 'abended',
      bad: 'abended 3',
      late: 'abended 249',
      slow: 'normal 0',
      join: 'waiting',
    });
  });

  it('runs the branch whose exit-code condition holds and marks the other path passed', async () => {
    const id = await harness.start(
      jobnetOf('conditional', [
        { name: 'probe', type: 'command', normalExitMax: 5, spec: sh('exit 2') },
        {
          name: 'whenZero',
          type: 'sleep',
          predecessors: [{ job: 'probe', condition: condition('0') }],
          spec: { seconds: 0 },
        },
        { name: 'afterZero', type: 'sleep', predecessors: after('whenZero'), spec: { seconds: 0 } },
        {
          name: 'whenTwo',
          type: 'sleep',
          predecessors: [{ job: 'probe', condition: condition('>=2') }],
          spec: { seconds: 0 },
        },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({
      '': 'pseudoNormal',
      probe: 'pseudoNormal 2',
      whenZero: 'passed',
      afterZero: 'passed',
      whenTwo: 'normal 0',
    });
    expect(view.state.jobs.whenZero?.settledBy).toBe('condition');
    expect(view.state.jobs.afterZero?.settledBy).toBe('predecessorsPassed');
  });

  it('stops an abnormal branch while the other branch runs on (warning), then ends abended and stays open', async () => {
    const id = await harness.start(
      jobnetOf('warning', [
        { name: 'bad', type: 'command', spec: sh('exit 9') },
        { name: 'next', type: 'sleep', predecessors: after('bad'), spec: { seconds: 0 } },
        { name: 'other', type: 'sleep', spec: { seconds: 2 } },
      ]),
    );
    const warning = await harness.waitFor(id, (view) => view.status === 'warning');
    expect(warning.state.jobs.other?.state).toBe('running');
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', bad: 'abended 9', next: 'waiting', other: 'normal 0' });
    expect(view.troubles.map((trouble) => trouble.kind)).toEqual(['jobnetAbended']);
    const described = await harness.client.workflow.getHandle(id).describe();
    expect(described.status.name).toBe('RUNNING');
  });
});

describe('per-job controls (R-JOB) and forced ends (R-EXIT-2)', () => {
  it('kills a job at its time limit with 256 and reason timeLimit, and does not retry it', async () => {
    const id = await harness.start(
      jobnetOf('time-limit', [
        {
          name: 'long',
          type: 'sleep',
          timeLimitSeconds: 1,
          retry: { attempts: 3, intervalSeconds: 0 },
          spec: { seconds: 60 },
        },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', long: 'forced 256 timeLimit' });
    expect(view.state.jobs.long?.attempts).toBe(1);
    expect(view.state.jobs.long!.endedAt! - view.state.jobs.long!.startedAt!).toBeLessThan(10_000);
  });

  it('kills a running command at its time limit: the program is stopped', async () => {
    const marker = `/tmp/jobnet-test-${process.pid}-${Date.now()}`;
    const id = await harness.start(
      jobnetOf('time-limit-command', [
        { name: 'cmd', type: 'command', timeLimitSeconds: 1, spec: sh(`sleep 3; touch ${marker}`) },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', cmd: 'forced 256 timeLimit' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('records a jobOverrun trouble when a job passes its expected duration, and lets it run on', async () => {
    const id = await harness.start(
      jobnetOf('overrun', [{ name: 'slow', type: 'sleep', expectedDurationSeconds: 1, spec: { seconds: 2 } }]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', slow: 'normal 0' });
    expect(view.troubles).toHaveLength(1);
    expect(view.troubles[0]).toMatchObject({
      kind: 'jobOverrun',
      job: 'slow',
      project: 'test',
      jobnet: 'overrun',
      runId: id,
    });
  });

  it('retries a failed job after its interval and counts the attempts', async () => {
    const counter = `/tmp/jobnet-retry-${process.pid}-${Date.now()}`;
    const id = await harness.start(
      jobnetOf('retry', [
        {
          name: 'flaky',
          type: 'command',
          retry: { attempts: 3, intervalSeconds: 1 },
          spec: sh(`echo x >> ${counter}; test $(wc -l < ${counter}) -ge 3`),
        },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', flaky: 'normal 0' });
    expect(view.state.jobs.flaky?.attempts).toBe(3);
    expect(view.state.jobs.flaky?.history.map((attempt) => attempt.exitCode)).toEqual([1, 1]);
  });

  it('runs the recovery job after a failure and re-runs the failed job once (R-DEP-4)', async () => {
    const flag = `/tmp/jobnet-recovery-${process.pid}-${Date.now()}`;
    const id = await harness.start(
      jobnetOf('recovery', [
        { name: 'work', type: 'command', recovery: 'fix', rerunAfterRecovery: true, spec: sh(`test -f ${flag}`) },
        { name: 'fix', type: 'command', spec: sh(`touch ${flag}`) },
        { name: 'then', type: 'sleep', predecessors: after('work'), spec: { seconds: 0 } },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', work: 'normal 0', fix: 'normal 0', then: 'normal 0' });
    expect(view.state.jobs.work?.attempts).toBe(2);
    expect(view.state.jobs.fix?.recoveryFor).toBe('work');
  });

  it('keeps a held job from starting until it is released, recording who released it', async () => {
    const id = await harness.start(
      jobnetOf('held', [
        { name: 'gate', type: 'sleep', hold: true, spec: { seconds: 0 } },
        { name: 'then', type: 'sleep', predecessors: after('gate'), spec: { seconds: 0 } },
      ]),
    );
    const waiting = await harness.waitFor(id, (view) => view.state.jobs.gate?.state === 'held');
    expect(waiting.status).toBe('running');
    expect(await harness.operate(id, { operation: 'releaseJob', job: 'gate', by: 'alice' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', gate: 'normal 0', then: 'normal 0' });
    expect(view.state.operations).toEqual([
      expect.objectContaining({ operation: 'releaseJob', job: 'gate', by: 'alice' }),
    ]);
  });

  it('treats a disabled job as passed', async () => {
    const id = await harness.start(
      jobnetOf('disabled', [
        { name: 'off', type: 'command', disabled: true, spec: sh('exit 1') },
        { name: 'then', type: 'sleep', predecessors: after('off'), spec: { seconds: 0 } },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', off: 'disabled', then: 'passed' });
  });
});

describe('variables (R-VAR) and built-in job types (R-JOBT)', () => {
  it('substitutes job-definition variables, jobnet variables and @.VPARAM@ when a job starts', async () => {
    const id = await harness.start(
      jobnetOf(
        'substitution',
        [
          { name: 'first', type: 'command', capturePrefix: 'F', spec: sh('echo ID=42') },
          {
            name: 'second',
            type: 'command',
            predecessors: after('first'),
            spec: sh('echo "@REGION@ @F.ID@ @.VPARAM@"'),
          },
        ],
        { variables: { REGION: 'ap-northeast-1' } },
      ),
      { parameter: 'p-1' },
    );
    const view = await harness.waitForEnd(id);
    expect(view.state.jobs.second?.output).toBe('ap-northeast-1 42 p-1\n');
  });

  it('ends a job with 245 without running it when a substituted value brings a control character', async () => {
    const id = await harness.start(
      jobnetOf('forbidden', [{ name: 'raise', type: 'raiseEvent', spec: { event: 'EV', param: '@BAD@' } }], {
        variables: { BAD: 'a\u0007b' },
      }),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', raise: 'abended 245' });
    expect(view.jobMessages.raise).toContain('control character');
    expect(view.raisedEvents).toEqual([]);
  });

  it('ends a raiseEvent job with 246 when its substituted parameter is over 200 bytes', async () => {
    const id = await harness.start(
      jobnetOf('too-long', [{ name: 'raise', type: 'raiseEvent', spec: { event: 'EV', param: '@.VPARAM@' } }]),
      { parameter: 'x'.repeat(201) },
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'abended', raise: 'abended 246' });
  });

  it('records a raised event and releases a waitEvent job with an event delivered to the run', async () => {
    const id = await harness.start(
      jobnetOf('events', [
        { name: 'raise', type: 'raiseEvent', spec: { event: 'READY', project: 'test', param: 'v1' } },
        { name: 'wait', type: 'waitEvent', spec: { event: 'GO' } },
      ]),
    );
    await harness.waitFor(
      id,
      (view) => view.state.jobs.wait?.state === 'running' && view.state.jobs.raise?.state === 'normal',
    );
    const { deliverEventSignal } = await import('../../workflows/run-contract.js');
    await harness.client.workflow.getHandle(id).signal(deliverEventSignal, { event: 'GO' });
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', raise: 'normal 0', wait: 'normal 0' });
    expect(view.state.jobs.wait?.output).toBe('CM_MSGEVENT=GO');
    expect(view.raisedEvents).toEqual([
      expect.objectContaining({ job: 'raise', event: 'READY', project: 'test', param: 'v1' }),
    ]);
  });

  it('waits for a waitTime on the scheduled business date and ends at once when that time has passed', async () => {
    const calendar = resolveCalendar('utc-midnight', [{ timezone: 'UTC', dayChangeTime: '00:00' }], 'UTC');
    const now = new Date();
    const businessDate = now.toISOString().slice(0, 10);
    const inTwoMinutes = new Date(now.getTime() + 120_000);
    const hhmm = (date: Date) => date.toISOString().slice(11, 16).replace(':', '');
    const id = await harness.start(
      jobnetOf(
        'wait-time',
        [
          { name: 'past', type: 'waitTime', spec: { until: '0000' } },
          { name: 'future', type: 'waitTime', spec: { until: hhmm(inTwoMinutes) } },
        ],
        { calendar },
      ),
      { businessDate },
    );
    const view = await harness.waitFor(
      id,
      (v) => v.state.jobs.past?.state === 'normal' && v.state.jobs.future?.state === 'running',
    );
    expect(view.state.jobs.past?.output).toBe('CT_WTIME=0000');
    await harness.operate(id, { operation: 'forceTerminateRun', by: 'test' });
    const ended = await harness.waitForEnd(id);
    expect(summary(ended)).toMatchObject({ '': 'forced', future: 'forced 256 operator' });
  });

  it('refuses command jobs on a worker that does not allow them (254)', async () => {
    const strict = await startRunHarness({ allowCommandJobs: false });
    try {
      const id = await strict.start(jobnetOf('no-commands', [{ name: 'cmd', type: 'command', spec: sh('echo hi') }]));
      const view = await strict.waitForEnd(id);
      expect(summary(view)).toEqual({ '': 'abended', cmd: 'abended 254' });
      expect(view.jobMessages.cmd).toContain('--allow-command-jobs');
    } finally {
      await strict.stop();
    }
  });
});

describe('the run status in visibility (R-OPS-5)', () => {
  /** The `JobnetRunStatus` values the run upserted, in order, read from its history. */
  async function upsertedStatuses(id: string): Promise<string[]> {
    const history = await harness.client.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).flatMap((event) => {
      const field =
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[
          searchAttributeNames.runStatus
        ];
      return field ? [defaultPayloadConverter.fromPayload<string>(field)] : [];
    });
  }

  it('upserts only the statuses after the one a top-level start set', async () => {
    const { input, searchAttributes } = topLevelRunStart({
      jobnet: jobnetOf('status-top-level', [{ name: 'a', type: 'sleep', spec: { seconds: 0 } }]),
      businessDate: '2026-12-03',
      trigger: 'manual',
      requestedBy: 'test',
    });
    expect(input.startedWithStatus).toBe('running');
    const id = `run/test/status-top-level/${harness.target.taskQueue}`;
    const handle = await harness.client.workflow.start(workflowTypes.run, {
      workflowId: id,
      taskQueue: harness.target.taskQueue,
      args: [input],
      typedSearchAttributes: searchAttributes,
    });
    expect(await handle.result()).toMatchObject({ status: 'normal' });
    expect(await upsertedStatuses(id)).toEqual(['normal']);
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributeKeys.runStatus)).toBe('normal');
  });

  it('upserts its first status too when the start did not set it (a child run, or an input from before)', async () => {
    const id = await harness.start(jobnetOf('status-unset', [{ name: 'a', type: 'sleep', spec: { seconds: 0 } }]));
    expect(summary(await harness.waitForEnd(id))).toEqual({ '': 'normal', a: 'normal 0' });
    expect(await upsertedStatuses(id)).toEqual(['running', 'normal']);
  });
});
