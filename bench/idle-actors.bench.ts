/**
 * Benchmark: idle jobnet actors on one worker with its workflow cache sized
 * (docs/architecture.md#performance-budget: idle actors ≤ 100 KiB each in the worker at 10,000
 * applied jobnets), and what an actor evicted from the cache costs when it wakes.
 *
 * Starts an in-memory Temporal dev server and one `jobnet worker` process with
 * `--max-cached-workflows` `--cache` (omitted: the worker's default), then
 * 1. idle actors: applies `--actors` jobnets whose only start is a date months ahead
 *    (`signalWithStart`, `--concurrency` at once), waits until every actor has finished its first
 *    workflow task, and reads VmRSS of the worker and of the dev server before and after;
 * 2. eviction: applies `--wake` jobnets due once at the next minute boundary at least `--lead`
 *    seconds ahead, then queries (`jobnetViewQuery`) `cache + wake` of the idle actors, which the
 *    worker has evicted, so it replays each and keeps it: the cache's least recently used, the
 *    waking actors, are evicted in turn. Each query's time is an evicted actor's replay in the
 *    worker plus the answer. Then it applies `--cached` more jobnets due at the same minute, which
 *    stay cached (the control). Before the due minute it reads the evicted actors' histories and
 *    replays them in this process (`Worker.runReplayHistories`, the worker's bundle): the replay
 *    alone, on an otherwise idle thread;
 * 3. the wake: from both groups' histories after the due minute, due → the actor's due timer fired
 *    (server) → its wake task started (worker queue) → completed (replay, for an evicted actor, and
 *    the step) and due → the actor's run start (the workflow time of the task that started the
 *    run, what the actor records as `startedAt`) → the run workflow created.
 *
 * Prints Markdown tables on stdout; progress on stderr. Figures go to docs/performance.md.
 *
 * Usage: npx tsx bench/idle-actors.bench.ts [--actors 10000] [--cache N] [--wake 20] [--cached 20]
 *   [--concurrency 8] [--lead S]
 */
import os from 'node:os';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { applyJobnet, getJobnetView } from '../controller/jobnets/jobnet-client.js';
import { mapConcurrently } from '../controller/lib/bounded-concurrency.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { bundleWorkflows, jobnetEventSinks } from '../controller/worker/start-worker.js';
import { defaultMaxCachedWorkflows } from '../controller/worker/worker-defaults.js';
import type { CompiledJobnet } from '../workflows/lib/compiled-jobnet.js';
import { nextMinute, scheduledJobnet, sleepJob } from '../test/integration/scheduler-fixtures.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';
import { cpuSecondsOf, devServerPid, memoryOf } from './process-stats.js';

const { numbers } = parseBenchArgs(process.argv.slice(2), [
  'actors',
  'cache',
  'wake',
  'cached',
  'concurrency',
  'lead',
] as const);
const actorCount = numbers.actors ?? 10_000;
const cacheSize = numbers.cache ?? defaultMaxCachedWorkflows;
const wakeCount = numbers.wake ?? 20;
const cachedCount = numbers.cached ?? 20;
const applyConcurrency = numbers.concurrency ?? 8;
/** Seconds from the wakers' apply to their due minute: the eviction's queries must end before it. */
const leadSeconds = numbers.lead ?? 30 + Math.ceil((cacheSize + wakeCount) * 0.06);
if (numbers.cache === undefined && numbers.actors !== undefined && actorCount < cacheSize)
  log(`--actors ${actorCount} fits in the default cache of ${cacheSize}: nothing is evicted`);

function log(message: string): void {
  process.stderr.write(`[idle-actors] ${new Date().toISOString()} ${message}\n`);
}

async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** `p50 / p99 / max` of `values`, in whole units. */
function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const cell = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(0));
  return `${cell(percentile(sorted, 50))} / ${cell(percentile(sorted, 99))} / ${cell(sorted.at(-1) ?? Number.NaN)}`;
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(0);
}

