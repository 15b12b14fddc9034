/**
 * The scheduler from the command line, end to end through the real bin against the real dev
 * server and a real worker (R-OPS-1, R-OPS-3, R-OPS-7, R-EVT-1, R-TRB): `jobnet apply` loads a
 * definitions directory into jobnet actors, `jobnet get jobnet`, `ls` and `troubles` show them,
 * the jobnet operations change them or are refused with a reason (exit 1), `jobnet start`
 * without `--dir` starts a run through the actor, and `jobnet event raise|clear` reach the
 * jobnets that wait for an event.
 *
 * Jobnet actor ids (`jobnet/<project>/<jobnet>`) are global in the namespace: the fixture's
 * project `clitest` is used by no other test.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobnetView } from '../../workflows/jobnet-actor-contract.js';
import type { JobnetTrouble } from '../../workflows/lib/jobnet-state.js';
import { runJobnet, type CliResult } from './cli-process.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';

const definitions = 'test/fixtures/valid/scheduler-cli';
const jobnetCount = 7;
let harness: RunHarness;
let firstApply: CliResult;

async function jobnet(...args: string[]): Promise<CliResult> {
  const target = [
    '--address',
    harness.target.address,
    '--namespace',
    harness.target.namespace,
    '--task-queue',
    harness.target.taskQueue,
  ];
  return await runJobnet([...args, ...target]);
}

/** `jobnet get jobnet <reference> --json`, parsed; fails the test when the command fails. */
async function view(reference: string): Promise<JobnetView> {
  const shown = await jobnet('get', 'jobnet', reference, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as JobnetView;
}

/** Runs `probe` every 200 ms until `accept` holds; fails with the last result after `timeoutMs`. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  harness = await startRunHarness({ allowCommandJobs: true });
  firstApply = await jobnet('apply', '--dir', definitions, '--by', 'cli-test');
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

describe('jobnet apply', () => {
  it('prints each jobnet with its trigger and a summary, and applying the same revision again changes nothing', async () => {
    expect(firstApply.stderr).toBe('');
    expect(firstApply.code).toBe(0);
    expect(firstApply.stdout).toMatch(/^clitest\/nightly +at$/m);
    expect(firstApply.stdout).toMatch(/^clitest\/operated +manual$/m);
    expect(firstApply.stdout).toMatch(/^clitest\/on-order +events$/m);
    expect(firstApply.stdout).toMatch(/^clitest\/on-order-disabled +events$/m);
    expect(firstApply.stdout).toMatch(
      new RegExp(`^applied ${jobnetCount} jobnets \\(revision \\S+\\), 2 routed for events$`, 'm'),
    );

    const again = await jobnet('apply', '--dir', definitions, '--by', 'cli-test', '--json');
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as {
      revision: string;
      routes: number;
      jobnets: { project: string; jobnet: string; trigger: string; actor: string }[];
    };
    expect(summary.routes).toBe(2);
    expect(summary.jobnets).toHaveLength(jobnetCount);
    expect(summary.jobnets).toContainEqual(
      expect.objectContaining({
        project: 'clitest',
        jobnet: 'nightly',
        trigger: 'at',
        actor: `jobnet/${encodeURIComponent(harness.target.taskQueue)}/clitest/nightly`,
      }),
    );
    // The actor ignores a definition whose digest it already has: no apply is recorded.
    expect(
      (await view('clitest/nightly')).state.operations.filter((operation) => operation.operation === 'apply'),
    ).toEqual([]);
  }, 60_000);

  it('applies nothing and exits 1 when the definitions are invalid', async () => {
    const { code, stdout, stderr } = await jobnet('apply', '--dir', 'test/fixtures/combined/six-mistakes');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('have errors; nothing was applied');
  });
});

describe('jobnet get jobnet', () => {
  it('shows a time-started jobnet waiting, with its next starts at the times of its definition', async () => {
    const shown = await view('clitest/nightly');
    expect(shown.status).toBe('waiting');
    expect(shown.trigger).toBe('at');
    expect(shown.nextStarts.length).toBeGreaterThan(0);
    for (const start of shown.nextStarts) {
      expect(start.kind).toBe('at');
      expect(['02:30', '14:30']).toContain(start.time);
      expect(Date.parse(start.instant)).toBeGreaterThan(Date.now() - 60_000);
    }

    const text = await jobnet('get', 'jobnet', 'clitest/nightly', '--utc');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^status +waiting$/m);
    expect(text.stdout).toMatch(/^next starts +\d{4}-\d{2}-\d{2} (02|14):30:00Z {2}business date \d{4}-\d{2}-\d{2}$/m);
  });

  it('exits 1 saying so when the jobnet has not been applied', async () => {
    const { code, stderr } = await jobnet('get', 'jobnet', 'clitest/never-applied');
    expect(code).toBe(1);
    expect(stderr).toContain('jobnet clitest/never-applied is not applied (run jobnet apply)');
  });
});

describe('jobnet operations', () => {
  it('holds a jobnet, refuses to hold it twice (exit 1, reason on stderr) and releases it, recording who did what', async () => {
    const hold = await jobnet('hold', 'clitest/operated', '--by', 'operator-a');
    expect(hold.code, hold.stderr).toBe(0);
    expect(hold.stdout).toContain('jobnet status: held');

    const again = await jobnet('hold', 'clitest/operated');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('refused: the jobnet is already held');

    const release = await jobnet('release', 'clitest/operated', '--by', 'operator-b', '--json');
    expect(release.code, release.stderr).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({ ok: true, operation: 'release', status: 'waiting' });

    const operations = (await view('clitest/operated')).state.operations.map(
      (operation) => `${operation.operation} ${operation.by}`,
    );
    expect(operations).toEqual(['hold operator-a', 'release operator-b']);
  });

  it('disables and enables a jobnet, refusing to disable it twice', async () => {
    const disable = await jobnet('disable', 'clitest/operated');
    expect(disable.code, disable.stderr).toBe(0);
    expect(disable.stdout).toContain('jobnet status: disabled');
    const again = await jobnet('disable', 'clitest/operated', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ ok: false, reason: 'the jobnet is already disabled' });
    expect(again.stderr).toContain('refused: the jobnet is already disabled');
    const enable = await jobnet('enable', 'clitest/operated');
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout).toContain('jobnet status: waiting');
  });

  it('exits 1 saying so when the jobnet has not been applied', async () => {
    const { code, stderr } = await jobnet('release-carry-over', 'clitest/never-applied');
    expect(code).toBe(1);
    expect(stderr).toContain('jobnet clitest/never-applied is not applied (run jobnet apply)');
  });
});

describe('jobnet start without --dir', () => {
  it('starts a run through the actor, prints its id, shows it as the open run, and refuses a second start while it runs', async () => {
    const started = await jobnet('start', 'clitest/started', '--param', 'P-1', '--by', 'operator-c');
    expect(started.code, started.stderr).toBe(0);
    const runId = started.stdout.trim();
    expect(runId).toMatch(/^run\/[^/]+\/clitest\/started\/\d{4}-\d{2}-\d{2}\/manual-/);

    const shown = await view('clitest/started');
    expect(shown.status).toBe('running');
    expect(shown.state.currentRun).toMatchObject({ runId, status: 'running', trigger: 'manual', parameter: 'P-1' });
    const text = await jobnet('get', 'jobnet', 'clitest/started');
    expect(text.stdout).toContain(`open run               ${runId}  running  started `);

    const second = await jobnet('start', 'clitest/started');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`refused: cannot start: run ${runId} is still running`);
  });

  it('refuses --wait and --env, which go with --dir only (exit 2)', async () => {
    expect((await jobnet('start', 'clitest/started', '--wait')).code).toBe(2);
    expect((await jobnet('start', 'clitest/started', '--env', 'test')).code).toBe(2);
    expect((await jobnet('start', 'clitest/started', '--dir', definitions, '--suffix', 'copy')).code).toBe(2);
  });
});

describe('jobnet event', () => {
  it('raises an event that starts the jobnet waiting for it', async () => {
    const raised = await jobnet('event', 'raise', 'ORDER_READY', '--project', 'clitest', '--by', 'operator-d');
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stdout).toMatch(/^clitest\/on-order: started: run run\/[^/]+\/clitest\/on-order\/\S+ started$/m);
    const after = await view('clitest/on-order');
    expect(after.state.currentRun ?? after.state.lastRun).toMatchObject({ trigger: 'event' });
  });

  it('refuses (exit 1) an event no jobnet in scope waits for, naming the known events and the closest one', async () => {
    const misspelt = await jobnet('event', 'raise', 'ORDER_REDY');
    expect(misspelt.code).toBe(1);
    expect(misspelt.stdout).toBe('');
    expect(misspelt.stderr).toBe(
      'refused: no jobnet waits for event ORDER_REDY (did you mean ORDER_READY?); the events jobnets wait for: ORDER_READY, ORDER_SKIPPED\n',
    );

    const elsewhere = await jobnet('event', 'raise', 'ORDER_READY', '--project', 'no-such-project', '--json');
    expect(elsewhere.code).toBe(1);
    expect(JSON.parse(elsewhere.stdout)).toEqual({
      ok: false,
      reason:
        'no jobnet in project no-such-project waits for event ORDER_READY; it is waited for by clitest/on-order (raise it without --project/--jobnet, or with theirs)',
    });
  });

  it('exits 2 for --jobnet without --project (R-EVT-1), before connecting', async () => {
    const raised = await jobnet('event', 'raise', 'ORDER_READY', '--jobnet', 'on-order');
    expect(raised.code).toBe(2);
    expect(raised.stderr).toContain('needs its project too: give --project with --jobnet');
    expect(raised.stderr).not.toMatch(/R-[A-Z]+-\d/);
    expect((await jobnet('event', 'clear', '--jobnet', 'on-order')).code).toBe(2);
  });

  it('refuses a raise to a disabled jobnet (exit 1), which jobnet troubles then lists as executionSkipped', async () => {
    const raised = await jobnet(
      'event',
      'raise',
      'ORDER_SKIPPED',
      '--project',
      'clitest',
      '--jobnet',
      'on-order-disabled',
    );
    expect(raised.code).toBe(1);
    expect(raised.stderr).toContain('refused: clitest/on-order-disabled: skipped: the jobnet is disabled');

    const one = await jobnet('troubles', 'clitest/on-order-disabled', '--utc');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^TIME +KIND +PROJECT\/JOBNET +RUN +JOB +EXIT +INCIDENT +MESSAGE$/m);
    expect(one.stdout).toMatch(
      /^\S+ \S+Z +executionSkipped +clitest\/on-order-disabled +- +- +- +- +event ORDER_SKIPPED from \S+: skipped: the jobnet is disabled$/m,
    );

    // Every actor of the project, through the visibility listing (eventually consistent).
    const all = await eventually(
      async () => await jobnet('troubles', '--project', 'clitest', '--kind', 'executionSkipped', '--json'),
      (result) => result.code === 0 && (JSON.parse(result.stdout) as JobnetTrouble[]).length > 0,
    );
    const troubles = JSON.parse(all.stdout) as JobnetTrouble[];
    expect(troubles.map((trouble) => `${trouble.project}/${trouble.jobnet} ${trouble.kind}`)).toEqual([
      'clitest/on-order-disabled executionSkipped',
    ]);
    expect(troubles[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('clears the pending raises of the jobnets in scope that start on events', async () => {
    const cleared = await jobnet('event', 'clear', '--project', 'clitest', '--by', 'operator-e');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toMatch(/^clitest\/on-order: 0 pending raises cleared$/m);
    expect(cleared.stdout).toMatch(/^cleared 0 pending raises of 2 jobnets$/m);
  });
});

describe('jobnet ls', () => {
  it('lists every applied jobnet of the project with its status', async () => {
    const listed = await eventually(
      async () => await jobnet('ls', '--project', 'clitest'),
      (result) =>
        result.code === 0 &&
        result.stdout.split('\n').filter((line) => line.startsWith('clitest/')).length === jobnetCount,
    );
    expect(listed.stdout).toMatch(/^JOBNET +STATUS +TRIGGER +BUSINESS-DATE +NEXT-START$/m);
    expect(listed.stdout).toMatch(
      /^clitest\/nightly +waiting +at +\d{4}-\d{2}-\d{2} +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/m,
    );
    expect(listed.stdout).toMatch(/^clitest\/on-order-disabled +disabled +events +\S+ +on events$/m);
    expect(listed.stdout).toMatch(/^clitest\/operated +waiting +manual +\S+ +-$/m);
  });
});

describe('jobnet ls and troubles for a project without applied jobnets', () => {
  it('exits 1 naming the projects that have applied jobnets', async () => {
    for (const args of [
      ['ls', '--project', 'nope'],
      ['troubles', '--project', 'nope'],
    ]) {
      const listed = await jobnet(...args);
      expect(listed.code).toBe(1);
      expect(listed.stderr).toContain(
        `project nope has no applied jobnet on task queue ${harness.target.taskQueue}; projects with applied jobnets: clitest`,
      );
    }
  });
});

describe('times', () => {
  it("shows every time with its zone: the calendar's by default, UTC with --utc, another with --tz, refusing an unknown zone (exit 2)", async () => {
    const shown = await jobnet('get', 'jobnet', 'clitest/tokyo-confirm');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^times +Asia\/Tokyo \(calendar tokyo\)$/m);
    const utc = await jobnet('get', 'jobnet', 'clitest/nightly');
    expect(utc.stdout).toMatch(/^times +UTC \(calendar SYSTEM_CALENDAR\)$/m);
    expect(utc.stdout).toMatch(/^next starts +\d{4}-\d{2}-\d{2} (02|14):30:00Z /m);
    const berlin = await jobnet('get', 'jobnet', 'clitest/nightly', '--tz', 'Europe/Berlin');
    expect(berlin.stdout).toMatch(/^next starts +\d{4}-\d{2}-\d{2} (03|04|15|16):30:00\+0[12]:00 /m);
    expect(berlin.stdout).toMatch(/^times +Europe\/Berlin$/m);

    const listed = await jobnet('ls', '--project', 'clitest');
    expect(listed.stdout).toMatch(/^clitest\/nightly +waiting +at +\S+ +\d{4}-\d{2}-\d{2} (02|14):30:00Z$/m);
    const listedInTokyo = await jobnet('ls', '--project', 'clitest', '--tz', 'Asia/Tokyo');
    expect(listedInTokyo.stdout).toMatch(
      /^clitest\/nightly +waiting +at +\S+ +\d{4}-\d{2}-\d{2} (11|23):30:00\+09:00$/m,
    );

    for (const args of [
      ['ls', '--tz', 'Mars/Base'],
      ['get', 'jobnet', 'clitest/nightly', '--tz', 'Nowhere'],
      ['troubles', '--tz', ''],
      ['get', 'run', 'run/x', '--tz', 'Mars/Base'],
      ['ls', '--utc', '--tz', 'UTC'],
    ]) {
      const refused = await jobnet(...args);
      expect(refused.code, args.join(' ')).toBe(2);
    }
    expect((await jobnet('ls', '--tz', 'Mars/Base')).stderr).toContain(
      '--tz must be an IANA time zone such as Asia/Tokyo',
    );
  });
});

describe('jobnet days and next without --dir', () => {
  it('read the definition applied in the running system', async () => {
    const next = await jobnet('next', 'clitest/nightly', '--count', '2', '--from', '2026-11-23T00:00:00Z');
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(
      new RegExp(
        `^definition applied on ${harness.target.address.replace(/\./g, '\\.')} \\(namespace \\S+, task queue \\S+\\), revision \\S+$`,
        'm',
      ),
    );
    expect(next.stdout.split('\n').filter((line) => /^\d{4}-/.test(line))).toEqual([
      '2026-11-23 Mon  2026-11-23T02:30:00Z',
      '2026-11-23 Mon  2026-11-23T14:30:00Z',
    ]);
    const days = await jobnet('days', 'clitest/tokyo-confirm', '--year', '2027', '--json');
    expect(days.code, days.stderr).toBe(0);
    expect(JSON.parse(days.stdout)).toMatchObject({
      calendar: 'tokyo',
      timezone: 'Asia/Tokyo',
      source: { applied: { address: harness.target.address } },
    });
    expect((JSON.parse(days.stdout) as { startDays: string[] }).startDays).toHaveLength(365);
  });

  it('say what to pass when the jobnet is not applied', async () => {
    const missing = await jobnet('next', 'clitest/never-applied');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('jobnet clitest/never-applied is not applied on');
    expect(missing.stderr).toContain('pass --dir DIR to read the definitions from a directory instead');
  });
});

describe('an abended run', () => {
  let runId: string;

  it('records the failing job and its exit code on the jobnetAbended trouble, which troubles lists and filters by --since', async () => {
    const started = await jobnet('start', 'clitest/failing');
    expect(started.code, started.stderr).toBe(0);
    runId = started.stdout.trim();
    await eventually(
      async () => await view('clitest/failing'),
      (shown) => shown.status === 'abended',
    );

    const listed = await jobnet('troubles', 'clitest/failing', '--kind', 'jobnetAbended', '--since', '10m');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^\\S+ \\S+Z +jobnetAbended +clitest/failing +${runId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +fail +3 +- +jobnet clitest/failing ended abnormally: job fail ended abended with exit code 3$`,
        'm',
      ),
    );
    const json = JSON.parse((await jobnet('troubles', 'clitest/failing', '--json')).stdout) as JobnetTrouble[];
    expect(json.find((trouble) => trouble.kind === 'jobnetAbended')).toMatchObject({ job: 'fail', exitCode: 3, runId });

    expect((await jobnet('troubles', 'clitest/failing', '--since', '2099-01-01')).stdout).toBe('no troubles\n');
    const impossible = await jobnet('troubles', 'clitest/failing', '--since', '2026-02-30');
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toContain('February 2026 has 28 days');
  });

  it('lists the jobs of the run in flow order', async () => {
    const shown = await jobnet('get', 'run', runId);
    expect(shown.code, shown.stderr).toBe(0);
    const jobs = shown.stdout
      .split('\n')
      .slice(4, 7)
      .map((line) => line.split(' ')[0]);
    expect(jobs).toEqual(['prepare', 'fail', 'after-fail']);
    expect(shown.stdout.split('\n')[1]).toBe('times in UTC');
  });

  it('after run close, suggests only operations the jobnet accepts: confirm, not restart', async () => {
    const open = await jobnet('start', 'clitest/failing');
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('restart or confirm it, or wait for the day change');

    const closed = await jobnet('run', 'close', runId);
    expect(closed.code, closed.stderr).toBe(0);
    await eventually(
      async () => await view('clitest/failing'),
      (shown) => shown.state.currentRun === undefined,
    );

    const refused = await jobnet('start', 'clitest/failing');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `refused: cannot start: the last run ${runId} ended abended; confirm it (jobnet confirm clitest/failing) or wait for the day change\n`,
    );
    const restart = await jobnet('restart', 'clitest/failing');
    expect(restart.code).toBe(1);
    expect(restart.stderr).not.toMatch(/\brestart it\b/);
    const confirmed = await jobnet('confirm', 'clitest/failing');
    expect(confirmed.code, confirmed.stderr).toBe(0);
  });

  it('shows a jobnet that requires confirmation as awaiting it while its abended run is open, in its calendar zone', async () => {
    const started = await jobnet('start', 'clitest/tokyo-confirm');
    expect(started.code, started.stderr).toBe(0);
    await eventually(
      async () => await view('clitest/tokyo-confirm'),
      (shown) => shown.status === 'abended',
    );
    const shown = await jobnet('get', 'jobnet', 'clitest/tokyo-confirm');
    expect(shown.stdout).toMatch(
      /^awaiting confirmation +yes: nothing starts until jobnet confirm clitest\/tokyo-confirm$/m,
    );
    expect(shown.stdout).toMatch(/^open run +\S+ +abended +started \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+09:00 /m);
    expect(shown.stdout).toMatch(/^ {2}\S+ \S+\+09:00 +jobnetAbended +\S+ +fail +5 /m);
    const refused = await jobnet('start', 'clitest/tokyo-confirm');
    expect(refused.stderr).toContain('requires confirmation; confirm it first');
    expect((await jobnet('confirm', 'clitest/tokyo-confirm')).code).toBe(0);
    const after = await jobnet('get', 'jobnet', 'clitest/tokyo-confirm');
    expect(after.stdout).toMatch(/^awaiting confirmation +no$/m);
  });
});

describe('a start deadline that passed before the jobnet was applied', () => {
  it('is not reported as startDelayed on the first apply', async () => {
    // A deadline one minute ago, on today's UTC business date (wait out the first minutes of a UTC day).
    if (new Date().getUTCHours() === 0 && new Date().getUTCMinutes() < 2)
      await new Promise((resolve) => setTimeout(resolve, 120_000));
    const past = new Date(Date.now() - 60_000);
    const hhmm = `${String(past.getUTCHours()).padStart(2, '0')}:${String(past.getUTCMinutes()).padStart(2, '0')}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'deadline-'));
    writeFileSync(
      path.join(dir, 'jobnet.yaml'),
      'apiVersion: jobnet/v1\nkind: Settings\nmetadata:\n  name: settings\nspec:\n  timezone: UTC\n',
    );
    writeFileSync(
      path.join(dir, 'project.yaml'),
      'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: late\nspec: {}\n',
    );
    writeFileSync(
      path.join(dir, 'late.yaml'),
      [
        'apiVersion: jobnet/v1',
        'kind: Jobnet',
        'metadata:',
        '  project: late',
        '  name: deadline-passed',
        'spec:',
        '  start:',
        '    events:',
        '      names: [NEVER]',
        '  deadlines:',
        `    start: "${hhmm}"`,
        '  jobs:',
        '    nap:',
        '      type: sleep',
        '      seconds: 0',
        '',
      ].join('\n'),
    );
    const applied = await jobnet('apply', '--dir', dir, '--by', 'cli-test');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // The actor's first pass has looked at today's deadline once it has marked the date.
    const today = new Date().toISOString().slice(0, 10);
    const seen = await eventually(
      async () => await view('late/deadline-passed'),
      (shown) => shown.state.startDelayedOn === shown.state.businessDate,
    );
    expect(seen.state.businessDate).toBe(today);
    expect(seen.state.troubles).toEqual([]);
    const listed = await jobnet('troubles', 'late/deadline-passed');
    expect(listed.stdout).toBe('no troubles\n');
  }, 200_000);
});
