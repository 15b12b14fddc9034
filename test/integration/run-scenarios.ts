/**
 * Representative runs whose histories are committed for the replay test: every job type the
 * engine runs, joins and conditions, a failure with a restart Update, a child jobnet, a time
 * limit with retry, an exclusive resource and an event signal, REST jobs that poll and that
 * are force-terminated with a termination request, and jobs of several types that end in the
 * workflow task they start in, two of them refused before they run. Used by
 * scripts/record-run-histories.ts to record and by run-replay.test.ts to name them.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { RestMonitoringSpec } from '../../workflows/lib/job-specs.js';
import {
  deliverEventSignal,
  type RunInput,
  type RunOperationRequest,
  type RunView,
} from '../../workflows/run-contract.js';
import { after, condition, jobnetOf, sh } from './run-fixtures.js';
import type { RestTarget } from './rest-target.js';

export interface RunScenario {
  name: string;
  input: RunInput;
  /** Routes the scenario's REST jobs need on the HTTP target. */
  routes?: (target: RestTarget) => void;
  /** Applied in order, each once its `when` holds; the run must then complete. */
  steps: {
    when: (view: RunView) => boolean;
    operation?: RunOperationRequest;
    signal?: (handle: WorkflowHandle) => Promise<void>;
  }[];
}

function restMonitoring(url: string): RestMonitoringSpec {
  return {
    url,
    method: 'GET',
    firstMonitorInterval: 1,
    pollingInterval: 1,
    pollingCount: 0,
    pollingEndKey: 'state',
    pollingEndVal: ['DONE'],
    checkResultKey: 'state',
    checkResultVal: ['DONE'],
  };
}

function input(jobnet: ReturnType<typeof jobnetOf>, extra: Partial<RunInput> = {}): RunInput {
  const { children = {}, ...rest } = jobnet;
  return {
    jobnet: rest,
    children,
    businessDate: '2026-11-23',
    trigger: 'manual',
    requestedBy: 'recorder',
    level: 1,
    ...extra,
  };
}

