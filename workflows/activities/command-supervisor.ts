/**
 * Keeps `command` jobs (R-JOBT-8) from outliving the worker that runs them. Each program runs in
 * a process group of its own (command-activity.ts); this module makes sure those groups die with
 * the worker, in two layers:
 *
 * 1. **A supervisor process per worker.** A small Node process, started detached from the
 *    worker's terminal and deaf to its signals, reads a pipe from the worker on which the worker
 *    announces each group it starts (`+PGID`) and ends (`-PGID`). The worker never closes that
 *    pipe, so end-of-file means the worker has died, however it died (SIGKILL, out of memory,
 *    a crash): the supervisor then kills every announced group with SIGKILL at once — the program
 *    and everything it started in its group, grandchildren of `sh -c` included — and exits.
 * 2. **A marker per running job** in the worker's state directory
 *    (`$TMPDIR/jobnet-commands-<uid>/<pgid>.json`, so a reboot clears it along with the
 *    processes): the group, the start time of its leader and of the worker from
 *    `/proc/<pid>/stat`, and the job. A worker starting up, and every command job before it runs,
 *    kills the groups of markers whose worker is gone — in case the supervisor itself was killed
 *    with the worker — checking the start times so that a reused process id is never killed.
 *
 * Processes that leave their group (`setsid`, double-forking daemons) are not reached; nothing
 * short of a cgroup would reach them. Markers need Linux's `/proc`; elsewhere only the
 * supervisor process protects, which needs nothing but POSIX pipes.
 *
 * Worker side only (Node built-ins); must not be imported by workflow code. It never kills a
 * group it cannot prove is the one it recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What is recorded of a running command job. */
export interface CommandMarker {
  /** Process group of the program: its process id, as it leads its own group. */
  processGroup: number;
  /** Start time of the group leader (clock ticks after boot, `/proc/<pid>/stat` field 22). */
  startTime: string;
  /** The worker process that runs the job, with its start time. */
  worker: { pid: number; startTime: string };
  /** `/proc/sys/kernel/random/boot_id`: start times count from this boot. */
  bootId: string;
  runId: string;
  job: string;
  attempt: number;
  program: string;
  /** ISO time the program started. */
  startedAt: string;
}

/** A group {@link killLeftoverCommands} killed. */
export type LeftoverCommand = Pick<
  CommandMarker,
  'processGroup' | 'runId' | 'job' | 'attempt' | 'program' | 'startedAt'
> & { workerPid: number };

/** A running command job's group, as the activity holds it. */
export interface SupervisedGroup {
  /** What the activity's heartbeat shows of the group. */
  readonly details: { processGroup: number; startTime?: string };
  /** Kills what is left of the group (after its program ended) and forgets it. */
  release(): void;
}

/**
 * The state directory of command jobs on this host for this user, created on first use; undefined
 * where it cannot be trusted (not a directory of this user, or open to others).
 */
