/**
 * How jobnets are shown (R-OPS-7): `jobnet get jobnet` with its fields and the newest troubles
 * and operations, `jobnet ls`, `jobnet troubles` sorted by time, the `jobnet apply` summary and
 * the answers of `jobnet event raise|clear`, in local or UTC time, and the JSON forms with ISO
 * times. Views are built by hand on states made with the jobnet state machine's own recorders.
 */
import { describe, expect, it } from 'vitest';
import type { JobnetView } from '../../workflows/jobnet-actor-contract.js';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import {
  createActorState,
  recordOperation,
  recordTrouble,
  type ActorRun,
  type JobnetActorState,
} from '../../workflows/lib/jobnet-state.js';
import { compiledScheduleOf } from '../../workflows/lib/compiled-schedule.js';
import {
  applySummaryOf,
  awaitsConfirmation,
  isTroubleKind,
  jobnetListJson,
  jobnetViewJson,
  renderApplySummary,
  renderEventClear,
  renderEventRaise,
  renderJobnetList,
  renderJobnetView,
  renderTroubleTable,
  unknownEventText,
  renderTroublesJson,
  selectTroubles,
} from '../../controller/jobnets/render-jobnet.js';

const t0 = Date.parse('2026-11-23T01:15:00Z'); // 10:15:00 in Tokyo
const at = (seconds: number) => t0 + seconds * 1000;
const utc = { zone: 'UTC' };

function viewOf(state: JobnetActorState, extra: Partial<JobnetView> = {}): JobnetView {
  return {
    project: 'sales',
    name: 'daily-close',
    revision: '0123456789abcdef0123456789abcdef01234567',
    status: 'waiting',
    businessDate: '2026-11-23',
    trigger: 'at',
    nextStarts: [
      { businessDate: '2026-11-23', instant: '2026-11-23T13:00:00.000Z', time: '22:00', kind: 'at' },
      { businessDate: '2026-11-24', instant: '2026-11-24T13:00:00.000Z', time: '22:00', kind: 'at' },
    ],
    state,
    ...extra,
  };
}

function run(runId: string, status: ActorRun['status'], startedAt: number, extra: Partial<ActorRun> = {}): ActorRun {
  return { runId, businessDate: '2026-11-23', trigger: 'schedule', startedAt, status, completed: false, ...extra };
}

const identity = { project: 'sales', jobnet: 'daily-close' };

