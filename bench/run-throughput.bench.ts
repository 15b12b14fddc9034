/**
 * Benchmark: per-run overhead of the run workflow against a bare Temporal workflow doing the same
 * work (docs/architecture.md#performance-budget, docs/performance.md#run-throughput-against-a-bare-workflow).
 *
 * One in-memory dev server, one loopback HTTP target, and two worker processes on their own task
 * queues: the real `jobnet worker`, and bench/bare-run/bare-run-worker.ts (the SDK's defaults).
 * The work of a run is the same on both: one HTTP POST to the target as an activity, with a timer
 * racing it (ours: a single-job jobnet of one REST job with a time limit, started as
 * `jobnet start` starts a run, search attributes included; bare: bare-run-workflow.ts). Each
 * round measures `--runs` runs of each, ours and bare alternating which goes first: all started
 * back to back (`--batch` starts in flight at once), timed from the first start to the last
 * completion → runs per minute; the worker process's CPU (utime + stime of every thread, from
 * /proc/<pid>/stat) over the same span, per run; the dev server's likewise; the load average.
 * Afterwards the events of a few histories of each are counted, by type.
 *
 * `--profile` runs both workers under V8's CPU profiler (`--cpu-prof`, every thread: the main
 * thread and the workflow thread), stops them with SIGTERM at the end so the profiles are written
 * to bench/.out/run-throughput-profiles/<ours|bare>/, and prints each thread's functions with the most self time.
 * Profiling slows both workers; its throughput figures are not the benchmark's.
 *
 * Prints Markdown tables on stdout; progress on stderr.
 *
 * Usage: npx tsx bench/run-throughput.bench.ts [--runs 400] [--rounds 3] [--batch 50] [--warmup 100] [--profile]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { runStartTextOf, topLevelRunStart, type RunResult } from '../workflows/run-contract.js';
import { workflowTypes } from '../workflows/lib/wire-contract.js';
import { jobnetOf } from '../test/integration/run-fixtures.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';
import { cpuProfileSummary } from './cpu-profile.js';

const { numbers, flags } = parseBenchArgs(
  process.argv.slice(2),
  ['runs', 'rounds', 'batch', 'warmup'] as const,
  ['profile'] as const,
);
const runCount = numbers.runs ?? 400;
const rounds = numbers.rounds ?? 3;
const batchSize = numbers.batch ?? 50;
const warmup = numbers.warmup ?? 100;
/** The time limit of the REST job and the bare workflow's timer: never reached. */
const timeLimitSeconds = 60;
/** Histories whose events are counted, of each kind. */
const historiesCounted = 5;

function log(message: string): void {
  process.stderr.write(`[run-throughput] ${new Date().toISOString()} ${message}\n`);
}

/** CPU seconds a process has used so far, all its threads (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const projectRoot = path.resolve(import.meta.dirname, '..');
const bareChildren: ChildProcess[] = [];
const profileRoot = path.join(projectRoot, 'bench', '.out', 'run-throughput-profiles');

/** Node options of a worker process: the CPU profiler with `--profile`. */
function profilerArgs(kind: 'ours' | 'bare'): string[] {
  if (!flags.profile) return [];
  const dir = path.join(profileRoot, kind);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Stops a worker with SIGTERM (it shuts down and the profiler writes its files) and waits for it. */
async function stopGracefully(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The functions with the most self time in each profile of `kind`, one table per thread. */
function profileSummary(kind: 'ours' | 'bare', top = 25): string[] {
  return cpuProfileSummary(path.join(profileRoot, kind), kind, top);
}

/** Starts the baseline worker process and resolves once it polls. */
async function startBareWorker(address: string, namespace: string, taskQueue: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...profilerArgs('bare'),
      '--import',
      'tsx',
      path.join(projectRoot, 'bench', 'bare-run', 'bare-run-worker.ts'),
      address,
      namespace,
      taskQueue,
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  bareChildren.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bare worker did not connect in time: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker connected')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bare worker exited with ${code}: ${output}`));
    });
  });
  return child;
}