export function commandStateDirectory(): string | undefined {
  const dir = path.join(tmpdir(), `jobnet-commands-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const ours = process.getuid === undefined || stat.uid === process.getuid();
    return stat.isDirectory() && ours && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Supervises the group that `pid` leads: announces it to the worker's supervisor process and
 * records its marker. Call right after the program was spawned.
 */
export function superviseGroup(
  pid: number,
  job: Pick<CommandMarker, 'runId' | 'job' | 'attempt' | 'program'>,
): SupervisedGroup {
  supervisor.announce(pid);
  const startTime = processStartTime(pid);
  const workerStart = processStartTime(process.pid);
  const bootId = currentBootId();
  const dir = commandStateDirectory();
  let markerFile: string | undefined;
  if (startTime !== undefined && workerStart !== undefined && bootId !== undefined && dir !== undefined) {
    const marker: CommandMarker = {
      processGroup: pid,
      startTime,
      worker: { pid: process.pid, startTime: workerStart },
      bootId,
      ...job,
      startedAt: new Date().toISOString(),
    };
    markerFile = path.join(dir, `${pid}.json`);
    try {
      writeFileSync(`${markerFile}.tmp`, JSON.stringify(marker), { mode: 0o600 });
      renameSync(`${markerFile}.tmp`, markerFile);
    } catch {
      markerFile = undefined; // the supervisor process still protects
    }
  }
  let released = false;
  return {
    details: startTime === undefined ? { processGroup: pid } : { processGroup: pid, startTime },
    release() {
      if (released) return;
      released = true;
      killGroup(pid, 'SIGKILL');
      supervisor.forget(pid);
      if (markerFile !== undefined) rmSync(markerFile, { force: true });
    },
  };
}

/**
 * Starts this worker's supervisor process now rather than with the first command job, so it is
 * running before any program is.
 */
export function startCommandSupervisor(): void {
  supervisor.ensureRunning();
}

/**
 * Kills the groups recorded by workers that are no longer running (on this host, since its last
 * boot), and removes their markers. A group is killed only while its leader is the recorded
 * process (same start time), or, once the leader has ended, while processes started no earlier
 * than it are still in the group. Markers of running workers are left alone.
 */
export function killLeftoverCommands(dir = commandStateDirectory()): LeftoverCommand[] {
  if (dir === undefined) return [];
  const bootId = currentBootId();
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const killed: LeftoverCommand[] = [];
  let processes: ProcessFacts[] | undefined;
  for (const name of names) {
    const file = path.join(dir, name);
    let marker: CommandMarker;
    try {
      marker = JSON.parse(readFileSync(file, 'utf8')) as CommandMarker;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (marker.bootId === bootId && processStartTime(marker.worker.pid) === marker.worker.startTime) continue; // its worker runs
    if (marker.bootId === bootId && groupIsRecorded(marker, (processes ??= listProcesses()))) {
      killGroup(marker.processGroup, 'SIGKILL');
      const { processGroup, runId, job, attempt, program, startedAt } = marker;
      killed.push({ processGroup, runId, job, attempt, program, startedAt, workerPid: marker.worker.pid });
    }
    rmSync(file, { force: true });
  }
  return killed;
}

/** Signals the process group `pgid`; a group that has already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already ended.
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

interface ProcessFacts {
  pid: number;
  processGroup: number;
  startTime: string;
}

/** Start time of a process (`/proc/<pid>/stat` field 22), undefined when it does not exist or there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  return statOf(pid)?.startTime;
}

function statOf(pid: number): ProcessFacts | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const processGroup = Number(fields[2]);
  const startTime = fields[19];
  return startTime === undefined || !Number.isSafeInteger(processGroup) ? undefined : { pid, processGroup, startTime };
}

function listProcesses(): ProcessFacts[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.map((name) => statOf(Number(name))).filter((facts): facts is ProcessFacts => facts !== undefined);
}

function groupIsRecorded(marker: CommandMarker, processes: readonly ProcessFacts[]): boolean {
  const leader = processes.find((facts) => facts.pid === marker.processGroup);
  if (leader !== undefined) return leader.startTime === marker.startTime && leader.processGroup === marker.processGroup;
  return processes.some(
    (facts) => facts.processGroup === marker.processGroup && BigInt(facts.startTime) >= BigInt(marker.startTime),
  );
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The supervisor process

/**
 * The supervisor's program, run by `node -e`: plain CommonJS with no imports, so it starts in
 * tens of milliseconds and needs nothing from the worker's environment.
 */
const supervisorSource = `'use strict';
const groups = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGPIPE']) process.on(signal, () => {});
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\\n'); end >= 0; end = pending.indexOf('\\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const pgid = Number(line.slice(1));
    if (!Number.isSafeInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
const workerGone = () => {
  for (const pgid of groups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
};
process.stdin.on('end', workerGone);
process.stdin.on('close', workerGone);
process.stdin.on('error', workerGone);
`;

/** The worker's side of its supervisor process: one per worker process, started on first use. */
class Supervisor {
  private child: ChildProcess | undefined;
  private readonly groups = new Set<number>();
  private failure: string | undefined;

  ensureRunning(): void {
    if (this.child !== undefined) return;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', supervisorSource], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        cwd: '/',
        env: {},
      });
    } catch (error) {
      this.report(error);
      return;
    }
    this.child = child;
    child.once('error', (error) => {
      this.report(error);
      if (this.child === child) this.child = undefined;
    });
    child.once('exit', () => {
      // Killed by someone: start another with the first group announced next (or now, if any runs).
      if (this.child === child) this.child = undefined;
      if (this.groups.size > 0) setTimeout(() => this.ensureRunning(), 100).unref();
    });
    child.stdin?.on('error', () => undefined);
    // Neither the process nor its pipe may keep the worker's event loop alive.
    child.unref();
    (child.stdin as Socket | null)?.unref();
    for (const pgid of this.groups) child.stdin?.write(`+${pgid}\n`);
  }

  announce(pgid: number): void {
    this.groups.add(pgid);
    if (this.child === undefined) this.ensureRunning();
    else this.child.stdin?.write(`+${pgid}\n`);
  }

  forget(pgid: number): void {
    this.groups.delete(pgid);
    this.child?.stdin?.write(`-${pgid}\n`);
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.failure === message) return;
    this.failure = message;
    console.warn(
      `the supervisor of command jobs could not be started (${message}); programs may outlive this worker if it dies`,
    );
  }
}

const supervisor = new Supervisor();
