/**
 * The controller's listener faces the network (R-GIT-1 webhook): a real `jobnet controller`
 * process, started with a low `ulimit -n` (256) as a small container would run it, reconciling a
 * real git remote into the shared dev server (a real worker in this process), is flooded over
 * real sockets by 1,100 connections that send part of a webhook body and then a byte a second.
 * It must stay up and keep reconciling, cut the slow connections at the request timeout, hold no
 * more connections than its cap, answer refused webhooks 429 past the limit (logging them
 * aggregated), ignore a replayed delivery and answer a signed body of the wrong type 415.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJobnetView } from '../../controller/jobnets/jobnet-client.js';
import { freePort } from '../../controller/temporal/dev-server.js';
import { githubSignature } from '../../controller/source/webhook-signature.js';
import { createGitopsRepository, jobnetYaml, until, type GitopsRepository } from './gitops-repository.js';
import { startRunHarness, type RunHarness } from './run-harness.js';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const secret = 'flood-test-secret';
const maxConnections = 64;
const requestTimeoutS = 3;
const maxRefusals = 10;

let harness: RunHarness;
let repository: GitopsRepository;
let controller: ChildProcess;
let output = '';
let url: string;

function printed(): string {
  return `; the controller printed:\n${output.slice(-4000)}`;
}

interface ControllerStatusAnswer {
  appliedRevision?: string;
  conditions: { type: string; status: string; reason: string }[];
}

async function status(): Promise<ControllerStatusAnswer> {
  return (await (await fetch(`${url}/api/v1/status`)).json()) as ControllerStatusAnswer;
}

function logLines(fragment: string): string[] {
  return output.split('\n').filter((line) => line.includes(fragment));
}

beforeAll(async () => {
  harness = await startRunHarness();
  const created = await createGitopsRepository('flood', { 'jobnets/alpha.yaml': jobnetYaml('alpha', '22:00') });
  repository = created.repository;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const args = [
    path.join(projectRoot, 'bin', 'jobnet.js'),
    'controller',
    '--repo',
    `file://${repository.remote}`,
    '--branch',
    'main',
    '--cache-dir',
    path.join(repository.root, 'cache'),
    '--poll-interval',
    '1s',
    '--listen',
    `127.0.0.1:${port}`,
    '--max-connections',
    String(maxConnections),
    '--request-timeout',
    `${requestTimeoutS}s`,
    '--max-refusals',
    String(maxRefusals),
    '--address',
    harness.target.address,
    '--namespace',
    harness.target.namespace,
    '--task-queue',
    harness.target.taskQueue,
  ];
  controller = spawn('bash', ['-c', 'ulimit -n 256; exec "$0" "$@"', process.execPath, ...args], {
    cwd: projectRoot,
    env: { ...process.env, JOBNET_WEBHOOK_SECRET: secret, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  controller.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  controller.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(
    'the first revision applied',
    async () => ((await status()).appliedRevision === created.head ? true : undefined),
    60_000,
    printed,
  );
}, 120_000);

afterAll(async () => {
  if (controller !== undefined && controller.exitCode === null) {
    const exited = new Promise((resolve) => controller.once('exit', resolve));
    controller.kill('SIGTERM');
    await exited;
  }
  await harness?.stop();
  await repository?.remove();
});

/** A connection that sends a webhook's headers and the start of a 100 kB body, then a byte a second. */
interface SlowConnection {
  socket: Socket;
  openedAt: number;
  connectedAt?: number;
  closedAt?: number;
  answer: string;
}

function slowConnection(port: number): SlowConnection {
  const connection: SlowConnection = { socket: connect({ host: '127.0.0.1', port }), openedAt: Date.now(), answer: '' };
  const { socket } = connection;
  let drip: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    connection.connectedAt = Date.now();
    socket.write(
      'POST /api/v1/hooks/git HTTP/1.1\r\nHost: controller\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\nContent-Length: 100000\r\n\r\n{"ref": "refs/heads/',
    );
    drip = setInterval(() => socket.write('m'), 1_000);
  });
  socket.on('data', (chunk: Buffer) => (connection.answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(drip);
    connection.closedAt = Date.now();
  });
  return connection;
}

