/**
 * `jobnet up` as the README quick start uses it: the real bin starts its own Temporal dev server
 * (on a database file in a temporary directory), a worker, the controller and the API on the
 * bundled examples/; it prints a login URL whose token opens the API (which refuses requests
 * without it); the API reports the controller Ready, the scheduled example jobnet
 * `infra/heartbeat` (every minute) runs and ends normally, and its HEARTBEAT event starts
 * `infra/heartbeat-audit`; the README's command job example runs on its worker, which allows
 * command jobs by default. SIGINT stops everything and the process exits 0. A second `jobnet up`
 * on ports in use starts nothing and names each busy port with the flag that moves it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, expect, inject, it } from 'vitest';
import { freePort } from '../../controller/temporal/dev-server.js';
import { namespaceRetentionSeconds } from '../../controller/temporal/namespace-retention.js';
import { connectClient } from '../../controller/temporal/temporal-target.js';
import { projectRoot, runJobnet } from './cli-process.js';

let child: ChildProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
  }
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} not reached in ${timeoutMs} ms; jobnet up printed:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

it('brings up the whole system on examples/, runs the scheduled heartbeat, and stops on SIGINT', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'jobnet-up-'));
  const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.TEMPORAL_ADDRESS;
  delete env.JOBNET_WEBHOOK_SECRET;
  child = spawn(
    process.execPath,
    [
      path.join(projectRoot, 'bin', 'jobnet.js'),
      'up',
      '--data-dir',
      dataDir,
      '--temporal-port',
      String(temporalPort),
      '--ui-port',
      String(uiPort),
      '--listen',
      `127.0.0.1:${apiPort}`,
    ],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const printed = () => output;

  await poll('"jobnet is up"', () => (output.includes('jobnet is up') ? true : undefined), 90_000, printed);
  expect(output).toContain(`Web UI        http://127.0.0.1:${uiPort}`);
  expect(output).toContain(`API           http://127.0.0.1:${apiPort}/api/v1/status`);
  // The login URL of the in-memory admin account, printed once: its token opens the page and the API.
  const login = new RegExp(`login +(http://127\\.0\\.0\\.1:${apiPort}/\\?token=(jnt_[A-Za-z0-9_-]{43}))`).exec(output);
  expect(login, output).not.toBeNull();
  const [, loginUrl, token] = login as unknown as [string, string, string];
  expect(output.split(token).length).toBe(2);
  expect((await fetch(loginUrl)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`)).status).toBe(401);
  const authorized = { headers: { authorization: `Bearer ${token}` } };
  expect(output).toContain('command jobs  run on this worker, as your user (--no-command-jobs refuses them)');
  // The hints carry the address, which is not the default: they work as printed.
  expect(output).toContain(
    `try           jobnet status --address 127.0.0.1:${temporalPort} · jobnet ls --address 127.0.0.1:${temporalPort} · `,
  );

  const status = await poll(
    'controller Ready',
    async () => {
      const answer = (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`, authorized)).json()) as {
        conditions?: { type: string; status: string }[];
        jobnets?: { jobnet: string }[];
      };
      return answer.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? answer : undefined;
    },
    60_000,
    printed,
  );
  expect(status.jobnets?.map((entry) => entry.jobnet)).toContain('heartbeat');
  // The dev server's namespace keeps finished runs as long as the examples' Settings history.retention (62d).
  const temporal = await connectClient({
    address: `127.0.0.1:${temporalPort}`,
    namespace: 'default',
    taskQueue: 'jobnet',
  });
  try {
    expect(await namespaceRetentionSeconds(temporal.client)).toBe(62 * 86_400);
  } finally {
    await temporal.close();
  }

  const target = ['--address', `127.0.0.1:${temporalPort}`];
  const heartbeat = await poll(
    'a heartbeat run that ended',
    async () => {
      const { code, stdout } = await runJobnet(['get', 'jobnet', 'infra/heartbeat', '--json', ...target]);
      const view = JSON.parse(stdout) as { state: { lastRun?: { status: string; trigger: string } } };
      return code === 0 && view.state.lastRun !== undefined ? view.state.lastRun : undefined;
    },
    100_000,
    printed,
  );
  expect(heartbeat).toMatchObject({ status: 'normal', trigger: 'schedule' });
  const audit = await poll(
    'the HEARTBEAT event start',
    async () => {
      const { stdout } = await runJobnet(['get', 'jobnet', 'infra/heartbeat-audit', '--json', ...target]);
      const view = JSON.parse(stdout) as {
        state: { runCount: number; lastRun?: { parameter?: string; trigger: string } };
      };
      return view.state.runCount > 0 && view.state.lastRun !== undefined ? view.state.lastRun : undefined;
    },
    30_000,
    printed,
  );
  expect(audit).toMatchObject({ trigger: 'event', parameter: 'dev' });

  // The README's command job example, on the embedded worker.
  const counted = await runJobnet([
    'start',
    'ops/count-files',
    '--dir',
    'test/fixtures/valid/runnable',
    '--wait',
    ...target,
  ]);
  expect(counted.stdout, counted.stderr).toContain('final status: normal');
  expect(counted.code).toBe(0);

  const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
  child.kill('SIGINT');
  expect(await exited).toBe(0);
}, 240_000);

/** A TCP listener on a free loopback port, standing for another program that holds it. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

it('starts nothing on ports in use, naming each with the flag that moves it, and never attaches to the server that holds one', async () => {
  const api = await occupiedPort();
  const temporalPort = Number(inject('temporalAddress').split(':').pop());
  const uiPort = await freePort();
  const data = await mkdtemp(path.join(tmpdir(), 'jobnet-up-busy-'));
  try {
    const env: NodeJS.ProcessEnv = { TEMPORAL_ADDRESS: '' };
    const { code, stdout, stderr } = await runJobnet(
      [
        'up',
        '--data-dir',
        data,
        '--temporal-port',
        String(temporalPort),
        '--ui-port',
        String(uiPort),
        '--listen',
        `127.0.0.1:${api.port}`,
      ],
      env,
      { timeoutMs: 60_000 },
    );
    expect(code).toBe(1);
    expect(stdout).not.toContain('starting the Temporal dev server');
    expect(stderr).toContain(`port ${temporalPort} on 127.0.0.1 (Temporal dev server, --temporal-port) is in use`);
    expect(stderr).toContain(`port ${api.port} on 127.0.0.1 (HTTP API, --listen) is in use`);
    expect(stderr).toMatch(/move them: jobnet up --temporal-port \d+ --listen 127\.0\.0\.1:\d+/);
    expect(stderr).toContain(
      `or use the Temporal server listening there (perhaps another jobnet up): jobnet up --address 127.0.0.1:${temporalPort}`,
    );
    expect(stderr).not.toContain('internal error');
  } finally {
    api.server.close();
    await rm(data, { recursive: true, force: true });
  }
}, 60_000);
