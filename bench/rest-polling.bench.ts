/**
 * Benchmark: N concurrent REST jobs polling one local target through one `jobnet worker` process
 * (docs/architecture.md#performance-budget: 300 concurrent REST jobs with polling on one worker without missed polls).
 *
 * Starts an in-memory Temporal dev server, one worker process and a loopback HTTP target; starts
 * N runs of one REST job each (request, then polls every `--interval` seconds until the target
 * answers DONE on the `--polls`th poll) and measures, from the target's clock: polls missing or
 * extra per job, how late each poll came after its interval, and the worker process's CPU time
 * and peak RSS. Prints a Markdown row; figures go to docs/performance.md.
 *
 * Usage: npx tsx bench/rest-polling.bench.ts [--jobs 300] [--interval 5] [--polls 6]
 */
import { readFileSync } from 'node:fs';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import type { RunInput } from '../workflows/run-contract.js';
import { jobnetOf } from '../test/integration/run-fixtures.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';

const { numbers } = parseBenchArgs(process.argv.slice(2), ['jobs', 'interval', 'polls'] as const);
const jobs = numbers.jobs ?? 300;
const intervalSeconds = numbers.interval ?? 5;
const polls = numbers.polls ?? 6;

/** CPU seconds (user + system) and peak RSS of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; peakRssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpuSeconds: ticks / 100, peakRssMiB: Number(hwm?.[1] ?? 0) / 1024 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const server = await startDevServer();
const target = await startRestTarget();
const taskQueue = `bench-rest-${Date.now()}`;
const worker = await startWorkerProcess(server.address, server.namespace, taskQueue);
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;
try {
  target.route('POST', '/submit', (request) => ({ body: { id: (JSON.parse(request.body) as { job: string }).job } }));
  for (let job = 0; job < jobs; job++) {
    target.route('GET', `/status/j${job}`, (_request, count) => ({
      body: { state: count >= polls ? 'DONE' : 'RUNNING' },
    }));
  }
  const before = processUsage(worker.pid ?? 0);
  const started = performance.now();
  const handles = [];
  for (let batch = 0; batch < jobs; batch += 50) {
    const starts = [];
    for (let job = batch; job < Math.min(jobs, batch + 50); job++) {
      const jobnet = jobnetOf(`poll-${job}`, [
        {
          name: 'call',
          type: 'rest',
          spec: {
            outputLimitBytes: 1024 * 1024,
            request: {
              url: `${target.url}/submit`,
              method: 'POST',
              timeout: 10,
              body: { job: `j${job}` },
              takeoverKeys: { ID: 'id' },
            },
            monitoring: {
              url: `${target.url}/status/<ID>`,
              method: 'GET',
              firstMonitorInterval: intervalSeconds,
              pollingInterval: intervalSeconds,
              pollingCount: 0,
              pollingEndKey: 'state',
              pollingEndVal: ['DONE'],
              checkResultKey: 'state',
              checkResultVal: ['DONE'],
            },
          },
        },
      ]);
      const input: RunInput = {
        jobnet,
        children: {},
        businessDate: '2026-11-23',
        trigger: 'manual',
        requestedBy: 'bench',
        level: 1,
      };
      starts.push(
        client.workflow.start('runWorkflow', {
          workflowId: `run/bench/poll-${job}/${taskQueue}`,
          taskQueue,
          args: [input],
        }),
      );
    }
    handles.push(...(await Promise.all(starts)));
  }
  const startSeconds = (performance.now() - started) / 1000;
  const results = await Promise.all(handles.map((handle) => handle.result() as Promise<{ status: string }>));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const after = processUsage(worker.pid ?? 0);

  const lateness: number[] = [];
  let wrongCounts = 0;
  for (let job = 0; job < jobs; job++) {
    const seen = target.requests(`/status/j${job}`);
    if (seen.length !== polls) wrongCounts += 1;
    for (let i = 1; i < seen.length; i++)
      lateness.push((seen[i]?.at ?? 0) - (seen[i - 1]?.at ?? 0) - intervalSeconds * 1000);
  }
  lateness.sort((a, b) => a - b);
  const notNormal = results.filter((result) => result.status !== 'normal').length;
  const late = lateness.filter((ms) => ms > 1000).length;
  process.stdout.write(
    '| jobs | interval s | polls/job | polls seen | jobs with wrong poll count | runs not normal | lateness p50 ms | p99 ms | max ms | polls > 1 s late | start all s | total s | worker CPU s | worker peak RSS MiB |\n' +
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  process.stdout.write(
    `| ${jobs} | ${intervalSeconds} | ${polls} | ${lateness.length + jobs} | ${wrongCounts} | ${notNormal} | ${percentile(lateness, 50).toFixed(0)} | ${percentile(lateness, 99).toFixed(0)} | ${(lateness.at(-1) ?? 0).toFixed(0)} | ${late} | ${startSeconds.toFixed(1)} | ${elapsedSeconds.toFixed(1)} | ${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} | ${after.peakRssMiB.toFixed(0)} |\n`,
  );
} finally {
  await stopWorkerProcesses();
  await temporal.close();
  await target.stop();
  await server.stop();
}
