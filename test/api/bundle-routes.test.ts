/**
 * The bundle routes (controller/api/routes/bundle-routes.ts) over real HTTP: the API server on a
 * free port with a small token → caller auth, a real Temporal client of the test dev server, a
 * definitions directory to export from and one to import into. Export as YAML with its file name,
 * the dry run and the admin-only write of an import, and the refusals: 400, 403, 404, 413, 501.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../../controller/api/api-errors.js';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import type { Caller, OperatorApi, OperatorAuth, ProjectRole } from '../../controller/api/operator-api.js';
import { readBundle } from '../../controller/export/bundle-format.js';
import { connectClient, type TemporalClientHandle } from '../../controller/temporal/temporal-target.js';

const definitions = 'test/fixtures/valid/scheduler-cli';
const accounts: Record<string, { caller: Caller; roles: Record<string, ProjectRole> }> = {
  'viewer-token': { caller: { subject: 'vera', groups: [], admin: false }, roles: { clitest: 'viewer' } },
  'stranger-token': { caller: { subject: 'sam', groups: [], admin: false }, roles: {} },
  'admin-token': { caller: { subject: 'ada', groups: [], admin: true }, roles: {} },
};

const auth: OperatorAuth = {
  authenticate(request) {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const account = token === undefined ? undefined : accounts[token];
    if (account === undefined) return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'an API token is required'));
    return Promise.resolve(account.caller);
  },
  roleOn(caller, project) {
    const account = Object.values(accounts).find((a) => a.caller.subject === caller.subject);
    return Promise.resolve(account?.roles[project]);
  },
  visibleProjects(caller) {
    if (caller.admin) return Promise.resolve('all');
    const account = Object.values(accounts).find((a) => a.caller.subject === caller.subject);
    return Promise.resolve(Object.keys(account?.roles ?? {}));
  },
};

let handle: TemporalClientHandle;
let server: RunningApiServer;
let bare: RunningApiServer;
let into = '';
const scratch: string[] = [];

async function call(
  on: RunningApiServer,
  url: string,
  token: string,
  init: { method?: string; body?: string; type?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.type !== undefined) headers['content-type'] = init.type;
  return await fetch(`${on.url}${url}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

async function exported(): Promise<string> {
  const answer = await call(server, '/api/v1/projects/clitest/export', 'viewer-token');
  expect(answer.status).toBe(200);
  return await answer.text();
}

beforeAll(async () => {
  const target = {
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
    taskQueue: `bundle-routes-${process.pid}`,
  };
  handle = await connectClient(target);
  into = await mkdtemp(path.join(os.tmpdir(), 'jobnet-bundle-routes-'));
  scratch.push(into);
  const api: OperatorApi = {
    client: handle.client,
    taskQueue: target.taskQueue,
    auth,
    bundles: { source: { dir: definitions }, importInto: into },
  };
  server = await startApiServer({ port: 0, operator: api });
  bare = await startApiServer({ port: 0, operator: { client: handle.client, taskQueue: target.taskQueue, auth } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await bare?.close();
  await handle?.close();
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('GET /api/v1/projects/:project/export', () => {
  it('answers the bundle as application/yaml with its file name, to a viewer of the project', async () => {
    const answer = await call(server, '/api/v1/projects/clitest/export?withState=true', 'viewer-token');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="clitest_\d{14}\.yaml"$/);
    const read = readBundle('answer.yaml', await answer.text());
    expect(read.ok ? read.bundle.options : read.message).toEqual({ withStartDays: false, withState: true });
    expect(read.ok && read.bundle.definitions.some((d) => (d as { kind: string }).kind === 'Project')).toBe(true);
  });

  it('freezes the start days of a year with withStartDays', async () => {
    const answer = await call(server, '/api/v1/projects/clitest/export?withStartDays=true&year=2027', 'viewer-token');
    expect(answer.status).toBe(200);
    const read = readBundle('answer.yaml', await answer.text());
    expect(read.ok && read.bundle.options).toMatchObject({ withStartDays: true, year: 2027 });
  });

  it('refuses: 404 for a project the caller cannot see or that is not defined, 400 for a bad query, 501 without a source', async () => {
    const hidden = await call(server, '/api/v1/projects/clitest/export', 'stranger-token');
    expect(hidden.status).toBe(404);
    const missing = await call(server, '/api/v1/projects/nosuch/export', 'admin-token');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toContain('not defined');
    const badYear = await call(server, '/api/v1/projects/clitest/export?withStartDays=true&year=soon', 'viewer-token');
    expect(badYear.status).toBe(400);
    const badYearBody = (await badYear.json()) as { code: string; field?: string };
    expect(badYearBody.code).toBe('INVALID_FIELD');
    expect(badYearBody.field).toContain('year');
    const unknown = await call(server, '/api/v1/projects/clitest/export?state=1', 'viewer-token');
    expect(unknown.status).toBe(400);
    const unconfigured = await call(bare, '/api/v1/projects/clitest/export', 'viewer-token');
    expect(unconfigured.status).toBe(501);
    expect(await unconfigured.json()).toMatchObject({ code: 'NOT_CONFIGURED' });
  });
});

describe('the OpenAPI document', () => {
  it('describes both routes with their query fields', async () => {
    const answer = await call(server, '/api/v1/openapi.json', 'viewer-token');
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; tags?: string[] }>>;
    };
    const exportRoute = document.paths['/api/v1/projects/{project}/export']?.get;
    expect(exportRoute?.tags).toEqual(['bundles']);
    expect(exportRoute?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['project', 'withStartDays', 'year', 'withState']),
    );
    expect(document.paths['/api/v1/imports']?.post?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['dryRun', 'project', 'onConflict']),
    );
  });
});

describe('POST /api/v1/imports', () => {
  it('is a dry run by default: answers the writes and the plan, writes nothing', async () => {
    const answer = await call(server, '/api/v1/imports', 'viewer-token', {
      method: 'POST',
      body: await exported(),
      type: 'application/yaml',
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { dryRun: boolean; writes: { path: string }[]; plan: string; into: string };
    expect(body.dryRun).toBe(true);
    expect(body.into).toBe(into);
    expect(body.writes.map((w) => w.path)).toContain('projects/clitest/jobnets/operated.yaml');
    expect(body.plan).toMatch(/operated/);
    expect(await readdir(into)).toEqual([]);
  });

  it('writes with dryRun=false for a global admin only', async () => {
    const text = await exported();
    const viewer = await call(server, '/api/v1/imports?dryRun=false', 'viewer-token', {
      method: 'POST',
      body: text,
      type: 'application/yaml',
    });
    expect(viewer.status).toBe(403);
    expect(await readdir(into)).toEqual([]);
    const admin = await call(server, '/api/v1/imports?dryRun=false', 'admin-token', {
      method: 'POST',
      body: text,
      type: 'application/yaml',
    });
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { dryRun: boolean }).dryRun).toBe(false);
    const written = await readFile(path.join(into, 'projects/clitest/jobnets/operated.yaml'), 'utf8');
    expect(written).toContain('name: operated');
    const unconfigured = await call(bare, '/api/v1/imports?dryRun=false', 'admin-token', {
      method: 'POST',
      body: text,
      type: 'application/yaml',
    });
    expect(unconfigured.status).toBe(501);
  });

  it('refuses a tampered bundle (400), a body that is not YAML (415) and an unknown query field (400)', async () => {
    const tampered = (await exported()).replace('name: operated', 'name: operatex');
    const answer = await call(server, '/api/v1/imports', 'viewer-token', {
      method: 'POST',
      body: tampered,
      type: 'application/yaml',
    });
    expect(answer.status).toBe(400);
    const refused = (await answer.json()) as { code: string; message: string };
    expect(refused.code).toBe('BUNDLE_REFUSED');
    expect(refused.message).toContain('checksum mismatch');
    const plain = await call(server, '/api/v1/imports', 'viewer-token', {
      method: 'POST',
      body: 'x',
      type: 'text/plain',
    });
    expect(plain.status).toBe(415);
    const unknown = await call(server, '/api/v1/imports?force=true', 'viewer-token', {
      method: 'POST',
      body: 'x',
      type: 'application/yaml',
    });
    expect(unknown.status).toBe(400);
  });

  it('refuses a body over 200 MiB with 413: by its Content-Length before reading, and while streaming one without', async () => {
    const declared = await rawPost(server.url, { 'content-length': String(300 * 1024 * 1024) }, 1);
    expect(declared.status).toBe(413);
    const chunked = await rawPost(server.url, { 'transfer-encoding': 'chunked' }, 201);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  }, 120_000);
});

/** POSTs `mebibytes` MiB of YAML comment lines to /api/v1/imports with `headers`; the answer, even if it comes early. */
function rawPost(
  base: string,
  headers: Record<string, string>,
  mebibytes: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024, '#'.padEnd(1023, ' ') + '\n');
    const request = httpRequest(
      `${base}/api/v1/imports`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: 'Bearer viewer-token', 'content-type': 'application/yaml', ...headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (data: string) => (body += data));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    let sent = 0;
    const more = () => {
      while (sent < mebibytes) {
        sent += 1;
        if (!request.write(chunk)) return void request.once('drain', more);
      }
      request.end();
    };
    more();
  });
}