interface Kind {
  name: 'ours' | 'bare';
  pid: number;
  /** Starts run `index` of round `round` and returns its handle. */
  start(round: string, index: number): Promise<WorkflowHandle>;
  /** Whether a run's result is the expected end. */
  ok(result: unknown): boolean;
  ids: string[];
}

interface Measurement {
  kind: Kind['name'];
  round: number;
  seconds: number;
  workerCpuMs: number;
  serverCpuMs: number;
  failed: number;
  load: string;
}

async function measure(kind: Kind, round: string, count: number, serverPid: number | undefined) {
  const cpuBefore = cpuSeconds(kind.pid);
  const serverBefore = serverPid !== undefined ? cpuSeconds(serverPid) : 0;
  const started = performance.now();
  const handles: WorkflowHandle[] = [];
  const results: Promise<unknown>[] = [];
  for (let batch = 0; batch < count; batch += batchSize) {
    const starts = [];
    for (let index = batch; index < Math.min(count, batch + batchSize); index++) starts.push(kind.start(round, index));
    for (const handle of await Promise.all(starts)) {
      handles.push(handle);
      // A run that fails (an overloaded machine can time an activity out) is counted, not fatal.
      results.push(handle.result().catch((error: unknown) => error));
    }
  }
  const ended = await Promise.all(results);
  const seconds = (performance.now() - started) / 1000;
  const workerCpuMs = ((cpuSeconds(kind.pid) - cpuBefore) * 1000) / count;
  const serverCpuMs = serverPid !== undefined ? ((cpuSeconds(serverPid) - serverBefore) * 1000) / count : NaN;
  kind.ids = handles.map((handle) => handle.workflowId);
  return { seconds, workerCpuMs, serverCpuMs, failed: ended.filter((result) => !kind.ok(result)).length };
}

async function eventsOf(client: Client, ids: string[]): Promise<{ perRun: number; types: Record<string, number> }> {
  const types: Record<string, number> = {};
  let total = 0;
  for (const id of ids) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const { events } = JSON.parse(historyToJSON(history)) as { events: { eventType: string }[] };
    for (const event of events) {
      total++;
      const type = event.eventType.replace(/^EVENT_TYPE_/, '');
      types[type] = (types[type] ?? 0) + 1;
    }
  }
  for (const type of Object.keys(types)) types[type] = (types[type] ?? 0) / ids.length;
  return { perRun: total / ids.length, types };
}

const devServer = await startDevServer();
const { address, namespace } = devServer;
const target = await startRestTarget();
target.route('POST', '/call', { body: { ok: true } });
const suffix = Date.now().toString(36);
const oursQueue = `bench-rt-ours-${suffix}`;
const bareQueue = `bench-rt-bare-${suffix}`;
const measurements: Measurement[] = [];
let oursEvents: Awaited<ReturnType<typeof eventsOf>> | undefined;
let bareEvents: Awaited<ReturnType<typeof eventsOf>> | undefined;
try {
  log(`dev server at ${address}; starting the workers`);
  const oursWorker = await startWorkerProcess(address, namespace, oursQueue, process.env, profilerArgs('ours'));
  const bareWorker = await startBareWorker(address, namespace, bareQueue);
  const temporal = await connectClient({ address, namespace, taskQueue: oursQueue });
  const { client } = temporal;
  const jobnet = jobnetOf('throughput', [
    {
      name: 'call',
      type: 'rest',
      timeLimitSeconds,
      spec: {
        outputLimitBytes: 1024 * 1024,
        request: { url: `${target.url}/call`, method: 'POST', timeout: 10, body: {} },
      },
    },
  ]);
  const ours: Kind = {
    name: 'ours',
    pid: oursWorker.pid ?? NaN,
    ids: [],
    async start(round, index) {
      const { input, searchAttributes } = topLevelRunStart({
        jobnet,
        businessDate: '2026-12-03',
        trigger: 'manual',
        requestedBy: 'bench',
      });
      return await client.workflow.start(workflowTypes.run, {
        workflowId: `run/bench/throughput/${round}/${index}`,
        taskQueue: oursQueue,
        args: [input],
        typedSearchAttributes: searchAttributes,
        ...runStartTextOf(input),
      });
    },
    ok: (result) => (result as RunResult).status === 'normal',
  };
  const bare: Kind = {
    name: 'bare',
    pid: bareWorker.pid ?? NaN,
    ids: [],
    async start(round, index) {
      return await client.workflow.start('bareRunWorkflow', {
        workflowId: `bare/bench/throughput/${round}/${index}`,
        taskQueue: bareQueue,
        args: [`${target.url}/call`, timeLimitSeconds],
      });
    },
    ok: (result) => result === 200,
  };

  log(`warm-up: ${warmup} runs of each`);
  for (const kind of [ours, bare]) await measure(kind, 'warmup', warmup, devServer.pid);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [ours, bare] : [bare, ours];
    for (const kind of order) {
      const load = loadAverage();
      const result = await measure(kind, `r${round}`, runCount, devServer.pid);
      measurements.push({ kind: kind.name, round, load, ...result });
      log(
        `round ${round} ${kind.name}: ${result.seconds.toFixed(1)} s, ${((runCount / result.seconds) * 60).toFixed(0)} runs/min, worker ${result.workerCpuMs.toFixed(2)} ms/run, server ${result.serverCpuMs.toFixed(2)} ms/run, ${result.failed} not as expected, load ${load}`,
      );
    }
  }
  oursEvents = await eventsOf(client, ours.ids.slice(0, historiesCounted));
  bareEvents = await eventsOf(client, bare.ids.slice(0, historiesCounted));
  await temporal.close();
  if (flags.profile) await Promise.all([stopGracefully(oursWorker), stopGracefully(bareWorker)]);
} finally {
  await stopWorkerProcesses();
  for (const child of bareChildren) child.kill('SIGKILL');
  await target.stop();
  await devServer.stop();
}

