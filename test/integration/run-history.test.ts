/**
 * Run history on the real dev server (R-OPS-5, R-OPS-6): runs of two business dates are listed by
 * the real `jobnet history` with `--from`/`--to` in a local zone (TZ of the child process) and
 * with `--utc`; the Shift_JIS CSV decodes to the Japanese names and titles, with the character
 * that has no Shift_JIS code written as `?` and counted on stderr; `history show` has every field,
 * the retry link both ways; an abended run awaiting the operator stays open (never subject to
 * retention) and is listed as such; and the API routes answer 200, 400 and 404 over real HTTP,
 * showing a viewer only the projects it may see.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../controller/api/api-errors.js';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import type { Caller, OperatorAuth, ProjectRole } from '../../controller/api/operator-api.js';
import { listRunHistory } from '../../controller/runs/history-client.js';
import { startRun, waitForRunEnd } from '../../controller/runs/run-client.js';
import { runWorkflowId, searchAttributeKeys, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { topLevelRunStart } from '../../workflows/run-contract.js';
import { projectRoot, runJobnet } from '../cli/cli-process.js';
import { startRunHarness, type RunHarness } from './run-harness.js';
import { jobnetOf, sh } from './run-fixtures.js';

/** A jobnet name with 𠮷 (a letter with no Shift_JIS code) and a title with a WAVE DASH. */
const salesProject = '販売';
const salesJobnet = '日次締め𠮷';
const salesTitle = '売上〜集計';
const jobTitle = '集計ジョブ';

const sales = jobnetOf(salesJobnet, [{ name: 'sum', type: 'sleep', spec: { seconds: 0 }, title: jobTitle }], {
  project: salesProject,
  title: salesTitle,
  revision: 'aaaaaaa1111',
});
const infra = jobnetOf('nightly', [{ name: 'fail', type: 'command', spec: sh('echo broken; exit 3') }], {
  project: 'infra',
  revision: 'bbbbbbb2222',
});

