/**
 * The web console in a real browser (R-UI-1, R-UI-2): headless Chromium (Debian's `chromium`,
 * driven by playwright-core) against the real API on a socket, the dev server of the test run, a
 * real worker and definitions applied by the real `jobnet apply`. Covers signing in by the login
 * URL, the monitor's states and live updates, jobnet operations (one accepted, one refused and
 * disabled with the run's reason), run detail with the DAG and a failed job's output, a restart
 * from the UI, what a viewer sees, a stalled revision of a real controller with its diagnostics
 * and their code frame, and signing out.
 *
 * With JOBNET_CONSOLE_SCREENSHOTS=1 the views are saved to docs/images/console-*.png (as
 * docs/console.md shows them).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../controller/api/api-errors.js';
import { startApiServer, type RunningApiServer } from '../../controller/api/api-server.js';
import type { Caller, OperatorAuth, ProjectRole } from '../../controller/api/operator-api.js';
import { readPublishedStatus } from '../../controller/api/published-status.js';
import type { ControllerStatus } from '../../controller/reconcile/controller-status.js';
import { startControllerProcess, type RunningController } from '../../controller/system/controller-process.js';
import { runJobnet } from '../cli/cli-process.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';
import { eventually } from '../api/api-fixture.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = process.env.JOBNET_CONSOLE_SCREENSHOTS === '1';

const accounts: Record<string, { caller: Caller; roles: Record<string, ProjectRole> }> = {
  'console-admin': { caller: { subject: 'ada', groups: [], admin: true }, roles: {} },
  'console-viewer': { caller: { subject: 'vic', groups: [], admin: false }, roles: { sales: 'viewer' } },
};

/** Tokens name accounts; roles by project from the table above. */
const auth: OperatorAuth = {
  authenticate(request: FastifyRequest) {
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const account = token === undefined ? undefined : accounts[token];
    if (account === undefined) return Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'an API token is required'));
    return Promise.resolve(account.caller);
  },
  roleOn: (caller, project) =>
    Promise.resolve(Object.values(accounts).find((a) => a.caller.subject === caller.subject)?.roles[project]),
  visibleProjects: (caller) =>
    Promise.resolve(
      caller.admin
        ? 'all'
        : Object.keys(Object.values(accounts).find((a) => a.caller.subject === caller.subject)?.roles ?? {}),
    ),
};

/**
 * Today's business date for the timeline: a calendar whose day change is the whole hour three
 * hours before now (UTC), so the date began 3–4 hours ago whatever the time of the test, and
 * `timed` starts at 0:30 and 1:30 after it (passed, never run: delayed) and at 5:00 and 20:00
 * (still due).
 */
const dayChangeHour = (new Date().getUTCHours() + 21) % 24;
const hh = (offset: number) => String((dayChangeHour + offset) % 24).padStart(2, '0');
const timedStarts = [`${hh(0)}:30`, `${hh(1)}:30`, `${hh(5)}:00`, `${hh(20)}:00`];

/** The instant the business date of the test calendar began: the last whole hour `dayChangeHour` (UTC). */
function businessDayStart(): string {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), dayChangeHour));
  if (start.getTime() > now.getTime()) start.setUTCDate(start.getUTCDate() - 1);
  return start.toISOString();
}

