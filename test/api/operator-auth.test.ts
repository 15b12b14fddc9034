/**
 * Authentication and roles of the operator API on real components (R-SEC-2, R-SEC-3): a
 * controller process (`startControllerProcess`) reconciles a definitions directory whose Projects
 * grant access, on the shared Temporal dev server with a real worker, and serves the API with a
 * tokens file; requests go over real HTTP. Missing, malformed, unknown and expired tokens are 401;
 * both tokens of a rotating account work; the access grants published by the reconcile decide
 * 404/403/200 through `requireRole` (a route of this test's own) and `requireAdmin` (the accounts
 * route); the login page answers `?token=`; a changed tokens file is picked up without a restart,
 * and a broken one keeps the last good accounts; repeated failures are answered 429.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../controller/api/api-server.js';
import { apiErrorOf } from '../../controller/api/api-errors.js';
import { apiTokenDigest, newApiToken } from '../../controller/api/auth/api-tokens.js';
import { publishedAccessReader, tokenAuth } from '../../controller/api/auth/token-auth.js';
import { TokenAccounts } from '../../controller/api/auth/token-accounts.js';
import { requireAdmin, requireRole, type OperatorApi } from '../../controller/api/operator-api.js';
import { getEventRegistryView } from '../../controller/jobnets/jobnet-client.js';
import {
  jsonLogLine,
  startControllerProcess,
  type RunningController,
} from '../../controller/system/controller-process.js';
import { jobnetYaml, until } from '../integration/gitops-repository.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';

const fixture = path.resolve(import.meta.dirname, '..', 'fixtures', 'gitops', 'base');
const tokens = {
  alice: newApiToken(),
  aliceNext: newApiToken(),
  vera: newApiToken(),
  root: newApiToken(),
  eve: newApiToken(),
  late: newApiToken(),
};
const cleanups: (() => Promise<unknown>)[] = [];
let harness: RunHarness;
let controller: RunningController;
let accounts: TokenAccounts;
let url: string;
let root: string;
let tokensFile: string;
const log: string[] = [];

function tokensYaml(extra = ''): string {
  return `accounts:
  - subject: alice
    tokens:
      - sha256: ${apiTokenDigest(tokens.alice)}
      - sha256: ${apiTokenDigest(tokens.aliceNext)}
        expires: 2999-01-01
  - subject: vera
    groups: [viewers]
    tokens:
      - secretRef: {env: TEST_VERA_TOKEN}
  - subject: root
    admin: true
    tokens: [{sha256: ${apiTokenDigest(tokens.root)}}]
  - subject: eve
    tokens: [{sha256: ${apiTokenDigest(tokens.eve)}, expires: 2020-01-01}]
${extra}`;
}

function project(name: string, access: string): string {
  return `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ${name}}\nspec:\n  calendar: office\n  access:\n${access}`;
}

beforeAll(async () => {
  process.env.TEST_VERA_TOKEN = tokens.vera;
  harness = await startRunHarness();
  cleanups.push(() => harness.stop());
  root = await mkdtemp(path.join(tmpdir(), 'jobnet-auth-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const definitions = path.join(root, 'definitions');
  await cp(fixture, definitions, { recursive: true });
  await mkdir(path.join(definitions, 'projects'), { recursive: true });
  await writeFile(
    path.join(definitions, 'projects', 'alpha.yaml'),
    project('alpha', '    - {role: viewer, subjects: [viewers]}\n    - {role: operator, subjects: [alice]}\n') +
      `---\n${jobnetYaml('nightly', '03:00').replaceAll('PROJECT', 'alpha')}`,
  );
  await writeFile(
    path.join(definitions, 'projects', 'beta.yaml'),
    project('beta', '    - {role: admin, subjects: [bob]}\n') +
      `---\n${jobnetYaml('nightly', '03:00').replaceAll('PROJECT', 'beta')}`,
  );
  tokensFile = path.join(root, 'tokens.yaml');
  await writeFile(tokensFile, tokensYaml());
  accounts = await TokenAccounts.fromFile(tokensFile, { log: (level, message) => log.push(`${level} ${message}`) });
  controller = await startControllerProcess({
    client: harness.client,
    taskQueue: harness.target.taskQueue,
    source: { repo: definitions, pollIntervalMs: 1_000 },
    listen: { host: '127.0.0.1', port: 0 },
    resyncIntervalMs: 1_000,
    accounts,
    log: (level, message, fields) => log.push(jsonLogLine(level, message, fields)),
  });
  cleanups.push(() => controller.stop());
  url = (controller.api as { url: string }).url;
  await until(
    'access grants published by the reconcile',
    async () => (await getEventRegistryView(harness.client, harness.target.taskQueue))?.access?.alpha,
    60_000,
    () => log.join(''),
  );
}, 120_000);

afterAll(async () => {
  delete process.env.TEST_VERA_TOKEN;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 60_000);

async function call(
  target: string,
  token?: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const answer = await fetch(target, {
    ...init,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
  });
  const text = await answer.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML page
  }
  return { status: answer.status, body, text };
}

describe('authentication', () => {
  it('refuses a missing, malformed, unknown or expired token with 401 {code, message}', async () => {
    const missing = await call(`${url}/api/v1/status`);
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('UNAUTHENTICATED');
    expect(missing.body.message).toContain('Bearer');
    expect((await call(`${url}/api/v1/status`, 'not-a-token')).status).toBe(401);
    const unknown = await call(`${url}/api/v1/status`, newApiToken());
    expect(unknown.body).toEqual({ code: 'UNAUTHENTICATED', message: 'the API token is not valid' });
    const expired = await call(`${url}/api/v1/status`, tokens.eve);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('TOKEN_EXPIRED');
    expect(String(expired.body.message)).not.toContain('eve');
    expect((await call(`${url}/readyz`)).status).toBe(401);
    expect((await call(`${url}/healthz`)).status).toBe(200);
  });

  it('accepts both tokens of a rotating account, and a token read from a secret reference', async () => {
    for (const token of [tokens.alice, tokens.aliceNext, tokens.vera, tokens.root]) {
      const answer = await call(`${url}/api/v1/status`, token);
      expect(answer.status, answer.text).toBe(200);
    }
    expect((await call(`${url}/readyz`, tokens.alice)).status).not.toBe(401);
  });

  it('answers the console shell at / with no data in it, with or without a token; its data needs the token', async () => {
    for (const page of [
      await call(`${url}/?token=${tokens.root}`),
      await call(`${url}/`),
      await call(`${url}/?token=${newApiToken()}`),
    ]) {
      expect(page.status).toBe(200);
      expect(page.text).toContain('<script type="module" src="/console/app.js">');
      expect(page.text).not.toContain(harness.target.taskQueue);
      expect(page.text).not.toContain(tokens.root);
    }
    expect((await call(`${url}/api/v1/me`)).status).toBe(401);
    const me = await call(`${url}/api/v1/me`, tokens.vera);
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({
      subject: 'vera',
      groups: ['viewers'],
      admin: false,
      deployment: harness.target.taskQueue,
    });
  });

  it('lists the accounts for a global admin only, never a token or a hash', async () => {
    const listed = await call(`${url}/api/v1/accounts`, tokens.root);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.accounts).toEqual(
      expect.arrayContaining([
        {
          subject: 'alice',
          groups: [],
          admin: false,
          tokens: [{ expired: false }, { expires: '2999-01-01T00:00:00.000Z', expired: false }],
        },
        { subject: 'vera', groups: ['viewers'], admin: false, tokens: [{ expired: false }] },
        { subject: 'eve', groups: [], admin: false, tokens: [{ expires: '2020-01-01T00:00:00.000Z', expired: true }] },
      ]),
    );
    for (const token of Object.values(tokens)) {
      expect(listed.text).not.toContain(token);
      expect(listed.text).not.toContain(apiTokenDigest(token));
    }
    const refused = await call(`${url}/api/v1/accounts`, tokens.alice);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(refused.body.message).toContain('global admin');
  });
});

describe('roles from the access the reconcile published', () => {
  let checkUrl: string;

  beforeAll(async () => {
    const operator: OperatorApi = {
      client: harness.client,
      taskQueue: harness.target.taskQueue,
      auth: tokenAuth(accounts, publishedAccessReader(harness.client, harness.target.taskQueue)),
    };
    const app = Fastify();
    app.decorateRequest('caller', null);
    app.setErrorHandler(async (error, _request, reply) => {
      const answer = apiErrorOf(error);
      return await reply.code(answer.statusCode).send(answer.body);
    });
    app.addHook('onRequest', async (request) => {
      request.caller = await operator.auth.authenticate(request);
    });
    app.get<{ Params: { project: string } }>('/check/:project', async (request) => {
      const caller = await requireRole(operator, request, request.params.project, 'viewer', 'reading');
      return { subject: caller.subject, visible: await operator.auth.visibleProjects(caller) };
    });
    app.post<{ Params: { project: string } }>('/check/:project/operate', async (request) => {
      await requireRole(operator, request, request.params.project, 'operator', 'operating');
      return { ok: true };
    });
    app.post<{ Params: { project: string } }>('/check/:project/settings', async (request) => {
      await requireRole(operator, request, request.params.project, 'admin', 'changing settings');
      return { ok: true };
    });
    app.get('/check-admin', (request) => ({ subject: requireAdmin(request, 'the deployment').subject }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const address = app.server.address() as { port: number };
    checkUrl = `http://127.0.0.1:${address.port}`;
  });

  it('a viewer of alpha sees alpha, gets 404 for beta and 403 for an operation on alpha', async () => {
    const seen = await call(`${checkUrl}/check/alpha`, tokens.vera);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body).toEqual({ subject: 'vera', visible: ['alpha'] });
    const hidden = await call(`${checkUrl}/check/beta`, tokens.vera);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ code: 'NOT_FOUND', message: 'no project beta' });
    const refused = await call(`${checkUrl}/check/alpha/operate`, tokens.vera, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('operating needs the operator role on project alpha; vera is viewer');
  });

  it('an operator of alpha may operate alpha but not change its settings nor use admin routes', async () => {
    expect((await call(`${checkUrl}/check/alpha/operate`, tokens.alice, { method: 'POST' })).status).toBe(200);
    expect((await call(`${checkUrl}/check/alpha/settings`, tokens.alice, { method: 'POST' })).status).toBe(403);
    expect((await call(`${checkUrl}/check/beta/operate`, tokens.alice, { method: 'POST' })).status).toBe(404);
    expect((await call(`${checkUrl}/check-admin`, tokens.alice)).status).toBe(403);
  });

  it('a global admin holds every role on every project, granted or not', async () => {
    expect((await call(`${checkUrl}/check/beta/settings`, tokens.root, { method: 'POST' })).status).toBe(200);
    expect((await call(`${checkUrl}/check/gamma/settings`, tokens.root, { method: 'POST' })).status).toBe(200);
    expect((await call(`${checkUrl}/check/alpha`, tokens.root)).body.visible).toBe('all');
    expect((await call(`${checkUrl}/check-admin`, tokens.root)).status).toBe(200);
  });
});

describe('the tokens file', () => {
  it('is reloaded when it changes; a broken version keeps the last good accounts and says why', async () => {
    expect((await call(`${url}/api/v1/status`, tokens.late)).status).toBe(401);
    await writeFile(
      tokensFile,
      tokensYaml(`  - subject: late\n    tokens: [{sha256: ${apiTokenDigest(tokens.late)}}]\n`),
    );
    await until(
      'the new account works',
      async () => ((await call(`${url}/api/v1/status`, tokens.late)).status === 200 ? true : undefined),
      10_000,
    );
    await writeFile(tokensFile, `${tokensYaml()}  - subject: broken\n    tokens: [{sha256: ${'0'.repeat(63)}}]\n`);
    // The file is checked for a change when a request comes (at most once a second).
    await until(
      'the broken reload is logged',
      async () => {
        await call(`${url}/api/v1/status`, tokens.root);
        return log.some((line) => line.includes('sha256 must be 64 hexadecimal digits')) ? true : undefined;
      },
      10_000,
    );
    const logged = log.find((line) => line.includes('sha256 must be 64 hexadecimal digits')) as string;
    expect(logged).toMatch(/tokens\.yaml:\d+:\d+: /);
    expect(logged).not.toContain('0'.repeat(63));
    expect((await call(`${url}/api/v1/status`, tokens.late)).status).toBe(200);
  });
});

describe('repeated authentication failures', () => {
  it('are answered 429 with Retry-After past the limit, from the same address', async () => {
    const server = await startApiServer({
      port: 0,
      limits: { maxRefusalsPerMinute: 3 },
      operator: {
        client: harness.client,
        taskQueue: harness.target.taskQueue,
        auth: tokenAuth(accounts, () => Promise.resolve({})),
      },
      status: () => undefined,
    });
    cleanups.push(() => server.close());
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1)
      statuses.push((await call(`${server.url}/api/v1/status`, newApiToken())).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await fetch(`${server.url}/readyz`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { code: string }).code).toBe('TOO_MANY_REFUSALS');
  });
});
