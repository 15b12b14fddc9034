/**
 * The operator API as the tests under test/api/ use it: the real dev server of the test run, a
 * real worker on a task queue of its own, the definitions of test/fixtures/valid/api-routes
 * applied through the real `jobnet apply`, and the API listening on a free port with a small test
 * {@link OperatorAuth} (a token names a caller; a table gives the caller's role per project).
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../controller/api/api-errors.js';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import type { Caller, OperatorAuth, ProjectRole } from '../../controller/api/operator-api.js';
import { runJobnet, type CliResult } from '../cli/cli-process.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';

export const definitions = 'test/fixtures/valid/api-routes';

/** The test accounts: token → caller, and the caller's roles by project. */
export const accounts: Record<string, { caller: Caller; roles: Record<string, ProjectRole> }> = {
  'admin-token': { caller: { subject: 'ada', groups: [], admin: true }, roles: {} },
  'alpha-operator-token': { caller: { subject: 'olga', groups: ['ops'], admin: false }, roles: { alpha: 'operator' } },
  'alpha-viewer-token': { caller: { subject: 'vic', groups: [], admin: false }, roles: { alpha: 'viewer' } },
  'both-operator-token': {
    caller: { subject: 'bo', groups: [], admin: false },
    roles: { alpha: 'operator', beta: 'operator' },
  },
};

/** A test OperatorAuth over {@link accounts}. */
export const testAuth: OperatorAuth = {
  authenticate(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header)?.[1] : undefined;
    const account = token === undefined ? undefined : accounts[token];
    if (account === undefined) return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'an API token is required'));
    return Promise.resolve(account.caller);
  },
  roleOn(caller, project) {
    const account = Object.values(accounts).find((entry) => entry.caller.subject === caller.subject);
    return Promise.resolve(account?.roles[project]);
  },
  visibleProjects(caller) {
    if (caller.admin) return Promise.resolve('all');
    const account = Object.values(accounts).find((entry) => entry.caller.subject === caller.subject);
    return Promise.resolve(Object.keys(account?.roles ?? {}));
  },
};

export interface ApiFixture {
  harness: RunHarness;
  server: RunningApiServer;
  /** `fetch` of a path on the server with a token (default: the admin's). */
  call(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      form?: Record<string, string>;
      raw?: string;
      contentType?: string;
    },
  ): Promise<{ status: number; body: unknown; text: string }>;
  /** `jobnet ARGS…` against the fixture's Temporal target. */
  cli(...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Starts the fixture; the definitions are applied before it resolves. */
export async function startApiFixture(): Promise<ApiFixture> {
  const harness = await startRunHarness();
  const targetFlags = [
    '--address',
    harness.target.address,
    '--namespace',
    harness.target.namespace,
    '--task-queue',
    harness.target.taskQueue,
  ];
  const cli = async (...args: string[]) => await runJobnet([...args, ...targetFlags]);
  const applied = await cli('apply', '--dir', definitions, '--by', 'api-test');
  if (applied.code !== 0) throw new Error(`jobnet apply failed: ${applied.stderr}`);
  const server = await startApiServer({
    port: 0,
    operator: { client: harness.client, taskQueue: harness.target.taskQueue, auth: testAuth },
  });
  return {
    harness,
    server,
    cli,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? 'admin-token' : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.form !== undefined) {
        body = new URLSearchParams(options.form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    },
    async stop() {
      await server.close();
      await harness.stop();
    },
  };
}

/** Polls `probe` until `accept` holds; fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not reached within ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
