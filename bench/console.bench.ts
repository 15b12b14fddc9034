/**
 * Benchmark: the web console's monitor (R-UI-1) with `--jobnets` jobnets applied, against
 * baselines measured in the same run.
 *
 * Starts an in-memory Temporal dev server, one `jobnet worker` process and applies `--jobnets`
 * jobnets (10 projects, one sleep job each, one start a date months ahead so that each shows a
 * next start) with `applyJobnets`. The API (`startApiServer` with the console) runs in a process of
 * its own — this script started with `--api-child` — so that its CPU time can be read from
 * /proc/<pid>/stat. Debian's chromium is driven by playwright-core.
 *
 * 1. Time to first render: `--loads` loads of the login URL, each in a fresh browser context (a
 *    new tab with nothing cached), after one warm-up load. Measured in the page from navigation
 *    start (`performance.now()`, whose origin is the navigation) to the first animation frame in
 *    which the monitor's table holds its first row and then all `--jobnets` rows (the first
 *    screenful is on screen with the first row: the whole list arrives in one answer). Baselines
 *    in the same run: (a) the bare API call the monitor makes, `GET /api/v1/jobnets` by `fetch`
 *    from Node (same token, same server), and (b) a static HTML page of the same rows — the
 *    rendered monitor's own markup and style sheet without the script — served by a plain HTTP
 *    server of this process and loaded by the same browser, to the frame in which all its rows are
 *    in the document.
 * 2. Live updates: `--seconds` of wall time with 0 consoles (the idle API process: the baseline),
 *    1 console and `--consoles` consoles (pages of one chromium, each in its own context, all on
 *    the monitor). For each: CPU time of the API process, the worker and the dev server (utime +
 *    stime from /proc), the monitor's API requests per second as the browser sent them and the
 *    bytes they answered (the response bodies as transferred), and each console's refresh period.
 *    Then the same for the requests of `--consoles` consoles made from Node with the console's
 *    own polling rule (conditional list, status, 2 s), so that the server side is measured
 *    without the browsers' rendering on the same cores.
 *
 * Prints Markdown tables on stdout and nothing else; progress goes to stderr. Figures go to
 * docs/performance.md. No timing is asserted anywhere.
 *
 * Usage: npx tsx bench/console.bench.ts [--jobnets 1000] [--loads 10] [--consoles 20]
 *   [--seconds 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ApiError } from '../controller/api/api-errors.js';
import { startApiServer } from '../controller/api/api-server.js';
import { sharedListMaxAgeMs } from '../controller/api/routes/jobnet-routes.js';
import type { Caller, OperatorAuth } from '../controller/api/operator-api.js';
import { readPublishedStatus } from '../controller/api/published-status.js';
import { applyJobnets, readJobnetEntries } from '../controller/jobnets/jobnet-client.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import type { CompiledJobnet } from '../workflows/lib/compiled-jobnet.js';
import { scheduledJobnet, sleepJob } from '../test/integration/scheduler-fixtures.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';
import { cpuSecondsOf, devServerPid } from './process-stats.js';

const { numbers, flags } = parseBenchArgs(
  process.argv.slice(2),
  ['jobnets', 'loads', 'consoles', 'seconds'] as const,
  ['api-child'] as const,
);
const jobnetCount = numbers.jobnets ?? 1000;
const loads = numbers.loads ?? 10;
const consoleCount = numbers.consoles ?? 20;
const seconds = numbers.seconds ?? 60;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const token = 'bench';
/** How long a load may take to show every row before it counts as not rendered. */
const renderTimeoutMs = 60_000;

const admin: Caller = { subject: 'bench', groups: [], admin: true };
const auth: OperatorAuth = {
  authenticate: (request) =>
    request.headers.authorization === `Bearer ${token}`
      ? Promise.resolve(admin)
      : Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'an API token is required')),
  roleOn: () => Promise.resolve('admin'),
  visibleProjects: () => Promise.resolve('all'),
};

function log(message: string): void {
  process.stderr.write(`[console-bench] ${new Date().toISOString()} ${message}\n`);
}

/** `--api-child`: the API server of the deployment named by the environment, its URL on stdout. */
async function serveApi(): Promise<void> {
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? '';
  const temporal = await connectClient({
    address: process.env.BENCH_ADDRESS ?? '',
    namespace: process.env.BENCH_NAMESPACE ?? '',
    taskQueue,
  });
  const server = await startApiServer({
    port: 0,
    operator: { client: temporal.client, taskQueue, auth },
    status: async () => await readPublishedStatus(temporal.client, taskQueue),
  });
  process.stdout.write(`listening ${server.url}\n`);
  process.once('SIGTERM', () => {
    void server
      .close()
      .then(() => temporal.close())
      .then(() => process.exit(0));
  });
}

