/**
 * Benchmark: the jobnet actors' scheduled starts and the cost of idle actors on one worker
 * (docs/architecture.md#a-jobnet-actor-not-temporal-schedules, docs/architecture.md#performance-budget: scheduled start → first job running, p99 < 1 s).
 *
 * Starts an in-memory Temporal dev server and one `jobnet worker` process, then
 * 1. idle actors: applies `--idle` jobnets whose only start is a date months ahead, waits until
 *    every actor has finished its first workflow task (no task pending: it sleeps on its timer),
 *    and reads VmRSS of the worker and of the dev server process before and after;
 * 2. start latency: applies `--light` jobnets, then `--jobnets` jobnets, each `start: {every:
 *    {minutes: 1}}` with one 1 s sleep job, lets them start at `--light-minutes` / `--minutes`
 *    minute boundaries and then stops (terminates) the phase's actors. While the starts happen it
 *    only lists visibility, so the worker does nothing for the bench; afterwards it reads for every
 *    start the due instant → the actor's run start (the workflow time of the actor's task that
 *    started the child — what the actor records as the run's `startedAt`; checked against the
 *    actor's view) and → the first job's `startedAt` (the run's `runViewQuery`). To tell the
 *    server's part from the worker's it also reads, from the actors' histories, when each due
 *    timer fired and how long the actors' workflow tasks took. Missed and duplicated starts are
 *    counted from visibility (every run workflow of the phase, per jobnet and minute) and from
 *    the actors' `executionSkipped`/`executionRefused` troubles. The idle actors of part 1 stay
 *    applied during part 2, as in a real deployment.
 * 3. the baseline, Temporal Schedules, on the same server in the same run: `--schedules` Schedules
 *    (the SDK's `client.schedule.create`, default 200 — as many as `--jobnets`) due every minute for
 *    `--minutes` minutes, each starting a bare workflow that runs one activity sleeping 1 s
 *    (bench/schedules-baseline/), run by a bare worker with the SDK's default options in this
 *    process on a task queue of its own; measured from the started workflows' histories: the due
 *    instant (the scheduled time in the workflow id) → the workflow created → the activity
 *    started. The last table is our p99 (due → first job running, `--jobnets`) over theirs.
 *
 * Prints Markdown tables (machine, idle actors, start latency) on stdout and nothing else;
 * progress goes to stderr. Figures go to docs/performance.md. It must not tune the worker: the
 * worker runs with the options controller/worker/start-worker.ts gives it (its workflow cache is
 * the worker's default, controller/worker/worker-defaults.ts). `--no-light` leaves out the light
 * phase (for `npm run bench:quick`, where every phase is a whole minute).
 *
 * Usage: npx tsx bench/start-latency.bench.ts [--jobnets 200] [--minutes 3] [--light 20]
 *   [--light-minutes 1] [--idle 1000] [--schedules 200] [--no-light]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { applyJobnets, getJobnetView } from '../controller/jobnets/jobnet-client.js';
import { mapConcurrently } from '../controller/lib/bounded-concurrency.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { jobnetActorWorkflowId } from '../workflows/lib/wire-contract.js';
import type { CompiledJobnet } from '../workflows/lib/compiled-jobnet.js';
import { isWorkflowNotFound } from '../workflows/lib/temporal-refusals.js';
import { runViewQuery } from '../workflows/run-contract.js';
import { nextMinute, scheduledJobnet, sleepJob } from '../test/integration/scheduler-fixtures.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { defaultMaxCachedWorkflows } from '../controller/worker/worker-defaults.js';
import { parseBenchArgs } from './bench-options.js';
import { devServerPid } from './process-stats.js';
import { bareActivity } from './schedules-baseline/activities.js';

const { numbers, flags } = parseBenchArgs(
  process.argv.slice(2),
  ['jobnets', 'minutes', 'light', 'light-minutes', 'idle', 'schedules'] as const,
  ['no-light'] as const,
);
const heavyJobnets = numbers.jobnets ?? 200;
const heavyMinutes = numbers.minutes ?? 3;
const lightJobnets = numbers.light ?? 20;
const lightMinutes = numbers['light-minutes'] ?? 1;
const idleActors = numbers.idle ?? 1000;
const scheduleCount = numbers.schedules ?? heavyJobnets;

/** The one job of every measured jobnet. */
const jobName = 'a';
/** Parallel requests while reading results (queries are answered by the worker). */
const queryConcurrency = 40;

