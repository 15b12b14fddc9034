/**
 * How a run is shown (R-OPS-7): the job table in flow order with its header and notes, times with
 * their offset in the zone chosen (the run's calendar zone by default),
 * outputs under their rows, and the JSON form with ISO times. Runs are built with the real run
 * state machine, not by hand-written records, so the table is tested on states a run can reach.
 */
import { describe, expect, it } from 'vitest';
import { compiledJob, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import {
  createRunState,
  jobEnded,
  jobStarted,
  runStatus,
  skipJob,
  type RunState,
} from '../../workflows/lib/run-state.js';
import type { RunView } from '../../workflows/run-contract.js';
import { renderRunHeader, renderRunJson, renderRunTable, runViewJson } from '../../controller/runs/render-run.js';

const t0 = Date.parse('2026-11-23T01:15:00Z'); // 10:15:00 in Tokyo
const at = (seconds: number) => t0 + seconds * 1000;

const jobnet: CompiledJobnet = {
  project: 'sales',
  name: 'daily-close',
  revision: '0123456789abcdef0123456789abcdef01234567',
  jobs: {
    extract: compiledJob({ name: 'extract', type: 'command', spec: { argv: ['extract'], env: {} } }),
    load: compiledJob({
      name: 'load',
      type: 'command',
      spec: { argv: ['load'], env: {} },
      predecessors: [{ job: 'extract' }],
    }),
    'publish-report': compiledJob({
      name: 'publish-report',
      type: 'rest',
      spec: {
        request: { url: 'https://reports.example.com/publish', method: 'POST', timeout: 10 },
        outputLimitBytes: 1024,
      },
      predecessors: [{ job: 'load' }],
    }),
    archive: compiledJob({ name: 'archive', type: 'sleep', spec: { seconds: 30 }, timeLimitSeconds: 60 }),
  },
};

/** extract normal, load abended with two output lines, archive killed by its time limit. */
function abendedRun(): RunState {
  let state = createRunState(jobnet, at(0));
  state = jobStarted(state, 'archive', at(0));
  state = jobStarted(state, 'extract', at(0));
  state = jobEnded(state, 'extract', { exitCode: 0, output: 'rows=10\n' }, at(5));
  state = jobStarted(state, 'load', at(5));
  state = jobEnded(state, 'load', { exitCode: 3, output: 'connecting\r\nload failed: disk full\n' }, at(12));
  state = jobEnded(state, 'archive', { exitCode: 256, forcedReason: 'timeLimit' }, at(60));
  return state;
}

function viewOf(state: RunState, extra: Partial<RunView> = {}): RunView {
  return {
    runId: 'run/sales/daily-close/2026-11-23/manual-20261123T011500000Z',
    project: 'sales',
    jobnet: 'daily-close',
    revision: jobnet.revision,
    businessDate: '2026-11-23',
    trigger: 'manual',
    requestedBy: 'alice',
    level: 1,
    status: runStatus(state),
    state,
    troubles: [],
    raisedEvents: [],
    pendingEvents: {},
    jobMessages: {},
    childRuns: {},
    ...extra,
  };
}

describe('renderRunTable', () => {
  it('shows a header and the zone of its times, then one aligned row per job in flow order, with times and their offset', () => {
    const text = renderRunTable(viewOf(abendedRun()), { zone: 'Asia/Tokyo' });
    expect(text).toBe(
      [
        'run run/sales/daily-close/2026-11-23/manual-20261123T011500000Z  sales/daily-close  business date 2026-11-23  revision 0123456  status abended',
        'times in Asia/Tokyo',
        '',
        'JOB             STATE    EXIT  START                      END',
        'archive         forced   256   2026-11-23 10:15:00+09:00  2026-11-23 10:16:00+09:00',
        'extract         normal   0     2026-11-23 10:15:00+09:00  2026-11-23 10:15:05+09:00',
        'load            abended  3     2026-11-23 10:15:05+09:00  2026-11-23 10:15:12+09:00',
        'publish-report  waiting  -     -                          -',
        '',
        'notes:',
        '  archive: force-terminated: time limit exceeded',
        '',
        'this run was started without the scheduler and stays open for recovery: jobnet run restart run/sales/daily-close/2026-11-23/manual-20261123T011500000Z re-runs its failed jobs, jobnet run close run/sales/daily-close/2026-11-23/manual-20261123T011500000Z closes it',
        '',
      ].join('\n'),
    );
  });

  it('gives no recovery hint for a run of the scheduler, a closed run, or one that ended normally', () => {
    const hint = /stays open for recovery/;
    expect(renderRunTable({ ...viewOf(abendedRun()), actor: 'jobnet/q/sales/daily-close' })).not.toMatch(hint);
    expect(renderRunTable({ ...viewOf(abendedRun()), closed: { by: 'op', at: 0 } })).not.toMatch(hint);
    expect(renderRunTable({ ...viewOf(abendedRun()), status: 'normal' })).not.toMatch(hint);
  });

  it('lists the jobs in flow order, not by name, whatever order the view lists them in', () => {
    const flow: CompiledJobnet = {
      ...jobnet,
      jobs: {
        zeta: compiledJob({ name: 'zeta', type: 'sleep', spec: { seconds: 1 } }),
        beta: compiledJob({
          name: 'beta',
          type: 'sleep',
          spec: { seconds: 1 },
          predecessors: [{ job: 'zeta' }],
          recovery: 'cleanup',
        }),
        alpha: compiledJob({ name: 'alpha', type: 'sleep', spec: { seconds: 1 }, predecessors: [{ job: 'beta' }] }),
        cleanup: compiledJob({ name: 'cleanup', type: 'sleep', spec: { seconds: 1 } }),
      },
    };
    const state = createRunState(flow, at(0));
    const reversed = { ...state, jobs: Object.fromEntries(Object.entries(state.jobs).reverse()) };
    const rows = renderRunTable(viewOf(reversed), { zone: 'UTC' }).split('\n').slice(4, 8);
    expect(rows.map((row) => row.split(' ')[0])).toEqual(['zeta', 'beta', 'cleanup', 'alpha']);
  });

  it('shows UTC times with Z in UTC, and the calendar zone of the run by default', () => {
    const text = renderRunTable(viewOf(abendedRun()), { zone: 'UTC' });
    expect(text).toContain('load            abended  3     2026-11-23 01:15:05Z  2026-11-23 01:15:12Z');
    expect(text).toContain('JOB             STATE    EXIT  START                 END\n');
    expect(text.split('\n')[1]).toBe('times in UTC');
    const onCalendar = {
      ...abendedRun(),
      jobnet: {
        ...jobnet,
        calendar: {
          name: 'ny',
          timezone: 'America/New_York',
          dayChangeMinutes: 0,
          versions: [{ weeklyHolidays: [], holidays: [], holidayNames: {}, workdays: [] }],
        },
      },
    };
    const local = renderRunTable(viewOf(onCalendar));
    expect(local.split('\n')[1]).toBe('times in America/New_York');
    expect(local).toContain('2026-11-22 20:15:05-05:00');
    expect(renderRunTable(viewOf(abendedRun()))).toContain('times in UTC');
  });

  it('prints each output line indented under its job row with outputs, and nothing for jobs without output', () => {
    const lines = renderRunTable(viewOf(abendedRun()), { zone: 'UTC', outputs: true }).split('\n');
    const extract = lines.findIndex((line) => line.startsWith('extract '));
    expect(lines.slice(extract, extract + 5)).toEqual([
      'extract         normal   0     2026-11-23 01:15:00Z  2026-11-23 01:15:05Z',
      '    | rows=10',
      'load            abended  3     2026-11-23 01:15:05Z  2026-11-23 01:15:12Z',
      '    | connecting',
      '    | load failed: disk full',
    ]);
    expect(lines[extract - 1]).toMatch(/^archive /);
  });

  it('notes the job messages, forced ends and operator skips', () => {
    const skipped = skipJob(abendedRun(), 'load', { by: 'bob', at: at(90) });
    if (!skipped.ok) throw new Error(skipped.reason);
    const view = viewOf(skipped.state, {
      jobMessages: { 'publish-report': 'variable @REPORT_HOST@ is too long after substitution' },
    });
    const notes = renderRunTable(view, { zone: 'UTC' }).split('notes:\n')[1];
    expect(notes).toBe(
      [
        '  archive: force-terminated: time limit exceeded',
        '  load: skipped by an operator after it failed; its successors continued',
        '  publish-report: variable @REPORT_HOST@ is too long after substitution',
        '',
      ].join('\n'),
    );
  });

  it('prints outputs, messages and names from outside with control characters escaped, so none forges a line or drives the terminal', () => {
    let state = createRunState(jobnet, at(0));
    state = jobStarted(state, 'extract', at(0));
    state = jobEnded(
      state,
      'extract',
      { exitCode: 3, output: 'rows=10\u001b[2J\rforged  normal  0\r\nnext\u009b31m line\n' },
      at(5),
    );
    const view = viewOf(state, {
      closed: { by: 'mallory\nrun forged  status normal', at: at(9) },
      jobMessages: { extract: 'failed\u001b[31m\nerror: forged' },
    });
    const text = renderRunTable(view, { zone: 'UTC', outputs: true });
    expect([...text].filter((c) => (c < ' ' && c !== '\n') || (c >= '\u007f' && c <= '\u009f'))).toEqual([]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/ {2}closed by mallory\\nrun forged {2}status normal$/);
    expect(lines).toContain('    | rows=10\\x1b[2J\\rforged  normal  0');
    expect(lines).toContain('    | next\\x9b31m line');
    expect(lines).toContain('  extract: failed\\x1b[31m\\nerror: forged');
    expect(lines.filter((line) => /^(run forged|forged|error: )/.test(line))).toEqual([]);
  });

  it('has no notes section when every end speaks for itself', () => {
    let state = createRunState(jobnet, at(0));
    state = jobStarted(state, 'extract', at(0));
    expect(renderRunTable(viewOf(state), { zone: 'UTC' })).not.toContain('notes:');
  });
});

describe('renderRunHeader', () => {
  it('keeps a revision that is not a commit SHA as it is and says who closed the run', () => {
    const view = viewOf(abendedRun(), { revision: 'unversioned', closed: { by: 'carol', at: at(120) } });
    expect(renderRunHeader(view)).toBe(
      'run run/sales/daily-close/2026-11-23/manual-20261123T011500000Z  sales/daily-close  business date 2026-11-23  revision unversioned  status abended  closed by carol',
    );
  });
});

describe('runViewJson', () => {
  it('is the run view with every time as an ISO 8601 string', () => {
    const view = viewOf(abendedRun(), {
      closed: { by: 'carol', at: at(120) },
      troubles: [
        { kind: 'jobnetAbended', at: at(60), project: 'sales', jobnet: 'daily-close', runId: 'r', message: 'abended' },
      ],
    });
    const json = JSON.parse(renderRunJson(view)) as {
      state: {
        startedAt: string;
        result: { at: string };
        jobs: Record<string, { startedAt?: string; endedAt?: string; exitCode?: number; output?: string }>;
        jobnet: CompiledJobnet;
      };
      closed: { at: string };
      troubles: { at: string }[];
      runId: string;
    };
    expect(json.runId).toBe(view.runId);
    expect(json.state.startedAt).toBe('2026-11-23T01:15:00.000Z');
    expect(json.state.result.at).toBe('2026-11-23T01:16:00.000Z');
    expect(json.state.jobs.load).toMatchObject({
      startedAt: '2026-11-23T01:15:05.000Z',
      endedAt: '2026-11-23T01:15:12.000Z',
      exitCode: 3,
      output: 'connecting\r\nload failed: disk full\n',
    });
    expect(json.closed.at).toBe('2026-11-23T01:17:00.000Z');
    expect(json.troubles[0]?.at).toBe('2026-11-23T01:16:00.000Z');
    expect(json.state.jobnet).toEqual(jobnet);
  });

  it('leaves no epoch number under a time key anywhere outside the compiled jobnet', () => {
    const timeKeys = new Set(['at', 'startedAt', 'endedAt', 'notBefore']);
    const numericTimes: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value === null || typeof value !== 'object') return;
      for (const [key, entry] of Object.entries(value)) {
        if (timeKeys.has(key) && typeof entry === 'number') numericTimes.push(`${path}/${key}`);
        walk(entry, `${path}/${key}`);
      }
    };
    const skipped = skipJob(abendedRun(), 'load', { by: 'bob', at: at(90) });
    if (!skipped.ok) throw new Error(skipped.reason);
    const json = runViewJson(viewOf(skipped.state));
    walk({ ...json, state: { ...(json.state as object), jobnet: undefined } }, '');
    expect(numericTimes).toEqual([]);
    expect((json.state as RunState).operations).toHaveLength(1);
  });

  it('does not change the view it is given', () => {
    const view = viewOf(abendedRun());
    const before = JSON.stringify(view);
    runViewJson(view);
    expect(JSON.stringify(view)).toBe(before);
  });
});
