/**
 * The `command` job (R-JOBT-8): runs a program on the worker host without a shell, heartbeating
 * while it runs, and kills it when the activity is cancelled (an operator's force-termination or
 * a time limit), when its own `timeout` passes, or when the worker shuts down. The program runs
 * in a process group of its own, and the job is that whole group: what is left of it when the
 * program has ended and its output is closed is killed, and command-supervisor.ts kills it when
 * the worker dies, so no process of a job outlives the job or the worker that runs it.
 *
 * Refused unless the worker was started with command jobs allowed. The program gets a minimal
 * environment (PATH, HOME, LANG, TZ of the worker) plus the job's `env`, never the worker's own
 * variables, which may hold Temporal credentials (R-SEC). Its standard output is the job's
 * output (the last {@link maxOutputBytes} bytes), so `NAME=VALUE` lines feed jobnet variables.
 */
import { spawn } from 'node:child_process';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { CommandOutcome, CommandRequest } from './activity.types.js';
import { killGroup, killLeftoverCommands, superviseGroup, type SupervisedGroup } from './command-supervisor.js';

/** Most bytes of standard output kept as the job's output. */
export const maxOutputBytes = 64 * 1024;
/** Exit code of a program killed by its own `timeout` (the convention of timeout(1)). */
export const commandTimeoutExitCode = 124;
/** Exit code of a program that could not be started or was refused (R-EXIT-2: job start failed). */
const startFailedExitCode = 254;

const inheritedEnvironment = ['PATH', 'HOME', 'LANG', 'TZ'];
const heartbeatIntervalMs = 1_000;
const killGraceMs = 5_000;

export function createCommandActivity(options: { allowCommandJobs: boolean }) {
  return async function runCommand(request: CommandRequest): Promise<CommandOutcome> {
    if (!options.allowCommandJobs) {
      const message = 'command jobs are not allowed on this worker; start the worker with --allow-command-jobs';
      return { exitCode: startFailedExitCode, output: message, message };
    }
    const [program, ...args] = request.argv;
    if (program === undefined)
      return { exitCode: startFailedExitCode, output: 'argv is empty', message: 'argv is empty' };
    const context = Context.current();
    const env: Record<string, string> = {};
    for (const name of inheritedEnvironment) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, request.env);
    // Programs a dead worker on this host left running are killed before this one starts.
    for (const leftover of killLeftoverCommands()) {
      context.log.warn(
        `killed process group ${leftover.processGroup} of job ${leftover.job} of run ${leftover.runId}, left running by worker ${leftover.workerPid}, which stopped`,
      );
    }

    return await new Promise<CommandOutcome>((resolve, reject) => {
      // Its own process group, so a kill reaches the programs it started too (`sh -c '…'`).
      const child = spawn(program, args, { cwd: request.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const group: SupervisedGroup | undefined =
        child.pid === undefined
          ? undefined
          : superviseGroup(child.pid, { runId: request.runId, job: request.job, attempt: request.attempt, program });
      let stdout = Buffer.alloc(0);
      let stderrTail = '';
      let killedBy: 'timeout' | 'cancel' | undefined;
      let closed = false;
      let grace: NodeJS.Timeout | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout = Buffer.concat([stdout, chunk]);
        if (stdout.length > maxOutputBytes * 2) stdout = stdout.subarray(stdout.length - maxOutputBytes);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
      });
      const kill = (reason: 'timeout' | 'cancel'): void => {
        // Until the job has closed, not only until the program has exited: what it started may run on.
        if (killedBy !== undefined || closed) return;
        killedBy = reason;
        signalGroup(child.pid, 'SIGTERM');
        grace = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs);
        grace.unref();
      };
      const heartbeat = setInterval(() => context.heartbeat(group?.details), heartbeatIntervalMs);
      const timeout =
        request.timeoutSeconds !== undefined
          ? setTimeout(() => kill('timeout'), request.timeoutSeconds * 1000)
          : undefined;
      context.cancelled.catch(() => kill('cancel'));
      child.once('error', (error) => {
        closed = true;
        clearInterval(heartbeat);
        if (timeout) clearTimeout(timeout);
        if (grace) clearTimeout(grace);
        group?.release();
        const message = `the program ${JSON.stringify(program)} could not be started: ${error.message}`;
        resolve({ exitCode: startFailedExitCode, output: message, message });
      });
      child.once('close', (code, signal) => {
        closed = true;
        clearInterval(heartbeat);
        if (timeout) clearTimeout(timeout);
        if (grace) clearTimeout(grace);
        group?.release();
        if (killedBy === 'cancel') {
          reject(new CancelledFailure('the command was killed because the job was force-terminated'));
          return;
        }
        let output =
          stdout.length > maxOutputBytes
            ? stdout.subarray(stdout.length - maxOutputBytes).toString('utf8')
            : stdout.toString('utf8');
        if (stdout.length > maxOutputBytes)
          output = `(output truncated to its last ${maxOutputBytes} bytes)\n${output}`;
        if (killedBy === 'timeout') {
          resolve({
            exitCode: commandTimeoutExitCode,
            output,
            message: `the program was killed after its timeout of ${request.timeoutSeconds ?? 0} s`,
          });
          return;
        }
        if (signal !== null) {
          const exitCode = 128 + (signalNumbers[signal] ?? 0);
          resolve({
            exitCode,
            output,
            message: `the program was killed by ${signal}${stderrTail ? `; stderr: ${stderrTail.trim()}` : ''}`,
          });
          return;
        }
        const outcome: CommandOutcome = { exitCode: code ?? startFailedExitCode, output };
        if (code !== 0 && stderrTail.trim() !== '') outcome.message = `stderr: ${stderrTail.trim()}`;
        resolve(outcome);
      });
    });
  };
}

/** Signals the process group of `pid`, if the program started. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid !== undefined) killGroup(pid, signal);
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
};