function log(message: string): void {
  process.stderr.write(`[start-latency] ${new Date().toISOString()} ${message}\n`);
}

async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * Not answerable yet, so asked again later: a run the actor has recorded but the server has not
 * created yet (not found), or a query the busy worker did not take in time. Other errors rethrown.
 */
function notYet(error: unknown): undefined {
  if (isWorkflowNotFound(error)) return undefined;
  if (error instanceof ServiceError && /timed out|DEADLINE_EXCEEDED/i.test(`${error.message} ${String(error.cause)}`))
    return undefined;
  throw error;
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(0);
}

/** VmRSS and VmHWM (peak) of a process, in KiB, from /proc. */
function memoryOf(pid: number): { rssKiB: number; peakKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
    peakKiB: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
  };
}

/** One start, as instants (epoch ms) from the server's and the workflows' own records. */
interface StartSample {
  jobnet: string;
  due: number;
  /** The actor's due timer fired (its TimerFired event); undefined when no timer fired in the minute. */
  timerFiredAt?: number;
  /** Workflow time of the actor's task that started the run: the run's `startedAt` in the actor's view. */
  actorStartedAt: number;
  /** The run workflow was created (its WorkflowExecutionStarted event). */
  runCreatedAt: number;
  /** The worker took the run's first workflow task (its first WorkflowTaskStarted event). */
  runFirstTaskAt: number;
  /** The run's workflow tasks (WorkflowTaskCompleted events) in its history, read after the phase. */
  runTasks: number;
  /** The first job's `startedAt` in the run's view. */
  firstJobAt: number;
}

interface LatencyRow {
  jobnets: number;
  minutes: number;
  applySeconds: number;
  expected: number;
  runsSeen: number;
  missed: number;
  duplicated: number;
  outsideWindows: number;
  troubles: { skipped: number; refused: number };
  samples: StartSample[];
  /** Durations of the actors' workflow tasks during the phase, started → completed. */
  actorTasks: number[];
}

// The bare worker of the Schedules baseline runs in this process: only its warnings reach stderr.
Runtime.install({ logger: new DefaultLogger('WARN') });
const server = await startDevServer();
const serverPid = devServerPid(server.address.split(':').pop() ?? '');
const taskQueue = `bench-start-${Date.now()}`;
const loadAtStart = os.loadavg();
log(`dev server on ${server.address} (pid ${serverPid}); starting the worker`);
const worker = await startWorkerProcess(server.address, server.namespace, taskQueue);
const workerPid = worker.pid ?? 0;
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;

