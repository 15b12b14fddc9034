/** The terminal lines of events and reconciles (controller/system/event-lines.ts), pure. */
import { describe, expect, it } from 'vitest';
import { describeEvent, describeReconcile, textLine } from '../../controller/system/event-lines.js';
import type { ReconcileOutcome } from '../../controller/reconcile/summarize-reconcile.js';

const base = { at: 0, project: 'infra', jobnet: 'heartbeat' };

describe('event lines', () => {
  it('say a run start, an end and an abend with the failing job', () => {
    expect(
      describeEvent({
        ...base,
        event: 'runStarted',
        runId: 'run/jobnet/infra/heartbeat/2026-12-03/1',
        businessDate: '2026-12-03',
        trigger: 'schedule',
        level: 1,
      }),
    ).toEqual({
      tag: 'run',
      text: 'infra/heartbeat 2026-12-03 started (schedule)  run/jobnet/infra/heartbeat/2026-12-03/1',
    });
    expect(
      describeEvent({
        ...base,
        event: 'runEnded',
        runId: 'r',
        businessDate: '2026-12-03',
        status: 'abended',
        job: 'b',
        exitCode: 3,
      }),
    ).toEqual({ tag: 'abend', text: 'infra/heartbeat 2026-12-03 abended: job b exit code 3  r' });
    expect(textLine(new Date(2026, 11, 3, 12, 0, 3), 'run', 'x')).toBe('12:00:03  run        x\n');
  });

  it('escape control characters of every value and leave job ends and abend troubles to other lines', () => {
    const line = describeEvent({
      ...base,
      event: 'operation',
      operation: 'hold',
      by: 'eve\u001b[2J\nerror forged',
      detail: 'held\u202e',
    });
    expect(line?.text).toBe('infra/heartbeat hold by eve\\x1b[2J\\nerror forged: held\\u202e');
    expect(describeEvent({ ...base, event: 'trouble', trouble: 'jobnetAbended', message: 'm' })).toBeUndefined();
    expect(describeEvent({ ...base, event: 'trouble', trouble: 'startDelayed', message: 'late' })?.text).toBe(
      'infra/heartbeat startDelayed: late',
    );
  });
});

describe('reconcile lines', () => {
  const applied = (revision: string, actions: { kind: string; project: string; name: string }[]): ReconcileOutcome =>
    ({ result: 'applied', revision, plan: { actions } }) as unknown as ReconcileOutcome;

  it('name the jobnets a revision changed, and nothing for a reconcile that changed nothing', () => {
    const first = describeReconcile(
      applied('abc', [
        { kind: 'create', project: 'infra', name: 'a' },
        { kind: 'noop', project: 'infra', name: 'b' },
        { kind: 'retire', project: 'ops', name: 'x' },
      ]),
      undefined,
    );
    expect(first.line?.text).toBe('revision abc applied: created infra/a; retired ops/x');
    expect(describeReconcile({ result: 'unchanged', revision: 'abc' }, first.memory).line).toBeUndefined();
  });

  it('say a recovery once, when a new revision replaces the one that stalled', () => {
    const stalled = describeReconcile({ result: 'stalled', revision: 'bad' }, { result: 'applied', revision: 'abc' });
    expect(stalled.line).toBeUndefined();
    // A resync of the stalled revision is still stalled.
    const resync = describeReconcile({ result: 'unchanged', revision: 'bad' }, stalled.memory);
    expect(resync.line).toBeUndefined();
    const fixed = describeReconcile(applied('good', [{ kind: 'update', project: 'infra', name: 'a' }]), resync.memory);
    expect(fixed.line?.text).toBe('revision good applied: updated infra/a: recovered from stalled revision bad');
    expect(describeReconcile({ result: 'unchanged', revision: 'good' }, fixed.memory).line).toBeUndefined();
  });
});
