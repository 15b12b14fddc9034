/**
 * The `command` job (R-JOBT-8): runs a program on the worker host without a shell, heartbeating
 * while it runs, and kills it when the activity is cancelled (an operator's force-termination or
 * a time limit), when its own `timeout` passes, or when the worker shuts down.
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
      const message = 'command jobs are not allowed on this worker; start the worker with --allow-command-jobs (R-JOBT-8)';
      return { exitCode: startFailedExitCode, output: message, message };
    }
    const [program, ...args] = request.argv;
    if (program === undefined) return { exitCode: startFailedExitCode, output: 'argv is empty', message: 'argv is empty' };
    const context = Context.current();
    const env: Record<string, string> = {};
    for (const name of inheritedEnvironment) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, request.env);

    return await new Promise<CommandOutcome>((resolve, reject) => {
      // Its own process group, so a kill reaches the programs it started too (`sh -c '…'`).
      const child = spawn(program, args, { cwd: request.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = Buffer.alloc(0);
      let stderrTail = '';
      let killedBy: 'timeout' | 'cancel' | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout = Buffer.concat([stdout, chunk]);
        if (stdout.length > maxOutputBytes * 2) stdout = stdout.subarray(stdout.length - maxOutputBytes);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
      });
      const kill = (reason: 'timeout' | 'cancel'): void => {
        if (killedBy !== undefined || child.exitCode !== null) return;
        killedBy = reason;
        killGroup(child.pid, 'SIGTERM');
        setTimeout(() => killGroup(child.pid, 'SIGKILL'), killGraceMs).unref();
      };
      const heartbeat = setInterval(() => context.heartbeat(), heartbeatIntervalMs);
      const timeout = request.timeoutSeconds !== undefined ? setTimeout(() => kill('timeout'), request.timeoutSeconds * 1000) : undefined;
      context.cancelled.catch(() => kill('cancel'));
      child.once('error', (error) => {
        clearInterval(heartbeat);
        if (timeout) clearTimeout(timeout);
        const message = `the program ${JSON.stringify(program)} could not be started: ${error.message}`;
        resolve({ exitCode: startFailedExitCode, output: message, message });
      });
      child.once('close', (code, signal) => {
        clearInterval(heartbeat);
        if (timeout) clearTimeout(timeout);
        if (killedBy === 'cancel') {
          reject(new CancelledFailure('the command was killed because the job was force-terminated'));
          return;
        }
        let output = stdout.length > maxOutputBytes ? stdout.subarray(stdout.length - maxOutputBytes).toString('utf8') : stdout.toString('utf8');
        if (stdout.length > maxOutputBytes) output = `(output truncated to its last ${maxOutputBytes} bytes)\n${output}`;
        if (killedBy === 'timeout') {
          resolve({ exitCode: commandTimeoutExitCode, output, message: `the program was killed after its timeout of ${request.timeoutSeconds ?? 0} s` });
          return;
        }
        if (signal !== null) {
          const exitCode = 128 + (signalNumbers[signal] ?? 0);
          resolve({ exitCode, output, message: `the program was killed by ${signal}${stderrTail ? `; stderr: ${stderrTail.trim()}` : ''}` });
          return;
        }
        const outcome: CommandOutcome = { exitCode: code ?? startFailedExitCode, output };
        if (code !== 0 && stderrTail.trim() !== '') outcome.message = `stderr: ${stderrTail.trim()}`;
        resolve(outcome);
      });
    });
  };
}

/** Signals the process group of `pid`; a group that has already gone is not an error. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already ended.
  }
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
