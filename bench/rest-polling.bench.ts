/**
 * Benchmark: N concurrent REST jobs polling one local target through one `jobnet worker` process
 * (docs/architecture.md#performance-budget: 300 concurrent REST jobs with polling on one worker without missed polls).
 *
 * Starts an in-memory Temporal dev server, one worker process and a loopback HTTP target; starts
 * N runs of one REST job each (request, then polls every `--interval` seconds until the target
 * answers DONE on the `--polls`th poll) and measures, from the target's clock: polls missing or
 * extra per job, how late each poll came after its interval, and the worker process's CPU time
 * and peak RSS. To tell where a late poll's time went it also reads the worker's own lateness
 * metric (`jobnet_rest_poll_lateness_seconds`: the attempt's scheduled time → the activity running
 * in the worker, i.e. the server's dispatch and the worker's pollers and slots), the CPU time of the
 * dev server and of this process (the target and the client), and every run's history length.
 * `--activity-slots N` starts the worker with `--max-concurrent-activities N`; `--profile` runs it
 * under V8's CPU profiler and prints where its time went. Prints Markdown tables; figures go to
 * docs/performance.md.
 *
 * Usage: npx tsx bench/rest-polling.bench.ts [--jobs 300] [--interval 5] [--polls 6] [--activity-slots N] [--profile]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import type { RunInput } from '../workflows/run-contract.js';
import { jobnetOf } from '../test/integration/run-fixtures.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';
import { cpuProfileByArea, cpuProfileSummary } from './cpu-profile.js';
import { cpuSecondsOf, devServerPid } from './process-stats.js';

const { numbers, flags } = parseBenchArgs(
  process.argv.slice(2),
  ['jobs', 'interval', 'polls', 'activity-slots'] as const,
  ['profile'] as const,
);
const jobs = numbers.jobs ?? 300;
const intervalSeconds = numbers.interval ?? 5;
const polls = numbers.polls ?? 6;
const activitySlots = numbers['activity-slots'];
const projectRoot = path.resolve(import.meta.dirname, '..');
const profileDir = path.join(projectRoot, 'bench', '.out', 'rest-polling-profile');

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

/** The worker's `jobnet_rest_poll_lateness_seconds` histogram, summed over projects: count, sum, and count at or under each bound. */
async function workerLateness(url: string): Promise<{ count: number; sum: number; atMost: Map<number, number> }> {
  const text = await (await fetch(url)).text();
  const atMost = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    const bucket = /^jobnet_rest_poll_lateness_seconds_bucket\{.*le="([^"]+)".*\} (\S+)$/.exec(line);
    if (bucket) {
      const bound = bucket[1] === '+Inf' ? Infinity : Number(bucket[1]);
      atMost.set(bound, (atMost.get(bound) ?? 0) + Number(bucket[2]));
    }
    const total = /^jobnet_rest_poll_lateness_seconds_(sum|count)\{.*\} (\S+)$/.exec(line);
    if (total?.[1] === 'sum') sum += Number(total[2]);
    if (total?.[1] === 'count') count += Number(total[2]);
  }
  return { count, sum, atMost };
}

/** Stops a worker with SIGTERM (it shuts down and the profiler writes its files) and waits for it. */
async function stopGracefully(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const loadAtStart = os.loadavg();
const server = await startDevServer();
const serverPid = devServerPid(server.address.split(':').pop() ?? '');
const target = await startRestTarget();
const taskQueue = `bench-rest-${Date.now()}`;
const metricsPort = await freePort();
if (flags.profile) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
}
const worker = await startWorkerProcess(
  server.address,
  server.namespace,
  taskQueue,
  process.env,
  flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  [
    '--metrics-listen',
    `127.0.0.1:${metricsPort}`,
    ...(activitySlots !== undefined ? ['--max-concurrent-activities', String(activitySlots)] : []),
  ],
);
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
  const serverCpuBefore = cpuSecondsOf(serverPid);
  const benchCpuBefore = process.cpuUsage();
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
  const serverCpuSeconds = cpuSecondsOf(serverPid) - serverCpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const workerSide = await workerLateness(`http://127.0.0.1:${metricsPort}/metrics`);
  const historyLengths = (
    await Promise.all(handles.map(async (handle) => (await handle.fetchHistory()).events?.length ?? 0))
  ).sort((a, b) => a - b);

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
  const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const out: string[] = [];
  out.push(
    `Load average 1/5/15 min: ${loads(loadAtStart)} at start, ${loads(os.loadavg())} at end; worker activity slots: ${activitySlots ?? 'default'}`,
    '',
  );
  out.push(
    '| jobs | interval s | polls/job | polls seen | jobs with wrong poll count | runs not normal | lateness p50 ms | p99 ms | max ms | polls > 1 s late | start all s | total s | worker CPU s | worker peak RSS MiB |',
    `|${' ---: |'.repeat(14)}`,
  );
  out.push(
    `| ${jobs} | ${intervalSeconds} | ${polls} | ${lateness.length + jobs} | ${wrongCounts} | ${notNormal} | ${percentile(lateness, 50).toFixed(0)} | ${percentile(lateness, 99).toFixed(0)} | ${(lateness.at(-1) ?? 0).toFixed(0)} | ${late} | ${startSeconds.toFixed(1)} | ${elapsedSeconds.toFixed(1)} | ${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} | ${after.peakRssMiB.toFixed(0)} |`,
    '',
  );
  // The worker's side of a poll's lateness: scheduled → running in the worker, from its histogram.
  const share = (bound: number) =>
    workerSide.count === 0 ? '–' : `${(((workerSide.atMost.get(bound) ?? 0) / workerSide.count) * 100).toFixed(1)} %`;
  out.push(
    '| polls timed by the worker | scheduled → running in the worker: mean ms | ≤ 0.1 s | ≤ 0.5 s | ≤ 1 s | ≤ 2 s | ≤ 5 s | dev server CPU s | bench process (target, client) CPU s | CPU of the three / (total s × cores) | history events per run p50 / max |',
    `|${' ---: |'.repeat(11)}`,
  );
  const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
  const allCpu = after.cpuSeconds - before.cpuSeconds + serverCpuSeconds + benchCpuSeconds;
  out.push(
    `| ${workerSide.count} | ${workerSide.count === 0 ? '–' : ((workerSide.sum / workerSide.count) * 1000).toFixed(0)} | ${share(0.1)} | ${share(0.5)} | ${share(1)} | ${share(2)} | ${share(5)} | ${serverCpuSeconds.toFixed(1)} | ${benchCpuSeconds.toFixed(1)} | ${((allCpu / (elapsedSeconds * os.availableParallelism())) * 100).toFixed(0)} % | ${percentile(historyLengths, 50)} / ${historyLengths.at(-1) ?? 0} |`,
  );
  if (flags.profile) {
    await stopGracefully(worker);
    out.push(...cpuProfileByArea(profileDir, 'worker', projectRoot), ...cpuProfileSummary(profileDir, 'worker', 20));
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await stopWorkerProcesses();
  await temporal.close();
  await target.stop();
  await server.stop();
}
