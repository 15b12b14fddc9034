/**
 * The jobnet actor on the real dev server with a real worker (docs/architecture.md#the-temporal-mapping, tier 4 of CONTRIBUTING.md#testing-tiers), with short
 * real times: time and interval starts (R-SCH-1, R-SCH-3), refusal, skip, deferral and
 * confirmation gating (R-STATE-1, R-STATE-2), carry-over and the day change (R-STATE-3), start
 * and end deadlines (R-TRB), message events through the event registry — whileRunning queuing,
 * the 255 cap, copy starts, delivery to a running waitEvent job, a raiseEvent job starting
 * another jobnet (R-EVT-1..4, R-JN-3) — and continue-as-new keeping the state.
 *
 * Every time start of this file is due at the same whole minute `due`, at least 20 s after the
 * definitions are applied, so the file waits for one minute boundary (two for the interval).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyJobnets,
  clearEvents,
  getJobnetView,
  operateJobnet,
  raiseEvent,
} from '../../controller/jobnets/jobnet-client.js';
import { jobnetOperationUpdate, jobnetViewQuery, type JobnetView } from '../../workflows/jobnet-actor-contract.js';
import { jobnetActorWorkflowId, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { resolveCalendar } from '../../workflows/lib/business-calendar.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import type { TroubleKind } from '../../workflows/lib/jobnet-state.js';
import { startRunHarness, type RunHarness } from './run-harness.js';
import { nextMinute, scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';

const project = 'actors';
let harness: RunHarness;
let due: { at: number; time: string };

function troubles(view: JobnetView, kind: TroubleKind) {
  return view.state.troubles.filter((trouble) => trouble.kind === kind);
}

async function view(name: string): Promise<JobnetView> {
  return await getJobnetView(harness.client, harness.target.taskQueue, project, name);
}

async function operate(
  name: string,
  operation: Parameters<typeof operateJobnet>[4]['operation'],
  extra: { parameter?: string; suffix?: string } = {},
) {
  return await operateJobnet(harness.client, harness.target.taskQueue, project, name, {
    operation,
    by: 'tester',
    ...extra,
  });
}

async function raise(event: string, extra: { jobnet?: string; parameter?: string; suffix?: string } = {}) {
  const result = await raiseEvent(harness.client, harness.target.taskQueue, { event, project, by: 'tester', ...extra });
  if (!result.ok) throw new Error(`raise refused: ${result.reason}`);
  return result.answer.results;
}

function startedAtOf(jobnetView: JobnetView): number | undefined {
  return (jobnetView.state.currentRun ?? jobnetView.state.lastRun)?.startedAt;
}

beforeAll(async () => {
  harness = await startRunHarness();
  due = nextMinute(20_000);
  // A calendar whose day changes at `due`: the business date moves on at that instant (R-CAL-3).
  const changesAtDue = resolveCalendar('changes-at-due', [{ timezone: 'UTC', dayChangeTime: due.time }], 'UTC');
  const withDayChange = (jobnet: CompiledJobnet): CompiledJobnet => ({ ...jobnet, calendar: changesAtDue });
  const jobnets: CompiledJobnet[] = [
    scheduledJobnet(project, 'timed', [sleepJob('a', 1)], { start: { at: [due.time] } }),
    scheduledJobnet(project, 'interval', [sleepJob('a', 1)], { start: { every: { minutes: 1, from: due.time } } }),
    scheduledJobnet(project, 'busy', [sleepJob('long', 300)], { start: { at: [due.time] } }),
    scheduledJobnet(project, 'off', [sleepJob('a', 1)], { start: { at: [due.time] }, enabled: false }),
    scheduledJobnet(project, 'parked', [sleepJob('a', 1)], { start: { at: [due.time] } }),
    scheduledJobnet(project, 'late-event', [sleepJob('a', 1)], {
      start: { events: eventsOf(['NEVER_RAISED']) },
      deadlines: { start: due.time },
    }),
    scheduledJobnet(project, 'gated', [sleepJob('a', 5, { timeLimitSeconds: 1 })], { requireConfirmation: true }),
    scheduledJobnet(project, 'overdue', [sleepJob('a', 6)], { deadlines: { endAfterSeconds: 2 } }),
    scheduledJobnet(project, 'queued', [sleepJob('a', 2)], {
      start: { events: eventsOf(['QUEUE_ME'], { whileRunning: true }) },
    }),
    scheduledJobnet(project, 'single', [sleepJob('a', 3)], { start: { events: eventsOf(['ONE_AT_A_TIME']) } }),
    scheduledJobnet(project, 'both', [sleepJob('a', 1)], {
      start: { events: eventsOf(['LEFT', 'RIGHT'], { mode: 'all' }) },
    }),
    scheduledJobnet(project, 'copyme', [{ name: 'a', type: 'sleep', spec: { seconds: 1 } }], {
      start: { events: eventsOf(['COPY_ME']) },
    }),
    scheduledJobnet(project, 'waiter', [{ name: 'wait', type: 'waitEvent', spec: { event: 'GO_AHEAD' } }]),
    scheduledJobnet(project, 'announcer', [
      { name: 'tell', type: 'raiseEvent', spec: { event: 'ANNOUNCED', project, param: 'P-42' } },
    ]),
    scheduledJobnet(project, 'listener', [{ name: 'a', type: 'sleep', spec: { seconds: 1 } }], {
      start: { events: eventsOf(['ANNOUNCED']) },
    }),
    withDayChange(scheduledJobnet(project, 'night-run', [sleepJob('long', 300)])),
    withDayChange(scheduledJobnet(project, 'failed-free', [sleepJob('a', 5, { timeLimitSeconds: 1 })])),
    withDayChange(
      scheduledJobnet(project, 'failed-gated', [sleepJob('a', 5, { timeLimitSeconds: 1 })], {
        requireConfirmation: true,
      }),
    ),
  ];
  const applied = await applyJobnets(harness.client, {
    taskQueue: harness.target.taskQueue,
    jobnets,
    revision: 'r1',
    by: 'tester',
  });
  expect(applied.actors).toHaveLength(jobnets.length);
  // Set the scene before `due`: a run in progress, a disabled jobnet, a held one, runs that fail.
  expect(await operate('busy', 'start')).toMatchObject({ ok: true });
  expect(await operate('parked', 'hold')).toMatchObject({ ok: true });
  expect(await operate('night-run', 'start')).toMatchObject({ ok: true });
  expect(await operate('failed-free', 'start')).toMatchObject({ ok: true });
  expect(await operate('failed-gated', 'start')).toMatchObject({ ok: true });
  expect(Date.now()).toBeLessThan(due.at - 5_000);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

function eventsOf(
  names: string[],
  extra: Partial<{ mode: 'any' | 'all'; whileRunning: boolean; oncePerDay: boolean; notBefore: string }> = {},
) {
  return { names, mode: 'any' as const, whileRunning: false, oncePerDay: false, startDaysOnly: false, ...extra };
}

describe('time starts (R-SCH-1)', () => {
  // The 1 s promise (R-SCH-3) holds under normal load and is measured by bench/start-latency;
  // here the test suite loads both cores, so the bound only catches a start that is plainly late.
  it('starts an `at` jobnet at its due time, and its first job runs', async () => {
    const started = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'timed',
      (v) => startedAtOf(v) !== undefined,
      due.at - Date.now() + 15_000,
    );
    const lateness = (startedAtOf(started) as number) - due.at;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(3_000);
    const run = started.state.currentRun ?? started.state.lastRun;
    expect(run?.trigger).toBe('schedule');
    const runView = await harness.waitForEnd(run?.runId as string);
    expect(runView.status).toBe('normal');
    expect(runView.trigger).toBe('schedule');
    expect((runView.state.jobs.a?.startedAt ?? 0) - due.at).toBeLessThan(4_000);
    const next = (await view('timed')).nextStarts[0];
    expect(Date.parse(next?.instant ?? '') - due.at).toBe(86_400_000);
  }, 120_000);

  it('refuses a start while the previous run is still running, and records executionRefused (R-STATE-1)', async () => {
    const refused = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'busy',
      (v) => troubles(v, 'executionRefused').length > 0,
      due.at - Date.now() + 15_000,
    );
    const [trouble] = troubles(refused, 'executionRefused');
    expect(trouble).toMatchObject({ project, jobnet: 'busy', id: `${project}/busy#1` });
    expect(trouble?.message).toMatch(/still running/);
    expect(refused.state.runCount).toBe(1);
    expect(refused.status).toBe('running');
    expect(await operate('busy', 'forceTerminate')).toMatchObject({ ok: true });
  }, 120_000);

  it('skips a start of a disabled jobnet and records executionSkipped (R-STATE-1)', async () => {
    const skipped = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'off',
      (v) => troubles(v, 'executionSkipped').length > 0,
      due.at - Date.now() + 15_000,
    );
    expect(skipped.status).toBe('disabled');
    expect(skipped.state.runCount).toBe(0);
    expect(troubles(skipped, 'executionSkipped')[0]?.message).toMatch(/disabled/);
  }, 120_000);

  it('defers the start of a held jobnet until release (R-STATE-1)', async () => {
    const held = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'parked',
      (v) => v.state.deferred !== undefined,
      due.at - Date.now() + 15_000,
    );
    expect(held.status).toBe('held');
    expect(held.state.runCount).toBe(0);
    const second = await operate('parked', 'hold');
    expect(second).toEqual({ ok: false, reason: 'the jobnet is already held' });
    const released = await operate('parked', 'release');
    expect(released).toMatchObject({ ok: true });
    if (released.ok) expect(released.answer.detail).toMatch(/deferred schedule start: run .* started/);
    const after = await view('parked');
    expect(after.state.runCount).toBe(1);
    expect(after.state.currentRun?.trigger ?? after.state.lastRun?.trigger).toBe('schedule');
  }, 120_000);
});

describe('deadlines (R-TRB)', () => {
  it('records exactly one startDelayed when an event-started jobnet has not started by its start deadline', async () => {
    const delayed = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'late-event',
      (v) => troubles(v, 'startDelayed').length > 0,
      due.at - Date.now() + 15_000,
    );
    const [trouble] = troubles(delayed, 'startDelayed');
    expect(trouble?.at).toBeGreaterThanOrEqual(due.at);
    expect(trouble?.message).toMatch(new RegExp(`start deadline ${due.time}`));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(troubles(await view('late-event'), 'startDelayed')).toHaveLength(1);
  }, 120_000);

  it('records endDelayed once when a run has not ended by its end deadline', async () => {
    const started = await operate('overdue', 'start');
    expect(started).toMatchObject({ ok: true });
    const runId = started.ok ? started.answer.runId : undefined;
    const delayed = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'overdue',
      (v) => troubles(v, 'endDelayed').length > 0,
      15_000,
    );
    expect(troubles(delayed, 'endDelayed')[0]).toMatchObject({ runId, kind: 'endDelayed' });
    const ended = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'overdue',
      (v) => v.state.lastRun?.completed === true,
      20_000,
    );
    expect(troubles(ended, 'endDelayed')).toHaveLength(1);
    expect(ended.status).toBe('ended');
  }, 60_000);
});

describe('confirmation and the day change (R-STATE-2, R-STATE-3)', () => {
  it('accepts no start after an abnormal end until confirm, which closes the run', async () => {
    const first = await operate('gated', 'start');
    expect(first).toMatchObject({ ok: true });
    const abended = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'gated',
      (v) => v.status === 'abended',
      20_000,
    );
    expect(troubles(abended, 'jobnetAbended')).toHaveLength(1);
    const refused = await operate('gated', 'start');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/requires confirmation/);
    const confirmed = await operate('gated', 'confirm');
    expect(confirmed).toMatchObject({ ok: true, answer: { status: 'confirmed' } });
    const runId = first.ok ? (first.answer.runId as string) : '';
    // A confirmed abended run is closed: Temporal lists it as failed (with the abend as its reason).
    const description = await waitForClosed(runId);
    expect(description).toBe('FAILED');
    const second = await operate('gated', 'start');
    expect(second).toMatchObject({ ok: true, answer: { status: 'running' } });
  }, 60_000);

  it('carries a run over the day change, closes an abended run without requireConfirmation, and keeps one with it', async () => {
    const carried = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'night-run',
      (v) => v.status === 'carriedOver',
      due.at - Date.now() + 15_000,
    );
    expect(carried.state.carriedOver).toBe(carried.state.currentRun?.runId);
    const free = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'failed-free',
      (v) => v.status === 'waiting',
      15_000,
    );
    expect(free.state.lastRun?.status).toBe('abended');
    expect(await waitForClosed(free.state.lastRun?.runId as string)).toBe('FAILED');
    const gated = await view('failed-gated');
    expect(gated.status).toBe('abended');
    expect(gated.businessDate).toBe(free.businessDate);
    const refused = await operate('night-run', 'start');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/carried over/);
    expect(await operate('night-run', 'releaseCarryOver')).toMatchObject({ ok: true, answer: { status: 'running' } });
    expect(await operate('night-run', 'forceTerminate')).toMatchObject({ ok: true });
  }, 120_000);
});

describe('message events through the registry (R-EVT-1..4)', () => {
  it('queues a second raise while running with whileRunning and runs them one after another', async () => {
    const [first] = await raise('QUEUE_ME');
    expect(first).toMatchObject({ jobnet: 'queued', outcome: 'started' });
    const [second] = await raise('QUEUE_ME');
    expect(second).toMatchObject({ jobnet: 'queued', outcome: 'pending' });
    const done = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'queued',
      (v) => v.state.runCount === 2 && v.state.lastRun?.completed === true && v.state.currentRun === undefined,
      30_000,
    );
    const firstRun = await harness.view(first?.runId as string);
    const secondRun = await harness.view(done.state.lastRun?.runId as string);
    expect(secondRun.runId).not.toBe(firstRun.runId);
    expect(secondRun.state.startedAt).toBeGreaterThanOrEqual(firstRun.state.jobs.a?.endedAt ?? Infinity);
  }, 60_000);

  it('refuses a raise while running without whileRunning, recording executionRefused', async () => {
    const [first] = await raise('ONE_AT_A_TIME');
    expect(first?.outcome).toBe('started');
    const [second] = await raise('ONE_AT_A_TIME');
    expect(second?.outcome).toBe('refused');
    expect(second?.detail).toMatch(/still running/);
    expect(troubles(await view('single'), 'executionRefused')).toHaveLength(1);
  });

  it('keeps at most 255 pending raises of an event and refuses the 256th', async () => {
    for (let i = 0; i < 255; i++) {
      const [result] = await raise('LEFT', { jobnet: 'both' });
      if (result?.outcome !== 'pending') throw new Error(`raise ${i + 1}: ${JSON.stringify(result)}`);
    }
    const [refused] = await raise('LEFT', { jobnet: 'both' });
    expect(refused?.outcome).toBe('refused');
    expect(refused?.detail).toMatch(/255 raises of LEFT are already pending/);
    expect((await view('both')).state.pendingEvents.LEFT).toHaveLength(255);
    const [started] = await raise('RIGHT', { jobnet: 'both' });
    expect(started?.outcome).toBe('started');
    expect((await view('both')).state.pendingEvents.LEFT).toHaveLength(254);
    const cleared = await clearEvents(harness.client, harness.target.taskQueue, {
      project,
      jobnet: 'both',
      by: 'tester',
    });
    expect(cleared).toEqual({ ok: true, answer: { results: [{ project, jobnet: 'both', cleared: 254 }] } });
  }, 120_000);

  it('runs a raise with a suffix as the copy <name>_<suffix>, with its own state (R-JN-3)', async () => {
    const [copied] = await raise('COPY_ME', { suffix: 's1', parameter: 'V-1' });
    expect(copied).toMatchObject({ jobnet: 'copyme', outcome: 'copied' });
    expect(copied?.runId).toMatch(/^run\/[^/]+\/actors\/copyme_s1\//);
    const runView = await harness.waitForEnd(copied?.runId as string);
    expect(runView.jobnet).toBe('copyme_s1');
    expect(runView.parameter).toBe('V-1');
    expect((await view('copyme')).state.runCount).toBe(0);
    const started = await operate('copyme', 'start', { suffix: 's2' });
    expect(started).toMatchObject({ ok: true });
    if (started.ok) expect(started.answer.runId).toMatch(/^run\/[^/]+\/actors\/copyme_s2\//);
  }, 60_000);

  it('delivers an event to a running waitEvent job', async () => {
    const started = await operate('waiter', 'start');
    const runId = started.ok ? (started.answer.runId as string) : '';
    await harness.waitFor(runId, (v) => v.state.jobs.wait?.state === 'running');
    const [delivered] = await raise('GO_AHEAD');
    expect(delivered).toMatchObject({ jobnet: 'waiter', outcome: 'delivered', runId });
    expect((await harness.waitForEnd(runId)).status).toBe('normal');
  }, 60_000);

  it('a raiseEvent job starts the jobnets waiting for the event, with its variable parameter', async () => {
    const started = await operate('announcer', 'start');
    const runView = await harness.waitForEnd(started.ok ? (started.answer.runId as string) : '');
    expect(runView.state.jobs.tell?.output).toMatch(/actors\/listener: started: run /);
    const listener = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'listener',
      (v) => v.state.runCount === 1,
    );
    const listened = await harness.waitForEnd((listener.state.currentRun ?? listener.state.lastRun)?.runId as string);
    expect(listened.trigger).toBe('event');
    expect(listened.parameter).toBe('P-42');
  }, 60_000);
});

describe('continue-as-new', () => {
  it('keeps the state across a continue-as-new of the actor', async () => {
    const jobnet = scheduledJobnet(project, 'long-lived', [sleepJob('a', 1)]);
    const workflowId = jobnetActorWorkflowId(harness.target.taskQueue, project, 'long-lived');
    const handle = await harness.client.workflow.start(workflowTypes.jobnetActor, {
      workflowId,
      taskQueue: harness.target.taskQueue,
      args: [{ definition: jobnet, historyLimit: 30 }],
    });
    for (let i = 0; i < 8; i++) {
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'hold', by: 'tester' }] });
      await handle.executeUpdate(jobnetOperationUpdate, { args: [{ operation: 'release', by: 'tester' }] });
    }
    const latest = await harness.client.workflow.getHandle(workflowId).describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const state = (await harness.client.workflow.getHandle(workflowId).query(jobnetViewQuery)).state;
    expect(state.operations).toHaveLength(16);
    expect(state.operations.at(-1)).toMatchObject({ operation: 'release', by: 'tester' });
  }, 60_000);
});

describe('interval starts (R-SCH-1)', () => {
  it('starts every minute from its first start', async () => {
    const twice = await waitForJobnet(
      harness.client,
      harness.target.taskQueue,
      project,
      'interval',
      (v) => v.state.runCount === 2,
      due.at - Date.now() + 80_000,
    );
    const second = startedAtOf(twice) as number;
    expect(second - due.at).toBeGreaterThanOrEqual(60_000);
    expect(second - due.at).toBeLessThan(63_000);
  }, 180_000);
});

async function waitForClosed(workflowId: string): Promise<string> {
  const handle = harness.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = (await handle.describe()).status.name;
    if (status !== 'RUNNING' || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