const perMinute = (m: Measurement) => (runCount / m.seconds) * 60;
const lines = [
  `Runs per round: ${runCount} of each, ${batchSize} starts in flight; warm-up ${warmup}; loopback HTTP target.`,
  '',
  '| round | ours runs/min | bare runs/min | ratio | ours worker CPU ms/run | bare worker CPU ms/run | ours server CPU ms/run | bare server CPU ms/run | not as expected | load (1/5/15 min) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];
for (let round = 1; round <= rounds; round++) {
  const o = measurements.find((m) => m.round === round && m.kind === 'ours');
  const b = measurements.find((m) => m.round === round && m.kind === 'bare');
  if (!o || !b) continue;
  lines.push(
    `| ${round} | ${perMinute(o).toFixed(0)} | ${perMinute(b).toFixed(0)} | ${(perMinute(o) / perMinute(b)).toFixed(2)} | ${o.workerCpuMs.toFixed(2)} | ${b.workerCpuMs.toFixed(2)} | ${o.serverCpuMs.toFixed(2)} | ${b.serverCpuMs.toFixed(2)} | ${o.failed + b.failed} | ${o.load} / ${b.load} |`,
  );
}
const sum = (kind: Kind['name']) => {
  const of = measurements.filter((m) => m.kind === kind);
  return { seconds: of.reduce((s, m) => s + m.seconds, 0), runs: of.length * runCount };
};
const oursAll = sum('ours');
const bareAll = sum('bare');
const oursRate = (oursAll.runs / oursAll.seconds) * 60;
const bareRate = (bareAll.runs / bareAll.seconds) * 60;
lines.push(
  `| all | ${oursRate.toFixed(0)} | ${bareRate.toFixed(0)} | **${(oursRate / bareRate).toFixed(2)}** | | | | | | |`,
);
if (oursEvents && bareEvents) {
  lines.push('', '| history events per run | ours | bare |', '| --- | ---: | ---: |');
  lines.push(`| all | ${oursEvents.perRun.toFixed(1)} | ${bareEvents.perRun.toFixed(1)} |`);
  const types = [...new Set([...Object.keys(oursEvents.types), ...Object.keys(bareEvents.types)])].sort();
  for (const type of types)
    lines.push(
      `| ${type} | ${(oursEvents.types[type] ?? 0).toFixed(1)} | ${(bareEvents.types[type] ?? 0).toFixed(1)} |`,
    );
}
if (flags.profile) lines.push(...profileSummary('ours'), ...profileSummary('bare'));
process.stdout.write(`${lines.join('\n')}\n`);
