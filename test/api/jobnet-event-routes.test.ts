/**
 * The jobnet, trouble and event routes of the operator API over real HTTP, on the real dev
 * server with a real worker (R-OPS-6, R-OPS-1, R-EVT-1, R-EVT-3, R-SEC-3): listing and reading
 * jobnets, operations accepted and refused (409 with the CLI's reason), the subject recorded as
 * who, roles (403 for a viewer, 404 for a project the caller may not see), event raise and clear,
 * and the WOI-compatible msgevent / msgclear with JSON and form bodies and WOI's error answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startApiFixture, type ApiFixture } from './api-fixture.js';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

interface JobnetJson {
  project: string;
  name: string;
  status: string;
  state: {
    held: boolean;
    currentRun?: { runId: string; status: string; parameter?: string };
    pendingEvents: Record<string, unknown[]>;
    operations: { operation: string; by: string }[];
  };
  calendar: { name: string; timezone: string } | null;
  awaitingConfirmation: boolean;
}

const jobnet = async (reference: string, token?: string) =>
  await api.call('GET', `/api/v1/jobnets/${reference}`, token !== undefined ? { token } : {});

describe('GET /api/v1/jobnets', () => {
  it('lists every jobnet for an admin, only the visible projects for others, and filters by project and status', async () => {
    const all = await api.call('GET', '/api/v1/jobnets');
    expect(all.status).toBe(200);
    const names = (all.body as { project: string; jobnet: string }[]).map((row) => `${row.project}/${row.jobnet}`);
    expect(names).toEqual(['alpha/manual', 'alpha/on-order', 'alpha/waiter', 'beta/other']);
    const first = (all.body as Record<string, unknown>[])[0]!;
    expect(first).toMatchObject({ status: 'waiting', trigger: 'manual', openRun: null, troubleCount: 0 });

    const viewer = await api.call('GET', '/api/v1/jobnets', { token: 'alpha-viewer-token' });
    expect((viewer.body as { project: string }[]).map((row) => row.project)).toEqual(['alpha', 'alpha', 'alpha']);
    const hidden = await api.call('GET', '/api/v1/jobnets?project=beta', { token: 'alpha-viewer-token' });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ code: 'NOT_FOUND' });

    const beta = await api.call('GET', '/api/v1/jobnets?project=beta&calendars=true');
    expect(beta.body).toEqual([expect.objectContaining({ jobnet: 'other', calendar: expect.any(Object) as unknown })]);
    const bad = await api.call('GET', '/api/v1/jobnets?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_FIELD', field: 'querystring/status' });
    const unauthenticated = await api.call('GET', '/api/v1/jobnets', { token: null });
    expect(unauthenticated.status).toBe(401);
  });
});

describe('GET /api/v1/jobnets/:project/:jobnet', () => {
  it('shows the jobnet as jobnet get jobnet --json does, and 404 for an unknown jobnet or a hidden project', async () => {
    const shown = await jobnet('alpha/manual', 'alpha-viewer-token');
    expect(shown.status).toBe(200);
    const view = shown.body as JobnetJson;
    expect(view).toMatchObject({ project: 'alpha', name: 'manual', status: 'waiting', awaitingConfirmation: false });
    const cli = await api.cli('get', 'jobnet', 'alpha/manual', '--json');
    expect(cli.code, cli.stderr).toBe(0);
    const { calendar, awaitingConfirmation, ...rest } = view;
    void calendar;
    void awaitingConfirmation;
    expect(rest).toEqual(JSON.parse(cli.stdout));

    expect((await jobnet('alpha/nope')).status).toBe(404);
    const hidden = await jobnet('beta/other', 'alpha-viewer-token');
    expect(hidden.status).toBe(404);
    expect((hidden.body as { message: string }).message).toBe('no project beta');
    const traversal = await api.call('GET', '/api/v1/jobnets/alpha/..%2F..%2Fetc');
    expect(traversal.status).toBe(400);
  });
});

describe('POST /api/v1/jobnets/:project/:jobnet/operations/:operation', () => {
  it('holds and releases by CLI or camelCase name, records the subject, refuses a second hold with the CLI reason', async () => {
    const hold = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/hold', {
      token: 'alpha-operator-token',
    });
    expect(hold.status, hold.text).toBe(200);
    expect(hold.body).toMatchObject({ ok: true, operation: 'hold', status: 'held' });
    const again = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/hold', {
      token: 'alpha-operator-token',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'REFUSED' });
    const cliAgain = await api.cli('hold', 'alpha/manual');
    expect(cliAgain.stderr).toBe(`refused: ${(again.body as { message: string }).message}\n`);

    const release = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/release', {
      token: 'alpha-operator-token',
      body: {},
    });
    expect(release.status, release.text).toBe(200);
    const view = (await jobnet('alpha/manual')).body as JobnetJson;
    expect(view.state.operations.map((op) => `${op.operation} ${op.by}`)).toEqual(
      expect.arrayContaining(['hold olga', 'release olga']),
    );

    const camel = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/cancelEnd');
    expect([200, 409]).toContain(camel.status);
  });

  it('starts a run with a parameter, and refuses what a viewer, a bad body or an unknown operation asks', async () => {
    const start = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/start', {
      token: 'alpha-operator-token',
      body: { parameter: 'P-1' },
    });
    expect(start.status, start.text).toBe(200);
    expect((start.body as { runId: string }).runId).toMatch(/^run\//);

    const viewer = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/hold', {
      token: 'alpha-viewer-token',
    });
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ code: 'FORBIDDEN' });
    const hidden = await api.call('POST', '/api/v1/jobnets/beta/other/operations/hold', {
      token: 'alpha-operator-token',
    });
    expect(hidden.status).toBe(404);
    const unknown = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/explode');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ field: 'params/operation' });
    const by = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/start', { body: { by: 'mallory' } });
    expect(by.status).toBe(400);
    expect(by.body).toMatchObject({ code: 'INVALID_FIELD', field: 'body/by' });
    const parameterOnHold = await api.call('POST', '/api/v1/jobnets/alpha/manual/operations/hold', {
      body: { parameter: 'x' },
    });
    expect(parameterOnHold.status).toBe(400);
    const notApplied = await api.call('POST', '/api/v1/jobnets/alpha/ghost/operations/hold');
    expect(notApplied.status).toBe(404);
    expect(notApplied.body).toMatchObject({ message: 'jobnet alpha/ghost is not applied' });
  });
});

describe('events', () => {
  it('raises for a project and clears it, answering per jobnet; an unscoped raise needs operator everywhere it reaches', async () => {
    const raised = await api.call('POST', '/api/v1/events/raise', {
      token: 'alpha-operator-token',
      body: { event: 'ORDER', project: 'alpha' },
    });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body).toEqual({
      ok: true,
      event: 'ORDER',
      results: [expect.objectContaining({ project: 'alpha', jobnet: 'on-order', outcome: 'pending' })],
    });
    const everywhere = await api.call('POST', '/api/v1/events/raise', {
      token: 'alpha-operator-token',
      body: { event: 'ORDER' },
    });
    expect(everywhere.status).toBe(403);
    expect((everywhere.body as { message: string }).message).toContain('1 other project(s)');
    const both = await api.call('POST', '/api/v1/events/raise', {
      token: 'both-operator-token',
      body: { event: 'ORDER' },
    });
    expect(both.status, both.text).toBe(200);
    expect((both.body as { results: unknown[] }).results).toHaveLength(2);

    const unknown = await api.call('POST', '/api/v1/events/raise', { body: { event: 'ORDR', project: 'alpha' } });
    expect(unknown.status).toBe(409);
    expect((unknown.body as { message: string }).message).toContain('did you mean ORDER?');

    const cleared = await api.call('POST', '/api/v1/events/clear', {
      token: 'alpha-operator-token',
      body: { project: 'alpha' },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).toEqual({ ok: true, results: [{ project: 'alpha', jobnet: 'on-order', cleared: 2 }] });
    const viewer = await api.call('POST', '/api/v1/events/clear', {
      token: 'alpha-viewer-token',
      body: { project: 'alpha' },
    });
    expect(viewer.status).toBe(403);
    const badScope = await api.call('POST', '/api/v1/events/clear', { body: { jobnet: 'on-order' } });
    expect(badScope.status).toBe(400);
  });
});

describe('WOI-compatible msgevent and msgclear', () => {
  const woiSuccess = { next: false, total: 0, data: [] };

  it('msgevent hands the event to a waiting run (JSON body), and form bodies work too', async () => {
    const start = await api.call('POST', '/api/v1/jobnets/alpha/waiter/operations/start', { body: {} });
    const runId = (start.body as { runId?: string }).runId;
    expect(start.status, start.text).toBe(200);
    await api.harness.waitFor(runId!, (view) => view.state.jobs.wait?.state === 'running');
    const raised = await api.call('POST', '/api/v1/msgevent', {
      token: 'alpha-operator-token',
      body: { projectname: 'alpha', jobnetname: 'waiter', messageName: 'GO' },
    });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body).toEqual(woiSuccess);
    const ended = await api.harness.waitForEnd(runId!);
    expect(ended.status).toBe('normal');

    const form = await api.call('POST', '/api/v1/msgevent', {
      form: { projectname: 'alpha', messagename: 'ORDER', vparam: 'V-1' },
    });
    expect(form.status, form.text).toBe(200);
    expect(form.body).toEqual(woiSuccess);
    const view = (await jobnet('alpha/on-order')).body as JobnetJson;
    expect(view.state.pendingEvents.ORDER).toHaveLength(1);
  });

  it('msgclear clears the pending events of the scope, of one event, or of a jobnet named alone', async () => {
    await api.call('POST', '/api/v1/msgevent', { body: { projectname: 'alpha', messagename: 'ORDER' } });
    const one = await api.call('POST', '/api/v1/msgclear', {
      form: { jobnetname: 'on-order', messagename: 'LATER' },
    });
    expect(one.status, one.text).toBe(200);
    expect(((await jobnet('alpha/on-order')).body as JobnetJson).state.pendingEvents.ORDER?.length).toBeGreaterThan(0);
    const cleared = await api.call('POST', '/api/v1/msgclear', { body: { jobnetname: 'on-order' } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).toEqual(woiSuccess);
    await eventually(
      async () => ((await jobnet('alpha/on-order')).body as JobnetJson).state.pendingEvents,
      (pending) => Object.values(pending).every((raises) => raises.length === 0),
    );
  });

  it('answers WOI errors: missing, unnecessary, duplicate and invalid parameters (400), no token (401)', async () => {
    const cases: [Record<string, unknown> | string, string, string][] = [
      [{ projectname: 'alpha' }, 'OM_API_00011', 'A required parameter is not specified. param=messagename'],
      [{ messagename: '' }, 'OM_API_00011', 'A required parameter is not specified. param=messagename'],
      [{ messagename: 'GO', extra: '1' }, 'OM_API_00012', 'An unnecessary parameter is specified. param=extra'],
      [
        { messagename: 'GO', messageName: 'GO' },
        'OM_API_00013',
        'The parameter is specified in duplicate. param=messagename',
      ],
      [{ messagename: 'THIRTEEN_LONG' }, 'OM_API_00010', 'The parameter is invalid. messagename=THIRTEEN_LONG'],
      [
        { messagename: 'GO', jobnetname: 'waiter' },
        'OM_API_00011',
        'A required parameter is not specified. param=projectname',
      ],
      [{ messagename: 'GO', suffix: 'c1' }, 'OM_API_00011', 'A required parameter is not specified. param=vparam'],
      [{ messagename: 7 }, 'OM_API_00010', 'The parameter is invalid. messagename=7'],
    ];
    for (const [body, code, message] of cases) {
      const answer = await api.call('POST', '/api/v1/msgevent', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toEqual({ code, message });
    }
    const duplicateForm = await api.call('POST', '/api/v1/msgevent', {
      raw: 'messagename=GO&messagename=GO',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(duplicateForm.body).toMatchObject({ code: 'OM_API_00013' });
    const brokenJson = await api.call('POST', '/api/v1/msgevent', {
      raw: '{"messagename":',
      contentType: 'application/json',
    });
    expect(brokenJson.status).toBe(400);
    expect(brokenJson.body).toMatchObject({ code: 'OM_API_00099' });
    const unknownProject = await api.call('POST', '/api/v1/msgevent', {
      body: { projectname: 'gamma', messagename: 'GO' },
    });
    expect(unknownProject.status).toBe(400);
    expect(unknownProject.body).toMatchObject({ code: 'OM_API_00900' });

    const noToken = await api.call('POST', '/api/v1/msgevent', { token: null, body: { messagename: 'GO' } });
    expect(noToken.status).toBe(401);
    expect(noToken.body).toEqual({
      code: 'OM_API_00001',
      message: 'Authentication information is required. code=00011',
    });
    const badToken = await api.call('POST', '/api/v1/msgclear', { token: 'nope', body: {} });
    expect(badToken.body).toEqual({
      code: 'OM_API_00001',
      message: 'Authentication information is required. code=00013',
    });
    const viewer = await api.call('POST', '/api/v1/msgclear', {
      token: 'alpha-viewer-token',
      body: { projectname: 'alpha' },
    });
    expect(viewer.status).toBe(400);
    expect(viewer.body).toMatchObject({ code: 'OM_API_00910' });
  });
});

describe('GET /api/v1/troubles', () => {
  it('lists the troubles of the visible jobnets with filters, and refuses a bad date', async () => {
    const listed = await api.call('GET', '/api/v1/troubles?project=alpha&kind=jobnetAbended&since=2026-01-01');
    expect(listed.status, listed.text).toBe(200);
    expect(Array.isArray(listed.body)).toBe(true);
    const bad = await api.call('GET', '/api/v1/troubles?since=2026-13-45');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_FIELD' });
    const alone = await api.call('GET', '/api/v1/troubles?jobnet=manual');
    expect(alone.status).toBe(400);
    const hidden = await api.call('GET', '/api/v1/troubles?project=beta', { token: 'alpha-viewer-token' });
    expect(hidden.status).toBe(404);
  });
});