/** Starts this script with `--api-child` and resolves with its process and URL. */
async function startApiProcess(
  address: string,
  namespace: string,
  taskQueue: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--api-child'], {
    env: { ...process.env, BENCH_ADDRESS: address, BENCH_NAMESPACE: namespace, BENCH_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the API process did not start: ${text}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = /listening (\S+)/.exec(text);
      if (found?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the API process exited with ${code}: ${text}`)));
  });
  return { child, url };
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function stats(samples: readonly number[]): { p50: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** CPU seconds of every live descendant of this process whose command is chromium (the browser and its renderers). */
function browserCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('chrom')) continue;
      total += cpuSecondsOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * Installed in every page before its scripts: records, in `globalThis.__monitor`, the first
 * animation frame (ms since navigation start) in which the monitor shows a row and the first in
 * which it shows `rows` rows. A string, not a function: tsx's transform would add helpers the
 * page does not have.
 */
function watchRows(rows: number): string {
  return `(() => {
    const seen = {};
    globalThis.__monitor = seen;
    const frame = () => {
      const count = document.querySelectorAll('tr[data-jobnet]').length;
      const at = performance.now();
      if (count > 0 && seen.first === undefined) seen.first = at;
      if (count >= ${rows}) seen.all = at;
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })();`;
}

/** When the page showed its first and all rows; undefined when not all within `renderTimeoutMs`. */
async function monitorTimes(page: Page): Promise<{ first: number; all: number } | undefined> {
  const handle = await page
    .waitForFunction(
      // An anonymous arrow (a string is eval, which the console's CSP refuses).
      () => {
        const seen = (globalThis as unknown as { __monitor?: { first?: number; all?: number } }).__monitor;
        return seen?.all !== undefined ? seen : false;
      },
      undefined,
      { timeout: renderTimeoutMs, polling: 100 },
    )
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'TimeoutError') return undefined;
      throw error;
    });
  return (await handle?.jsonValue()) as { first: number; all: number } | undefined;
}

async function openConsole(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.addInitScript(watchRows(jobnetCount));
  const page = await context.newPage();
  await page.goto(`${url}/?token=${token}`);
  return { context, page };
}

/** Part 1: time to first render of the monitor, and the two baselines. */
async function measureFirstRender(browser: Browser, url: string) {
  const get = async (route: string): Promise<string> => {
    const answer = await fetch(`${url}${route}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await answer.text();
    if (route === '/api/v1/jobnets' && answer.status !== 200) throw new Error(`${route}: ${answer.status} ${text}`);
    return text;
  };
  log('warm-up load of the console');
  // The rendered monitor as static HTML — its markup and style sheet, without the script — from
  // a warm-up load; when two warm-up loads do not show every row there is no static baseline.
  let staticHtml: string | undefined;
  for (let attempt = 1; attempt <= 2 && staticHtml === undefined; attempt++) {
    const warm = await openConsole(browser, url);
    if ((await monitorTimes(warm.page)) !== undefined) {
      const css = await get('/console/app.css');
      const markup = await warm.page.evaluate(
        () => (globalThis as unknown as { document: { body: { innerHTML: string } } }).document.body.innerHTML,
      );
      staticHtml = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>static monitor</title><style>${css}</style></head><body>${markup.replace(/<script[\s\S]*?<\/script>/g, '')}</body></html>`;
    } else log(`warm-up load ${attempt} did not show all ${jobnetCount} rows`);
    await warm.context.close();
  }
  const staticServer: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(staticHtml ?? '');
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  const staticAddress = staticServer.address();
  const staticUrl = `http://127.0.0.1:${typeof staticAddress === 'object' && staticAddress !== null ? staticAddress.port : 0}/`;

  const consoleFirst: number[] = [];
  const consoleAll: number[] = [];
  const bare: number[] = [];
  const staticAll: number[] = [];
  let listBytes = 0;
  let statusBytes = 0;
  let notRendered = 0;
  let bareFailed = 0;
  for (let i = 0; i < loads; i++) {
    log(`load ${i + 1}/${loads}`);
    await new Promise((resolve) => setTimeout(resolve, sharedListMaxAgeMs + 200));
    const { context, page } = await openConsole(browser, url);
    // The list's size as the console got it (the bare call below may be cut by the idle timeout).
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/v1/jobnets' && response.ok())
        void response
          .body()
          .then((body) => (listBytes = body.length))
          .catch(() => undefined);
    });
    const times = await monitorTimes(page);
    if (times === undefined) notRendered += 1;
    else {
      consoleFirst.push(times.first);
      consoleAll.push(times.all);
    }
    await context.close();

    // Past the API's reuse of a list read, so the bare call pays for a read of its own.
    await new Promise((resolve) => setTimeout(resolve, sharedListMaxAgeMs + 200));
    const started = performance.now();
    try {
      await get('/api/v1/jobnets');
      bare.push(performance.now() - started);
    } catch (error) {
      bareFailed += 1;
      log(`bare call failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    statusBytes = Buffer.byteLength(await get('/api/v1/status'));

    if (staticHtml === undefined) continue;
    const staticContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await staticContext.addInitScript(watchRows(jobnetCount));
    const staticPage = await staticContext.newPage();
    await staticPage.goto(staticUrl);
    const shown = await monitorTimes(staticPage);
    if (shown !== undefined) staticAll.push(shown.all);
    await staticContext.close();
  }
  await new Promise((resolve) => staticServer.close(resolve));
  return {
    consoleFirst: stats(consoleFirst),
    consoleAll: stats(consoleAll),
    bare: stats(bare),
    staticAll: stats(staticAll),
    notRendered,
    bareFailed,
    listBytes,
    statusBytes,
    staticBytes: Buffer.byteLength(staticHtml ?? ''),
  };
}

interface LivePhase {
  consoles: number;
  cpu: { api: number; worker: number; server: number; browser?: number };
  requests: Record<string, number>;
  bytes: Record<string, number>;
  refreshes: number[];
}

/**
 * Part 2b: the requests of `consoles` monitors made from Node, with the console's own rule (the
 * list with If-None-Match of the last answer's entity tag, then the status, then 2 s), so the
 * server side's cost is measured without the browsers' rendering taking the same two cores.
 */
async function measurePollers(
  url: string,
  consoles: number,
  pids: { api: number; worker: number; server: number },
): Promise<LivePhase & { notModified: number; fromNode: true }> {
  const requests: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  const refreshes = Array.from({ length: consoles }, () => 0);
  let notModified = 0;
  const headers = { authorization: `Bearer ${token}` };
  const deadline = performance.now() + seconds * 1000;
  const before = { api: cpuSecondsOf(pids.api), worker: cpuSecondsOf(pids.worker), server: cpuSecondsOf(pids.server) };
  const poll = async (index: number) => {
    let tag: string | null = null;
    while (performance.now() < deadline) {
      const list = await fetch(`${url}/api/v1/jobnets`, {
        headers: tag === null ? headers : { ...headers, 'if-none-match': tag },
      });
      const body = await list.arrayBuffer();
      if (performance.now() >= deadline) break;
      if (list.status === 304) notModified += 1;
      else tag = list.headers.get('etag');
      requests['/api/v1/jobnets'] = (requests['/api/v1/jobnets'] ?? 0) + 1;
      bytes['/api/v1/jobnets'] = (bytes['/api/v1/jobnets'] ?? 0) + body.byteLength;
      refreshes[index] = (refreshes[index] ?? 0) + 1;
      const status = await fetch(`${url}/api/v1/status`, { headers });
      bytes['/api/v1/status'] = (bytes['/api/v1/status'] ?? 0) + (await status.arrayBuffer()).byteLength;
      requests['/api/v1/status'] = (requests['/api/v1/status'] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  await Promise.all(refreshes.map((_, index) => poll(index)));
  const cpu = {
    api: cpuSecondsOf(pids.api) - before.api,
    worker: cpuSecondsOf(pids.worker) - before.worker,
    server: cpuSecondsOf(pids.server) - before.server,
  };
  return { consoles, cpu, requests, bytes, refreshes, notModified, fromNode: true };
}

/** Part 2: `consoles` monitors open for `seconds`; CPU of the server side and what the consoles asked. */
async function measureLive(
  browser: Browser,
  url: string,
  consoles: number,
  pids: { api: number; worker: number; server: number },
): Promise<LivePhase & { notModified?: number }> {
  const open: { context: BrowserContext; page: Page }[] = [];
  for (let i = 0; i < consoles; i++) {
    // Opened one after the other; each polls from its first load on.
    open.push(await openConsole(browser, url));
  }
  // Let the openings' own requests settle before the window.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const requests: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  const refreshes = open.map(() => 0);
  let counting = true;
  let notModified = 0;
  open.forEach(({ page }, index) => {
    // Every answer counts, a bodiless 304 too (it is not always reported as a finished request).
    page.on('response', (response) => {
      if (!counting) return;
      const route = new URL(response.url()).pathname;
      if (!route.startsWith('/api/')) return;
      requests[route] = (requests[route] ?? 0) + 1;
      if (route === '/api/v1/jobnets') {
        refreshes[index] = (refreshes[index] ?? 0) + 1;
        if (response.status() === 304) notModified += 1;
      }
    });
    page.on('requestfinished', (request) => {
      if (!counting) return;
      const route = new URL(request.url()).pathname;
      if (!route.startsWith('/api/')) return;
      void request
        .sizes()
        .then((sizes) => (bytes[route] = (bytes[route] ?? 0) + sizes.responseBodySize))
        .catch(() => undefined);
    });
  });
  const before = { api: cpuSecondsOf(pids.api), worker: cpuSecondsOf(pids.worker), server: cpuSecondsOf(pids.server) };
  const browserBefore = browserCpuSeconds();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = {
    api: cpuSecondsOf(pids.api) - before.api,
    worker: cpuSecondsOf(pids.worker) - before.worker,
    server: cpuSecondsOf(pids.server) - before.server,
    browser: browserCpuSeconds() - browserBefore,
  };
  counting = false;
  for (const { context } of open) await context.close();
  return { consoles, cpu, requests, bytes, refreshes, ...(consoles > 0 ? { notModified } : {}) };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const server = await startDevServer();
  const serverPid = devServerPid(server.address.split(':').pop() ?? '');
  const taskQueue = `bench-console-${Date.now()}`;
  let api: ChildProcess | undefined;
  let browser: Browser | undefined;
  const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
  try {
    log(`dev server on ${server.address}; starting the worker`);
    const worker = await startWorkerProcess(server.address, server.namespace, taskQueue);
    const farDate = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
    const jobnets: CompiledJobnet[] = [];
    for (let i = 0; i < jobnetCount; i++)
      jobnets.push(
        scheduledJobnet(`project-${i % 10}`, `jobnet-${String(i).padStart(5, '0')}`, [sleepJob('a', 1)], {
          days: { dates: [farDate] },
          start: { at: ['12:00'] },
        }),
      );
    log(`applying ${jobnetCount} jobnets`);
    const applyStarted = performance.now();
    await applyJobnets(temporal.client, { taskQueue, jobnets, revision: 'console-bench', by: 'bench' });
    log(`applied in ${((performance.now() - applyStarted) / 1000).toFixed(1)} s; starting the API process`);
    const started = await startApiProcess(server.address, server.namespace, taskQueue);
    api = started.child;
    const url = started.url;
    // Every actor answers its query (read by this process, not through the API).
    for (;;) {
      const began = performance.now();
      const entries = await readJobnetEntries(temporal.client, taskQueue);
      const failed = entries.filter((entry) => entry.error !== undefined).length;
      log(`all actors read in ${((performance.now() - began) / 1000).toFixed(1)} s, ${failed} not answering`);
      if (entries.length === jobnetCount && failed === 0) break;
    }
    browser = await chromium.launch({ executablePath: chromiumPath });

    const pids = { api: api.pid ?? 0, worker: worker.pid ?? 0, server: serverPid };
    const loadBeforeRender = os.loadavg();
    log('part 1: time to first render');
    const render = await measureFirstRender(browser, url);
    const phases: (LivePhase & { notModified?: number; fromNode?: true })[] = [];
    for (const consoles of [0, 1, consoleCount]) {
      log(`part 2: ${consoles} consoles for ${seconds} s`);
      phases.push(await measureLive(browser, url, consoles, pids));
    }
    log(`part 2b: the requests of ${consoleCount} consoles from Node for ${seconds} s`);
    phases.push(await measurePollers(url, consoleCount, pids));
    const loadAtEnd = os.loadavg();

    const ms = (value: number): string => (Number.isNaN(value) ? '–' : `${value.toFixed(0)} ms`);
    const ratio = (value: number, base: number): string =>
      Number.isNaN(value / base) ? '–' : `${(value / base).toFixed(1)}×`;
    const kib = (value: number): string => `${(value / 1024).toFixed(1)} KiB`;
    const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
    const cpus = os.cpus();
    const lines = [
      `Machine: ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs, shared), Node ${process.version}, ${browser.version() === '' ? 'chromium' : `Chromium ${browser.version()}`} headless, in-memory Temporal dev server. Load average (1, 5, 15 min): ${load(loadAtStart)} at start, ${load(loadBeforeRender)} before part 1, ${load(loadAtEnd)} at the end.`,
      '',
      `| ${jobnetCount} jobnets, ${loads} loads | p50 | p95 | × bare API call (p50) | × static page (p50) |`,
      '| --- | ---: | ---: | ---: | ---: |',
      `| console: navigation → first row (first screenful) | ${ms(render.consoleFirst.p50)} | ${ms(render.consoleFirst.p95)} | ${ratio(render.consoleFirst.p50, render.bare.p50)} | ${ratio(render.consoleFirst.p50, render.staticAll.p50)} |`,
      `| console: navigation → all ${jobnetCount} rows | ${ms(render.consoleAll.p50)} | ${ms(render.consoleAll.p95)} | ${ratio(render.consoleAll.p50, render.bare.p50)} | ${ratio(render.consoleAll.p50, render.staticAll.p50)} |`,
      `| baseline: bare \`GET /api/v1/jobnets\` from Node | ${ms(render.bare.p50)} | ${ms(render.bare.p95)} | 1.0× | |`,
      `| baseline: static HTML of the same rows (${kib(render.staticBytes)}), navigation → all rows | ${ms(render.staticAll.p50)} | ${ms(render.staticAll.p95)} | | 1.0× |`,
      '',
      `Loads that did not show all rows within ${renderTimeoutMs / 1000} s: ${render.notRendered} of ${loads}; bare calls that failed: ${render.bareFailed} of ${loads}.`,
      '',
      `Per refresh the monitor asks \`GET /api/v1/jobnets\` (${kib(render.listBytes)}) and \`GET /api/v1/status\` (${kib(render.statusBytes)}).`,
      '',
      `| ${seconds} s window | answers by route | chromium CPU s | API CPU s | API CPU % of one core | over the idle API, s | API CPU ms per list refresh | worker CPU s | dev server CPU s | API requests/s | list refreshes per console | refresh period s (mean) | answered KiB/s |`,
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...phases.map((phase) => {
        const requests = Object.values(phase.requests).reduce((a, b) => a + b, 0);
        const answered = Object.values(phase.bytes).reduce((a, b) => a + b, 0);
        const refreshes = phase.refreshes.reduce((a, b) => a + b, 0);
        const perConsole = phase.consoles === 0 ? '–' : (refreshes / phase.consoles).toFixed(1);
        const period = refreshes === 0 ? '–' : ((seconds * phase.consoles) / refreshes).toFixed(2);
        const idle = phases[0]?.cpu.api ?? 0;
        const perRefresh = refreshes === 0 ? '–' : ((1000 * (phase.cpu.api - idle)) / refreshes).toFixed(1);
        const label =
          phase.consoles === 0
            ? '0 consoles (idle API: baseline)'
            : `${phase.consoles} ${phase.fromNode === true ? "consoles' requests from Node" : phase.consoles === 1 ? 'console' : 'consoles'} (${phase.notModified ?? 0} of ${refreshes} lists answered 304)`;
        const routes = Object.entries(phase.requests)
          .map(([route, count]) => `${route} ${count}`)
          .join(', ');
        const browserCpu = phase.cpu.browser === undefined ? '–' : phase.cpu.browser.toFixed(2);
        return `| ${label} | ${routes === '' ? '–' : routes} | ${browserCpu} | ${phase.cpu.api.toFixed(2)} | ${((100 * phase.cpu.api) / seconds).toFixed(1)} % | ${(phase.cpu.api - idle).toFixed(2)} | ${perRefresh} | ${phase.cpu.worker.toFixed(2)} | ${phase.cpu.server.toFixed(2)} | ${(requests / seconds).toFixed(2)} | ${perConsole} | ${period} | ${(answered / 1024 / seconds).toFixed(1)} |`;
      }),
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await browser?.close();
    if (api !== undefined && api.exitCode === null) {
      const exited = new Promise((resolve) => api?.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    await stopWorkerProcesses();
    await temporal.close();
    await server.stop();
  }
}

if (flags['api-child']) await serveApi();
else await main();
