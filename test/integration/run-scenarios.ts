/**
 * Representative runs whose histories are committed for the replay test: every job type the
 * engine runs, joins and conditions, a failure with a restart Update, a child jobnet, a time
 * limit with retry, an exclusive resource and an event signal. Used by
 * scripts/record-run-histories.ts to record and by run-replay.test.ts to name them.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { deliverEventSignal, type RunInput, type RunOperationRequest, type RunView } from '../../workflows/run-contract.js';
import { after, condition, jobnetOf, sh } from './run-fixtures.js';

export interface RunScenario {
  name: string;
  input: RunInput;
  /** Applied in order, each once its `when` holds; the run must then complete. */
  steps: { when: (view: RunView) => boolean; operation?: RunOperationRequest; signal?: (handle: WorkflowHandle) => Promise<void> }[];
}



function input(jobnet: ReturnType<typeof jobnetOf>, extra: Partial<RunInput> = {}): RunInput {
  const { children = {}, ...rest } = jobnet;
  return { jobnet: rest, children, businessDate: '2026-11-23', trigger: 'manual', requestedBy: 'recorder', level: 1, ...extra };
}

export function runScenarios(): RunScenario[] {
  const marker = `/tmp/jobnet-replay-${Date.now()}`;
  return [
    {
      name: 'joins-and-conditions',
      input: input(
        jobnetOf(
          'joins',
          [
            { name: 'probe', type: 'command', capturePrefix: 'P', normalExitMax: 3, spec: sh('echo N=5; exit 2') },
            { name: 'check', type: 'checkVariable', predecessors: after('probe'), spec: { variable: 'P.N', number: { op: 'EQ', value: 5 }, invert: false } },
            { name: 'onTwo', type: 'sleep', predecessors: [{ job: 'probe', condition: condition('2') }], spec: { seconds: 1 } },
            { name: 'onZero', type: 'sleep', predecessors: [{ job: 'probe', condition: condition('0') }], spec: { seconds: 0 } },
            { name: 'slow', type: 'sleep', spec: { seconds: 2 } },
            { name: 'late', type: 'sleep', predecessors: after('slow'), spec: { seconds: 0 } },
            { name: 'either', type: 'raiseEvent', join: 'any', predecessors: after('onTwo', 'late'), spec: { event: 'DONE', param: '@REGION@' } },
          ],
          { variables: { REGION: 'ap-northeast-1' } },
        ),
        { parameter: 'p' },
      ),
      steps: [],
    },
    {
      name: 'failure-and-restart',
      input: input(
        jobnetOf('restart', [
          { name: 'first', type: 'sleep', spec: { seconds: 0 } },
          { name: 'middle', type: 'command', predecessors: after('first'), spec: sh(`test -f ${marker} || { touch ${marker}; exit 4; }`) },
          { name: 'last', type: 'sleep', predecessors: after('middle'), spec: { seconds: 0 } },
        ]),
      ),
      steps: [{ when: (view) => view.status === 'abended', operation: { operation: 'restartRun', by: 'recorder' } }],
    },
    {
      name: 'child-time-limit-retry-exclusive',
      input: input(
        jobnetOf(
          'parent',
          [
            { name: 'sub', type: 'jobnet', spec: { jobnet: 'child' } },
            { name: 'limited', type: 'sleep', timeLimitSeconds: 1, retry: { attempts: 2, intervalSeconds: 0 }, alwaysNormal: true, spec: { seconds: 5 } },
            { name: 'locked', type: 'sleep', exclusive: ['replay-resource'], expectedDurationSeconds: 1, spec: { seconds: 2 } },
            { name: 'wait', type: 'waitEvent', spec: { event: 'GO' } },
          ],
          { children: { child: jobnetOf('child', [{ name: 'inner', type: 'command', spec: sh('echo "@.VPARAM@"') }]) } },
        ),
        { parameter: 'vp' },
      ),
      steps: [
        { when: (view) => view.state.jobs.wait?.state === 'running', signal: (handle) => handle.signal(deliverEventSignal, { event: 'GO' }) },
        { when: (view) => view.status === 'abended', operation: { operation: 'skipJob', job: 'limited', by: 'recorder' } },
      ],
    },
  ];
}