/** The value of the `label` line of a rendered view. */
function field(text: string, label: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${label}  `));
  return line?.slice(label.length).trim();
}

describe('renderJobnetView', () => {
  it('shows a waiting time-started jobnet: status, business date, short revision, trigger and each next start with its business date', () => {
    const text = renderJobnetView(viewOf(createActorState('2026-11-23', t0), { title: 'Daily close' }), utc);
    expect(text.split('\n')[0]).toBe('jobnet sales/daily-close  Daily close');
    expect(field(text, 'status')).toBe('waiting');
    expect(field(text, 'business date')).toBe('2026-11-23');
    expect(field(text, 'revision')).toBe('0123456');
    expect(field(text, 'trigger')).toBe('at');
    expect(text).toMatch(/^next starts +2026-11-23 13:00:00Z {2}business date 2026-11-23$/m);
    expect(text).toMatch(/^ +2026-11-24 13:00:00Z {2}business date 2026-11-24$/m);
    expect(field(text, 'open run')).toBe('none');
    expect(field(text, 'last run')).toBe('none');
    expect(field(text, 'held')).toBe('no');
    expect(field(text, 'disabled')).toBe('no');
    expect(field(text, 'carried over')).toBe('no');
    expect(field(text, 'awaiting confirmation')).toBe('no');
    expect(field(text, 'pending events')).toBe('none');
    expect(text).toContain('troubles (0):\n  none');
    expect(text).toContain('operations (0):\n  none');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('shows the open and last run, the operator flags, the deferred start and pending events per event, in the local time zone given', () => {
    const state = createActorState('2026-11-23', t0);
    state.currentRun = run('run/sales/daily-close/2026-11-23/schedule-1', 'running', at(0), { parameter: 'P-1' });
    state.lastRun = run('run/sales/daily-close/2026-11-22/schedule-0', 'abended', at(-86_400), {
      businessDate: '2026-11-22',
      completed: true,
    });
    state.held = true;
    state.deferred = { trigger: 'event', businessDate: '2026-11-23', at: at(30), by: 'alice' };
    state.disabledByOperator = false;
    state.carriedOver = 'run/sales/daily-close/2026-11-22/schedule-0';
    state.awaitingConfirmation = true;
    state.pendingEvents = {
      STOCK: [{ at: at(1), by: 'bob' }],
      ORDER: [
        { at: at(2), by: 'bob' },
        { at: at(3), by: 'carol', parameter: 'x' },
      ],
      EMPTY: [],
    };
    const text = renderJobnetView(viewOf(state, { status: 'held' }), {
      zone: 'Asia/Tokyo',
      zoneSource: 'calendar jp-business',
    });
    expect(field(text, 'status')).toBe('held');
    expect(field(text, 'open run')).toBe(
      'run/sales/daily-close/2026-11-23/schedule-1  running  started 2026-11-23 10:15:00+09:00  schedule start  business date 2026-11-23  parameter "P-1"',
    );
    expect(field(text, 'last run')).toBe(
      'run/sales/daily-close/2026-11-22/schedule-0  abended  started 2026-11-22 10:15:00+09:00  schedule start  business date 2026-11-22',
    );
    expect(field(text, 'held')).toBe('yes');
    expect(field(text, 'deferred start')).toBe(
      'event start of business date 2026-11-23 at 2026-11-23 10:15:30+09:00 by alice',
    );
    expect(field(text, 'disabled')).toBe('no (enabled by an operator)');
    expect(field(text, 'carried over')).toBe('run/sales/daily-close/2026-11-22/schedule-0');
    expect(field(text, 'awaiting confirmation')).toBe('yes: nothing starts until jobnet confirm sales/daily-close');
    expect(field(text, 'pending events')).toBe('ORDER: 2, STOCK: 1');
    expect(text).toMatch(/^next starts +2026-11-23 22:00:00\+09:00 {2}business date 2026-11-23$/m);
    expect(field(text, 'times')).toBe('Asia/Tokyo (calendar jp-business)');
  });

  it('says an abended jobnet awaits confirmation when its schedule requires it, though its run is still open', () => {
    const state = createActorState('2026-11-23', t0);
    state.currentRun = run('run/sales/daily-close/2026-11-23/schedule-1', 'abended', at(0));
    const confirming = compiledScheduleOf({ requireConfirmation: true });
    expect(state.awaitingConfirmation).toBe(false);
    expect(
      field(
        renderJobnetView(viewOf(state, { status: 'abended' }), { ...utc, schedule: confirming }),
        'awaiting confirmation',
      ),
    ).toBe('yes: nothing starts until jobnet confirm sales/daily-close');
    expect(
      field(
        renderJobnetView(viewOf(state, { status: 'abended' }), { ...utc, schedule: compiledScheduleOf() }),
        'awaiting confirmation',
      ),
    ).toBe('no');
    // Closed by an operator: still abended until confirmed.
    const closed = createActorState('2026-11-23', t0);
    closed.lastRun = run('run/sales/daily-close/2026-11-23/schedule-1', 'abended', at(0), { completed: true });
    closed.lastOutcome = 'abended';
    expect(awaitsConfirmation(closed, confirming)).toBe(true);
    expect(awaitsConfirmation(createActorState('2026-11-23', t0), confirming)).toBe(false);
    const running = createActorState('2026-11-23', t0);
    running.currentRun = run('run-2', 'running', at(0));
    expect(awaitsConfirmation(running, confirming)).toBe(false);
  });

  it('says whether the jobnet is disabled by an operator or by its definition', () => {
    const byOperator = createActorState('2026-11-23', t0);
    byOperator.disabledByOperator = true;
    expect(field(renderJobnetView(viewOf(byOperator, { status: 'disabled' }), utc), 'disabled')).toBe(
      'yes (by an operator)',
    );
    expect(
      field(renderJobnetView(viewOf(createActorState('2026-11-23', t0), { status: 'disabled' }), utc), 'disabled'),
    ).toBe('yes (enabled: false in the definition)');
  });

  it('shows event starts as business dates with the earliest time, and a manual jobnet as having no planned starts', () => {
    const events = renderJobnetView(
      viewOf(createActorState('2026-11-23', t0), {
        trigger: 'events',
        nextStarts: [
          { businessDate: '2026-11-23', instant: '2026-11-23T00:00:00.000Z', time: '00:00', kind: 'events' },
        ],
      }),
      utc,
    );
    expect(field(events, 'next starts')).toBe('2026-11-23  on events, not before 2026-11-23 00:00:00Z');
    const manual = renderJobnetView(
      viewOf(createActorState('2026-11-23', t0), { trigger: 'manual', nextStarts: [] }),
      utc,
    );
    expect(field(manual, 'next starts')).toBe('none (manual starts only)');
  });

  it('lists only the newest 10 troubles and operations, oldest first, with how many there were', () => {
    const state = createActorState('2026-11-23', t0);
    for (let i = 1; i <= 12; i++) {
      recordTrouble(state, identity, {
        kind: i % 2 === 0 ? 'executionRefused' : 'jobnetAbended',
        at: at(i),
        runId: `run-${i}`,
        ...(i % 2 === 1 ? { job: 'load', exitCode: 3 } : {}),
        message: `trouble ${i}\nsecond line`,
      });
      recordOperation(state, {
        operation: i % 2 === 0 ? 'hold' : 'release',
        by: `op-${i}`,
        at: at(i),
        detail: `detail ${i}`,
      });
    }
    const text = renderJobnetView(viewOf(state), utc);
    expect(text).toContain('troubles (the last 10 of 12):');
    expect(text).toContain('operations (the last 10 of 12):');
    expect(text).not.toContain('trouble 2 ');
    expect(text).not.toContain('detail 2\n');
    expect(text).toMatch(/^ {2}TIME +KIND +RUN +JOB +EXIT +MESSAGE$/m);
    expect(text).toMatch(/^ {2}2026-11-23 01:15:03Z +jobnetAbended +run-3 +load +3 +trouble 3 second line$/m);
    expect(text).toMatch(/^ {2}2026-11-23 01:15:12Z +executionRefused +run-12 +- +- +trouble 12 second line$/m);
    expect(text).toMatch(/^ {2}TIME +BY +OPERATION +DETAIL$/m);
    expect(text).toMatch(/^ {2}2026-11-23 01:15:12Z +op-12 +hold +detail 12$/m);
    expect(text.indexOf('trouble 3 ')).toBeLessThan(text.indexOf('trouble 12 '));
  });
});

describe('text from definitions and operators', () => {
  const controls = (text: string): string[] =>
    [...text].filter((c) => (c < ' ' && c !== '\n') || (c >= '\u007f' && c <= '\u009f'));

  it('is printed with control characters escaped in the view, the tables and event answers, so none forges a line or drives the terminal', () => {
    const state = createActorState('2026-11-23', t0);
    state.deferred = { trigger: 'event', businessDate: '2026-11-23', at: at(30), by: 'eve\nheld  no' };
    recordTrouble(state, identity, {
      kind: 'jobnetAbended',
      at: at(1),
      runId: 'run-1',
      job: 'load\u001b[2J',
      exitCode: 3,
      message: 'failed\u001b[31m red\u009b2J',
    });
    recordOperation(state, { operation: 'hold', by: 'mallory\r\u001b[Kalice', at: at(2), detail: 'held\u0007' });
    const view = viewOf(state, { title: 'Daily close\u001b]0;owned\u0007' });
    const text = renderJobnetView(view, utc);
    expect(controls(text)).toEqual([]);
    expect(text.split('\n')[0]).toBe('jobnet sales/daily-close  Daily close\\x1b]0;owned\\x07');
    expect(field(text, 'deferred start')).toBe(
      'event start of business date 2026-11-23 at 2026-11-23 01:15:30Z by eve\\nheld  no',
    );
    expect(text).toMatch(
      /^ {2}2026-11-23 01:15:01Z +jobnetAbended +run-1 +load\\x1b\[2J +3 +failed\\x1b\[31m red\\x9b2J$/m,
    );
    expect(text).toMatch(/^ {2}2026-11-23 01:15:02Z +mallory\\r\\x1b\[Kalice +hold +held\\x07$/m);
    expect(controls(renderTroubleTable(selectTroubles([view]), utc))).toEqual([]);
    expect(controls(renderJobnetList([{ project: 'sales', jobnet: 'daily\u001b[2J', view }]))).toEqual([]);
    const raised = renderEventRaise({
      event: 'ORDER',
      results: [
        { project: 'sales', jobnet: 'intake', outcome: 'refused', detail: 'no\u001b[2J\rsales/other: started' },
      ],
    });
    expect(raised.stderr).toBe('refused: sales/intake: no\\x1b[2J\\rsales/other: started\n');
    expect(renderEventRaise({ event: 'EV\u001b[2J', results: [] }).stderr).toBe(
      'refused: no jobnet waits for event EV\\x1b[2J\n',
    );
  });
});

describe('jobnetViewJson', () => {
  it('keeps the view as the actor answers it, with every time as an ISO 8601 string', () => {
    const state = createActorState('2026-11-23', t0);
    state.currentRun = run('run-1', 'running', at(5), { endDeadlineAt: at(3600) });
    recordTrouble(state, identity, { kind: 'startDelayed', at: at(7), message: 'late' });
    recordOperation(state, { operation: 'hold', by: 'alice', at: at(8), detail: 'held' });
    state.pendingEvents = { ORDER: [{ at: at(9), by: 'bob' }] };
    const json = jobnetViewJson(viewOf(state)) as {
      status: string;
      nextStarts: unknown[];
      state: Record<string, unknown> & {
        currentRun: Record<string, unknown>;
        troubles: Record<string, unknown>[];
        operations: Record<string, unknown>[];
        pendingEvents: Record<string, Record<string, unknown>[]>;
      };
    };
    expect(json.status).toBe('waiting');
    expect(json.nextStarts).toHaveLength(2);
    expect(json.state.cursor).toBe('2026-11-23T01:15:00.000Z');
    expect(json.state.currentRun.startedAt).toBe('2026-11-23T01:15:05.000Z');
    expect(json.state.currentRun.endDeadlineAt).toBe('2026-11-23T02:15:00.000Z');
    expect(json.state.troubles[0]).toMatchObject({
      id: 'sales/daily-close#1',
      kind: 'startDelayed',
      at: '2026-11-23T01:15:07.000Z',
    });
    expect(json.state.operations[0]).toMatchObject({ operation: 'hold', at: '2026-11-23T01:15:08.000Z' });
    expect(json.state.pendingEvents.ORDER?.[0]?.at).toBe('2026-11-23T01:15:09.000Z');
    expect(json.state.runCount).toBe(0);
  });
});

describe('renderJobnetList', () => {
  it('shows one row per jobnet with its status, trigger, business date and next start, "?" where the query failed, "-" without a start', () => {
    const text = renderJobnetList(
      [
        { project: 'sales', jobnet: 'daily-close', view: viewOf(createActorState('2026-11-23', t0)) },
        {
          project: 'sales',
          jobnet: 'manual',
          view: viewOf(createActorState('2026-11-23', t0), { name: 'manual', trigger: 'manual', nextStarts: [] }),
        },
        {
          project: 'sales',
          jobnet: 'intake',
          view: viewOf(createActorState('2026-11-23', t0), {
            name: 'intake',
            trigger: 'events',
            nextStarts: [
              { businessDate: '2026-11-23', instant: '2026-11-23T00:00:00.000Z', time: '00:00', kind: 'events' },
            ],
          }),
        },
        { project: 'sales', jobnet: 'broken', error: 'query timed out' },
      ],
      utc,
    );
    expect(text.split('\n')).toEqual([
      'JOBNET             STATUS   TRIGGER  BUSINESS-DATE  NEXT-START',
      'sales/daily-close  waiting  at       2026-11-23     2026-11-23 13:00:00Z',
      'sales/manual       waiting  manual   2026-11-23     -',
      'sales/intake       waiting  events   2026-11-23     on events',
      'sales/broken       ?        ?        ?              ?',
      '',
    ]);
  });

  it('gives scripts the same rows, with the error instead of the state', () => {
    const json = jobnetListJson([
      { project: 'sales', jobnet: 'daily-close', view: viewOf(createActorState('2026-11-23', t0)) },
      { project: 'sales', jobnet: 'broken', error: 'query timed out' },
    ]);
    expect(json).toEqual([
      {
        project: 'sales',
        jobnet: 'daily-close',
        status: 'waiting',
        trigger: 'at',
        businessDate: '2026-11-23',
        revision: '0123456789abcdef0123456789abcdef01234567',
        nextStart: { businessDate: '2026-11-23', instant: '2026-11-23T13:00:00.000Z', time: '22:00', kind: 'at' },
      },
      { project: 'sales', jobnet: 'broken', error: 'query timed out' },
    ]);
  });
});

describe('troubles', () => {
  function troubled(): JobnetView[] {
    const a = createActorState('2026-11-23', t0);
    const b = createActorState('2026-11-23', t0);
    for (let i = 1; i <= 10; i++)
      recordTrouble(a, identity, {
        kind: 'executionRefused',
        at: i === 10 ? at(0) : at(100 + i),
        message: `refused ${i}`,
      });
    recordTrouble(a, identity, {
      kind: 'jobnetAbended',
      at: at(0),
      runId: 'run-a',
      job: 'load',
      exitCode: 3,
      message: 'load failed\nexit 3',
    });
    recordTrouble(
      b,
      { project: 'infra', jobnet: 'backup' },
      { kind: 'jobOverrun', at: at(50), runId: 'run-b', job: 'copy', message: 'copy overran' },
    );
    return [viewOf(a), viewOf(b, { project: 'infra', name: 'backup' })];
  }

  it('sorts the troubles of every jobnet by time, then jobnet, then the order they were recorded in', () => {
    const sorted = selectTroubles(troubled());
    expect(sorted.map((trouble) => trouble.id)).toEqual([
      'sales/daily-close#10',
      'sales/daily-close#11',
      'infra/backup#1',
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `sales/daily-close#${n}`),
    ]);
  });

  it('keeps only the kind asked for', () => {
    expect(selectTroubles(troubled(), { kind: 'jobOverrun' }).map((trouble) => trouble.id)).toEqual(['infra/backup#1']);
    expect(selectTroubles(troubled(), { kind: 'endDelayed' })).toEqual([]);
  });

  it('prints the table TIME KIND PROJECT/JOBNET RUN JOB EXIT INCIDENT MESSAGE, one line per trouble', () => {
    const [abended, overrun] = selectTroubles(troubled()).slice(1, 3);
    const text = renderTroubleTable([{ ...abended!, incident: { number: 'INC0010042', sysId: 'a1' } }, overrun!], utc);
    expect(text.split('\n')).toEqual([
      'TIME                  KIND           PROJECT/JOBNET     RUN    JOB   EXIT  INCIDENT    MESSAGE',
      '2026-11-23 01:15:00Z  jobnetAbended  sales/daily-close  run-a  load  3     INC0010042  load failed exit 3',
      '2026-11-23 01:15:50Z  jobOverrun     infra/backup       run-b  copy  -     -           copy overran',
      '',
    ]);
    expect(renderTroubleTable([])).toBe('no troubles\n');
  });

  it('gives scripts the troubles with ISO times', () => {
    const json = JSON.parse(renderTroublesJson(selectTroubles(troubled(), { kind: 'jobOverrun' }))) as unknown;
    expect(json).toEqual([
      {
        id: 'infra/backup#1',
        kind: 'jobOverrun',
        at: '2026-11-23T01:15:50.000Z',
        project: 'infra',
        jobnet: 'backup',
        runId: 'run-b',
        job: 'copy',
        message: 'copy overran',
      },
    ]);
  });

  it('knows the six trouble kinds and nothing else', () => {
    for (const kind of [
      'jobnetAbended',
      'startDelayed',
      'endDelayed',
      'executionRefused',
      'executionSkipped',
      'jobOverrun',
    ])
      expect(isTroubleKind(kind), kind).toBe(true);
    expect(isTroubleKind('toString')).toBe(false);
    expect(isTroubleKind('abended')).toBe(false);
  });
});

