/**
 * A `command` job cannot outlive the worker that runs it (R-JOBT-8, docs/architecture.md#the-temporal-mapping): real
 * `jobnet worker --allow-command-jobs` processes on the test run's dev server, killed with
 * SIGKILL while programs run — a plain `sh -c` and one whose work is done by a grandchild — and
 * the processes checked in /proc. The supervisor process kills the groups at once; when it cannot
 * (stopped along with the worker), the next worker on the host kills them as it starts. Either
 * way the job ends 239 once the heartbeat times out, and its program has run once, not twice.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { commandStateDirectory } from '../../workflows/activities/command-supervisor.js';
import type { RunInput } from '../../workflows/run-contract.js';
import { liveMembers, waitForGroupGone } from './process-groups.js';
import { jobnetOf, sh, summary } from './run-fixtures.js';
import {
  killWorkerProcess,
  startWorkerProcess,
  stopWorkerProcesses,
  waitForView,
  workerOutput,
} from './worker-process.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  await stopWorkerProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const commandEnv = { ...process.env, JOBNET_ALLOW_COMMAND_JOBS: '1' };

async function connect(): Promise<{ client: Client; address: string; namespace: string }> {
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const connection = await Connection.connect({ address });
  cleanups.push(() => connection.close());
  return { client: new Client({ connection, namespace }), address, namespace };
}

function runInput(jobnet: ReturnType<typeof jobnetOf>): RunInput {
  return { jobnet, children: {}, businessDate: '2026-11-23', trigger: 'manual', requestedBy: 'test', level: 1 };
}

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-command-durability-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Waits until the file holds a process group id (the program writes `$$`, as it leads its group). */
async function groupOf(file: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text)) return Number(text);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${file} was not written`);
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Markers of running command jobs in this host's state directory, by process group. */
function markedGroups(): number[] {
  const dir = commandStateDirectory();
  return dir === undefined
    ? []
    : readdirSync(dir)
        .filter((name) => /^\d+\.json$/.test(name))
        .map((name) => Number(name.slice(0, -5)));
}

/** The supervisor process a worker process started (`node -e …`, a child of the worker). */
function supervisorOf(workerPid: number): number {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (parent === workerPid && argv[1] === '-e' && argv[2]?.includes('workerGone')) return Number(name);
    } catch {
      // ended meanwhile
    }
  }
  throw new Error(`worker ${workerPid} has no supervisor process`);
}

describe('command jobs and a worker killed under them', () => {
  it('SIGKILL of the worker kills the programs and their grandchildren at once; the jobs end 239 and never run twice', async () => {
    const { client, address, namespace } = await connect();
    const taskQueue = `command-durability-${process.pid}-${Date.now()}`;
    const dir = scratch();
    const file = (name: string) => path.join(dir, name);
    const first = await startWorkerProcess(address, namespace, taskQueue, commandEnv);

    const id = `run/test/command-worker-kill/${taskQueue}`;
    const jobnet = jobnetOf('command-worker-kill', [
      {
        name: 'plain',
        type: 'command',
        spec: sh(`echo $$ > ${file('plain.pgid')}; sleep 8; echo done >> ${file('plain.marker')}`),
      },
      {
        name: 'grandchild',
        type: 'command',
        spec: sh(
          `echo $$ > ${file('grandchild.pgid')}; sh -c "sleep 8; echo done >> ${file('grandchild.marker')}" & wait`,
        ),
      },
    ]);
    await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [runInput(jobnet)] });
    const plain = await groupOf(file('plain.pgid'));
    const grandchild = await groupOf(file('grandchild.pgid'));
    const programsStarted = Date.now();
    // The outer sh, the inner sh and its sleep; the plain job's sh and its sleep.
    await until(
      () => liveMembers(grandchild).length >= 3 && liveMembers(plain).length >= 2,
      5_000,
      'the programs started their children',
    );
    expect(markedGroups()).toEqual(expect.arrayContaining([plain, grandchild]));

    await killWorkerProcess(first);
    expect(await waitForGroupGone(plain, 2_000)).toEqual([]);
    expect(await waitForGroupGone(grandchild, 2_000)).toEqual([]);

    // Past the programs' 8 s: had anything survived, the markers would be there.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, programsStarted + 9_500 - Date.now())));
    expect(existsSync(file('plain.marker'))).toBe(false);
    expect(existsSync(file('grandchild.marker'))).toBe(false);

    // A new worker: the jobs end 239 at the heartbeat timeout; nothing is started again.
    const second = await startWorkerProcess(address, namespace, taskQueue, commandEnv);
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);
    expect(summary(view)).toEqual({ '': 'abended', plain: 'abended 239', grandchild: 'abended 239' });
    expect(view.state.jobs.plain?.attempts).toBe(1);
    expect(view.state.jobs.grandchild?.attempts).toBe(1);
    expect(view.jobMessages.plain).toMatch(/heartbeat timeout.*not started again/);
    expect(existsSync(file('plain.marker'))).toBe(false);
    expect(existsSync(file('grandchild.marker'))).toBe(false);
    // The new worker found the dead worker's markers, nothing alive behind them, and removed them.
    expect(markedGroups()).not.toContain(plain);
    expect(markedGroups()).not.toContain(grandchild);
    expect(workerOutput(second)).not.toContain('killed process group');
  }, 180_000);

  it('when the supervisor cannot act, the next worker on the host kills the dead worker’s programs as it starts', async () => {
    const { client, address, namespace } = await connect();
    const taskQueue = `command-leftovers-${process.pid}-${Date.now()}`;
    const dir = scratch();
    const file = (name: string) => path.join(dir, name);
    const first = await startWorkerProcess(address, namespace, taskQueue, commandEnv);
    const id = `run/test/command-leftovers/${taskQueue}`;
    const jobnet = jobnetOf('command-leftovers', [
      {
        name: 'long',
        type: 'command',
        spec: sh(`echo $$ > ${file('long.pgid')}; sh -c "sleep 20; echo done >> ${file('long.marker')}" & wait`),
      },
    ]);
    await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [runInput(jobnet)] });
    cleanups.push(() =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .then(
          () => undefined,
          () => undefined,
        ),
    );
    const group = await groupOf(file('long.pgid'));
    await until(() => liveMembers(group).length >= 3, 5_000, 'the program started its children');

    // A stopped supervisor reads nothing: the worker's death goes unnoticed, as if it had died too.
    const supervisor = supervisorOf(first.pid!);
    process.kill(supervisor, 'SIGSTOP');
    cleanups.push(() => {
      try {
        process.kill(supervisor, 'SIGKILL');
      } catch {
        // gone
      }
    });
    await killWorkerProcess(first);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(liveMembers(group).length).toBeGreaterThanOrEqual(3);

    const second = await startWorkerProcess(address, namespace, taskQueue, commandEnv);
    expect(await waitForGroupGone(group, 2_000)).toEqual([]);
    expect(workerOutput(second)).toContain(`killed process group ${group} (sh) of job long of run ${id}`);
    expect(markedGroups()).not.toContain(group);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(existsSync(file('long.marker'))).toBe(false);
  }, 180_000);
});
