/**
 * A refused jobnet operation as the CLI prints it: advice naming an operation the actor would
 * refuse in turn is replaced by the operations it accepts now (asked of the state machine's own
 * operationRefusal); advice that holds is kept as it is.
 */
import { describe, expect, it } from 'vitest';
import { compiledScheduleOf } from '../../workflows/lib/compiled-schedule.js';
import { createActorState, operationRefusal, startDecision, type ActorRun } from '../../workflows/lib/jobnet-state.js';
import { refusalText } from '../../controller/jobnets/refusal-text.js';

const schedule = compiledScheduleOf();
const confirming = compiledScheduleOf({ requireConfirmation: true });
const runId = 'run/q/infra/nightly/2026-11-23/manual-1';

function abendedRun(completed: boolean): ActorRun {
  return { runId, businessDate: '2026-11-23', trigger: 'manual', startedAt: 0, status: 'abended', completed };
}

/** The refusal the actor gives for a start now. */
function startRefusal(state: ReturnType<typeof createActorState>, on = schedule): string {
  const refusal = operationRefusal(state, on, { operation: 'start' });
  if (refusal === undefined) throw new Error('start accepted');
  return refusal;
}

describe('refusalText', () => {
  it('after the run was closed, offers confirm and the day change, not restart, which no open run could take', () => {
    const state = createActorState('2026-11-23', 0);
    state.lastRun = abendedRun(true);
    state.lastOutcome = 'abended';
    const reason = startRefusal(state);
    expect(reason).toContain('restart or confirm it');
    expect(operationRefusal(state, schedule, { operation: 'restart' })).toBeDefined();
    expect(refusalText(reason, 'start', 'infra/nightly', state, schedule)).toEqual({
      reason: `cannot start: the last run ${runId} ended abended; confirm it (jobnet confirm infra/nightly) or wait for the day change`,
      accepted: ['confirm'],
    });
  });

  it('keeps the advice when every operation it names is accepted', () => {
    const state = createActorState('2026-11-23', 0);
    state.currentRun = abendedRun(false);
    const reason = startRefusal(state);
    expect(refusalText(reason, 'start', 'infra/nightly', state, schedule)).toEqual({
      reason,
      accepted: ['restart', 'confirm'],
    });
  });

  it('leaves a reason without advice, or with advice that holds (release a held jobnet), as it is', () => {
    const held = createActorState('2026-11-23', 0);
    held.held = true;
    held.deferred = { trigger: 'schedule', businessDate: '2026-11-23', at: 0, by: 'scheduler' };
    const decision = startDecision(held, schedule);
    expect(decision.kind).toBe('refuse');
    const reason = startRefusal(held);
    expect(refusalText(reason, 'start', 'infra/nightly', held, schedule).reason).toBe(reason);
    expect(refusalText('the jobnet is already held', 'hold', 'infra/nightly', held, schedule).reason).toBe(
      'the jobnet is already held',
    );
  });

  it('offers confirm for a refused restart of a jobnet whose run was closed, requiring confirmation', () => {
    const state = createActorState('2026-11-23', 0);
    state.lastRun = abendedRun(true);
    state.lastOutcome = 'abended';
    state.awaitingConfirmation = true;
    const reason = startRefusal(state, confirming);
    expect(refusalText(reason, 'start', 'infra/nightly', state, confirming).reason).toBe(reason);
    expect(
      refusalText(
        'cannot restart: no abended or forced run is open (the jobnet is abended); restart the run with jobnet run restart',
        'restart',
        'infra/nightly',
        state,
        confirming,
      ).reason,
    ).toBe(
      'cannot restart: no abended or forced run is open (the jobnet is abended); confirm it (jobnet confirm infra/nightly)',
    );
  });

  it('drops advice that names no accepted operation at all', () => {
    const state = createActorState('2026-11-23', 0);
    expect(refusalText('cannot start: something; restart it first', 'start', 'infra/nightly', state, schedule)).toEqual(
      { reason: 'cannot start: something', accepted: [] },
    );
  });
});