describe('apply summary', () => {
  const jobnet = (
    project: string,
    name: string,
    start: NonNullable<CompiledJobnet['schedule']>['start'] | undefined,
  ): CompiledJobnet => ({
    project,
    name,
    revision: 'abc',
    digest: `digest-${name}`,
    jobs: { a: compiledJob({ name: 'a', type: 'sleep', spec: { seconds: 1 } }) },
    ...(start !== undefined
      ? {
          schedule: {
            enabled: true,
            days: { everyDay: true },
            dayPatterns: {},
            start,
            catchUpWindowSeconds: 600,
            deadlines: {},
            requireConfirmation: false,
          },
        }
      : {}),
  });

  it('lists each jobnet with its trigger kind, then how many were applied and routed', () => {
    const jobnets = [
      jobnet('infra', 'backup', { at: ['02:00'] }),
      jobnet('sales', 'intake', {
        events: { names: ['ORDER'], mode: 'any', whileRunning: false, oncePerDay: false, startDaysOnly: false },
      }),
      jobnet('sales', 'adhoc', undefined),
    ];
    const summary = applySummaryOf(
      jobnets,
      ['jobnet/infra/backup', 'jobnet/sales/intake', 'jobnet/sales/adhoc'],
      'abc',
      1,
    );
    expect(summary.jobnets[1]).toEqual({
      project: 'sales',
      jobnet: 'intake',
      trigger: 'events',
      actor: 'jobnet/sales/intake',
      digest: 'digest-intake',
    });
    expect(renderApplySummary(summary).split('\n')).toEqual([
      'infra/backup  at',
      'sales/intake  events',
      'sales/adhoc   manual',
      'applied 3 jobnets (revision abc), 1 routed for events',
      '',
    ]);
    expect(
      renderApplySummary(applySummaryOf(jobnets.slice(0, 1), ['jobnet/infra/backup'], 'unversioned', 0)),
    ).toContain('applied 1 jobnet (revision unversioned), 0 routed for events');
  });
});