/** The definitions: Japanese titles, a DAG with AND/OR joins, exit-code edges and a child jobnet, a failing job. */
function definitions(marker: string): Record<string, string> {
  const jobnet = (project: string, name: string, title: string, jobs: string) =>
    `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: ${project}, name: ${name}, title: ${title}}\nspec:\n  jobs:\n${jobs}`;
  return {
    'jobnet.yaml': 'apiVersion: jobnet/v1\nkind: Settings\nmetadata: {name: settings}\nspec: {timezone: UTC}\n',
    'projects/sales/project.yaml': 'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: sales}\nspec: {}\n',
    'projects/infra/project.yaml': 'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: infra}\nspec: {}\n',
    'projects/sales/jobnets/daily-close.yaml': jobnet(
      'sales',
      'daily-close',
      '日次締め',
      [
        '    extract: {type: sleep, seconds: 0, title: 受注データ抽出}',
        '    load-a: {type: sleep, seconds: 0, after: [extract]}',
        '    load-b: {type: sleep, seconds: 0, after: [extract]}',
        '    merge: {type: sleep, seconds: 0, after: [load-a, load-b], title: 集計}',
        '    either: {type: sleep, seconds: 0, after: [load-a, load-b], join: any}',
        "    check: {type: command, argv: [sh, -c, 'echo checked; exit 0'], after: [merge]}",
        '    publish: {type: jobnet, jobnet: sales-publish, title: 売上レポート配信, after: [{job: check, exitCode: "0"}]}',
        '    ticket: {type: sleep, seconds: 0, after: [{job: check, exitCode: "!=0"}]}',
        '',
      ].join('\n'),
    ),
    'projects/sales/jobnets/sales-publish.yaml': jobnet(
      'sales',
      'sales-publish',
      'レポート配信',
      '    send: {type: sleep, seconds: 0}\n',
    ),
    'projects/sales/jobnets/manual.yaml': jobnet('sales', 'manual', '手動', '    noop: {type: sleep, seconds: 0}\n'),
    'projects/sales/jobnets/long.yaml': jobnet('sales', 'long', '長い処理', '    wait: {type: sleep, seconds: 4}\n'),
    'projects/sales/jobnets/fails.yaml': jobnet(
      'sales',
      'fails',
      '失敗する締め',
      `    boom: {type: command, argv: [sh, -c, 'if [ -f ${marker} ]; then echo recovered; exit 0; fi; touch ${marker}; echo "disk full on /data"; exit 3']}\n`,
    ),
    'calendars/test-day.yaml': `apiVersion: jobnet/v1\nkind: Calendar\nmetadata: {name: test-day}\nspec: {timezone: UTC, dayChangeTime: "${hh(0)}:00"}\n`,
    'projects/sales/jobnets/timed.yaml': [
      'apiVersion: jobnet/v1',
      'kind: Jobnet',
      'metadata: {project: sales, name: timed, title: 定時処理}',
      'spec:',
      '  calendar: test-day',
      `  start: {at: [${timedStarts.map((at) => `"${at}"`).join(', ')}]}`,
      '  jobs:',
      '    noop: {type: sleep, seconds: 0}',
      '',
    ].join('\n'),
    'projects/sales/jobnets/slow.yaml': [
      'apiVersion: jobnet/v1',
      'kind: Jobnet',
      'metadata: {project: sales, name: slow, title: 遅い処理}',
      'spec:',
      '  deadlines: {end: {after: 1s}}',
      '  jobs:',
      '    wait: {type: sleep, seconds: 8, expectedDuration: 1s}',
      '',
    ].join('\n'),
    'projects/infra/jobnets/nightly.yaml': jobnet(
      'infra',
      'nightly',
      '夜間バッチ',
      '    noop: {type: sleep, seconds: 0}\n',
    ),
  };
}

/** A file the controller finds after `jobnet apply`: its revision does not validate and stalls. */
const brokenFile = 'projects/sales/jobnets/broken.yaml';
const brokenText = [
  'apiVersion: jobnet/v1',
  'kind: Jobnet',
  'metadata: {project: sales, name: broken, title: 壊れた締め}',
  'spec:',
  '  jobs:',
  '    first: {type: sleep, seconds: 0}',
  '    second: {type: sleep, seconds: 0, after: [missing-job]}',
  '',
].join('\n');

let harness: RunHarness;
let controller: RunningController;
let server: RunningApiServer;
let browser: Browser;
let workDir: string;

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      authorization: 'Bearer console-admin',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

async function startRun(jobnet: string): Promise<string> {
  const answer = await api('POST', `/api/v1/jobnets/sales/${jobnet}/operations/start`, {});
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body as { runId: string }).runId;
}

