/**
 * The run workflow on the real dev server with a real worker (R-DEP, R-EXIT, R-JOB, R-VAR,
 * R-JOBT, R-OPS). Times are short but real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
        { name: 'a', type: 'command', capturePrefix: 'A', spec: { argv: ['sh', '-c', 'echo COUNT=7'], env: {} } },
        { name: 'b', type: 'sleep', spec: { seconds: 1 } },
        { name: 'check', type: 'checkVariable', predecessors: after('a', 'b'), spec: { variable: 'A.COUNT', number: { op: 'GE', value: 5 }, invert: false } },
      ]),
    );
    const view = await harness.waitForEnd(id);
    expect(summary(view)).toEqual({ '': 'normal', a: 'normal 0', b: 'normal 0', check: 'normal 0' });
    expect(view.state.variables).toEqual({ 'A.COUNT': '7' });
    expect(view.state.jobs.check?.output).toBe('A.COUNT=7');
    expect(view.state.jobs.b?.output).toBe('SL_SLEEPSEC=1');
  });
});