describe('event answers', () => {
  it('prints one line per jobnet that took a raise and each refusal on stderr', () => {
    const rendered = renderEventRaise({
      event: 'ORDER',
      results: [
        { project: 'sales', jobnet: 'intake', outcome: 'started', detail: 'run run-1 started', runId: 'run-1' },
        { project: 'sales', jobnet: 'queue', outcome: 'pending', detail: '2 raise(s) of ORDER pending' },
        { project: 'sales', jobnet: 'busy', outcome: 'refused', detail: 'refused: run run-0 is still running' },
      ],
    });
    expect(rendered.stdout).toBe(
      'sales/intake: started: run run-1 started\nsales/queue: pending: 2 raise(s) of ORDER pending\n',
    );
    expect(rendered.stderr).toBe('refused: sales/busy: refused: run run-0 is still running\n');
    expect(rendered.refused).toBe(true);
  });

  it('refuses a raise no jobnet in scope waits for, naming the known events and the closest one', () => {
    const routes = [
      { project: 'sales', jobnet: 'intake', startEvents: ['ORDER_FILE'], waitEvents: [] },
      { project: 'infra', jobnet: 'audit', startEvents: ['HEARTBEAT'], waitEvents: ['BATCH_DONE'] },
    ];
    expect(renderEventRaise({ event: 'ORDER_FIEL', results: [] }, routes)).toEqual({
      stdout: '',
      stderr:
        'refused: no jobnet waits for event ORDER_FIEL (did you mean ORDER_FILE?); the events jobnets wait for: BATCH_DONE, HEARTBEAT, ORDER_FILE\n',
      refused: true,
    });
    expect(unknownEventText('NOPE_EVENT', routes)).toBe(
      'no jobnet waits for event NOPE_EVENT; the events jobnets wait for: BATCH_DONE, HEARTBEAT, ORDER_FILE',
    );
    expect(unknownEventText('HEARTBEET', routes, { project: 'infra' })).toBe(
      'no jobnet in project infra waits for event HEARTBEET (did you mean HEARTBEAT?); the events jobnets in project infra wait for: BATCH_DONE, HEARTBEAT',
    );
    expect(unknownEventText('ORDER_FILE', routes, { project: 'infra' })).toBe(
      'no jobnet in project infra waits for event ORDER_FILE; it is waited for by sales/intake (raise it without --project/--jobnet, or with theirs)',
    );
    expect(unknownEventText('X', [])).toBe('no jobnet waits for event X: no applied jobnet waits for any event');
    expect(unknownEventText('X', undefined)).toBe('no jobnet waits for event X');
  });

  it('prints the raises cleared per jobnet and in total, refusals on stderr', () => {
    const rendered = renderEventClear({
      results: [
        { project: 'sales', jobnet: 'intake', cleared: 3 },
        { project: 'sales', jobnet: 'queue', cleared: 1 },
        { project: 'sales', jobnet: 'gone', cleared: 0, refused: 'its workflow is not running' },
      ],
    });
    expect(rendered.stdout).toBe(
      'sales/intake: 3 pending raises cleared\nsales/queue: 1 pending raise cleared\ncleared 4 pending raises of 2 jobnets\n',
    );
    expect(rendered.stderr).toBe('refused: sales/gone: its workflow is not running\n');
    expect(rendered.refused).toBe(true);
    expect(renderEventClear({ results: [] }).refused).toBe(false);
  });
});
