/**
 * Starts the official Temporal dev server (`temporal server start-dev`, built by
 * scripts/ensure-temporal-cli.sh) with the product's search attributes, on loopback, either in
 * memory (tests) or on a database file (`jobnet up`), and waits until it answers.
 *
 * Does process and network I/O; it must not know about definitions or workflows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { packageRoot } from '../package-root.js';
import { searchAttributes } from './search-attributes.js';

export interface DevServer {
  /** host:port of the frontend (gRPC). */
  address: string;
  /** Web UI URL, when the UI is enabled. */
  uiUrl?: string;
  namespace: string;
  /** Process id of the server (a chaos test kills it with SIGKILL). */
  pid?: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** Database file; omitted = in memory. */
  dbFile?: string;
  port?: number;
  /** Web UI port; omitted = headless. */
  uiPort?: number;
  namespace?: string;
  startTimeoutMs?: number;
}

/** Path of the Temporal CLI, building it once when needed. Throws with the script's message. */
export function temporalCliPath(): string {
  const result = spawnSync('bash', [path.join(packageRoot, 'scripts', 'ensure-temporal-cli.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error('the Temporal CLI is not available (see the message above)');
  return result.stdout.trim().split('\n').pop()!;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The dev server process ended while it was being waited for. */
export class DevServerExited extends Error {
  override name = 'DevServerExited';
}

/** The exit code of `child` now (a function, so a check made earlier does not narrow it). */
function exitCodeOf(child: ChildProcess): number | null {
  return child.exitCode;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);

  const child: ChildProcess = spawn(temporalCliPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const address = `127.0.0.1:${port}`;

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`temporal server start-dev exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      // Another server on the port answers too: only a child still running is this server.
      await new Promise((r) => setTimeout(r, 100));
      const code = exitCodeOf(child);
      if (code !== null) throw new DevServerExited(`temporal server start-dev exited with ${code}: ${stderr.trim()}`);
      break;
    } catch (error) {
      if (error instanceof DevServerExited) throw error;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server on ${address} did not answer in time: ${stderr.trim()}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const server: DevServer = {
    address,
    namespace,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  if (options.uiPort !== undefined) server.uiUrl = `http://127.0.0.1:${options.uiPort}`;
  return server;
}
