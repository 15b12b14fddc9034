/**
 * Runs the real `bin/jobnet.js` in a child process, as a user would, and returns its exit code and
 * output (colour off). For CLI tests.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const projectRoot = path.join(import.meta.dirname, '..', '..');
const bin = path.join(projectRoot, 'bin', 'jobnet.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `jobnet ARGS…` from the project root with `env` added to this process's environment. With
 * `timeoutMs`, a command still running by then is killed (its code is then null).
 */
export async function runJobnet(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { timeoutMs?: number } = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...env },
      maxBuffer: 64 * 1024 * 1024,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
