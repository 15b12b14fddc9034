/**
 * Benchmark: throughput with 1, 2 and 3 `jobnet worker` processes on one Temporal server —
 * by default the cluster of scripts/cluster.sh (docs/performance.md#throughput-on-the-cluster).
 *
 * For each worker count, on a fresh task queue: `--runs` single-job runs (one `sleep 0` job)
 * started at once, timed from the first start to the last completion → runs per minute; then
 * `--rest` REST jobs polling a loopback target every second until DONE on the `--polls`th poll,
 * timed the same way → polls per second, with the polls missed or repeated counted from the
 * target's own records, and the jobs whose request activity ran on a later attempt (an earlier one
 * was lost before it sent). For every REST job that did not end normally, stderr says when its
 * request activity was scheduled, started and closed against when the target received the request.
 * On the cluster, the tasks that timed out on the server in the round (the history service's own
 * counters) count the tasks lost on their way to a worker.
 * Prints a Markdown table.
 *
 * A run that abends stays open awaiting an operator (its result never comes): every 5 s the runs of
 * the task queue that are open with the status `abended` are terminated and counted as not normal,
 * so an overloaded round ends (its time then includes up to 5 s of that sweep).
 *
 * Usage: npx tsx bench/cluster-throughput.bench.ts [--runs 300] [--rest 100] [--polls 10] [--workers 3] [--dev]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startDevServer, type DevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import type { RunInput, RunResult } from '../workflows/run-contract.js';
import type { CompiledJobnet } from '../workflows/lib/compiled-jobnet.js';
import { jobnetOf } from '../test/integration/run-fixtures.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { startWorkerProcess, stopWorkerProcesses, workerOutput } from '../test/integration/worker-process.js';
import { searchAttributeNames, visibilityLiteral } from '../workflows/lib/wire-contract.js';
import { parseBenchArgs } from './bench-options.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

const { numbers, flags } = parseBenchArgs(
  process.argv.slice(2),
  ['runs', 'rest', 'polls', 'workers'] as const,
  ['dev'] as const,
);
const runCount = numbers.runs ?? 300;
const restCount = numbers.rest ?? 100;
const polls = numbers.polls ?? 10;
const maxWorkers = numbers.workers ?? 3;

let devServer: DevServer | undefined;
let address: string;
/** The history service's Prometheus endpoint (from `cluster.sh status`); none on a dev server. */
let historyMetrics: string | undefined;
if (flags.dev) {
  devServer = await startDevServer();
  address = devServer.address;
} else {
  const script = path.resolve(import.meta.dirname, '..', 'scripts', 'cluster.sh');
  const up = spawnSync('bash', [script, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = /^TEMPORAL_ADDRESS=(.+)$/m.exec(up.stdout ?? '')?.[1];
  if (!found) throw new Error('scripts/cluster.sh up failed');
  address = found;
  const status = spawnSync('bash', [script, 'status'], { encoding: 'utf8' });
  historyMetrics = /^history\s+running.*metrics (\S+)$/m.exec(status.stdout ?? '')?.[1];
}
const namespace = 'default';
const target = await startRestTarget();
target.route('POST', '/submit', (request) => ({ body: { id: (JSON.parse(request.body) as { job: string }).job } }));

function input(jobnet: CompiledJobnet): RunInput {
  return { jobnet, children: {}, businessDate: '2026-12-03', trigger: 'manual', requestedBy: 'bench', level: 1 };
}

type Client = Awaited<ReturnType<typeof connectClient>>['client'];

/** The runs' statuses; an abended run left open awaiting an operator is terminated and counted as abended. */
async function statuses(client: Client, taskQueue: string, handles: { result(): Promise<unknown> }[]) {
  let waiting = true;
  const sweep = (async () => {
    const query = `TaskQueue = ${visibilityLiteral(taskQueue)} AND ExecutionStatus = 'Running' AND ${searchAttributeNames.runStatus} = 'abended'`;
    while (waiting) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      if (!waiting) break;
      try {
        for await (const execution of client.workflow.list({ query }))
          await client.workflow
            .getHandle(execution.workflowId)
            .terminate('bench: abended, awaiting an operator')
            .catch(() => undefined);
      } catch {
        // Visibility did not answer this time; the next sweep tries again.
      }
    }
  })();
  const results = await Promise.all(
    handles.map((handle) =>
      (handle.result() as Promise<RunResult>).then(
        (result) => result.status as string,
        () => 'abended',
      ),
    ),
  );
  waiting = false;
  await sweep;
  return results;
}

/** Seconds since the epoch of a history event's time. */
function eventSeconds(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  return Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
}

/**
 * For a REST job that did not end normally: when its request activity was scheduled, started (by
 * which worker) and timed out, against when the target received the request — so a lost dispatch
 * (never received), a slow start and a lost completion (received, never reported) tell apart.
 */
async function explainRest(
  client: Client,
  workflowId: string,
  job: string,
  receipts: Map<string, number[]>,
): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'restRequest',
  );
  if (scheduled === undefined) return `${job}: no request activity scheduled`;
  const id = Number(scheduled.eventId);
  const started = events.find((event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const closed = events.find(
    (event) =>
      Number(
        (
          event.activityTaskTimedOutEventAttributes ??
          event.activityTaskCompletedEventAttributes ??
          event.activityTaskFailedEventAttributes
        )?.scheduledEventId,
      ) === id,
  );
  const at = eventSeconds(scheduled);
  const received = (receipts.get(job) ?? []).map((receivedAt) => (receivedAt / 1000 - at).toFixed(2));
  const timedOut = closed?.activityTaskTimedOutEventAttributes;
  return [
    `${job}:`,
    started
      ? `started +${(eventSeconds(started) - at).toFixed(2)} s by ${started.activityTaskStartedEventAttributes?.identity}`
      : 'never started',
    closed ? `closed +${(eventSeconds(closed) - at).toFixed(2)} s` : 'not closed',
    timedOut ? `timed out (${String(timedOut.failure?.timeoutFailureInfo?.timeoutType)})` : '',
    `target received at ${received.length ? received.map((s) => `+${s} s`).join(', ') : 'never'}`,
  ].join(' ');
}

/**
 * The task timeouts the history service has counted since it started, by kind: activity tasks by
 * type and timeout (`activity_task_timeout`), workflow tasks (`start_to_close_timeout` of
 * `TimerActiveTaskWorkflowTaskTimeout`). A task the server recorded as started that no worker ran
 * ends this way, so a round's difference counts the tasks lost on their way to a worker (and those
 * of a worker too slow to finish in time).
 */
async function serverTimeouts(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (historyMetrics === undefined) return counts;
  const families = parsePrometheusTextFormat(await (await fetch(historyMetrics)).text());
  for (const family of families)
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      const kind =
        family.name === 'activity_task_timeout'
          ? `${labels.activityType} ${labels.timeout_type}`
          : family.name === 'start_to_close_timeout' && labels.operation === 'TimerActiveTaskWorkflowTaskTimeout'
            ? 'workflow task StartToClose'
            : undefined;
      if (kind !== undefined) counts.set(kind, (counts.get(kind) ?? 0) + Number(sample.value ?? 0));
    }
  return counts;
}

