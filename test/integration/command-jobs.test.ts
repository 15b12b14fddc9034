/**
 * The `command` job at run time (R-JOBT-8) with a real worker on the test run's dev server: exit
 * codes, output, the minimal environment, its own timeout (124) and signals (128 + n), and the
 * rule that a job is its whole process group — what the program leaves running when it ends is
 * killed, a force-termination reaches a background child that still holds the output, and the
 * job's marker in the worker's state directory lives exactly as long as the job.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandStateDirectory } from '../../workflows/activities/command-supervisor.js';
import { liveMembers, waitForGroupGone } from './process-groups.js';
import { sh } from './run-fixtures.js';
import { jobnetOf, startRunHarness, summary, type RunHarness } from './run-harness.js';

let harness: RunHarness;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jobnet-command-jobs-'));
  harness = await startRunHarness({ allowCommandJobs: true });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = (name: string) => path.join(dir, name);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function groupOf(name: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const text = existsSync(file(name)) ? readFileSync(file(name), 'utf8').trim() : '';
    if (/^\d+$/.test(text)) return Number(text);
    await pause(50);
  }
  throw new Error(`${name} was not written`);
}

describe('command jobs (R-JOBT-8)', () => {
  it('end with the exit code and output of the program, which sees only PATH, HOME, LANG, TZ and the job’s env', async () => {
    process.env.JOBNET_PROBE_SECRET = 'worker-only';
    try {
      const id = await harness.start(
        jobnetOf('command-basics', [
          {
            name: 'probe',
            type: 'command',
            spec: {
              argv: ['sh', '-c', 'echo "secret=[$JOBNET_PROBE_SECRET] own=[$OWN]"; exit 3'],
              env: { OWN: 'job' },
            },
          },
        ]),
      );
      const view = await harness.waitForEnd(id);
      expect(summary(view)).toEqual({ '': 'abended', probe: 'abended 3' });
      expect(view.state.jobs.probe?.output).toBe('secret=[] own=[job]\n');
    } finally {
      delete process.env.JOBNET_PROBE_SECRET;
    }
  });

  it('end 124 when killed by their own timeout, and 128 + n when killed by signal n', async () => {
    const id = await harness.start(
      jobnetOf('command-kills', [
        { name: 'slow', type: 'command', spec: { ...sh('sleep 30'), timeoutSeconds: 1 } },
        { name: 'shot', type: 'command', spec: sh('kill -KILL $$') },
      ]),
    );
    const view = await harness.waitForEnd(id, 20_000);
    expect(summary(view)).toEqual({ '': 'abended', slow: 'abended 124', shot: 'abended 137' });
    expect(view.jobMessages.slow ?? '').toMatch(/timeout of 1 s/);
    expect(view.jobMessages.shot ?? '').toMatch(/killed by SIGKILL/);
  });

  it('run on while a background process still writes their output, as long as it does', async () => {
    const id = await harness.start(
      jobnetOf('command-background-output', [
        { name: 'tail', type: 'command', spec: sh('(sleep 2; echo late) & echo early') },
      ]),
    );
    const view = await harness.waitForEnd(id, 20_000);
    expect(summary(view)).toEqual({ '': 'normal', tail: 'normal 0' });
    expect(view.state.jobs.tail?.output).toBe('early\nlate\n');
  });

  it('kill what the program leaves running when it ends, and keep a marker in the state directory only while they run', async () => {
    const id = await harness.start(
      jobnetOf('command-leftover', [
        {
          name: 'detach',
          type: 'command',
          spec: sh(
            `echo $$ > ${file('detach.pgid')}; (sleep 3; echo late >> ${file('detach.marker')}) >/dev/null 2>&1 & sleep 1; echo started`,
          ),
        },
      ]),
    );
    const group = await groupOf('detach.pgid');
    const stateDir = commandStateDirectory();
    expect(stateDir).toBeDefined();
    const marker = JSON.parse(readFileSync(path.join(stateDir!, `${group}.json`), 'utf8')) as {
      runId: string;
      job: string;
      processGroup: number;
    };
    expect(marker).toMatchObject({ runId: id, job: 'detach', processGroup: group });

    const view = await harness.waitForEnd(id, 20_000);
    expect(summary(view)).toEqual({ '': 'normal', detach: 'normal 0' });
    expect(view.state.jobs.detach?.output).toBe('started\n');
    expect(await waitForGroupGone(group, 1_000)).toEqual([]);
    expect(readdirSync(stateDir!)).not.toContain(`${group}.json`);
    await pause(3_000);
    expect(existsSync(file('detach.marker'))).toBe(false);
  });

  it('force-terminate reaches a background child that holds the output after the program itself has exited', async () => {
    const id = await harness.start(
      jobnetOf('command-orphan', [
        { name: 'orphan', type: 'command', spec: sh(`echo $$ > ${file('orphan.pgid')}; sleep 60 & exit 0`) },
      ]),
    );
    const group = await groupOf('orphan.pgid');
    for (let i = 0; i < 100 && liveMembers(group).length > 1; i++) await pause(50); // the sh has exited, the sleep runs on
    expect(liveMembers(group)).toHaveLength(1);
    await harness.waitFor(id, (view) => view.state.jobs.orphan?.state === 'running');
    expect(await harness.operate(id, { operation: 'forceTerminateJob', job: 'orphan', by: 'dana' })).toMatchObject({
      ok: true,
    });
    const view = await harness.waitForEnd(id, 15_000);
    expect(summary(view)).toEqual({ '': 'abended', orphan: 'forced 256 operator' });
    expect(await waitForGroupGone(group, 1_000)).toEqual([]);
  });
});
