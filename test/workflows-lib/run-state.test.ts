import { describe, expect, it } from 'vitest';
import {
  compiledJob,
  type CompiledJob,
  type CompiledJobnet,
  type CompiledJobSettings,
  type CompiledPredecessor,
  type JobType,
} from '../../workflows/lib/compiled-jobnet.js';
import type { TypedJobSpec } from '../../workflows/lib/job-specs.js';
import { parseExitCodeCondition } from '../../workflows/lib/exit-code-condition.js';
import {
  captureVariables,
  createRunState,
  disableJob,
  enableJob,
  forceTerminateJob,
  forceTerminateRun,
  holdJob,
  jobEnded,
  jobStarted,
  jobsToCancel,
  maxJobnetVariables,
  readyJobs,
  releaseJob,
  restartFromJob,
  restartRun,
  runOnlyJob,
  runStatus,
  RunStateError,
  skipJob,
  startFromJob,
  type JobOutcome,
  type OperationContext,
  type OperationResult,
  type RunState,
} from '../../workflows/lib/run-state.js';

// ---------------------------------------------------------------------------------------------
// Building jobnets and driving runs

const t0 = Date.parse('2027-01-04T22:00:00Z');
const at = (seconds: number) => t0 + seconds * 1000;
const operator = (seconds: number, by = 'alice'): OperationContext => ({ by, at: at(seconds) });

type JobSketch = Omit<Partial<CompiledJobSettings>, 'predecessors'> & {
  type?: JobType;
  after?: (string | { job: string; exitCode: string })[];
};

/** A spec of each job type; the run state machine never reads specs. */
const sketchSpecs: { [T in JobType]: Extract<TypedJobSpec, { type: T }> } = {
  command: { type: 'command', spec: { argv: ['true'], env: {} } },
  rest: {
    type: 'rest',
    spec: { request: { url: 'https://api.example.com/jobs', method: 'POST', timeout: 10 }, outputLimitBytes: 1024 },
  },
  sleep: { type: 'sleep', spec: { seconds: 1 } },
  waitTime: { type: 'waitTime', spec: { until: '0100' } },
  raiseEvent: { type: 'raiseEvent', spec: { event: 'DONE' } },
  waitEvent: { type: 'waitEvent', spec: { event: 'DONE' } },
  checkVariable: { type: 'checkVariable', spec: { variable: 'CAP.STATUS', invert: false } },
  jobnet: { type: 'jobnet', spec: { jobnet: 'child' } },
};

function jobnet(jobs: Record<string, JobSketch>): CompiledJobnet {
  const compiled: Record<string, CompiledJob> = {};
  for (const [name, { after, type, ...fields }] of Object.entries(jobs)) {
    const predecessors: CompiledPredecessor[] = (after ?? []).map((entry) => {
      if (typeof entry === 'string') return { job: entry };
      const parsed = parseExitCodeCondition(entry.exitCode);
      if (!parsed.ok) throw new Error(parsed.message);
      return { job: entry.job, condition: parsed.condition };
    });
    compiled[name] = compiledJob({ ...sketchSpecs[type ?? 'command'], ...fields, name, predecessors });
  }
  return { project: 'sales', name: 'daily-close', revision: 'abc123', jobs: compiled };
}

const readyNames = (state: RunState) => readyJobs(state).map((entry) => entry.job);
const stateOf = (state: RunState, job: string) => state.jobs[job]?.state;
const statesOf = (state: RunState) =>
  Object.fromEntries(Object.entries(state.jobs).map(([name, record]) => [name, record.state]));

function start(state: RunState, seconds: number, ...jobs: string[]): RunState {
  return jobs.reduce((current, job) => jobStarted(current, job, at(seconds)), state);
}

function end(state: RunState, seconds: number, job: string, outcome: number | JobOutcome): RunState {
  return jobEnded(state, job, typeof outcome === 'number' ? { exitCode: outcome } : outcome, at(seconds));
}

/** Starts and ends one job. */
function run(state: RunState, seconds: number, job: string, outcome: number | JobOutcome): RunState {
  return end(start(state, seconds, job), seconds + 1, job, outcome);
}

function ok(result: OperationResult): RunState {
  if (!result.ok) throw new Error(`operation refused: ${result.reason}`);
  return result.state;
}

/**
 * Runs the jobnet to rest: starts every ready job (at its notBefore if later) and ends running jobs
 * in name order with the next outcome listed for them (0 when none is listed).
 */
function drive(state: RunState, outcomes: Record<string, (number | JobOutcome)[]> = {}, fromSeconds = 0): RunState {
  const queue = Object.fromEntries(Object.entries(outcomes).map(([job, list]) => [job, [...list]]));
  let current = state;
  let clock = at(fromSeconds);
  for (let step = 0; step < 500; step++) {
    for (const ready of readyJobs(current)) {
      clock = Math.max(clock, ready.notBefore ?? clock);
      current = jobStarted(current, ready.job, clock);
    }
    const running = Object.keys(current.jobs).filter((job) => current.jobs[job]?.state === 'running');
    if (running.length === 0) return current;
    const job = running[0] as string;
    clock += 1000;
    const outcome = queue[job]?.shift() ?? 0;
    current = jobEnded(current, job, typeof outcome === 'number' ? { exitCode: outcome } : outcome, clock);
  }
  throw new Error('the run did not come to rest');
}

// ---------------------------------------------------------------------------------------------