/** Milliseconds of a protobuf timestamp of a history event. */
function millisOf(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

/** One actor's wake at its due minute, as instants (epoch ms) from its history. */
interface WakeSample {
  timerFiredAt: number;
  taskStartedAt: number;
  taskCompletedAt: number;
  /** Workflow time of the task that started the run: the run's `startedAt` in the actor's view. */
  runStartedAt: number;
  /** The run workflow was created (ChildWorkflowExecutionStarted). */
  runCreatedAt: number;
}

/** The first wake at or after `due` in an actor's history; undefined when it has not started a run. */
function wakeOf(history: temporal.api.history.v1.IHistory, due: number): WakeSample | undefined {
  const events = history.events ?? [];
  const startedAt = new Map<string, number>();
  const completedAt = new Map<string, { at: number; startedEventId: string }>();
  let timerFiredAt: number | undefined;
  let task: { started: number; completed: number } | undefined;
  let runStartedAt: number | undefined;
  let runCreatedAt: number | undefined;
  for (const event of events) {
    const at = millisOf(event.eventTime);
    const id = String(event.eventId);
    if (event.workflowTaskStartedEventAttributes) startedAt.set(id, at);
    const completed = event.workflowTaskCompletedEventAttributes;
    if (completed) {
      const started = String(completed.startedEventId);
      completedAt.set(id, { at, startedEventId: started });
      if (timerFiredAt !== undefined && task === undefined && (startedAt.get(started) ?? 0) >= timerFiredAt)
        task = { started: startedAt.get(started) ?? at, completed: at };
    }
    if (event.timerFiredEventAttributes && at >= due - 1000 && timerFiredAt === undefined) timerFiredAt = at;
    const initiated = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (initiated && timerFiredAt !== undefined && runStartedAt === undefined) {
      const completion = completedAt.get(String(initiated.workflowTaskCompletedEventId));
      runStartedAt = startedAt.get(completion?.startedEventId ?? '') ?? at;
    }
    if (event.childWorkflowExecutionStartedEventAttributes && runStartedAt !== undefined && runCreatedAt === undefined)
      runCreatedAt = at;
  }
  if (timerFiredAt === undefined || task === undefined || runStartedAt === undefined || runCreatedAt === undefined)
    return undefined;
  return {
    timerFiredAt,
    taskStartedAt: task.started,
    taskCompletedAt: task.completed,
    runStartedAt,
    runCreatedAt,
  };
}

Runtime.install({ logger: new DefaultLogger('WARN') });
const server = await startDevServer();
const serverPid = devServerPid(server.address.split(':').pop() ?? '');
const taskQueue = `bench-idle-${Date.now()}`;
const loadAtStart = os.loadavg();
log(`dev server on ${server.address}; starting the worker with --max-cached-workflows ${cacheSize}`);
const worker = await startWorkerProcess(
  server.address,
  server.namespace,
  taskQueue,
  process.env,
  [],
  ['--max-cached-workflows', String(cacheSize)],
);
const workerPid = worker.pid ?? 0;
const temporalClient = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporalClient.client;
const bundle = bundleWorkflows();

const apply = async (jobnets: readonly CompiledJobnet[]) =>
  await mapConcurrently(
    jobnets,
    applyConcurrency,
    async (jobnet) => await applyJobnet(client, taskQueue, jobnet, 'bench'),
  );

/** Waits until every actor has completed its first task and has none pending. */
async function waitIdle(workflowIds: readonly string[], since: number): Promise<void> {
  let pending = [...workflowIds];
  for (;;) {
    const busy: string[] = [];
    await mapConcurrently(pending, 50, async (workflowId) => {
      const description = await client.workflow.getHandle(workflowId).describe();
      if (description.raw.pendingWorkflowTask || (description.historyLength ?? 0) < 5) busy.push(workflowId);
    });
    pending = busy;
    if (pending.length === 0) return;
    if (performance.now() - since > 1_800_000) throw new Error(`${pending.length} actors still busy after 30 minutes`);
    log(`${pending.length} actors not idle yet`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

try {
  const farDate = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
  const idle = Array.from({ length: actorCount }, (_, i) =>
    scheduledJobnet('bench-idle', `idle-${String(i).padStart(5, '0')}`, [sleepJob('a', 1)], {
      days: { dates: [farDate] },
      start: { at: ['12:00'] },
    }),
  );
  // Let the worker finish starting up (bundle loaded, pollers open) before the baseline.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const workerBefore = memoryOf(workerPid);
  const serverBefore = memoryOf(serverPid);
  const workerCpuBefore = cpuSecondsOf(workerPid);
  log(`applying ${actorCount} idle actors, ${applyConcurrency} at once`);
  const applyStarted = performance.now();
  const idleIds = await apply(idle);
  const applySeconds = (performance.now() - applyStarted) / 1000;
  log(`applied in ${applySeconds.toFixed(1)} s; waiting for every first task`);
  await waitIdle(idleIds, applyStarted);
  const idleSeconds = (performance.now() - applyStarted) / 1000;
  const idleCpuSeconds = cpuSecondsOf(workerPid) - workerCpuBefore;
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const workerAfter = memoryOf(workerPid);
  const serverAfter = memoryOf(serverPid);
  log(`${actorCount} actors idle after ${idleSeconds.toFixed(1)} s; worker RSS ${mib(workerAfter.rssKiB)} MiB`);

  // The wake: `--wake` actors applied now and evicted, `--cached` applied last and kept.
  const due = nextMinute(leadSeconds * 1000);
  const waking = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      scheduledJobnet('bench-wake', `${prefix}-${String(i).padStart(4, '0')}`, [sleepJob('a', 1)], {
        start: { at: [due.time] },
      }),
    );
  const evictedGroup = waking('evicted', wakeCount);
  const cachedGroup = waking('cached', cachedCount);
  log(`applying ${wakeCount} actors due at ${new Date(due.at).toISOString()}, then evicting them`);
  const evictedIds = await apply(evictedGroup);
  await waitIdle(evictedIds, performance.now());
  // Queries of idle actors the worker evicted long ago: each replays one and keeps it, so the
  // least recently used workflows (the waking actors) leave the cache.
  const touched = idle.slice(0, Math.min(idle.length, cacheSize + wakeCount));
  const queryMillis: number[] = [];
  const evictionStarted = performance.now();
  await mapConcurrently(touched, applyConcurrency, async (jobnet) => {
    const started = performance.now();
    await getJobnetView(client, taskQueue, jobnet.project, jobnet.name);
    queryMillis.push(performance.now() - started);
  });
  const evictionSeconds = (performance.now() - evictionStarted) / 1000;
  log(
    `queried ${touched.length} idle actors in ${evictionSeconds.toFixed(1)} s; applying ${cachedCount} cached actors`,
  );
  const cachedIds = await apply(cachedGroup);
  await waitIdle(cachedIds, performance.now());
  const workerAfterEviction = memoryOf(workerPid);
  if (Date.now() > due.at - 2000)
    throw new Error(`the eviction ended at ${new Date().toISOString()}, past the due minute: raise --lead`);

  // The evicted actors' histories as the worker will replay them, replayed here alone.
  const histories = await mapConcurrently(evictedIds, 8, async (workflowId) => ({
    workflowId,
    history: await client.workflow.getHandle(workflowId).fetchHistory(),
  }));
  const replayMillis: number[] = [];
  const workflowBundle = await bundle;
  const warmUp = histories.slice(0, 1);
  for await (const result of Worker.runReplayHistories({ workflowBundle, sinks: jobnetEventSinks(undefined) }, [
    ...warmUp,
    ...histories,
  ])) {
    if (result.error) throw result.error;
  }
  let last = performance.now();
  for await (const result of Worker.runReplayHistories({ workflowBundle, sinks: jobnetEventSinks(undefined) }, [
    ...warmUp,
    ...histories,
  ])) {
    if (result.error) throw result.error;
    const now = performance.now();
    replayMillis.push(now - last);
    last = now;
  }
  // The first replay of the second pass includes creating the replay worker.
  replayMillis.shift();
  const eventsPerHistory = histories.map((entry) => entry.history.events?.length ?? 0);
  log(`replayed ${histories.length} evicted actors' histories here; waiting for the due minute`);

  await sleepUntil(due.at + 5000);
  const wakes = async (ids: readonly string[]) => {
    const samples: WakeSample[] = [];
    let missing = 0;
    for (let attempt = 0; ; attempt++) {
      samples.length = 0;
      missing = 0;
      await mapConcurrently(ids, 8, async (workflowId) => {
        const sample = wakeOf(await client.workflow.getHandle(workflowId).fetchHistory(), due.at);
        if (sample === undefined) missing += 1;
        else samples.push(sample);
      });
      if (missing === 0 || attempt >= 20) return { samples, missing };
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  const evictedWakes = await wakes(evictedIds);
  const cachedWakes = await wakes(cachedIds);
  const workerAtEnd = memoryOf(workerPid);
  const loadAtEnd = os.loadavg();

  const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const out: string[] = [];
  out.push('#### Machine', '');
  out.push('| cores | CPU | memory GiB | node | load average 1/5/15 min at start | at end |');
  out.push('| ---: | --- | ---: | --- | --- | --- |');
  out.push(
    `| ${os.availableParallelism()} | ${os.cpus()[0]?.model ?? '?'} | ${(os.totalmem() / 2 ** 30).toFixed(0)} | ${process.version} | ${loads(loadAtStart)} | ${loads(loadAtEnd)} |`,
    '',
  );
  const perActor = (before: { rssKiB: number }, after: { rssKiB: number }) =>
    ((after.rssKiB - before.rssKiB) / actorCount).toFixed(0);
  out.push('#### Idle actors (one worker process)', '');
  out.push(
    '| actors | worker cache (--max-cached-workflows) | apply s | all idle s | worker CPU s | worker RSS before MiB | after MiB | per actor KiB | worker peak RSS MiB | dev server RSS before MiB | after MiB | per actor KiB |',
  );
  out.push(`|${' ---: |'.repeat(12)}`);
  out.push(
    `| ${actorCount} | ${cacheSize} | ${applySeconds.toFixed(1)} | ${idleSeconds.toFixed(1)} | ${idleCpuSeconds.toFixed(1)} | ${mib(workerBefore.rssKiB)} | ${mib(workerAfter.rssKiB)} | ${perActor(workerBefore, workerAfter)} | ${mib(workerAfter.peakKiB)} | ${mib(serverBefore.rssKiB)} | ${mib(serverAfter.rssKiB)} | ${perActor(serverBefore, serverAfter)} |`,
    '',
  );
  out.push('#### Evicted actors: replay', '');
  out.push(
    '| evicted actors queried | s | query of an evicted actor p50 / p99 / max ms | worker RSS after MiB | at the end MiB | peak MiB | histories replayed here | events per history p50 / p99 / max | replay here p50 / p99 / max ms |',
  );
  out.push(`|${' ---: |'.repeat(9)}`);
  out.push(
    `| ${touched.length} | ${evictionSeconds.toFixed(1)} | ${spread(queryMillis)} | ${mib(workerAfterEviction.rssKiB)} | ${mib(workerAtEnd.rssKiB)} | ${mib(workerAtEnd.peakKiB)} | ${histories.length} | ${spread(eventsPerHistory)} | ${spread(replayMillis)} |`,
    '',
  );
  out.push(`#### The wake at the due minute (${actorCount} idle actors applied alongside; p50 / p99 / max ms)`, '');
  out.push(
    "| actors | woke | due → timer fired (server) | timer fired → wake task started (worker queue) | wake task started → completed | due → actor's run start | due → run created |",
  );
  out.push(`|${' --- |'.repeat(7)}`);
  for (const [label, wake, count] of [
    ['evicted', evictedWakes, wakeCount],
    ['cached (control)', cachedWakes, cachedCount],
  ] as const) {
    const s = wake.samples;
    out.push(
      `| ${label}: ${count} | ${s.length} | ${spread(s.map((x) => x.timerFiredAt - due.at))} | ${spread(s.map((x) => x.taskStartedAt - x.timerFiredAt))} | ${spread(s.map((x) => x.taskCompletedAt - x.taskStartedAt))} | ${spread(s.map((x) => x.runStartedAt - due.at))} | ${spread(s.map((x) => x.runCreatedAt - due.at))} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await stopWorkerProcesses();
  await temporalClient.close();
  await server.stop();
}
