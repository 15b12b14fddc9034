import { describe, expect, it } from 'vitest';
import { CancelFilterError, cancelSelection, selectJobs } from '../../controller/runs/run-cancel.js';

describe('cancelSelection', () => {
  it('defaults to every job in a state that has not ended', () => {
    const selection = cancelSelection({});
    expect(selection.jobStates).toEqual(['running', 'waiting', 'held']);
    expect(selection.matches('anything')).toBe(true);
  });

  it('takes one job state and a glob', () => {
    const selection = cancelSelection({ jobState: 'running', job: 'load-*' });
    expect(selection.jobStates).toEqual(['running']);
    expect(selection.matches('load-a')).toBe(true);
    expect(selection.matches('report')).toBe(false);
    expect(cancelSelection({ job: '{a,b}' }).matches('b')).toBe(true);
  });

  it('refuses states that cannot be cancelled and an empty pattern, naming the field', () => {
    expect(() => cancelSelection({ jobState: 'normal' })).toThrow(CancelFilterError);
    expect(() => cancelSelection({ jobState: 'normal' })).toThrow(/one of: running, waiting, held/);
    try {
      cancelSelection({ job: ' ' });
    } catch (error) {
      expect(error).toMatchObject({ field: 'job' });
    }
  });

  it('splits a run’s jobs into those sent to the run and those not matching', () => {
    const jobs = { 'load-a': { state: 'running' as const }, report: { state: 'waiting' as const } };
    expect(selectJobs(jobs, cancelSelection({ job: 'load-*' }))).toEqual({
      names: ['load-a'],
      notMatching: [{ job: 'report', outcome: 'notMatching', state: 'waiting' }],
    });
  });
});
