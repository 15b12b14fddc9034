/**
 * Benchmark: the history list of the operator API (`GET /api/v1/runs`, R-OPS-5, R-OPS-6) with
 * `--runs` runs in visibility, against a baseline measured in the same run: the bare
 * `listWorkflowExecutions` call with the same query and page size.
 *
 * Starts an in-memory Temporal dev server and `--runs` run workflows of one deployment, spread over
 * 10 projects, 5 jobnets, 3 statuses and 2 business dates, with the search attributes a run is
 * started with (`topLevelRunStart`); no worker polls their task queue, so they stay open and
 * nothing else loads the server. Then, on the API over real HTTP (an admin token), it measures
 * `--requests` requests of each: the first page of 50, every page of 50 walked with the cursor,
 * and a filtered first page (one project and one status), each next to the bare call.
 *
 * Prints Markdown tables on stdout and nothing else; progress goes to stderr. Figures go to
 * docs/performance.md. No timing is asserted anywhere.
 *
 * Usage: npx tsx bench/history-api.bench.ts [--runs 10000] [--requests 200]
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../controller/api/api-server.js';
import { ApiError } from '../controller/api/api-errors.js';
import type { Caller, OperatorAuth } from '../controller/api/operator-api.js';
import { mapConcurrently } from '../controller/lib/bounded-concurrency.js';
import { historyVisibilityQuery, type HistoryFilter } from '../controller/runs/history-query.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { compiledJob, type CompiledJobnet } from '../workflows/lib/compiled-jobnet.js';
import { runWorkflowId, searchAttributeKeys, workflowTypes } from '../workflows/lib/wire-contract.js';
import { topLevelRunStart } from '../workflows/run-contract.js';
import { parseBenchArgs } from './bench-options.js';

const { numbers } = parseBenchArgs(process.argv.slice(2), ['runs', 'requests'] as const);
const runCount = numbers.runs ?? 10_000;
const requests = numbers.requests ?? 200;
const taskQueue = 'history-bench';
const pageSize = 50;
const statuses = ['normal', 'abended', 'running'] as const;

const admin: Caller = { subject: 'bench', groups: [], admin: true };
const auth: OperatorAuth = {
  authenticate: (request) =>
    request.headers.authorization === 'Bearer bench'
      ? Promise.resolve(admin)
      : Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'token')),
  roleOn: () => Promise.resolve('admin'),
  visibleProjects: () => Promise.resolve('all'),
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

async function measure(times: number, call: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 5; i++) await call(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const server = await startDevServer();
const handle = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = handle.client;
try {
  process.stderr.write(`starting ${runCount} runs on ${server.address}\n`);
  const began = performance.now();
  await mapConcurrently(
    Array.from({ length: runCount }, (_, i) => i),
    32,
    async (i) => {
      const jobnet: CompiledJobnet = {
        project: `p${i % 10}`,
        name: `jobnet${i % 5}`,
        revision: 'abcdef0123',
        jobs: { a: compiledJob({ name: 'a', type: 'sleep', spec: { seconds: 1 } }) },
      };
      const businessDate = i % 2 === 0 ? '2026-11-23' : '2026-11-24';
      const { input, searchAttributes } = topLevelRunStart({
        jobnet,
        businessDate,
        trigger: 'schedule',
        requestedBy: 'bench',
      });
      const status = statuses[i % statuses.length] as string;
      await client.workflow.start(workflowTypes.run, {
        workflowId: runWorkflowId(taskQueue, jobnet.project, jobnet.name, businessDate, `s${i}`),
        taskQueue,
        args: [input],
        typedSearchAttributes: searchAttributes.map((pair) =>
          pair.key.name === searchAttributeKeys.runStatus.name
            ? { key: searchAttributeKeys.runStatus, value: status }
            : pair,
        ),
      });
    },
  );
  process.stderr.write(`started in ${Math.round((performance.now() - began) / 1000)} s; waiting for visibility\n`);
  const all = historyVisibilityQuery(taskQueue, { projects: 'all' }) as string;
  for (;;) {
    const counted = await client.workflowService.countWorkflowExecutions({ namespace: server.namespace, query: all });
    if (Number(counted.count) >= runCount) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const api = await startApiServer({ port: 0, operator: { client, taskQueue, auth } });
  const get = async (path: string): Promise<{ runs: unknown[]; nextCursor?: string }> => {
    const answer = await fetch(`${api.url}${path}`, { headers: { authorization: 'Bearer bench' } });
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as { runs: unknown[]; nextCursor?: string };
  };
  const bare = async (filter: HistoryFilter, token?: Uint8Array) =>
    await client.workflowService.listWorkflowExecutions({
      namespace: server.namespace,
      query: historyVisibilityQuery(taskQueue, filter),
      pageSize,
      ...(token !== undefined ? { nextPageToken: token } : {}),
    });

  const filtered: HistoryFilter = { projects: ['p3'], status: 'abended' };
  const rows: [string, { p50: number; p99: number }, { p50: number; p99: number }][] = [];
  process.stderr.write('measuring the first page\n');
  rows.push([
    `first page of ${pageSize} (all ${runCount} runs)`,
    await measure(requests, () => get(`/api/v1/runs?limit=${pageSize}`)),
    await measure(requests, () => bare({ projects: 'all' })),
  ]);
  process.stderr.write('measuring the filtered page\n');
  rows.push([
    `filtered page of ${pageSize} (project p3, status abended: ${Math.round(runCount / 30)} runs)`,
    await measure(requests, () => get(`/api/v1/runs?limit=${pageSize}&project=p3&status=abended`)),
    await measure(requests, () => bare(filtered)),
  ]);
  process.stderr.write('walking every page\n');
  const apiPages: number[] = [];
  let cursor: string | undefined;
  do {
    const started = performance.now();
    const page = await get(`/api/v1/runs?limit=${pageSize}${cursor !== undefined ? `&cursor=${cursor}` : ''}`);
    apiPages.push(performance.now() - started);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const barePages: number[] = [];
  let token: Uint8Array | undefined;
  do {
    const started = performance.now();
    const page = await bare({ projects: 'all' }, token);
    barePages.push(performance.now() - started);
    token = page.nextPageToken !== null && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (token !== undefined);
  const stats = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  rows.push([
    `every page of ${pageSize}, walked with the cursor (${apiPages.length} pages)`,
    stats(apiPages),
    stats(barePages),
  ]);
  await api.close();

  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  const cpus = os.cpus();
  process.stdout.write(
    [
      `Machine: ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs, shared), Node ${process.version}, in-memory Temporal dev server (SQLite visibility).`,
      '',
      `| ${runCount} runs in visibility | API p50 | API p99 | bare listWorkflowExecutions p50 | p99 |`,
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map(
        ([what, viaApi, viaBare]) =>
          `| ${what} | ${ms(viaApi.p50)} | ${ms(viaApi.p99)} | ${ms(viaBare.p50)} | ${ms(viaBare.p99)} |`,
      ),
      '',
    ].join('\n'),
  );
} finally {
  await handle.close();
  await server.stop();
}