/** The attempt of a REST job's request activity that ran to its end: above 1, earlier attempts were lost before sending. */
async function requestAttempts(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'restRequest',
  );
  const started = events.find(
    (event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId),
  );
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

const rows: string[] = [];
try {
  for (let workers = 1; workers <= maxWorkers; workers++) {
    const taskQueue = `bench-tp-${workers}-${Date.now().toString(36)}`;
    const workerProcesses = [];
    for (let i = 0; i < workers; i++) workerProcesses.push(await startWorkerProcess(address, namespace, taskQueue));
    const temporal = await connectClient({ address, namespace, taskQueue });
    const { client } = temporal;
    const timeoutsBefore = await serverTimeouts();

    // Single-job runs.
    const single = jobnetOf('single', [{ name: 'a', type: 'sleep', spec: { seconds: 0 } }]);
    let started = performance.now();
    const runHandles = [];
    for (let batch = 0; batch < runCount; batch += 50) {
      const starts = [];
      for (let run = batch; run < Math.min(runCount, batch + 50); run++)
        starts.push(
          client.workflow.start('runWorkflow', {
            workflowId: `run/bench/single/${taskQueue}/${run}`,
            taskQueue,
            args: [input(single)],
          }),
        );
      runHandles.push(...(await Promise.all(starts)));
    }
    const runResults = await statuses(client, taskQueue, runHandles);
    const runSeconds = (performance.now() - started) / 1000;
    const runsNotNormal = runResults.filter((status) => status !== 'normal').length;

    // Polling REST jobs.
    const prefix = `w${workers}`;
    for (let job = 0; job < restCount; job++)
      target.route('GET', `/status/${prefix}-${job}`, (_request, count) => ({
        body: { state: count >= polls ? 'DONE' : 'RUNNING' },
      }));
    started = performance.now();
    const restHandles = [];
    for (let batch = 0; batch < restCount; batch += 50) {
      const starts = [];
      for (let job = batch; job < Math.min(restCount, batch + 50); job++) {
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
                body: { job: `${prefix}-${job}` },
                takeoverKeys: { ID: 'id' },
              },
              monitoring: {
                url: `${target.url}/status/<ID>`,
                method: 'GET',
                firstMonitorInterval: 1,
                pollingInterval: 1,
                pollingCount: 0,
                pollingEndKey: 'state',
                pollingEndVal: ['DONE'],
                checkResultKey: 'state',
                checkResultVal: ['DONE'],
              },
            },
          },
        ]);
        starts.push(
          client.workflow.start('runWorkflow', {
            workflowId: `run/bench/poll/${taskQueue}/${job}`,
            taskQueue,
            args: [input(jobnet)],
          }),
        );
      }
      restHandles.push(...(await Promise.all(starts)));
    }
    const restResults = await statuses(client, taskQueue, restHandles);
    const restSeconds = (performance.now() - started) / 1000;
    let wrong = 0;
    for (let job = 0; job < restCount; job++) if (target.requests(`/status/${prefix}-${job}`).length !== polls) wrong++;
    const restNotNormal = restResults.filter((status) => status !== 'normal').length;
    let retried = 0;
    let notOnce = 0;
    // When the target received each job's request, read once for all jobs.
    const receipts = new Map<string, number[]>();
    for (const request of target.requests('/submit', 'POST')) {
      const job = (JSON.parse(request.body) as { job: string }).job;
      receipts.set(job, [...(receipts.get(job) ?? []), request.at]);
    }
    for (let job = 0; job < restCount; job++) {
      const workflowId = `run/bench/poll/${taskQueue}/${job}`;
      const again = (await requestAttempts(client, workflowId)) > 1;
      if (again) retried++;
      if (receipts.get(`${prefix}-${job}`)?.length !== 1) notOnce++;
      if (again || restResults[job] !== 'normal')
        console.error(await explainRest(client, workflowId, `${prefix}-${job}`, receipts));
    }
    // The gaps between one job's consecutive polls (due every second): a long one is a poll attempt
    // lost on its way to a worker and tried again only after its start-to-close timeout.
    const gaps: number[] = [];
    for (let job = 0; job < restCount; job++) {
      const times = target.requests(`/status/${prefix}-${job}`).map((request) => request.at);
      for (let i = 1; i < times.length; i++) gaps.push((times[i]! - times[i - 1]!) / 1000);
    }
    gaps.sort((a, b) => a - b);
    const gapAt = (q: number) => (gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))] ?? 0).toFixed(2);
    console.error(
      `poll gaps: p50 ${gapAt(0.5)} s, p99 ${gapAt(0.99)} s, max ${gapAt(1)} s, ${gaps.filter((gap) => gap > 30).length} over 30 s`,
    );
    // What the workers logged at warning level or above, for the lost tasks' side of the story.
    for (const [index, child] of workerProcesses.entries()) {
      const warnings = workerOutput(child)
        .split('\n')
        .filter((line) => /warn|error/i.test(line));
      console.error(`worker ${index + 1}: ${warnings.length} warning or error lines`);
      for (const line of warnings.slice(0, 5)) console.error(`  ${line.slice(0, 400)}`);
    }

    // Only this bench's workers poll the cluster, so the round's difference is its own.
    const lost = [...(await serverTimeouts())]
      .map(([kind, count]) => [kind, count - (timeoutsBefore.get(kind) ?? 0)] as const)
      .filter(([, count]) => count > 0);
    const lostTotal = historyMetrics === undefined ? '—' : String(lost.reduce((sum, [, count]) => sum + count, 0));
    console.error(
      `tasks timed out on the server: ${lost.map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'}`,
    );

    rows.push(
      `| ${workers} | ${runCount} | ${runSeconds.toFixed(1)} | ${((runCount / runSeconds) * 60).toFixed(0)} | ${runsNotNormal} | ${restCount}×${polls} | ${restSeconds.toFixed(1)} | ${((restCount * polls) / restSeconds).toFixed(1)} | ${wrong} | ${notOnce} | ${retried} | ${restNotNormal} | ${lostTotal} |`,
    );
    console.error(rows.at(-1));
    await temporal.close();
    await stopWorkerProcesses();
  }
} finally {
  await stopWorkerProcesses();
  await target.stop();
  await devServer?.stop();
}
process.stdout.write(
  `| workers | runs | s | runs/min | not normal | REST jobs × polls | s | polls/s | jobs with wrong poll count | requests not sent once | requests tried again | not normal | tasks timed out on the server |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
);