/** Part 1: K actors sleeping on a timer, their memory and the time to apply them. */
async function measureIdleActors(count: number) {
  const project = 'bench-idle';
  const farDate = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
  const jobnets: CompiledJobnet[] = [];
  for (let i = 0; i < count; i++) {
    jobnets.push(
      scheduledJobnet(project, `idle-${String(i).padStart(5, '0')}`, [sleepJob(jobName, 1)], {
        days: { dates: [farDate] },
        start: { at: ['12:00'] },
      }),
    );
  }
  // Let the worker finish starting up (bundle loaded, pollers open) before the baseline.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const workerBefore = memoryOf(workerPid);
  const serverBefore = memoryOf(serverPid);
  log(`applying ${count} idle actors`);
  const started = performance.now();
  await applyJobnets(client, { taskQueue, jobnets, revision: 'idle', by: 'bench' });
  const applySeconds = (performance.now() - started) / 1000;
  let pending = jobnets.map((jobnet) => jobnetActorWorkflowId(taskQueue, jobnet.project, jobnet.name));
  for (;;) {
    const busy: string[] = [];
    await mapConcurrently(pending, 50, async (workflowId) => {
      const description = await client.workflow.getHandle(workflowId).describe();
      // Started, signalled, task scheduled/started/completed: the first task is done and nothing is pending.
      if (description.raw.pendingWorkflowTask || (description.historyLength ?? 0) < 5) busy.push(workflowId);
    });
    pending = busy;
    if (pending.length === 0) break;
    if (performance.now() - started > 600_000) throw new Error(`${pending.length} actors still busy after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const idleSeconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const workerAfter = memoryOf(workerPid);
  const serverAfter = memoryOf(serverPid);
  log(`${count} actors idle after ${idleSeconds.toFixed(1)} s`);
  return { count, applySeconds, idleSeconds, workerBefore, workerAfter, serverBefore, serverAfter };
}

/** Milliseconds of a protobuf timestamp of a history event. */
function millisOf(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

/**
 * Part 2: `count` jobnets starting every minute for `minutes` minutes; every start measured. While
 * the starts happen the bench only lists visibility (the server), so it adds no work to the
 * worker; the actors' and runs' own records are read once the phase is over.
 */
async function measureStarts(label: string, count: number, minutes: number): Promise<LatencyRow> {
  const project = `bench-${label}`;
  const names = Array.from({ length: count }, (_, i) => `j-${String(i).padStart(4, '0')}`);
  const first = nextMinute(5000 + 30 * count).at;
  const dues = Array.from({ length: minutes }, (_, i) => first + i * 60_000);
  const last = first + (minutes - 1) * 60_000;
  const end = last + 60_000;
  const dueOf = (at: number) => dues.find((instant) => at >= instant && at < instant + 60_000);
  const jobnets = names.map((name) =>
    scheduledJobnet(project, name, [sleepJob(jobName, 1)], { start: { every: { minutes: 1 } } }),
  );
  // An actor's first start is the first whole minute after it was created: apply after the one before `first`.
  await sleepUntil(first - 59_000);
  log(`${label}: applying ${count} jobnets, first start ${new Date(first).toISOString()}`);
  const applyStarted = performance.now();
  await applyJobnets(client, { taskQueue, jobnets, revision: label, by: 'bench' });
  const applySeconds = (performance.now() - applyStarted) / 1000;
  if (Date.now() > first - 1000)
    throw new Error(`applying ${count} jobnets took until ${new Date().toISOString()}, past the first start`);

  const listRuns = async () => {
    const runs: { workflowId: string; jobnet: string; startedAt: number }[] = [];
    for await (const execution of client.workflow.list({
      query: `WorkflowType = 'runWorkflow' AND JobnetProject = '${project}'`,
    })) {
      runs.push({
        workflowId: execution.workflowId,
        jobnet: decodeURIComponent(execution.workflowId.split('/')[3] ?? ''),
        startedAt: execution.startTime.getTime(),
      });
    }
    return runs;
  };
  // Wait for the last minute's runs, then stop the actors before the next minute: they would go on
  // starting every minute alongside the next phase.
  await sleepUntil(last + 5000);
  while (Date.now() < last + 50_000 && (await listRuns()).filter((run) => run.startedAt >= last).length < count) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  await mapConcurrently(names, queryConcurrency, async (name) => {
    await client.workflow
      .getHandle(jobnetActorWorkflowId(taskQueue, project, name))
      .terminate(`${label} phase of the benchmark is over`);
  });
  log(`${label}: ${minutes} starts done, actors stopped; reading runs, histories and views`);
  await new Promise((resolve) => setTimeout(resolve, 2000));

  // Every run workflow of the phase, from visibility: one per jobnet and due minute, no other.
  const perSlot = new Map<string, string[]>();
  let runsSeen = 0;
  let outsideWindows = 0;
  for (const run of await listRuns()) {
    // A start due after the measured minutes, made before the actor was stopped: not counted.
    if (run.startedAt >= end) continue;
    runsSeen += 1;
    const due = dueOf(run.startedAt);
    if (due === undefined) {
      outsideWindows += 1;
      log(
        `${label}: run ${run.workflowId} started ${new Date(run.startedAt).toISOString()}, before the first due minute`,
      );
    } else perSlot.set(`${run.jobnet}@${due}`, [...(perSlot.get(`${run.jobnet}@${due}`) ?? []), run.workflowId]);
  }
  let missed = 0;
  let duplicated = 0;
  for (const name of names) {
    for (const due of dues) {
      const runs = perSlot.get(`${name}@${due}`) ?? [];
      if (runs.length === 0) {
        missed += 1;
        log(`${label}: ${name} has no run started in the minute from ${new Date(due).toISOString()}`);
      }
      if (runs.length > 1) {
        duplicated += runs.length - 1;
        log(
          `${label}: ${name} has ${runs.length} runs started in the minute from ${new Date(due).toISOString()}: ${runs.join(', ')}`,
        );
      }
    }
  }

  // From each actor's history: when its due timer fired (the server's part), how long its workflow
  // tasks took from started to completed (the worker's part), and the workflow time of the task
  // that started each run — the instant the actor records as the run's `startedAt`.
  const actorTasks: number[] = [];
  const runStarts: { jobnet: string; runId: string; due: number; actorStartedAt: number; timerFiredAt?: number }[] = [];
  await mapConcurrently(names, queryConcurrency, async (name) => {
    const history = await client.workflow.getHandle(jobnetActorWorkflowId(taskQueue, project, name)).fetchHistory();
    const timerOfDue = new Map<number, number>();
    const starts: typeof runStarts = [];
    const taskStartedAt = new Map<string, number>();
    const taskOfCompletion = new Map<string, string>();
    for (const event of history.events ?? []) {
      const at = millisOf(event.eventTime);
      if (event.workflowTaskStartedEventAttributes) taskStartedAt.set(String(event.eventId), at);
      const completed = event.workflowTaskCompletedEventAttributes;
      if (completed) {
        taskOfCompletion.set(String(event.eventId), String(completed.startedEventId));
        if (at >= first && at < end) actorTasks.push(at - (taskStartedAt.get(String(completed.startedEventId)) ?? at));
      }
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
      if (child) {
        const actorStartedAt =
          taskStartedAt.get(taskOfCompletion.get(String(child.workflowTaskCompletedEventId)) ?? '') ?? at;
        const due = dueOf(actorStartedAt);
        if (due !== undefined) starts.push({ jobnet: name, runId: child.workflowId ?? '', due, actorStartedAt });
      }
      const due = event.timerFiredEventAttributes ? dueOf(at) : undefined;
      if (due !== undefined && !timerOfDue.has(due)) timerOfDue.set(due, at);
    }
    for (const start of starts) {
      const timerFiredAt = timerOfDue.get(start.due);
      runStarts.push(timerFiredAt === undefined ? start : { ...start, timerFiredAt });
    }
  });

  // The actors' own view: troubles, and its last run's `startedAt` to check the history reading.
  const troubles: { skipped: number; refused: number } = { skipped: 0, refused: 0 };
  const lastStartedAt = new Map<string, number>();
  await mapConcurrently(names, queryConcurrency, async (name) => {
    const view = await getJobnetView(client, taskQueue, project, name);
    const lastRun = view.state.currentRun ?? view.state.lastRun;
    if (lastRun !== undefined) lastStartedAt.set(lastRun.runId, lastRun.startedAt);
    for (const trouble of view.state.troubles) {
      if (trouble.kind !== 'executionSkipped' && trouble.kind !== 'executionRefused') continue;
      if (trouble.at >= first && trouble.at < end)
        troubles[trouble.kind === 'executionSkipped' ? 'skipped' : 'refused'] += 1;
      log(`${label}: ${name} trouble ${trouble.kind} at ${new Date(trouble.at).toISOString()}: ${trouble.message}`);
    }
  });
  const disagreeing = runStarts.filter(
    (start) => lastStartedAt.has(start.runId) && lastStartedAt.get(start.runId) !== start.actorStartedAt,
  );
  const checked = runStarts.filter((start) => lastStartedAt.has(start.runId)).length;
  log(
    `${label}: run startedAt from the actors' histories agrees with the actor view for ${checked - disagreeing.length} of ${checked} last runs`,
  );

  // Each run's view: when its first job started (runs that are over are replayed by the worker),
  // and from its history when it was created and when the worker took its first task.
  const samples: StartSample[] = [];
  let pending = runStarts;
  while (pending.length > 0 && Date.now() < end + 120_000) {
    const later: typeof runStarts = [];
    await mapConcurrently(pending, queryConcurrency, async (start) => {
      const handle = client.workflow.getHandle(start.runId);
      const runView = await handle.query(runViewQuery).catch(notYet);
      const firstJobAt = runView?.state.jobs[jobName]?.startedAt;
      if (firstJobAt === undefined) {
        later.push(start);
        return;
      }
      const events = (await handle.fetchHistory()).events ?? [];
      const runCreatedAt = millisOf(events[0]?.eventTime);
      const runFirstTaskAt = millisOf(events.find((event) => event.workflowTaskStartedEventAttributes)?.eventTime);
      const runTasks = events.filter((event) => event.workflowTaskCompletedEventAttributes).length;
      samples.push({ ...start, runCreatedAt, runFirstTaskAt, firstJobAt, runTasks });
    });
    pending = later;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  return {
    jobnets: count,
    minutes,
    applySeconds,
    expected: count * minutes,
    runsSeen,
    missed,
    duplicated,
    outsideWindows,
    troubles,
    samples,
    actorTasks: actorTasks.sort((a, b) => a - b),
  };
}

/** One start of a Temporal Schedule, as instants (epoch ms) from the started workflow's history. */
interface ScheduleSample {
  due: number;
  /** The workflow was created (its WorkflowExecutionStarted event). */
  createdAt: number;
  /** The bare worker took the workflow's first task (its first WorkflowTaskStarted event). */
  firstTaskAt: number;
  /** The bare worker took the activity (its ActivityTaskStarted event). */
  activityStartedAt: number;
  /** The workflow's tasks (WorkflowTaskCompleted events). */
  tasks: number;
}

interface ScheduleRow {
  schedules: number;
  minutes: number;
  createSeconds: number;
  expected: number;
  runsSeen: number;
  missed: number;
  duplicated: number;
  samples: ScheduleSample[];
}

/**
 * The baseline, on the same server: `count` Temporal Schedules (the SDK's schedule client) each
 * due every minute for `minutes` minutes, each starting a bare workflow that runs one activity
 * sleeping 1 s (schedules-baseline/), run by a bare worker in this process on a task queue of
 * its own with the SDK's default options. Measured: the Schedule's due instant → the activity
 * started, from the started workflows' histories.
 */
async function measureSchedules(count: number, minutes: number): Promise<ScheduleRow> {
  const queue = `${taskQueue}-schedules`;
  const connection = await NativeConnection.connect({ address: server.address });
  const bareWorker = await Worker.create({
    connection,
    namespace: server.namespace,
    taskQueue: queue,
    workflowsPath: path.join(import.meta.dirname, 'schedules-baseline', 'workflow.ts'),
    activities: { bareActivity },
  });
  const running = bareWorker.run();
  try {
    const ids = Array.from({ length: count }, (_, i) => `${queue}-${String(i).padStart(4, '0')}`);
    const first = nextMinute(5000 + 30 * count).at;
    const dues = Array.from({ length: minutes }, (_, i) => first + i * 60_000);
    const last = first + (minutes - 1) * 60_000;
    const end = last + 60_000;
    await sleepUntil(first - 59_000);
    log(`schedules: creating ${count} Schedules, first start ${new Date(first).toISOString()}`);
    const createStarted = performance.now();
    await mapConcurrently(ids, 10, async (scheduleId) => {
      await client.schedule.create({
        scheduleId,
        // Every minute; the window holds exactly the measured minutes.
        spec: { intervals: [{ every: '1 minute' }], startAt: new Date(first - 30_000), endAt: new Date(last + 30_000) },
        action: {
          type: 'startWorkflow',
          workflowType: 'bareScheduledWorkflow',
          // The server appends the scheduled time: `<scheduleId>-<due instant>`.
          workflowId: scheduleId,
          taskQueue: queue,
          args: [1],
        },
      });
    });
    const createSeconds = (performance.now() - createStarted) / 1000;
    if (Date.now() > first - 1000)
      throw new Error(`creating ${count} Schedules took until ${new Date().toISOString()}, past the first start`);

    // A Schedule's workflow id is the action's id, `-`, and the scheduled (due) time.
    const listRuns = async () => {
      const runs: { workflowId: string; scheduleId: string; due: number }[] = [];
      for await (const execution of client.workflow.list({
        query: `WorkflowType = 'bareScheduledWorkflow' AND TaskQueue = '${queue}'`,
      })) {
        const scheduleId = execution.workflowId.slice(0, queue.length + 5);
        runs.push({
          workflowId: execution.workflowId,
          scheduleId,
          due: Date.parse(execution.workflowId.slice(scheduleId.length + 1)),
        });
      }
      return runs;
    };
    await sleepUntil(last + 5000);
    while (Date.now() < last + 55_000 && (await listRuns()).length < count * minutes) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    await mapConcurrently(ids, queryConcurrency, async (scheduleId) => {
      await client.schedule.getHandle(scheduleId).delete();
    });
    log(`schedules: ${minutes} starts done, Schedules deleted; reading histories`);
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const runs = (await listRuns()).filter((run) => dues.includes(run.due));
    const perSlot = new Map<string, number>();
    for (const run of runs)
      perSlot.set(`${run.scheduleId}@${run.due}`, (perSlot.get(`${run.scheduleId}@${run.due}`) ?? 0) + 1);
    let missed = 0;
    let duplicated = 0;
    for (const id of ids) {
      for (const due of dues) {
        const seen = perSlot.get(`${id}@${due}`) ?? 0;
        if (seen === 0) {
          missed += 1;
          log(`schedules: ${id} has no workflow due ${new Date(due).toISOString()}`);
        }
        if (seen > 1) duplicated += seen - 1;
      }
    }
    const samples: ScheduleSample[] = [];
    let pending = runs;
    while (pending.length > 0 && Date.now() < end + 120_000) {
      const later: typeof runs = [];
      await mapConcurrently(pending, queryConcurrency, async (run) => {
        const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
        const activityStarted = events.find((event) => event.activityTaskStartedEventAttributes);
        if (activityStarted === undefined) {
          later.push(run);
          return;
        }
        samples.push({
          due: run.due,
          createdAt: millisOf(events[0]?.eventTime),
          firstTaskAt: millisOf(events.find((event) => event.workflowTaskStartedEventAttributes)?.eventTime),
          activityStartedAt: millisOf(activityStarted.eventTime),
          tasks: events.filter((event) => event.workflowTaskCompletedEventAttributes).length,
        });
      });
      pending = later;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return {
      schedules: count,
      minutes,
      createSeconds,
      expected: count * minutes,
      runsSeen: runs.length,
      missed,
      duplicated,
      samples,
    };
  } finally {
    bareWorker.shutdown();
    await running;
    await connection.close();
  }
}

try {
  const idle = await measureIdleActors(idleActors);
  const rows = [
    ...(flags['no-light'] ? [] : [await measureStarts('light', lightJobnets, lightMinutes)]),
    await measureStarts('heavy', heavyJobnets, heavyMinutes),
  ];
  const schedules = await measureSchedules(scheduleCount, heavyMinutes);
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
    ((after.rssKiB - before.rssKiB) / idle.count).toFixed(0);
  out.push('#### Idle actors (one worker process)', '');
  out.push(
    '| actors | apply s | all idle s | worker RSS before MiB | after MiB | per actor KiB | worker peak RSS MiB | dev server RSS before MiB | after MiB | per actor KiB | worker cache (maxCachedWorkflows) | actors beyond the cache |',
  );
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(
    `| ${idle.count} | ${idle.applySeconds.toFixed(1)} | ${idle.idleSeconds.toFixed(1)} | ${mib(idle.workerBefore.rssKiB)} | ${mib(idle.workerAfter.rssKiB)} | ${perActor(idle.workerBefore, idle.workerAfter)} | ${mib(idle.workerAfter.peakKiB)} | ${mib(idle.serverBefore.rssKiB)} | ${mib(idle.serverAfter.rssKiB)} | ${perActor(idle.serverBefore, idle.serverAfter)} | ${defaultMaxCachedWorkflows} (the worker's default) | ${Math.max(0, idle.count + 1 - defaultMaxCachedWorkflows)} |`,
    '',
  );

  const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(0));
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 95)),
      ms(percentile(sorted, 99)),
      ms(sorted.at(-1) ?? Number.NaN),
    ];
  };
  out.push(`#### Start latency (${idle.count} idle actors applied alongside; job: sleep 1 s)`, '');
  out.push(
    '| jobnets starting together | minutes | apply s | starts due | runs seen | missed | duplicated | runs before the first due minute | troubles skipped / refused | not measured | due → actor run start p50 ms | p95 | p99 | max | due → first job running p50 ms | p95 | p99 | max |',
  );
  out.push(`|${' ---: |'.repeat(18)}`);
  for (const row of rows) {
    const cells = [
      row.jobnets,
      row.minutes,
      row.applySeconds.toFixed(1),
      row.expected,
      row.runsSeen,
      row.missed,
      row.duplicated,
      row.outsideWindows,
    ];
    cells.push(`${row.troubles.skipped} / ${row.troubles.refused}`, row.expected - row.samples.length);
    cells.push(
      ...spread(row.samples.map((sample) => sample.actorStartedAt - sample.due)),
      ...spread(row.samples.map((sample) => sample.firstJobAt - sample.due)),
    );
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('', '#### Where the start latency goes (p50 / p99 / max ms)', '');
  out.push(
    "| jobnets starting together | due → actor's timer fired (server) | timer fired → actor's task taken (worker queue) | actor's task taken → run created | run created → run's first task taken (worker queue) | run's first task taken → first job running | actor workflow task, started → completed | workflow tasks per start: actor / run |",
  );
  out.push(`|${' ---: |'.repeat(8)}`);
  for (const row of rows) {
    const triple = (values: number[]) =>
      spread(values)
        .filter((_, index) => index !== 1)
        .join(' / ');
    const timed = row.samples.filter(
      (sample): sample is StartSample & { timerFiredAt: number } => sample.timerFiredAt !== undefined,
    );
    const cells = [
      row.jobnets,
      triple(timed.map((sample) => sample.timerFiredAt - sample.due)),
      triple(timed.map((sample) => sample.actorStartedAt - sample.timerFiredAt)),
      triple(row.samples.map((sample) => sample.runCreatedAt - sample.actorStartedAt)),
      triple(row.samples.map((sample) => sample.runFirstTaskAt - sample.runCreatedAt)),
      triple(row.samples.map((sample) => sample.firstJobAt - sample.runFirstTaskAt)),
      triple(row.actorTasks),
      `${(row.actorTasks.length / Math.max(row.samples.length, 1)).toFixed(1)} / ${(row.samples.reduce((sum, sample) => sum + sample.runTasks, 0) / Math.max(row.samples.length, 1)).toFixed(1)}`,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    `#### Temporal Schedules baseline (same server; a bare workflow running one activity that sleeps 1 s)`,
    '',
  );
  out.push(
    '| Schedules due together | minutes | create s | starts due | runs seen | missed | duplicated | not measured | due → workflow created p50 ms | p95 | p99 | max | due → activity started p50 ms | p95 | p99 | max | workflow tasks per start |',
  );
  out.push(`|${' ---: |'.repeat(17)}`);
  out.push(
    `| ${[
      schedules.schedules,
      schedules.minutes,
      schedules.createSeconds.toFixed(1),
      schedules.expected,
      schedules.runsSeen,
      schedules.missed,
      schedules.duplicated,
      schedules.expected - schedules.samples.length,
      ...spread(schedules.samples.map((sample) => sample.createdAt - sample.due)),
      ...spread(schedules.samples.map((sample) => sample.activityStartedAt - sample.due)),
      (
        schedules.samples.reduce((sum, sample) => sum + sample.tasks, 0) / Math.max(schedules.samples.length, 1)
      ).toFixed(1),
    ].join(' | ')} |`,
  );
  const p99 = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      99,
    );
  const heavy = rows[rows.length - 1];
  const ours = p99(heavy?.samples.map((sample) => sample.firstJobAt - sample.due) ?? []);
  const theirs = p99(schedules.samples.map((sample) => sample.activityStartedAt - sample.due));
  out.push('', '#### Ours against Temporal Schedules (goal: ratio ≤ 1.2)', '');
  out.push(
    '| jobnets / Schedules due together | jobnets: due → first job running p99 ms | Schedules: due → activity started p99 ms | ratio |',
  );
  out.push('| ---: | ---: | ---: | ---: |');
  out.push(
    `| ${heavy?.jobnets ?? 0} / ${schedules.schedules} | ${ms(ours)} | ${ms(theirs)} | ${(ours / theirs).toFixed(2)} |`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await stopWorkerProcesses();
  await temporal.close();
  await server.stop();
}
