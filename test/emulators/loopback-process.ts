/**
 * A server program started for tests on a loopback port: spawned, awaited until its port accepts
 * connections (failing with its stderr when it exits or takes too long), and stopped with SIGTERM,
 * then SIGKILL after 5 s. Shared by the emulator harnesses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface LoopbackProcess {
  child: ChildProcess;
  stop: () => Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Spawns `executable args` and resolves once 127.0.0.1:`port` accepts connections.
 * @throws Error (after stopping the process) when it exits first or does not listen within `startTimeoutMs`.
 */
export async function startLoopbackProcess(
  name: string,
  executable: string,
  args: readonly string[],
  options: { port: number; env?: NodeJS.ProcessEnv; startTimeoutMs?: number },
): Promise<LoopbackProcess> {
  const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'], env: options.env ?? process.env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await listening(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const why =
        child.exitCode !== null
          ? `exited with ${child.exitCode}`
          : `did not listen on 127.0.0.1:${options.port} in time`;
      throw new Error(`${name} ${why}: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, stop };
}