describe('a controller listener under attack', () => {
  it('stays up through 1,100 slow partial-body connections, holds at most its cap, cuts them at the request timeout, and applies a push made during the flood', async () => {
    const port = Number(new URL(url).port);
    const flood = Array.from({ length: 1_100 }, () => slowConnection(port));
    const open = (): number => flood.filter((c) => c.connectedAt !== undefined && c.closedAt === undefined).length;
    let mostOpen = 0;
    const sampler = setInterval(() => (mostOpen = Math.max(mostOpen, open())), 50);
    try {
      // The cap: whatever the kernel accepted beyond it is closed at once.
      await until(
        'the flood connected',
        () => (flood.every((c) => c.connectedAt !== undefined || c.closedAt !== undefined) ? true : undefined),
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(controller.exitCode, `the controller exited${printed()}`).toBeNull();
      const held = flood.filter((c) => c.closedAt === undefined);
      expect(held.length).toBeGreaterThan(0);
      expect(held.length).toBeLessThanOrEqual(maxConnections);

      // Reconciling goes on meanwhile: a push is polled, fetched (git runs) and applied.
      const revision = await repository.push('alpha at 22:30 during the flood', {
        'jobnets/alpha.yaml': jobnetYaml('alpha', '22:30'),
      });
      await until(
        'the push applied during the flood',
        async () =>
          (await getJobnetView(harness.client, harness.target.taskQueue, repository.project, 'alpha')).revision ===
          revision
            ? true
            : undefined,
        30_000,
        printed,
      );

      // The held connections are cut at the request timeout (checked every second), with a 408.
      await until(
        'the held connections cut',
        () => (held.every((c) => c.closedAt !== undefined) ? true : undefined),
        (requestTimeoutS + 5) * 1000,
      );
      for (const connection of held) {
        expect((connection.closedAt as number) - (connection.connectedAt as number)).toBeLessThan(
          (requestTimeoutS + 2) * 1000,
        );
        expect(connection.answer).toMatch(/^HTTP\/1\.1 408 /);
      }
      expect(mostOpen).toBeLessThanOrEqual(maxConnections);
    } finally {
      clearInterval(sampler);
      for (const connection of flood) connection.socket.destroy();
    }
    expect(controller.exitCode, printed()).toBeNull();
    expect(output).not.toMatch(/EMFILE|Unhandled/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await status()).conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  }, 120_000);

  it(`answers refused webhooks 401, then 429 past ${maxRefusals} a minute, logging them aggregated`, async () => {
    const before = logLines('webhook refused').length;
    const codes: number[] = [];
    for (let i = 0; i < maxRefusals + 5; i += 1) {
      const answer = await fetch(`${url}/api/v1/hooks/git`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        },
        body: '{}',
      });
      codes.push(answer.status);
      const body = (await answer.json()) as { code: string; message: string };
      expect(body.code).toBe(answer.status === 401 ? 'WEBHOOK_REFUSED' : 'TOO_MANY_REFUSALS');
      if (answer.status === 429) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(codes).toEqual([...Array<number>(maxRefusals).fill(401), ...Array<number>(5).fill(429)]);
    // The first refusal is logged at once; the other 14 wait for the minute's summary line.
    expect(logLines('webhook refused').length - before).toBe(1);
    expect(controller.exitCode).toBeNull();
  });

  it('takes a signed push once: the replayed delivery triggers nothing, and a signed body of the wrong type is 415', async () => {
    const revision = (await status()).appliedRevision as string;
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: revision,
      repository: { clone_url: `file://${repository.remote}` },
    });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': githubSignature(body, secret),
    };
    const first = await fetch(`${url}/api/v1/hooks/git`, { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: true });
    const replayed = await fetch(`${url}/api/v1/hooks/git`, { method: 'POST', headers, body });
    expect(replayed.status).toBe(202);
    expect(await replayed.json()).toMatchObject({
      accepted: false,
      duplicate: true,
      message: expect.stringContaining('was received before') as string,
    });
    expect(logLines('webhook: push to').length).toBe(1);

    const wrongType = await fetch(`${url}/api/v1/hooks/git`, {
      method: 'POST',
      headers: { ...headers, 'x-github-delivery': 'another-delivery', 'content-type': 'text/plain' },
      body,
    });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('text/plain') as string,
    });
    expect(logLines('webhook: push to').length).toBe(1);
  });
});