describe('a new run (R-STATE, R-JOB)', () => {
  it('starts with the roots ready, held jobs held, disabled jobs disabled and their passed propagation applied', () => {
    const state = createRunState(
      jobnet({
        extract: {},
        approve: { hold: true },
        legacy: { disabled: true },
        afterLegacy: { after: ['legacy'] },
        load: { after: ['extract'] },
      }),
      at(0),
    );
    expect(statesOf(state)).toEqual({
      afterLegacy: 'passed',
      approve: 'held',
      extract: 'waiting',
      legacy: 'disabled',
      load: 'waiting',
    });
    expect(state.jobs.afterLegacy?.settledBy).toBe('predecessorsPassed');
    expect(readyNames(state)).toEqual(['extract']);
    expect(runStatus(state)).toBe('running');
    expect(Object.keys(state.jobs)).toEqual(['afterLegacy', 'approve', 'extract', 'legacy', 'load']);
  });

  it('treats a disabled predecessor as passed: an AND join still runs after the others', () => {
    let state = createRunState(
      jobnet({ a: {}, legacy: { disabled: true }, report: { after: ['a', 'legacy'] } }),
      at(0),
    );
    expect(readyNames(state)).toEqual(['a']);
    state = run(state, 0, 'a', 0);
    expect(readyNames(state)).toEqual(['report']);
    state = run(state, 2, 'report', 0);
    expect(runStatus(state)).toBe('normal');
  });

  it('ends normal at once when every job is disabled', () => {
    const state = createRunState(jobnet({ a: { disabled: true }, b: { disabled: true, after: ['a'] } }), at(5));
    expect(state.result).toEqual({ status: 'normal', at: at(5) });
  });

  it('refuses a structurally broken compiled jobnet', () => {
    expect(() => createRunState(jobnet({ a: { after: ['b'] }, b: { after: ['a'] } }), at(0))).toThrow(
      /dependency cycle/,
    );
    expect(() => createRunState(jobnet({ a: { after: ['ghost'] } }), at(0))).toThrow(/"ghost", which does not exist/);
  });

  it('keeps the state plain JSON', () => {
    const state = drive(createRunState(jobnet({ a: { capturePrefix: 'A' }, b: { after: ['a'] } }), at(0)), {
      a: [{ exitCode: 0, output: 'X=1' }],
    });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('AND join (R-DEP-1)', () => {
  it('starts a job only when every predecessor has ended normally', () => {
    let state = createRunState(jobnet({ a: {}, b: {}, join: { after: ['a', 'b'] } }), at(0));
    state = start(state, 0, 'a', 'b');
    state = end(state, 1, 'a', 0);
    expect(readyNames(state)).toEqual([]);
    state = end(state, 2, 'b', 0);
    expect(readyNames(state)).toEqual(['join']);
    expect(readyJobs(state)[0]).toMatchObject({ job: 'join', mode: 'dependencies', attempt: 1 });
  });

  it('never starts a job before its predecessors, and says why', () => {
    const state = createRunState(jobnet({ a: {}, b: { after: ['a'] } }), at(0));
    expect(() => jobStarted(state, 'b', at(0))).toThrow(RunStateError);
    expect(() => jobStarted(state, 'b', at(0))).toThrow(/predecessors have not ended/);
    expect(() => jobEnded(state, 'a', { exitCode: 0 }, at(0))).toThrow(/not running/);
  });
});

describe('conditional edges and passed propagation (R-DEP-2)', () => {
  const branching = () =>
    jobnet({
      check: { type: 'checkVariable' },
      whenMatch: { after: [{ job: 'check', exitCode: '0' }] },
      whenNoMatch: { after: [{ job: 'check', exitCode: '1' }] },
      afterMatch: { after: ['whenMatch'] },
      report: { after: ['afterMatch', 'whenNoMatch'] },
    });

  it('passes the branch whose condition does not hold, propagates passed, and joins the rest', () => {
    let state = createRunState(branching(), at(0));
    state = run(state, 0, 'check', 1);
    expect(stateOf(state, 'check')).toBe('normal');
    expect(state.jobs.whenMatch).toMatchObject({ state: 'passed', settledBy: 'condition', endedAt: at(1) });
    expect(state.jobs.afterMatch).toMatchObject({ state: 'passed', settledBy: 'predecessorsPassed' });
    expect(readyNames(state)).toEqual(['whenNoMatch']);
    state = run(state, 2, 'whenNoMatch', 0);
    expect(readyNames(state)).toEqual(['report']);
    state = run(state, 4, 'report', 0);
    expect(runStatus(state)).toBe('normal');
  });

  it('takes the other branch for the other exit code', () => {
    const state = drive(createRunState(branching(), at(0)), { check: [0] });
    expect(statesOf(state)).toMatchObject({
      whenMatch: 'normal',
      afterMatch: 'normal',
      whenNoMatch: 'passed',
      report: 'normal',
    });
  });

  it('passes a job whose predecessors are all passed', () => {
    const state = drive(
      createRunState(
        jobnet({
          check: { normalExitMax: 5 },
          x: { after: [{ job: 'check', exitCode: '0' }] },
          y: { after: [{ job: 'check', exitCode: '0' }] },
          z: { after: ['x', 'y'] },
        }),
        at(0),
      ),
      { check: [3] },
    );
    expect(state.jobs.z).toMatchObject({ state: 'passed', settledBy: 'predecessorsPassed' });
    expect(runStatus(state)).toBe('pseudoNormal');
  });

  it('does not evaluate conditions after an abnormal end: the branch stops (R-DEP-3)', () => {
    const state = drive(
      createRunState(jobnet({ check: {}, onHigh: { after: [{ job: 'check', exitCode: '>=4' }] } }), at(0)),
      { check: [5] },
    );
    expect(stateOf(state, 'check')).toBe('abended');
    expect(stateOf(state, 'onHigh')).toBe('waiting');
    expect(runStatus(state)).toBe('abended');
  });
});

describe('OR join (R-DEP-1)', () => {
  // fast and slow feed `merge`; `lateFeed` (after `prepare`) is a third predecessor that has not started.
  const orJoin = () =>
    jobnet({
      fast: {},
      slow: {},
      prepare: {},
      lateFeed: { after: ['prepare'] },
      lateFollower: { after: ['lateFeed'] },
      merge: { join: 'any', after: ['fast', 'slow', 'lateFeed'] },
    });

  it('fires at the first normal end and ends predecessors that have not started with 248 (passed)', () => {
    let state = createRunState(orJoin(), at(0));
    state = start(state, 0, 'fast', 'prepare', 'slow');
    state = end(state, 5, 'fast', 0);
    expect(readyNames(state)).toEqual(['merge']);
    expect(state.jobs.lateFeed).toMatchObject({
      state: 'passed',
      exitCode: 248,
      settledBy: 'orJoinFired',
      orJoin: 'merge',
      endedAt: at(5),
    });
    expect(state.jobs.lateFollower).toMatchObject({ state: 'passed', settledBy: 'predecessorsPassed' });
    expect(stateOf(state, 'slow')).toBe('running');
    state = drive(state, {}, 6);
    expect(stateOf(state, 'merge')).toBe('normal');
    expect(stateOf(state, 'slow')).toBe('normal');
    expect(runStatus(state)).toBe('normal');
  });

  it('ends the waiting predecessors with 249 when one ends abnormally before the join fires', () => {
    let state = createRunState(orJoin(), at(0));
    state = start(state, 0, 'fast', 'prepare', 'slow');
    state = end(state, 5, 'fast', 9);
    expect(state.jobs.lateFeed).toMatchObject({
      state: 'abended',
      exitCode: 249,
      settledBy: 'orJoinBroken',
      orJoin: 'merge',
    });
    expect(stateOf(state, 'slow')).toBe('running');
    expect(stateOf(state, 'merge')).toBe('waiting');
    expect(runStatus(state)).toBe('warning');
    // a predecessor still running can fire the join
    state = end(state, 6, 'slow', 0);
    expect(readyNames(state)).toEqual(['merge']);
    state = drive(state, {}, 7);
    expect(stateOf(state, 'merge')).toBe('normal');
    expect(runStatus(state)).toBe('abended');
  });

  it('never fires when every predecessor failed, and the run ends abended', () => {
    const state = drive(createRunState(jobnet({ a: {}, b: {}, merge: { join: 'any', after: ['a', 'b'] } }), at(0)), {
      a: [3],
      b: [4],
    });
    expect(stateOf(state, 'merge')).toBe('waiting');
    expect(runStatus(state)).toBe('abended');
  });

  it('does not end a predecessor with 249 while its retry is pending', () => {
    let state = createRunState(
      jobnet({ a: {}, b: { retry: { attempts: 1, intervalSeconds: 60 } }, merge: { join: 'any', after: ['a', 'b'] } }),
      at(0),
    );
    state = start(state, 0, 'a', 'b');
    state = end(state, 1, 'b', 2);
    state = end(state, 2, 'a', 7);
    expect(stateOf(state, 'b')).toBe('waiting');
    expect(state.jobs.b?.settledBy).toBeUndefined();
    expect(readyJobs(state)).toEqual([{ job: 'b', mode: 'retry', attempt: 2, notBefore: at(61), exclusive: [] }]);
  });
});

describe('run status (R-STATE, R-EXIT-1, R-DEP-3)', () => {
  it('is pseudoNormal when a job ended pseudo-normal and nothing failed', () => {
    const net = jobnet({ a: { normalExitMax: 3 }, b: { after: ['a'] } });
    expect(runStatus(drive(createRunState(net, at(0)), { a: [2] }))).toBe('pseudoNormal');
    expect(runStatus(drive(createRunState(net, at(0)), { a: [0] }))).toBe('normal');
  });

  it('is warning while another branch runs after an abnormal end, then abended when nothing more can run', () => {
    let state = createRunState(jobnet({ a: {}, aNext: { after: ['a'] }, b: {}, bNext: { after: ['b'] } }), at(0));
    state = start(state, 0, 'a', 'b');
    state = end(state, 1, 'a', 12);
    expect(runStatus(state)).toBe('warning');
    expect(readyNames(state)).toEqual([]);
    state = end(state, 2, 'b', 0);
    expect(readyNames(state)).toEqual(['bNext']);
    expect(runStatus(state)).toBe('warning');
    state = run(state, 3, 'bNext', 0);
    expect(stateOf(state, 'aNext')).toBe('waiting');
    expect(state.result).toEqual({ status: 'abended', at: at(4) });
    expect(readyJobs(state)).toEqual([]);
  });
});

describe('recovery jobs (R-DEP-4)', () => {
  const withRecovery = (rerunAfterRecovery: boolean) =>
    jobnet({ load: { recovery: 'cleanup', rerunAfterRecovery }, report: { after: ['load'] }, cleanup: {} });

  it('stay on standby and do not run when nothing fails', () => {
    const state = drive(createRunState(withRecovery(false), at(0)));
    expect(state.jobs.cleanup).toMatchObject({ state: 'passed', settledBy: 'recoveryStandby', attempts: 0 });
    expect(runStatus(state)).toBe('normal');
  });

  it('run after an abnormal end; without re-run the failed job stays abended', () => {
    let state = createRunState(withRecovery(false), at(0));
    state = run(state, 0, 'load', 8);
    expect(readyJobs(state)).toEqual([
      { job: 'cleanup', mode: 'recovery', attempt: 1, recoveryFor: 'load', exclusive: [] },
    ]);
    expect(runStatus(state)).toBe('warning');
    state = run(state, 2, 'cleanup', 0);
    expect(statesOf(state)).toMatchObject({ load: 'abended', cleanup: 'normal', report: 'waiting' });
    expect(runStatus(state)).toBe('abended');
  });

  it('re-run the failed job once after a normal recovery, and the flow continues', () => {
    let state = createRunState(withRecovery(true), at(0));
    state = run(state, 0, 'load', 8);
    expect(state.jobs.load?.rerunAfterRecovery).toBe('pending');
    state = run(state, 2, 'cleanup', 0);
    expect(readyJobs(state)).toEqual([{ job: 'load', mode: 'rerunAfterRecovery', attempt: 2, exclusive: [] }]);
    state = run(state, 4, 'load', 0);
    state = drive(state, {}, 6);
    expect(statesOf(state)).toMatchObject({ load: 'normal', report: 'normal', cleanup: 'normal' });
    expect(state.jobs.load?.history).toEqual([
      { attempt: 1, state: 'abended', mode: 'dependencies', exitCode: 8, startedAt: at(0), endedAt: at(1) },
    ]);
    expect(runStatus(state)).toBe('normal');
  });

  it('re-run only once: a second failure runs the recovery again but not the job', () => {
    const state = drive(createRunState(withRecovery(true), at(0)), { load: [8, 8] });
    expect(state.jobs.load).toMatchObject({ state: 'abended', attempts: 2, rerunAfterRecovery: 'done' });
    expect(state.jobs.cleanup).toMatchObject({ state: 'normal', attempts: 2 });
    expect(runStatus(state)).toBe('abended');
  });

  it('do not re-run the failed job when the recovery fails', () => {
    const state = drive(createRunState(withRecovery(true), at(0)), { load: [8], cleanup: [1] });
    expect(state.jobs.load).toMatchObject({ state: 'abended', attempts: 1 });
    expect(state.jobs.load?.rerunAfterRecovery).toBeUndefined();
    expect(runStatus(state)).toBe('abended');
  });

  it('run once per failed job when two jobs share a recovery job, one after the other', () => {
    let state = createRunState(jobnet({ a: { recovery: 'notify' }, b: { recovery: 'notify' }, notify: {} }), at(0));
    state = start(state, 0, 'a', 'b');
    state = end(state, 1, 'a', 3);
    state = end(state, 2, 'b', 3);
    expect(readyJobs(state)).toEqual([
      { job: 'notify', mode: 'recovery', attempt: 1, recoveryFor: 'a', exclusive: [] },
    ]);
    expect(state.pendingRecoveries).toEqual([{ recoveryJob: 'notify', failedJob: 'b' }]);
    state = run(state, 3, 'notify', 0);
    expect(readyJobs(state)).toEqual([
      { job: 'notify', mode: 'recovery', attempt: 2, recoveryFor: 'b', exclusive: [] },
    ]);
    state = run(state, 5, 'notify', 0);
    expect(state.jobs.notify?.history.map((attempt) => attempt.mode)).toEqual(['recovery']);
    expect(runStatus(state)).toBe('abended');
  });

  it('run after a time-limit kill but not after an operator force-termination', () => {
    const timeLimit = drive(createRunState(withRecovery(false), at(0)), {
      load: [{ exitCode: 256, forcedReason: 'timeLimit' }],
    });
    expect(stateOf(timeLimit, 'cleanup')).toBe('normal');
    const byOperator = drive(createRunState(withRecovery(false), at(0)), {
      load: [{ exitCode: 256, forcedReason: 'operator' }],
    });
    expect(byOperator.jobs.cleanup).toMatchObject({ state: 'passed', settledBy: 'recoveryStandby' });
    expect(runStatus(byOperator)).toBe('abended');
  });
});

describe('retry (R-JOB)', () => {
  const retrying = () =>
    jobnet({
      call: { type: 'rest', retry: { attempts: 2, intervalSeconds: 30, onExitCodes: [4, 5] } },
      next: { after: ['call'] },
    });

  it('re-runs after a listed exit code, waiting the interval each time, until attempts are used', () => {
    let state = createRunState(retrying(), at(0));
    state = run(state, 0, 'call', 4);
    expect(stateOf(state, 'call')).toBe('waiting');
    expect(readyJobs(state)).toEqual([{ job: 'call', mode: 'retry', attempt: 2, notBefore: at(31), exclusive: [] }]);
    expect(runStatus(state)).toBe('running');
    expect(() => jobStarted(state, 'call', at(30))).toThrow(/cannot start before/);
    state = run(state, 31, 'call', 5);
    expect(readyJobs(state)[0]).toMatchObject({ mode: 'retry', attempt: 3, notBefore: at(62) });
    state = run(state, 62, 'call', 4);
    expect(state.jobs.call).toMatchObject({ state: 'abended', exitCode: 4, attempts: 3, retries: 2 });
    expect(state.jobs.call?.history.map((attempt) => attempt.exitCode)).toEqual([4, 5]);
    expect(runStatus(state)).toBe('abended');
  });

  it('succeeds on a retry and continues', () => {
    const state = drive(createRunState(retrying(), at(0)), { call: [5, 0] });
    expect(statesOf(state)).toEqual({ call: 'normal', next: 'normal' });
    expect(state.jobs.call?.attempts).toBe(2);
  });

  it('does not re-run after an exit code that is not listed', () => {
    const state = run(createRunState(retrying(), at(0)), 0, 'call', 7);
    expect(stateOf(state, 'call')).toBe('abended');
    expect(runStatus(state)).toBe('abended');
  });

  it.each(['timeLimit', 'operator'] as const)('never re-runs after a forced end (%s)', (forcedReason) => {
    const state = run(createRunState(retrying(), at(0)), 0, 'call', { exitCode: 256, forcedReason });
    expect(state.jobs.call).toMatchObject({ state: 'forced', exitCode: 256, forcedReason, attempts: 1 });
    expect(readyJobs(state)).toEqual([]);
    expect(runStatus(state)).toBe('abended');
  });
});

describe('jobnet variables (R-VAR-1, R-JN-4)', () => {
  it('captures NAME=VALUE lines of the output under the prefix', () => {
    expect(captureVariables('SUB', 'JobId=42\r\nnot a pair\nStatus=OK=yes\n=x\nJobId=43')).toEqual({
      'SUB.JobId': '43',
      'SUB.Status': 'OK=yes',
    });
  });

  it('collects variables from normal ends, preferring the values the job reports, later ends overriding earlier ones', () => {
    const state = drive(
      createRunState(
        jobnet({
          a: { capturePrefix: 'P' },
          b: { capturePrefix: 'P', after: ['a'] },
          c: { capturePrefix: 'Q', after: ['b'] },
          plain: {},
        }),
        at(0),
      ),
      {
        a: [{ exitCode: 0, output: 'X=1\nY=1' }],
        b: [{ exitCode: 0, output: 'HttpStatusCode=200', variables: { X: '2' } }],
        c: [{ exitCode: 0, output: 'Z=3' }],
        plain: [{ exitCode: 0, output: 'W=9' }],
      },
    );
    expect(state.variables).toEqual({ 'P.X': '2', 'P.Y': '1', 'Q.Z': '3' });
  });

  it('does not capture from an abnormal end', () => {
    const state = run(createRunState(jobnet({ a: { capturePrefix: 'P' } }), at(0)), 0, 'a', {
      exitCode: 3,
      output: 'X=1',
    });
    expect(state.variables).toEqual({});
  });

  it(`ends the job with 246 when the run would hold more than ${maxJobnetVariables} variables`, () => {
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `V${from + i}=x`).join('\n');
    let state = createRunState(jobnet({ a: { capturePrefix: 'P' }, b: { capturePrefix: 'P', after: ['a'] } }), at(0));
    state = run(state, 0, 'a', { exitCode: 0, output: lines(0, 600) });
    expect(Object.keys(state.variables)).toHaveLength(600);
    state = run(state, 2, 'b', { exitCode: 0, output: lines(590, 51) });
    expect(state.jobs.b).toMatchObject({ state: 'abended', exitCode: 246 });
    expect(Object.keys(state.variables)).toHaveLength(600);
  });
});

describe('restart (R-OPS-2, R-DEP-5)', () => {
  it('resumes from the failed job, keeping the results and variables of the jobs that succeeded', () => {
    let state = drive(
      createRunState(
        jobnet({ extract: { capturePrefix: 'E' }, transform: { after: ['extract'] }, load: { after: ['transform'] } }),
        at(0),
      ),
      { extract: [{ exitCode: 0, output: 'ROWS=10' }], transform: [3] },
    );
    expect(runStatus(state)).toBe('abended');
    state = ok(restartRun(state, operator(100)));
    expect(runStatus(state)).toBe('running');
    expect(readyJobs(state)).toEqual([{ job: 'transform', mode: 'restart', attempt: 2, exclusive: [] }]);
    expect(state.jobs.extract).toMatchObject({ state: 'normal', attempts: 1, endedAt: at(1) });
    expect(state.variables).toEqual({ 'E.ROWS': '10' });
    expect(state.operations).toEqual([
      { sequence: 1, operation: 'restartRun', by: 'alice', at: at(100), detail: 're-running transform' },
    ]);
    state = drive(state, {}, 100);
    expect(statesOf(state)).toEqual({ extract: 'normal', transform: 'normal', load: 'normal' });
    expect(state.jobs.extract?.attempts).toBe(1);
    expect(runStatus(state)).toBe('normal');
  });

  it('resumes a failed child jobnet from its own failed jobs', () => {
    const state = ok(
      restartRun(drive(createRunState(jobnet({ child: { type: 'jobnet' } }), at(0)), { child: [201] }), operator(10)),
    );
    expect(readyJobs(state)).toEqual([{ job: 'child', mode: 'restart', attempt: 2, resume: true, exclusive: [] }]);
  });

  const withRestartPoint = () =>
    jobnet({
      prepare: {},
      begin: { restartPoint: true, capturePrefix: 'B', after: ['prepare'] },
      step: { after: ['begin'] },
      commit: { after: ['step'] },
    });

  it('resumes at the restart point when the failure happened after it, dropping the variables of the jobs run again', () => {
    let state = drive(createRunState(withRestartPoint(), at(0)), {
      begin: [{ exitCode: 0, output: 'TX=7' }],
      commit: [9],
    });
    expect(state.variables).toEqual({ 'B.TX': '7' });
    state = ok(restartRun(state, operator(50)));
    expect(statesOf(state)).toEqual({ prepare: 'normal', begin: 'waiting', step: 'waiting', commit: 'waiting' });
    expect(readyJobs(state)).toEqual([{ job: 'begin', mode: 'dependencies', attempt: 2, exclusive: [] }]);
    expect(state.variables).toEqual({});
    expect(state.operations[0]?.detail).toBe('resuming at restart point "begin" (3 job(s) run again)');
    state = drive(state, { begin: [{ exitCode: 0, output: 'TX=8' }] }, 50);
    expect(runStatus(state)).toBe('normal');
    expect(state.variables).toEqual({ 'B.TX': '8' });
    expect(state.jobs.prepare?.attempts).toBe(1);
    expect(state.jobs.step?.attempts).toBe(2);
  });

  it('ignores the restart point when the failure happened before it', () => {
    let state = drive(createRunState(withRestartPoint(), at(0)), { prepare: [4] });
    state = ok(restartRun(state, operator(50)));
    expect(readyJobs(state)).toEqual([{ job: 'prepare', mode: 'restart', attempt: 2, exclusive: [] }]);
    expect(stateOf(state, 'begin')).toBe('waiting');
  });

  it('re-evaluates an OR join: the jobs ended 249 wait for their own predecessors again', () => {
    let state = createRunState(
      jobnet({ a: {}, prepare: {}, late: { after: ['prepare'] }, merge: { join: 'any', after: ['a', 'late'] } }),
      at(0),
    );
    state = start(state, 0, 'a', 'prepare');
    state = end(state, 1, 'a', 5);
    expect(state.jobs.late).toMatchObject({ state: 'abended', exitCode: 249 });
    state = drive(state, {}, 2);
    expect(runStatus(state)).toBe('abended');
    state = ok(restartRun(state, operator(10)));
    expect(state.operations[0]?.detail).toBe('re-running a');
    expect(state.jobs.late).toMatchObject({ state: 'waiting', history: [] });
    expect(state.jobs.late?.exitCode).toBeUndefined();
    expect(readyJobs(state).map((entry) => [entry.job, entry.mode])).toEqual([
      ['a', 'restart'],
      ['late', 'dependencies'],
    ]);
    state = drive(state, {}, 10);
    expect(statesOf(state)).toEqual({ a: 'normal', late: 'normal', merge: 'normal', prepare: 'normal' });
    expect(runStatus(state)).toBe('normal');
  });

  it('ends with 248 the predecessors of a re-fired OR join that had been ended 249', () => {
    let state = createRunState(
      jobnet({ a: {}, prepare: {}, late: { after: ['prepare'] }, merge: { join: 'any', after: ['a', 'late'] } }),
      at(0),
    );
    state = start(state, 0, 'a');
    state = end(state, 1, 'a', 5);
    expect(state.jobs.late).toMatchObject({ state: 'abended', exitCode: 249 });
    state = ok(startFromJob(state, 'a', operator(2)));
    expect(stateOf(state, 'late')).toBe('waiting');
    state = start(state, 2, 'a');
    state = end(state, 3, 'a', 0);
    expect(state.jobs.late).toMatchObject({ state: 'passed', exitCode: 248, settledBy: 'orJoinFired' });
    expect(readyNames(state)).toEqual(['merge', 'prepare']);
  });

  it('returns a failed recovery job to standby and re-runs the job it recovers', () => {
    let state = drive(createRunState(jobnet({ load: { recovery: 'cleanup' }, cleanup: {} }), at(0)), {
      load: [2],
      cleanup: [2],
    });
    state = ok(restartRun(state, operator(10)));
    expect(state.jobs.cleanup).toMatchObject({ state: 'passed', settledBy: 'recoveryStandby' });
    expect(readyNames(state)).toEqual(['load']);
  });
});

describe('recovery operations on an abended run (R-OPS-1, WOI 5.3.1)', () => {
  const chain = () => jobnet({ a: { capturePrefix: 'A' }, b: { after: ['a'] }, c: { after: ['b'] }, side: {} });
  const failedAtB = () => drive(createRunState(chain(), at(0)), { a: [{ exitCode: 0, output: 'K=1' }], b: [6] });

  it('start from X re-runs X, whatever its predecessors, and everything after it', () => {
    let state = ok(startFromJob(failedAtB(), 'a', operator(20, 'bob')));
    expect(readyJobs(state)).toEqual([{ job: 'a', mode: 'operator', attempt: 2, exclusive: [] }]);
    expect(statesOf(state)).toEqual({ a: 'waiting', b: 'waiting', c: 'waiting', side: 'normal' });
    expect(state.jobs.a?.history).toEqual([
      { attempt: 1, state: 'normal', mode: 'dependencies', exitCode: 0, startedAt: at(0), endedAt: at(1) },
    ]);
    expect(state.operations).toEqual([
      {
        sequence: 1,
        operation: 'startFromJob',
        job: 'a',
        by: 'bob',
        at: at(20),
        detail: 'running job "a" and the 2 jobs after it',
      },
    ]);
    state = drive(state, {}, 20);
    expect(runStatus(state)).toBe('normal');
    expect(state.jobs.side?.attempts).toBe(1);
  });

  it('start from a job whose predecessor failed runs it anyway', () => {
    const state = ok(startFromJob(failedAtB(), 'c', operator(20)));
    expect(readyNames(state)).toEqual(['c']);
    expect(stateOf(state, 'b')).toBe('abended');
  });

  it('restart from X resumes a child jobnet X; start from X starts it afresh', () => {
    const failed = drive(createRunState(jobnet({ child: { type: 'jobnet' } }), at(0)), { child: [201] });
    expect(readyJobs(ok(restartFromJob(failed, 'child', operator(5))))[0]).toMatchObject({
      mode: 'operator',
      resume: true,
    });
    expect(readyJobs(ok(startFromJob(failed, 'child', operator(5))))[0]?.resume).toBeUndefined();
    const restarted = ok(restartFromJob(failedAtB(), 'b', operator(5)));
    expect(restarted.operations[0]).toMatchObject({ operation: 'restartFromJob', job: 'b' });
    expect(readyNames(restarted)).toEqual(['b']);
  });

  it('skip X turns the failed job into passed and its successors continue', () => {
    let state = ok(skipJob(failedAtB(), 'b', operator(30)));
    expect(state.jobs.b).toMatchObject({ state: 'passed', settledBy: 'skipped', exitCode: 6 });
    expect(readyNames(state)).toEqual(['c']);
    state = drive(state, {}, 30);
    expect(stateOf(state, 'c')).toBe('normal');
    expect(runStatus(state)).toBe('normal');
  });

  it('skip X satisfies a conditional edge and lets an OR join fire, undoing the 249 ends it caused', () => {
    let state = createRunState(
      jobnet({
        a: {},
        prepare: {},
        late: { after: ['prepare'] },
        merge: { join: 'any', after: [{ job: 'a', exitCode: '0' }, 'late'] },
      }),
      at(0),
    );
    state = start(state, 0, 'a', 'prepare');
    state = end(state, 1, 'a', 5);
    state = drive(state, {}, 2);
    expect(stateOf(state, 'late')).toBe('abended');
    state = ok(skipJob(state, 'a', operator(10)));
    expect(readyNames(state)).toEqual(['merge']);
    expect(state.jobs.late).toMatchObject({ state: 'passed', exitCode: 248 });
    state = drive(state, {}, 10);
    expect(runStatus(state)).toBe('normal');
  });

  it('run only X runs a job whose successors have already run, and nothing after it', () => {
    let state = drive(createRunState(jobnet({ a: {}, b: { after: ['a'] }, last: { after: ['b'] } }), at(0)), {
      last: [3],
    });
    state = ok(runOnlyJob(state, 'a', operator(40)));
    expect(readyJobs(state)).toEqual([{ job: 'a', mode: 'operator', attempt: 2, exclusive: [] }]);
    expect(state.result).toBeUndefined();
    state = drive(state, {}, 40);
    expect(state.jobs.b?.attempts).toBe(1);
    expect(runStatus(state)).toBe('abended');
    state = ok(runOnlyJob(state, 'last', operator(50)));
    state = drive(state, {}, 50);
    expect(runStatus(state)).toBe('normal');
  });

  it('work on a run in warning, while other branches still run', () => {
    let state = createRunState(jobnet({ a: {}, slow: {} }), at(0));
    state = start(state, 0, 'a', 'slow');
    state = end(state, 1, 'a', 2);
    expect(runStatus(state)).toBe('warning');
    state = ok(startFromJob(state, 'a', operator(2)));
    expect(readyNames(state)).toEqual(['a']);
  });
});

describe('operator operations refuse with a reason and change nothing (R-OPS-3)', () => {
  const abended = () =>
    drive(
      createRunState(
        jobnet({
          a: {},
          b: { after: ['a'] },
          c: { after: ['b'] },
          cleanup: {},
          x: { recovery: 'cleanup', after: ['a'] },
        }),
        at(0),
      ),
      { b: [4] },
    );

  type Refusal = [string, () => RunState, (state: RunState) => OperationResult, RegExp];
  const refusals: Refusal[] = [
    [
      'restart of a live run',
      () => start(createRunState(jobnet({ a: {}, b: {} }), at(0)), 0, 'a', 'b'),
      (s) => restartRun(s, operator(9)),
      /still running \(2 jobs running: a, b\)/,
    ],
    [
      'restart of a normal run',
      () => drive(createRunState(jobnet({ a: {} }), at(0))),
      (s) => restartRun(s, operator(9)),
      /ended normal; there is nothing to restart/,
    ],
    [
      'a recovery operation on a healthy run',
      () => createRunState(jobnet({ a: {} }), at(0)),
      (s) => startFromJob(s, 'a', operator(9)),
      /apply to a run with a failed job .* the run is running/,
    ],
    ['an unknown job', abended, (s) => skipJob(s, 'nope', operator(9)), /has no job "nope"/],
    [
      'skip of a job that did not fail',
      abended,
      (s) => skipJob(s, 'a', operator(9)),
      /skip applies to a job that ended abnormally .*\(it is normal/,
    ],
    [
      'run only when a successor would start after it',
      abended,
      (s) => runOnlyJob(s, 'b', operator(9)),
      /its successor "c" has not run yet \(it is waiting\)/,
    ],
    ['start from a recovery job', abended, (s) => startFromJob(s, 'cleanup', operator(9)), /is a recovery job/],
    [
      'hold of a job that has ended',
      abended,
      (s) => holdJob(s, 'a', operator(9)),
      /only a job that has not started can be held \(it is normal/,
    ],
    ['release of a job that is not held', abended, (s) => releaseJob(s, 'a', operator(9)), /it is not held/],
    ['enable of a job that is not disabled', abended, (s) => enableJob(s, 'a', operator(9)), /it is not disabled/],
    [
      'force-termination in an ended run',
      abended,
      (s) => forceTerminateJob(s, 'b', operator(9)),
      /the run has already ended abended/,
    ],
    [
      'hold in a run that ended normally',
      () => drive(createRunState(jobnet({ a: {}, b: { disabled: true } }), at(0))),
      (s) => enableJob(s, 'b', operator(9)),
      /already ended normal/,
    ],
  ];

  it.each(refusals)('%s', (_name, make, operation, reason) => {
    const state = make();
    const before = JSON.parse(JSON.stringify(state)) as RunState;
    const result = operation(state);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
    expect(state).toEqual(before);
  });

  it('refuses run only when a successor of the job has not run', () => {
    const state = drive(createRunState(jobnet({ a: {}, b: { after: ['a'] } }), at(0)), { a: [4] });
    const result = runOnlyJob(state, 'a', operator(9));
    expect(result).toEqual({
      ok: false,
      reason:
        'cannot run only job "a": its successor "b" has not run yet (it is waiting) and would start after it; use start from "a" instead',
    });
  });

  it('refuses skip once a successor has run', () => {
    let state = createRunState(jobnet({ a: {}, b: {}, merge: { join: 'any', after: ['a', 'b'] } }), at(0));
    state = start(state, 0, 'a', 'b');
    state = end(state, 1, 'b', 0);
    state = drive(end(state, 2, 'a', 3), {}, 3);
    expect(skipJob(state, 'a', operator(9))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/successor "merge" has already run/) as unknown,
    });
  });

  it('refuses recovery operations while a recovery job runs', () => {
    let state = createRunState(jobnet({ load: { recovery: 'cleanup' }, cleanup: {} }), at(0));
    state = run(state, 0, 'load', 2);
    state = start(state, 2, 'cleanup');
    expect(startFromJob(state, 'load', operator(3))).toEqual({
      ok: false,
      reason: 'cannot start from job "load": recovery job "cleanup" is running',
    });
  });

  it('never changes the state it is given, even when it accepts', () => {
    const state = abended();
    const before = JSON.parse(JSON.stringify(state)) as RunState;
    ok(restartRun(state, operator(9)));
    ok(startFromJob(state, 'a', operator(9)));
    expect(state).toEqual(before);
  });
});

describe('hold and release (R-OPS-1, R-JOB)', () => {
  it('a held job does not start, keeps the run open, and starts once released', () => {
    let state = createRunState(jobnet({ a: {}, b: { after: ['a'] } }), at(0));
    state = ok(holdJob(state, 'b', operator(0)));
    state = run(state, 0, 'a', 0);
    expect(stateOf(state, 'b')).toBe('held');
    expect(readyJobs(state)).toEqual([]);
    expect(state.result).toBeUndefined();
    expect(runStatus(state)).toBe('running');
    state = ok(releaseJob(state, 'b', operator(10, 'carol')));
    expect(readyNames(state)).toEqual(['b']);
    expect(state.operations.map((operation) => [operation.operation, operation.by, operation.at])).toEqual([
      ['holdJob', 'alice', at(0)],
      ['releaseJob', 'carol', at(10)],
    ]);
    state = drive(state, {}, 10);
    expect(runStatus(state)).toBe('normal');
  });

  it('a job held by its definition waits for release', () => {
    let state = createRunState(jobnet({ approve: { hold: true } }), at(0));
    expect(readyJobs(state)).toEqual([]);
    state = ok(releaseJob(state, 'approve', operator(1)));
    expect(readyNames(state)).toEqual(['approve']);
  });

  it('refuses to hold a running job', () => {
    const state = start(createRunState(jobnet({ a: {} }), at(0)), 0, 'a');
    expect(holdJob(state, 'a', operator(1))).toEqual({
      ok: false,
      reason:
        'cannot hold job "a": it is running; only a job that has not started can be held (force-terminate it instead)',
    });
  });
});

describe('disable and enable (R-OPS-1, R-JOB)', () => {
  it('a disabled job counts as passed; enabling it re-evaluates what was passed because of it', () => {
    let state = createRunState(
      jobnet({ a: {}, optional: { after: ['a'] }, afterOptional: { after: ['optional'] } }),
      at(0),
    );
    state = ok(disableJob(state, 'optional', operator(0)));
    expect(statesOf(state)).toEqual({ a: 'waiting', optional: 'disabled', afterOptional: 'passed' });
    state = ok(enableJob(state, 'optional', operator(1)));
    expect(statesOf(state)).toEqual({ a: 'waiting', optional: 'waiting', afterOptional: 'waiting' });
    state = drive(state);
    expect(statesOf(state)).toEqual({ a: 'normal', optional: 'normal', afterOptional: 'normal' });
  });

  it('disabling a job behind a failure lets the other predecessors of an AND join carry on after a restart', () => {
    let state = drive(createRunState(jobnet({ a: {}, flaky: {}, report: { after: ['a', 'flaky'] } }), at(0)), {
      flaky: [1],
    });
    expect(runStatus(state)).toBe('abended');
    expect(disableJob(state, 'flaky', operator(5))).toMatchObject({ ok: false });
    state = ok(skipJob(state, 'flaky', operator(5)));
    expect(readyNames(state)).toEqual(['report']);
  });
});

describe('force-termination (R-OPS-1, R-EXIT-2)', () => {
  it('marks a running job for cancellation; its forced end comes back with reason operator', () => {
    let state = start(createRunState(jobnet({ a: {}, b: { after: ['a'] } }), at(0)), 0, 'a');
    state = ok(forceTerminateJob(state, 'a', operator(5)));
    expect(jobsToCancel(state)).toEqual(['a']);
    expect(stateOf(state, 'a')).toBe('running');
    expect(forceTerminateJob(state, 'a', operator(6))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already being force-terminated/) as unknown,
    });
    state = end(state, 7, 'a', { exitCode: 256, forcedReason: 'operator' });
    expect(state.jobs.a).toMatchObject({ state: 'forced', exitCode: 256, forcedReason: 'operator' });
    expect(jobsToCancel(state)).toEqual([]);
    expect(runStatus(state)).toBe('abended');
  });

  it('ends a job that has not started at once', () => {
    const state = ok(
      forceTerminateJob(createRunState(jobnet({ a: {}, b: { after: ['a'] } }), at(0)), 'b', operator(1)),
    );
    expect(state.jobs.b).toMatchObject({ state: 'forced', exitCode: 256, forcedReason: 'operator', endedAt: at(1) });
  });

  it('force-terminating the run cancels every running job, starts nothing more, and ends forced', () => {
    let state = createRunState(jobnet({ a: {}, b: {}, c: { after: ['a'] } }), at(0));
    state = start(state, 0, 'a', 'b');
    state = ok(forceTerminateRun(state, operator(3)));
    expect(jobsToCancel(state)).toEqual(['a', 'b']);
    state = end(state, 4, 'a', 0);
    expect(readyJobs(state)).toEqual([]);
    expect(runStatus(state)).toBe('running');
    state = end(state, 5, 'b', { exitCode: 256, forcedReason: 'operator' });
    expect(state.result).toEqual({ status: 'forced', at: at(5) });
    state = ok(restartRun(state, operator(10)));
    expect(readyJobs(state).map((entry) => [entry.job, entry.mode])).toEqual([
      ['b', 'restart'],
      ['c', 'dependencies'],
    ]);
  });
});

describe('exclusive resources within a run (R-JOB)', () => {
  it('never offers two jobs naming the same resource at once', () => {
    let state = createRunState(
      jobnet({ a: { exclusive: ['db'] }, b: { exclusive: ['db'] }, c: { exclusive: ['files'] } }),
      at(0),
    );
    expect(readyNames(state)).toEqual(['a', 'c']);
    state = start(state, 0, 'a');
    expect(readyNames(state)).toEqual(['c']);
    expect(() => jobStarted(state, 'b', at(0))).toThrow(/exclusive resource/);
    state = end(state, 1, 'a', 0);
    expect(readyNames(state)).toEqual(['b', 'c']);
  });
});
