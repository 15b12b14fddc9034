/**
 * The markers of running command jobs (workflows/activities/command-supervisor.ts), on real
 * processes and a real state directory: a group recorded by a worker that has stopped is killed
 * with everything in it; a group of a running worker, a process id now used by another process,
 * and a marker from before the last boot are never killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  killLeftoverCommands,
  processStartTime,
  type CommandMarker,
} from '../../workflows/activities/command-supervisor.js';
import { liveMembers, waitForGroupGone } from '../integration/process-groups.js';

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const child of started)
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function stateDirectory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-command-state-'));
  dirs.push(dir);
  return dir;
}

/** A program as a command job runs it: its own group, with a child. */
async function program(): Promise<ChildProcess & { pid: number }> {
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
  started.push(child);
  const pid = child.pid!;
  for (let i = 0; i < 100 && liveMembers(pid).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(liveMembers(pid)).toHaveLength(2);
  return child as ChildProcess & { pid: number };
}

/** The id of a process that has ended. */
function endedPid(): number {
  return spawnSync('true').pid;
}

function mark(dir: string, pgid: number, fields: Partial<CommandMarker> = {}): string {
  const marker: CommandMarker = {
    processGroup: pgid,
    startTime: processStartTime(pgid)!,
    worker: { pid: endedPid(), startTime: '1' },
    bootId,
    runId: 'run/test/leftover',
    job: 'job',
    attempt: 1,
    program: 'sh',
    startedAt: '2026-12-03T00:00:00.000Z',
    ...fields,
  };
  const file = path.join(dir, `${pgid}.json`);
  writeFileSync(file, JSON.stringify(marker));
  return file;
}

describe('leftover command jobs', () => {
  it('kills the whole group recorded by a worker that has stopped, and removes its marker', async () => {
    const dir = stateDirectory();
    const child = await program();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const file = mark(dir, child.pid);
    const killed = killLeftoverCommands(dir);
    expect(killed).toEqual([
      expect.objectContaining({ processGroup: child.pid, runId: 'run/test/leftover', job: 'job', program: 'sh' }),
    ]);
    expect(await exited).toBe('SIGKILL');
    expect(await waitForGroupGone(child.pid, 1_000)).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a running worker’s groups alone, and never kills a reused process id or a group from before the last boot', async () => {
    const dir = stateDirectory();
    const running = await program();
    const reused = await program();
    const earlierBoot = await program();
    const runningMarker = mark(dir, running.pid, {
      worker: { pid: process.pid, startTime: processStartTime(process.pid)! },
    });
    const reusedMarker = mark(dir, reused.pid, { startTime: '1' });
    const bootMarker = mark(dir, earlierBoot.pid, { bootId: 'an-earlier-boot' });
    expect(killLeftoverCommands(dir)).toEqual([]);
    for (const child of [running, reused, earlierBoot]) expect(liveMembers(child.pid)).toHaveLength(2);
    expect(existsSync(runningMarker)).toBe(true);
    expect(existsSync(reusedMarker)).toBe(false);
    expect(existsSync(bootMarker)).toBe(false);
  });
});