/** Test authentication: bearer tokens to callers, and their roles by project. */
function testAuth(): OperatorAuth {
  const callers: Record<string, { caller: Caller; roles: Record<string, ProjectRole> }> = {
    'admin-token': { caller: { subject: 'root', groups: [], admin: true }, roles: {} },
    'sales-viewer': { caller: { subject: 'hanako', groups: [], admin: false }, roles: { [salesProject]: 'viewer' } },
  };
  const account = (caller: Caller) => Object.values(callers).find((entry) => entry.caller === caller);
  return {
    authenticate(request) {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const found = token === undefined ? undefined : callers[token];
      if (found === undefined) return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'a valid token is required'));
      return Promise.resolve(found.caller);
    },
    roleOn: (caller, project) => Promise.resolve(account(caller)?.roles[project]),
    visibleProjects: (caller) => Promise.resolve(caller.admin ? 'all' : Object.keys(account(caller)?.roles ?? {})),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('run history', () => {
  let harness: RunHarness;
  let api: RunningApiServer;
  let first: string;
  let second: string;
  let retry: string;
  /** A whole second after the first run started and before the second. */
  let boundary: number;
  let target: string[];

  beforeAll(async () => {
    harness = await startRunHarness({ allowCommandJobs: true });
    const queue = harness.target.taskQueue;
    target = ['--address', harness.target.address, '--namespace', harness.target.namespace, '--task-queue', queue];
    first = await startRun(harness.client, {
      taskQueue: queue,
      jobnet: sales,
      businessDate: '2026-11-23',
      requestedBy: 'test',
      trigger: 'manual',
      parameter: 'P-1',
    });
    await waitForRunEnd(harness.client, first, { pollMs: 100 });
    boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, boundary - Date.now() + 50));
    second = await startRun(harness.client, {
      taskQueue: queue,
      jobnet: infra,
      businessDate: '2026-11-24',
      requestedBy: 'test',
      trigger: 'manual',
    });
    await harness.waitFor(second, (view) => view.status === 'abended');
    // A retry of the second run, as the retry operation starts one: trigger retry, JobnetRetryOf.
    const { input, searchAttributes } = topLevelRunStart({
      jobnet: infra,
      businessDate: '2026-11-24',
      trigger: 'retry',
      requestedBy: 'test',
    });
    retry = runWorkflowId(queue, infra.project, infra.name, '2026-11-24', 'retry-1');
    await harness.client.workflow.start(workflowTypes.run, {
      workflowId: retry,
      taskQueue: queue,
      args: [input],
      typedSearchAttributes: [...searchAttributes, { key: searchAttributeKeys.retryOf, value: second }],
    });
    await harness.waitFor(retry, (view) => view.status === 'abended');
    // Visibility catches up with the status changes.
    await until('visibility of the three runs', async () => {
      const page = await listRunHistory(harness.client, queue, { projects: 'all' }, { pageSize: 10 });
      const statuses = page.runs.map((run) => run.status).sort();
      return statuses.join() === 'abended,abended,normal' ? page : undefined;
    });
    api = await startApiServer({ port: 0, operator: { client: harness.client, taskQueue: queue, auth: testAuth() } });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await harness?.stop();
  });

  it('lists the runs newest first, the open abended runs first, with the retry link', async () => {
    const page = await listRunHistory(harness.client, harness.target.taskQueue, { projects: 'all' }, { pageSize: 10 });
    expect(page.runs.map((run) => run.id)).toEqual([retry, second, first]);
    expect(page.runs[0]).toMatchObject({ trigger: 'retry', retryOf: second, status: 'abended', open: true });
    // Abended and awaiting the operator: the workflow is open, so retention never removes it.
    expect(page.runs[1]).toMatchObject({ status: 'abended', open: true, businessDate: '2026-11-24' });
    expect(page.runs[1]?.finished).toBeUndefined();
    expect(page.runs[2]).toMatchObject({
      project: salesProject,
      jobnet: salesJobnet,
      businessDate: '2026-11-23',
      status: 'normal',
      open: false,
      revision: 'aaaaaaa1111',
    });
    const open = await listRunHistory(
      harness.client,
      harness.target.taskQueue,
      { projects: 'all', status: 'abended' },
      { pageSize: 10 },
    );
    expect(open.runs.map((run) => run.id)).toEqual([retry, second]);
  });

  it('jobnet history --from/--to reads local time in the zone of the machine, and UTC with --utc', async () => {
    const tokyo = DateTime.fromMillis(boundary, { zone: 'Asia/Tokyo' }).toFormat('yyyy-MM-dd HH:mm:ss');
    const utc = DateTime.fromMillis(boundary, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm:ss');
    const env = { TZ: 'Asia/Tokyo' };
    const before = await runJobnet(['history', '--to', tokyo, ...target], env);
    expect(before.code, before.stderr).toBe(0);
    const lines = before.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED \(LOCAL\)\s+FINISHED \(LOCAL\)\s+STATUS\s+PROJECT\/JOBNET$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(first);
    expect(lines[1]).toContain(`normal  ${salesProject}/${salesJobnet}`);
    // Shown in the child's local zone, Asia/Tokyo: the start is before the boundary, the same day there.
    expect(lines[1]).toContain(` ${tokyo.slice(0, 10)} `);

    const after = await runJobnet(['history', '--from', tokyo, ...target], env);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).not.toContain(first);
    expect(after.stdout).toContain(second);
    expect(after.stdout).toContain(retry);
    expect(after.stdout.split('\n')[0]).toContain('RETRY OF');

    // The same wall-clock text read as UTC is nine hours later: both runs are before it.
    const shifted = await runJobnet(['history', '--to', tokyo, '--utc', ...target], env);
    expect(shifted.stdout.split('\n')[0]).toMatch(/STARTED \(UTC\)\s+FINISHED \(UTC\)/);
    expect(shifted.stdout).toContain(second);
    const utcBefore = await runJobnet(['history', '--to', utc, '--utc', '--json', ...target], env);
    const listed = JSON.parse(utcBefore.stdout) as { runs: { id: string }[] };
    expect(listed.runs.map((run) => run.id)).toEqual([first]);
    const utcAfter = await runJobnet(['history', '--from', `${utc.replace(' ', 'T')}Z`, '--json', ...target], env);
    expect((JSON.parse(utcAfter.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id)).toEqual([
      retry,
      second,
    ]);

    const bad = await runJobnet(['history', '--from', '2026-02-30 10:00:00', ...target], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from "2026-02-30 10:00:00" is not a real date: February 2026 has 28 days');
  });

  it('writes Shift_JIS CSV that decodes to the Japanese names and titles, counting what has no Shift_JIS code', async () => {
    const listing = await runJobnetBytes([
      'history',
      '--project',
      salesProject,
      '--csv',
      '--encoding',
      'sjis',
      ...target,
    ]);
    const text = new TextDecoder('shift_jis').decode(listing.stdout);
    expect(text.split('\r\n')[0]).toBe(
      'id,project,jobnet,business date,trigger,status,started,finished,revision,retry of',
    );
    expect(text).toContain(`,${salesProject},日次締め?,2026-11-23,manual,normal,`);
    expect(listing.stderr).toContain('1 character(s) have no Shift_JIS code and were written as "?" (U+20BB7)');

    const jobs = await runJobnetBytes(['history', 'show', first, '--csv', '--encoding', 'sjis', ...target]);
    const decoded = new TextDecoder('shift_jis').decode(jobs.stdout);
    // The WAVE DASH is written as its Windows-31J look-alike, FULLWIDTH TILDE.
    expect(decoded).toContain(`,${salesProject},日次締め?,売上～集計,sum,${jobTitle},normal,0,1,`);
  }, 60_000);

  it('jobnet history show prints every field, and the retry link both ways', async () => {
    const shown = await runJobnet(['history', 'show', second, ...target]);
    expect(shown.code, shown.stderr).toBe(0);
    const record = JSON.parse(shown.stdout) as Record<string, unknown> & {
      jobs: Record<string, unknown>[];
      retries: { id: string }[];
    };
    expect(record).toMatchObject({
      id: second,
      project: 'infra',
      jobnet: 'nightly',
      status: 'abended',
      trigger: 'manual',
      revision: 'bbbbbbb2222',
      open: true,
    });
    expect(record.started).toMatch(/Z$/);
    expect(record.finished).toMatch(/Z$/);
    expect(record.error).toEqual(expect.any(String));
    expect(record.jobs[0]).toMatchObject({ name: 'fail', state: 'abended', exitCode: 3, output: 'broken\n' });
    expect(record.jobs[0]?.error).toContain('exit code 3');
    expect(record.retries.map((entry) => entry.id)).toEqual([retry]);
    const retried = JSON.parse((await runJobnet(['history', 'show', retry, ...target])).stdout) as { retryOf: string };
    expect(retried.retryOf).toBe(second);
    const firstShown = JSON.parse((await runJobnet(['history', 'show', first, ...target])).stdout) as Record<
      string,
      unknown
    >;
    expect(firstShown).toMatchObject({ parameter: 'P-1', title: salesTitle, status: 'normal', open: false });
    const missing = await runJobnet(['history', 'show', 'run/nowhere/x/y/2026-01-01/1', ...target]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run run/nowhere/x/y/2026-01-01/1');
  }, 60_000);

  const get = async (path: string, token = 'admin-token', headers: Record<string, string> = {}) =>
    await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  it('GET /api/v1/runs lists with filters and a cursor, only the projects the caller may see', async () => {
    const all = (await (await get('/api/v1/runs')).json()) as { runs: { id: string }[]; nextCursor?: string };
    expect(all.runs.map((run) => run.id)).toEqual([retry, second, first]);
    expect(all.nextCursor).toBeUndefined();

    const viewer = (await (await get('/api/v1/runs', 'sales-viewer')).json()) as { runs: { id: string }[] };
    expect(viewer.runs.map((run) => run.id)).toEqual([first]);
    const hidden = (await (await get('/api/v1/runs?project=infra', 'sales-viewer')).json()) as { runs: unknown[] };
    expect(hidden.runs).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const answer = await get(`/api/v1/runs?limit=1${cursor !== undefined ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      const page = (await answer.json()) as { runs: { id: string }[]; nextCursor?: string };
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([retry, second, first]);

    const from = new Date(boundary).toISOString();
    const filtered = (await (await get(`/api/v1/runs?from=${encodeURIComponent(from)}&trigger=retry`)).json()) as {
      runs: { id: string; retryOf?: string }[];
    };
    expect(filtered.runs).toEqual([expect.objectContaining({ id: retry, retryOf: second })]);
    const local = DateTime.fromMillis(boundary, { zone: 'Asia/Tokyo' }).toFormat('yyyy-MM-dd HH:mm:ss');
    const zoned = (await (await get(`/api/v1/runs?to=${encodeURIComponent(local)}&tz=Asia/Tokyo`)).json()) as {
      runs: { id: string }[];
    };
    expect(zoned.runs.map((run) => run.id)).toEqual([first]);

    const paged = (await (await get('/api/v1/runs?limit=1')).json()) as { nextCursor: string };
    for (const [query, field] of [
      ['from=2026-02-30', 'querystring/from'],
      ['to=yesterday', 'querystring/to'],
      ['status=lost', 'querystring/status'],
      ['limit=0', 'querystring/limit'],
      ['tz=Mars/Olympus', 'querystring/tz'],
      ['colour=red', 'querystring/colour'],
      ['cursor=bm90LWEtY3Vyc29y', 'querystring/cursor'],
      [`cursor=${paged.nextCursor}&status=normal`, 'querystring/cursor'],
      [`cursor=${forgedCursor(paged.nextCursor)}&limit=1`, 'querystring/cursor'],
    ] as const) {
      const answer = await get(`/api/v1/runs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(await answer.json(), query).toMatchObject({ code: 'INVALID_FIELD', field });
    }
    expect((await fetch(`${api.url}/api/v1/runs`)).status).toBe(401);
  });

  it('GET /api/v1/runs/:id and /jobs answer the run, 404 for runs the caller may not see and for malformed ids', async () => {
    const answer = await get(`/api/v1/runs/${encodeURIComponent(second)}`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id: second, status: 'abended', retries: [{ id: retry }] });
    const jobs = await get(`/api/v1/runs/${encodeURIComponent(second)}/jobs`);
    expect(await jobs.json()).toMatchObject({ id: second, jobs: [{ name: 'fail', exitCode: 3 }] });

    expect((await get(`/api/v1/runs/${encodeURIComponent(first)}`, 'sales-viewer')).status).toBe(200);
    const hidden = await get(`/api/v1/runs/${encodeURIComponent(second)}`, 'sales-viewer');
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ code: 'NOT_FOUND' });
    for (const id of [
      'nothing',
      '..%2F..%2Fetc%2Fpasswd',
      encodeURIComponent('run/other-queue/infra/nightly/2026-11-24/1'),
      encodeURIComponent(runWorkflowId(harness.target.taskQueue, 'infra', 'nightly', '2026-11-24', 'never')),
      '%E0%A4%A',
    ]) {
      const missing = await get(`/api/v1/runs/${id}`);
      expect([400, 404], id).toContain(missing.status);
      expect(await missing.json(), id).toHaveProperty('code');
    }
    expect((await get(`/api/v1/runs/${encodeURIComponent(second)}?format=xml`)).status).toBe(400);
  });

  it('answers CSV for Accept: text/csv and ?format=csv, in Shift_JIS with its charset', async () => {
    const listing = await get(`/api/v1/runs?project=${encodeURIComponent(salesProject)}`, 'admin-token', {
      accept: 'text/csv',
    });
    expect(listing.status).toBe(200);
    expect(listing.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await listing.text()).toContain(`,${salesProject},${salesJobnet},2026-11-23,manual,normal,`);

    const sjis = await get(`/api/v1/runs/${encodeURIComponent(first)}/jobs?format=csv&encoding=sjis&tz=Asia/Tokyo`);
    expect(sjis.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
    expect(sjis.headers.get('x-jobnet-unmapped-characters')).toBe('1');
    const decoded = new TextDecoder('shift_jis').decode(await sjis.arrayBuffer());
    expect(decoded).toContain(`売上～集計,sum,${jobTitle},normal,0,1,`);
    expect(decoded).toMatch(/\+09:00/);
  });

  it('declares the history routes in the OpenAPI document', async () => {
    const document = (await (await get('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/runs', '/api/v1/runs/{id}', '/api/v1/runs/{id}/jobs']),
    );
  });
});

/** Runs `jobnet ARGS…` and keeps its stdout as bytes (CSV in Shift_JIS); fails the test unless it exits 0. */
async function runJobnetBytes(args: readonly string[]): Promise<{ stdout: Buffer; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(projectRoot, 'bin', 'jobnet.js'), ...args],
    {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
      encoding: 'buffer',
    },
  );
  return { stdout, stderr: stderr.toString('utf8') };
}

/** A cursor whose envelope is right for its query but whose page token is not one the server made. */
function forgedCursor(cursor: string): string {
  const envelope = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { q: string; t: string };
  return Buffer.from(
    JSON.stringify({ q: envelope.q, t: Buffer.from('not a page token').toString('base64url') }),
  ).toString('base64url');
}