/** The scenarios; REST jobs call `restTarget` (`http://127.0.0.1:port` of a {@link RestTarget}). */
export function runScenarios(restTarget = 'http://127.0.0.1:9'): RunScenario[] {
  const marker = `/tmp/jobnet-replay-${Date.now()}`;
  return [
    {
      name: 'joins-and-conditions',
      input: input(
        jobnetOf(
          'joins',
          [
            { name: 'probe', type: 'command', capturePrefix: 'P', normalExitMax: 3, spec: sh('echo N=5; exit 2') },
            {
              name: 'check',
              type: 'checkVariable',
              predecessors: after('probe'),
              spec: { variable: 'P.N', number: { op: 'EQ', value: 5 }, invert: false },
            },
            {
              name: 'onTwo',
              type: 'sleep',
              predecessors: [{ job: 'probe', condition: condition('2') }],
              spec: { seconds: 1 },
            },
            {
              name: 'onZero',
              type: 'sleep',
              predecessors: [{ job: 'probe', condition: condition('0') }],
              spec: { seconds: 0 },
            },
            { name: 'slow', type: 'sleep', spec: { seconds: 2 } },
            { name: 'late', type: 'sleep', predecessors: after('slow'), spec: { seconds: 0 } },
            {
              name: 'either',
              type: 'raiseEvent',
              join: 'any',
              predecessors: after('onTwo', 'late'),
              spec: { event: 'DONE', param: '@REGION@' },
            },
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
          {
            name: 'middle',
            type: 'command',
            predecessors: after('first'),
            spec: sh(`test -f ${marker} || { touch ${marker}; exit 4; }`),
          },
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
            {
              name: 'limited',
              type: 'sleep',
              timeLimitSeconds: 1,
              retry: { attempts: 2, intervalSeconds: 0 },
              alwaysNormal: true,
              spec: { seconds: 5 },
            },
            {
              name: 'locked',
              type: 'sleep',
              exclusive: ['replay-resource'],
              expectedDurationSeconds: 1,
              spec: { seconds: 2 },
            },
            { name: 'wait', type: 'waitEvent', spec: { event: 'GO' } },
          ],
          {
            children: { child: jobnetOf('child', [{ name: 'inner', type: 'command', spec: sh('echo "@.VPARAM@"') }]) },
          },
        ),
        { parameter: 'vp' },
      ),
      steps: [
        {
          when: (view) => view.state.jobs.wait?.state === 'running',
          signal: (handle) => handle.signal(deliverEventSignal, { event: 'GO' }),
        },
        {
          when: (view) => view.status === 'abended',
          operation: { operation: 'skipJob', job: 'limited', by: 'recorder' },
        },
      ],
    },
    {
      name: 'rest-poll-and-terminate',
      routes: (target) => {
        target.route('POST', '/jobs', { body: { id: 'j1', queue: 'q' } });
        target.route('GET', '/jobs/j1', (_request, count) => ({ body: { state: count < 2 ? 'RUNNING' : 'DONE' } }));
        target.route('GET', '/forever', { body: { state: 'RUNNING' } });
        target.route('DELETE', '/jobs/j1', { body: {} });
      },
      input: input(
        jobnetOf(
          'rest',
          [
            {
              name: 'poll',
              type: 'rest',
              capturePrefix: 'R',
              spec: {
                outputLimitBytes: 65536,
                request: {
                  url: `${restTarget}/jobs`,
                  method: 'POST',
                  timeout: 5,
                  body: { queue: '@QUEUE@' },
                  takeoverKeys: { ID: 'id' },
                  jobnetValKeys: { QUEUE: 'queue' },
                },
                monitoring: restMonitoring(`${restTarget}/jobs/<ID>`),
              },
            },
            {
              name: 'limited',
              type: 'rest',
              timeLimitSeconds: 3,
              predecessors: after('poll'),
              spec: {
                outputLimitBytes: 65536,
                request: { url: `${restTarget}/jobs`, method: 'POST', timeout: 5, takeoverKeys: { ID: 'id' } },
                monitoring: restMonitoring(`${restTarget}/forever`),
                termination: { url: `${restTarget}/jobs/<ID>`, method: 'DELETE' },
              },
            },
          ],
          { variables: { QUEUE: 'nightly' } },
        ),
      ),
      steps: [{ when: (view) => view.status === 'abended', operation: { operation: 'closeRun', by: 'recorder' } }],
    },
    {
      name: 'jobs-ending-together',
      input: input(
        jobnetOf(
          'together',
          [
            { name: 'gate', type: 'sleep', spec: { seconds: 1 } },
            // Each ends in the workflow task its lock is granted in, without a command of its own: a
            // check, a zero sleep, a raise refused for its event name (over 12 bytes) and a wait refused
            // for a control character after substitution (R-VAR-4).
            {
              name: 'check',
              type: 'checkVariable',
              predecessors: after('gate'),
              exclusive: ['together-check'],
              spec: { variable: 'T.MISSING', invert: true },
            },
            {
              name: 'nap',
              type: 'sleep',
              predecessors: after('gate'),
              exclusive: ['together-nap'],
              spec: { seconds: 0 },
            },
            {
              name: 'refused',
              type: 'raiseEvent',
              predecessors: after('gate'),
              alwaysNormal: true,
              exclusive: ['together-refused'],
              spec: { event: 'NAME_OVER_12_BYTES' },
            },
            {
              name: 'bell',
              type: 'waitTime',
              predecessors: after('gate'),
              alwaysNormal: true,
              exclusive: ['together-bell'],
              spec: { until: '@BELL@' },
            },
            {
              name: 'all',
              type: 'sleep',
              predecessors: after('check', 'nap', 'refused', 'bell'),
              spec: { seconds: 0 },
            },
            {
              name: 'go1',
              type: 'waitEvent',
              predecessors: after('all'),
              exclusive: ['together-go1'],
              spec: { event: 'GO1' },
            },
            {
              name: 'go2',
              type: 'waitEvent',
              predecessors: after('all'),
              exclusive: ['together-go2'],
              spec: { event: 'GO2' },
            },
            {
              name: 'either',
              type: 'checkVariable',
              join: 'any',
              predecessors: after('go1', 'go2'),
              spec: { variable: 'T.MISSING', invert: true },
            },
          ],
          { variables: { BELL: '\u0007' } },
        ),
      ),
      steps: [
        {
          when: (view) => view.state.jobs.go1?.state === 'running' && view.state.jobs.go2?.state === 'running',
          signal: async (handle) => {
            await Promise.all([
              handle.signal(deliverEventSignal, { event: 'GO1' }),
              handle.signal(deliverEventSignal, { event: 'GO2' }),
            ]);
          },
        },
      ],
    },
  ];
}
