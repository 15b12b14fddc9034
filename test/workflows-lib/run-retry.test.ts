import { describe, expect, it } from 'vitest';
import { retryPlan, retryRefusal, retryRunSequence } from '../../workflows/lib/run-retry.js';
import {
  createRunState,
  forceTerminateJobs,
  holdJob,
  jobEnded,
  jobStarted,
  runStatus,
  type RunState,
} from '../../workflows/lib/run-state.js';
import { after, jobnetOf } from '../integration/run-fixtures.js';

/** first (captures F.*) → middle → last. */
function chain(): RunState {
  return createRunState(
    jobnetOf('chain', [
      { name: 'first', type: 'sleep', capturePrefix: 'F', spec: { seconds: 0 } },
      { name: 'middle', type: 'sleep', predecessors: after('first'), spec: { seconds: 0 } },
      { name: 'last', type: 'sleep', predecessors: after('middle'), spec: { seconds: 0 } },
    ]),
    0,
  );
}

function run(state: RunState, job: string, exitCode: number, output?: string): RunState {
  const started = jobStarted(state, job, 1);
  return jobEnded(started, job, { exitCode, ...(output !== undefined ? { output } : {}) }, 2);
}

/** first normal (captured RUN=7), middle abended, last never started. */
function abended(): RunState {
  return run(run(chain(), 'first', 0, 'RUN=7\n'), 'middle', 1);
}

const original = (state: RunState, level = 1) => ({ runId: 'run/q/p/chain/2026-11-23/manual-1', level, state });

describe('retryRefusal', () => {
  it('allows an abended run with no retry yet', () => {
    expect(runStatus(abended())).toBe('abended');
    expect(retryRefusal(original(abended()), [])).toBeUndefined();
  });

  it('refuses while jobs run, naming how many and which', () => {
    const state = jobStarted(chain(), 'first', 1);
    expect(retryRefusal(original(state), [])).toBe('cannot retry: 1 job still running (first)');
  });

  it('refuses while jobs can still start (held)', () => {
    const held = holdJob(chain(), 'first', { by: 'op', at: 1 });
    if (!held.ok) throw new Error(held.reason);
    expect(retryRefusal(original(held.state), [])).toBe(
      'cannot retry: the run is still running; 3 jobs can still start (first, last, middle)',
    );
  });

  it('refuses a run that ended normally', () => {
    const state = run(run(run(chain(), 'first', 0), 'middle', 0), 'last', 0);
    expect(retryRefusal(original(state), [])).toBe('cannot retry: the run ended normal; there is nothing to retry');
  });

  it('refuses while another retry is open, and once a retry ended normally', () => {
    expect(retryRefusal(original(abended()), [{ runId: 'r2', status: 'running', open: true }])).toBe(
      'cannot retry: its retry r2 is still open (running); operate or retry that run instead',
    );
    expect(retryRefusal(original(abended()), [{ runId: 'r2', status: 'normal', open: false }])).toBe(
      'cannot retry: its retry r2 already ended normal',
    );
    expect(retryRefusal(original(abended()), [{ runId: 'r2', status: 'abended', open: false }])).toBeUndefined();
  });

  it('refuses a child run', () => {
    expect(retryRefusal(original(abended(), 2), [])).toMatch(/child run/);
  });
});

describe('retryPlan', () => {
  it('re-runs the failed job and those after it, and carries the successful job and its variable', () => {
    expect(retryPlan(abended(), 10)).toEqual({
      rerun: ['last', 'middle'],
      carried: ['first'],
      variables: { 'F.RUN': '7' },
    });
  });

  it('names the retry sequence after the instant', () => {
    expect(retryRunSequence(Date.UTC(2026, 10, 23, 10, 15, 0, 123))).toBe('retry-20261123T101500123Z');
  });
});

describe('forceTerminateJobs', () => {
  const at = { by: 'op', at: 5 };
  /** a running, b waiting (after a), c held, d normal. */
  function busy(): RunState {
    let state = createRunState(
      jobnetOf('busy', [
        { name: 'a', type: 'sleep', spec: { seconds: 0 } },
        { name: 'b', type: 'sleep', predecessors: after('a'), spec: { seconds: 0 } },
        { name: 'c', type: 'sleep', hold: true, spec: { seconds: 0 } },
        { name: 'd', type: 'sleep', spec: { seconds: 0 } },
      ]),
      0,
    );
    state = run(state, 'd', 0);
    return jobStarted(state, 'a', 3);
  }

  it('cancels only the jobs in the states asked for, in one operation', () => {
    const { state, answers } = forceTerminateJobs(busy(), ['a', 'b', 'c', 'd'], ['waiting', 'held'], at);
    expect(answers).toEqual([
      { job: 'a', outcome: 'notMatching', state: 'running' },
      { job: 'b', outcome: 'terminated', state: 'waiting' },
      { job: 'c', outcome: 'terminated', state: 'held' },
      { job: 'd', outcome: 'alreadyEnded', state: 'normal' },
    ]);
    expect(state.jobs.a?.state).toBe('running');
    expect(state.jobs.b).toMatchObject({ state: 'forced', exitCode: 256, forcedReason: 'operator' });
    expect(state.operations).toHaveLength(1);
    expect(state.operations[0]).toMatchObject({ operation: 'cancelJobs', by: 'op' });
  });

  it('marks running jobs for cancellation; repeating changes nothing', () => {
    const first = forceTerminateJobs(busy(), ['a'], ['running'], at);
    expect(first.answers).toEqual([{ job: 'a', outcome: 'terminated', state: 'running' }]);
    expect(first.state.jobs.a?.cancelRequested).toEqual(at);
    const again = forceTerminateJobs(first.state, ['a'], ['running'], at);
    expect(again.answers).toEqual([{ job: 'a', outcome: 'alreadyTerminating', state: 'running' }]);
    expect(again.state).toBe(first.state);
  });
});