async function runStatus(id: string): Promise<string> {
  const answer = await api('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
  return (answer.body as { status?: string }).status ?? '';
}

async function signedIn(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${server.url}/?token=${token}`);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: path.join('docs', 'images', `console-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'jobnet-console-'));
  const dir = path.join(workDir, 'definitions');
  for (const [file, text] of Object.entries(definitions(path.join(workDir, 'recovered')))) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  harness = await startRunHarness({ allowCommandJobs: true });
  const t = harness.target;
  const applied = await runJobnet([
    'apply',
    '--dir',
    dir,
    '--by',
    'console-test',
    '--address',
    t.address,
    '--namespace',
    t.namespace,
    '--task-queue',
    t.taskQueue,
  ]);
  if (applied.code !== 0) throw new Error(`jobnet apply failed: ${applied.stderr}`);
  // The controller then reconciles the same directory with a broken file: the revision stalls
  // (what `jobnet apply` applied keeps running) and its status, read from Temporal as `jobnet api`
  // reads it, carries the diagnostics with their code frame.
  await writeFile(path.join(dir, brokenFile), brokenText);
  controller = await startControllerProcess({
    client: harness.client,
    taskQueue: t.taskQueue,
    source: { repo: dir },
    log: () => undefined,
  });
  await eventually(
    async () => await readPublishedStatus(harness.client, t.taskQueue),
    (status: ControllerStatus | undefined) => (status?.diagnostics.length ?? 0) > 0,
  );
  server = await startApiServer({
    port: 0,
    operator: { client: harness.client, taskQueue: t.taskQueue, auth },
    status: async () => await readPublishedStatus(harness.client, t.taskQueue),
  });
  browser = await chromium.launch({ executablePath: chromiumPath });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await controller?.stop();
  await harness?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('the web console', () => {
  it('shows nothing but the sign-in form without a token', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByLabel('API token').waitFor();
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('daily-close');
    expect(text).not.toContain(harness.target.taskQueue);
    expect((await fetch(`${server.url}/api/v1/jobnets`)).status).toBe(401);
    await page.close();
  });

  it('signs in by the login URL, removes the token from the address and lists the jobnets live', async () => {
    const page = await signedIn('console-admin');
    expect(page.url()).not.toContain('token');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
          'jobnet.token',
        ),
      ),
    ).toBe('console-admin');
    const row = page.locator('tr[data-jobnet="sales/long"]');
    await row.locator('[data-state="waiting"]').waitFor();
    await page.locator('tr[data-jobnet="infra/nightly"]').waitFor();
    // The jobnet's title beside its name, and found by the search.
    expect(await page.locator('tr[data-jobnet="sales/daily-close"] th').innerText()).toContain('日次締め');
    await page.getByLabel('Search').fill('日次');
    expect(await page.locator('tbody tr[data-jobnet]').count()).toBe(1);
    await page.getByLabel('Search').fill('');
    await startRun('long');
    // No reload: the monitor polls.
    await row.locator('td [data-state="running"]').first().waitFor({ timeout: 8000 });
    await shot(page, 'monitor');
    await page.close();
  });

  it('holds a jobnet from its page, refuses a second hold with the reason and releases it', async () => {
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/jobnet/sales/manual`);
    await page.getByRole('heading', { name: /sales\/manual/ }).waitFor();
    await page.getByRole('button', { name: 'hold', exact: true }).click();
    await page.locator('#jobnet-title + p [data-state="held"]').waitFor();
    await page.getByRole('button', { name: 'hold', exact: true }).click();
    const hold = page.getByRole('button', { name: 'hold', exact: true });
    await expect.poll(() => hold.isDisabled()).toBe(true);
    const reason = await page.locator('[data-operation="hold"] + .refused').innerText();
    expect(reason.length).toBeGreaterThan(3);
    expect(await hold.getAttribute('title')).toBe(reason);
    await shot(page, 'jobnet');
    await page.getByRole('button', { name: 'release', exact: true }).click();
    await page.locator('#jobnet-title + p [data-state="waiting"]').waitFor();
    await page.close();
  });

  it('draws the DAG of a run: joins, exit-code edges, passed jobs and the child jobnet', async () => {
    const id = await startRun('daily-close');
    await eventually(
      () => runStatus(id),
      (status) => status === 'normal',
    );
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/run/${encodeURIComponent(id)}`);
    const dag = page.locator('svg.dag').first();
    await dag.locator('[data-job="publish"][data-state="normal"]').waitFor();
    expect(await dag.locator('g.node').count()).toBe(8);
    expect(await dag.locator('g.edge').count()).toBe(9);
    expect(await dag.locator('[data-job="merge"] .join').textContent()).toBe('AND');
    expect(await dag.locator('[data-job="either"] .join').textContent()).toBe('OR');
    expect(await dag.locator('[data-edge="check->publish"] .edge-label').textContent()).toBe('exit 0');
    expect(await dag.locator('[data-edge="check->ticket"] .edge-label').textContent()).toBe('exit !=0');
    expect(await dag.locator('[data-job="ticket"]').getAttribute('data-state')).toBe('passed');
    expect(await page.getByText('日次締め').first().isVisible()).toBe(true);
    await dag.locator('[data-job="publish"]').click();
    await page.locator('svg.dag[aria-label="Jobs of child jobnet sales-publish"] [data-job="send"]').waitFor();
    await shot(page, 'run');
    await page.close();
  });

  it('shows a failed job’s output and restarts the abended run to a normal end', async () => {
    const id = await startRun('fails');
    await eventually(
      () => runStatus(id),
      (status) => status === 'abended',
    );
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/run/${encodeURIComponent(id)}`);
    await page.locator('svg.dag [data-job="boom"][data-state="abended"]').click();
    await expect.poll(() => page.locator('pre.output').innerText()).toContain('disk full on /data');
    await shot(page, 'run-abended');
    await page.locator('[aria-label="Run operations"] [data-operation="restart"]').click();
    await page.locator('.run-summary [data-state="normal"]').waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows a viewer no operation buttons and no other project', async () => {
    const page = await signedIn('console-viewer');
    await page.locator('tr[data-jobnet="sales/manual"]').waitFor();
    expect(await page.locator('tr[data-jobnet="infra/nightly"]').count()).toBe(0);
    await page.goto(`${server.url}/#/jobnet/sales/manual`);
    await page.getByRole('heading', { name: /sales\/manual/ }).waitFor();
    expect(await page.locator('[data-operation]').count()).toBe(0);
    await page.goto(`${server.url}/#/history`);
    await page.locator('tr[data-run]').first().waitFor();
    expect(await page.locator('[data-operation]').count()).toBe(0);
    await page.close();
  });

  it('shows history', async () => {
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/history`);
    await page.locator('tr[data-run]').first().waitFor();
    await shot(page, 'history');
    await page.close();
  });

  it('draws today’s business date: its day change, every planned start, delays, runs still going and overruns', async () => {
    await startRun('slow');
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/today`);
    await page.locator('.gantt-row[data-jobnet="sales/daily-close"] .gantt-bar').first().waitFor();
    // The day change of the jobnet's calendar, not the browser's midnight.
    const dayStart = businessDayStart();
    await page.locator(`.day-line[data-at="${dayStart}"]`).waitFor();
    expect(await page.locator(`.day-line[data-at="${dayStart}"]`).getAttribute('title')).toContain(
      `day change ${hh(0)}:00 UTC (test-day)`,
    );
    const timed = page.locator('.gantt-row[data-jobnet="sales/timed"]');
    await timed.locator('.planned').nth(3).waitFor();
    const marks: (string | null)[][] = [];
    for (const span of await timed.locator('.planned').all())
      marks.push([await span.getAttribute('aria-label'), await span.getAttribute('data-mark')]);
    expect(marks).toEqual([
      [`sales/timed planned ${timedStarts[0]}: not started: delayed`, 'delayed'],
      [`sales/timed planned ${timedStarts[1]}: not started: delayed`, 'delayed'],
      [`sales/timed planned ${timedStarts[2]}: not yet due`, 'due'],
      [`sales/timed planned ${timedStarts[3]}: not yet due`, 'due'],
    ]);
    expect(await timed.locator('[data-note="delayed"]').innerText()).toBe('2 delayed');
    // A run past its end deadline (1 s after its start) while it still runs.
    const slow = page.locator('.gantt-row[data-jobnet="sales/slow"]');
    await slow.locator('.gantt-bar.going.overrun').waitFor({ timeout: 10_000 });
    expect(await slow.locator('.gantt-bar.going').getAttribute('aria-label')).toMatch(/still running, overrun: /);
    expect(await slow.locator('[data-note="going"]').innerText()).toBe('running');
    expect(await slow.locator('[data-note="overrun"]').innerText()).toBe('1 overrun');
    await shot(page, 'today');
    // Ended, it stays marked: the actor recorded the overrun as a trouble.
    await slow.locator('.gantt-bar.overrun:not(.going)').waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows the troubles and a year', async () => {
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/status`);
    await page.getByRole('heading', { name: 'Troubles', exact: true }).waitFor();
    await page.locator('[data-testid="troubles"] tbody tr').first().waitFor();
    await page.goto(`${server.url}/#/year/sales/manual`);
    await page.locator('table.month').first().waitFor();
    expect(await page.locator('table.month').count()).toBe(12);
    await shot(page, 'year');
    await page.close();
  });

  it('shows a stalled revision’s diagnostics at file:line:column with the code frame', async () => {
    const page = await signedIn('console-admin');
    await page.goto(`${server.url}/#/status`);
    const diagnostic = page.locator('[data-testid="diagnostics"] li.diagnostic').first();
    await diagnostic.waitFor();
    expect(await diagnostic.locator('code').first().innerText()).toBe(`${brokenFile}:7:47`);
    expect(await diagnostic.innerText()).toContain('REF-JOB');
    const frame = await diagnostic.getByLabel(`Source around ${brokenFile}:7:47`).innerText();
    expect(frame).toContain('> 7 |     second: {type: sleep, seconds: 0, after: [missing-job]}');
    expect(frame).toContain('6 |     first: {type: sleep, seconds: 0}');
    expect(frame).toMatch(/\n\s+\| {47}\^{11}/);
    expect(await page.locator('[data-condition="Ready"]').innerText()).toContain('Stalled');
    await shot(page, 'status');
    await page.close();
  });

  it('works from the keyboard: the skip link first, a change of screen names the page and focuses its content', async () => {
    const page = await signedIn('console-admin');
    await page.locator('tr[data-jobnet="sales/manual"]').waitFor();
    expect(await page.title()).toBe('Monitor · jobnet');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').innerText()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('content');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('type')).toBe('search');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Today' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Today', exact: true }).waitFor();
    expect(await page.title()).toBe('Today · jobnet');
    expect(await page.locator(':focus').getAttribute('id')).toBe('content');
    await page.locator('.gantt-row').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('class')).toBe('gantt-name');
    await page.close();
  });

  it('passes the axe-core accessibility check (WCAG 2.1 A and AA) on every screen', async () => {
    const runId = await startRun('daily-close');
    await eventually(
      () => runStatus(runId),
      (status) => status === 'normal',
    );
    const screens: [string, string, string][] = [
      ['monitor', '#/monitor', 'tr[data-jobnet="sales/manual"]'],
      ['today', '#/today', '.gantt-row'],
      ['history', '#/history', 'table'],
      ['troubles and the controller', '#/status', 'h1'],
      ['a jobnet', '#/jobnet/sales/daily-close', '#jobnet-title'],
      ['a run', `#/run/${encodeURIComponent(runId)}`, '.dag'],
      ['a year', '#/year/sales/daily-close', 'table'],
    ];
    const violations: string[] = [];
    const check = async (page: Page, screen: string) => {
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const violation of result.violations)
        violations.push(
          `${screen}: ${violation.id} (${violation.impact ?? ''}) ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
        );
    };
    // axe runs its frames in pages of the same context: one context of its own.
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('API token').waitFor();
    await check(page, 'sign-in');
    await page.goto(`${server.url}/?token=console-admin`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    for (const [screen, hash, ready] of screens) {
      await page.goto(`${server.url}/${hash}`);
      await page.locator(ready).first().waitFor();
      await check(page, screen);
    }
    await context.close();
    expect(violations).toEqual([]);
  }, 120_000);

  it('signs out: the token is gone and no data is shown', async () => {
    const page = await signedIn('console-admin');
    await page.locator('tr[data-jobnet="sales/manual"]').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
          'jobnet.token',
        ),
      ),
    ).toBeNull();
    await page.reload();
    await page.getByLabel('API token').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('sales/manual');
    await page.close();
  });
});
