/**
 * Benchmark: trouble → ServiceNow incident latency and job management log throughput through the
 * delivery pipeline (docs/incidents.md, docs/logging.md; goal: p99 < 5 s, zero duplicates).
 *
 * Starts an in-memory Temporal dev server, one `jobnet worker` process (command jobs allowed, the
 * ServiceNow password and the webhook secret in its environment), the ServiceNow Table API
 * stand-in (test/emulators/servicenow-server.ts), the Standard Webhooks receiver
 * (test/emulators/webhook-receiver.ts) and the Logs Ingestion stand-in
 * (test/emulators/azure-logs-server.ts, its token from oidc-provider), and applies a delivery
 * configuration: every abended run opens an incident, every log event goes to the webhook and to
 * Logs Ingestion. Then:
 * 1. baselines, in this process against the same stand-ins: a bare loop of look-up + create
 *    (`GET /api/now/v2/table/incident?sysparm_query=correlation_id=…` then `POST`) and a bare
 *    loop of signed webhook POSTs, each with the pipeline's concurrency (8 at once), and the same
 *    number of rows to Logs Ingestion in gzip batches of 500, one POST at a time;
 * 2. one trouble at a time: `--singles` runs of one jobnet whose only job exits 3, each started
 *    when the previous one's incident exists;
 * 3. a burst: `--burst` jobnets applied, then all started at once (32 start requests in flight),
 *    each run abending — one trouble each.
 * A trouble's instant is the `at` of its 0330 event (the actor's workflow time when it recorded
 * the trouble; the event id is the occurrence id, which is the incident's correlation id); the
 * incident's is when the stand-in created the record. Duplicates are counted in the stand-in (more
 * than one record for a correlation id) and by event id at the webhook and in Logs Ingestion.
 * During the burst the webhook answers 503 and Logs Ingestion drops connections, so their events
 * pile up in the delivery workflow; once every incident exists both answer again, and log events
 * per second are the burst's events between the first and the last to arrive — the drain of a
 * backlog, the sink's throughput rather than the runs' pace.
 *
 * Prints Markdown tables on stdout and nothing else; progress goes to stderr. Figures go to
 * docs/performance.md. Timings are reported, never asserted.
 *
 * Usage: npx tsx bench/incidents.bench.ts [--burst 1000] [--singles 10] [--baseline 1000]
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { applyDeliveryConfig, getDeliveryView } from '../controller/incidents/delivery-client.js';
import { compileIncidentRule } from '../controller/incidents/compile-delivery.js';
import { applyJobnets, operateJobnet } from '../controller/jobnets/jobnet-client.js';
import { mapConcurrently } from '../controller/lib/bounded-concurrency.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { deliveryEnqueueSignal, type DeliveryEnqueue } from '../workflows/delivery-contract.js';
import type { DeliveryConfig } from '../workflows/lib/delivery-config.js';
import { deliveryWorkflowId } from '../workflows/lib/wire-contract.js';
import { monitorAudience, startAzureLogsStandIn } from '../test/emulators/azure-logs-server.js';
import { startOAuthServer } from '../test/emulators/oauth-server.js';
import { startServiceNowStandIn } from '../test/emulators/servicenow-server.js';
import { startWebhookReceiver } from '../test/emulators/webhook-receiver.js';
import { sh } from '../test/integration/run-fixtures.js';
import { scheduledJobnet } from '../test/integration/scheduler-fixtures.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';

const { numbers } = parseBenchArgs(process.argv.slice(2), ['burst', 'singles', 'baseline'] as const);
const burst = numbers.burst ?? 1000;
const singles = numbers.singles ?? 10;
const baselineCount = numbers.baseline ?? 1000;
/** The delivery activities' concurrency (workflows/activities/delivery-activities.ts). */
const lanes = 8;
const project = 'bench';
const user = 'svc_bench';
const password = `bench-${randomBytes(8).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
const azureClientSecret = `bench-azure-${randomBytes(8).toString('hex')}`;
/** Rows per Logs Ingestion POST in the baseline (the delivery activity's batch). */
const azureBatch = 500;

function log(message: string): void {
  process.stderr.write(`[incidents] ${new Date().toISOString()} ${message}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function lanesOf<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const loadAtStart = os.loadavg();
log('starting the dev server, the stand-ins and a worker');
const server = await startDevServer();
const taskQueue = `bench-incidents-${Date.now().toString(36)}`;
const serviceNow = await startServiceNowStandIn(user, password);
const hook = await startWebhookReceiver(webhookSecret);
const oauth = await startOAuthServer({ clientId: 'bench-logs', clientSecret: azureClientSecret });
const azure = await startAzureLogsStandIn({ introspect: (token) => oauth.introspect(token) });
const { client, connection } = await connectClient({
  address: server.address,
  namespace: server.namespace,
  taskQueue,
});
await startWorkerProcess(server.address, server.namespace, taskQueue, {
  ...process.env,
  BENCH_SN_PASSWORD: password,
  BENCH_HOOK_SECRET: webhookSecret,
  BENCH_AZURE_SECRET: azureClientSecret,
  JOBNET_ALLOW_COMMAND_JOBS: '1',
});

const abendAll = compileIncidentRule({ impact: 2, urgency: 2 });
const config: DeliveryConfig = {
  revision: 'bench',
  incidents: {
    name: 'servicenow',
    serviceNow: {
      instanceUrl: serviceNow.url,
      credential: { name: 'servicenow', type: 'basic', user, password: { secretRef: { env: 'BENCH_SN_PASSWORD' } } },
    },
    rules: {
      jobnetAbended: abendAll,
      startDelayed: abendAll,
      endDelayed: abendAll,
      executionRefused: abendAll,
      executionSkipped: abendAll,
      jobOverrun: abendAll,
    },
    notify: { webhooks: [] },
  },
  logSinks: {
    azureMonitor: {
      endpoint: azure.endpoint,
      ruleId: azure.ruleId,
      stream: azure.stream,
      credential: {
        name: 'bench-azure',
        type: 'azuread',
        clientId: 'bench-logs',
        clientSecret: { secretRef: { env: 'BENCH_AZURE_SECRET' } },
        endpoint: oauth.tokenEndpoint,
        resource: monitorAudience,
      },
    },
    webhooks: [
      {
        name: 'bench',
        url: hook.url,
        credential: {
          name: 'bench-hook',
          type: 'others',
          keys: { webhookSecret: { secretRef: { env: 'BENCH_HOOK_SECRET' } } },
        },
      },
    ],
  },
};

interface LogData {
  id: string;
  at: number;
  code: string;
  jobnet: string;
}
const dataOf = (body: unknown): LogData => (body as { data: LogData }).data;

/** Trouble → incident latencies (ms) of the jobnets `names`, from the 0330 events and the records. */
function latenciesOf(names: ReadonlySet<string>): { latencies: number[]; duplicates: number; incidents: number } {
  const troubleAt = new Map<string, number>();
  for (const message of hook.received) {
    const data = dataOf(message.body);
    if (data.code === '0330' && names.has(data.jobnet)) troubleAt.set(data.id, data.at);
  }
  const byCorrelation = new Map<string, number>();
  const latencies: number[] = [];
  for (const record of serviceNow.records) {
    const id = record.correlation_id ?? '';
    const at = troubleAt.get(id);
    if (at === undefined) continue;
    byCorrelation.set(id, (byCorrelation.get(id) ?? 0) + 1);
    if (byCorrelation.get(id) === 1) latencies.push((serviceNow.createdAt.get(record.sys_id ?? '') ?? at) - at);
  }
  const duplicates = [...byCorrelation.values()].reduce((sum, n) => sum + n - 1, 0);
  return { latencies: latencies.sort((a, b) => a - b), duplicates, incidents: byCorrelation.size };
}

async function start(name: string): Promise<void> {
  const answer = await operateJobnet(client, taskQueue, project, name, { operation: 'start', by: 'bench' });
  if (!answer.ok) throw new Error(`${project}/${name}: the start was refused: ${answer.reason}`);
}

/** One step of the delivery workflow's timeline (ms since the epoch), for the progress output. */
interface TimelineEntry {
  at: number;
  what: string;
}

const eventMs = (stamp: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(stamp?.seconds ?? 0) * 1000 + Number(stamp?.nanos ?? 0) / 1e6;

const payloadJson = (payload: { data?: Uint8Array | string | null } | undefined): unknown => {
  const data = payload?.data;
  if (data === undefined || data === null) return undefined;
  const text =
    typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data).toString('utf8');
  return JSON.parse(text) as unknown;
};

/**
 * When each trouble reached the delivery workflow (its `deliveryEnqueue` signal), by occurrence
 * id: read from the histories of every run of the workflow, back through its continue-as-new
 * chain; with the chain's timeline (each run's start and end, each incident delivery's schedule,
 * start and close, failed or timed-out workflow tasks) for the progress output.
 */
async function enqueuedAtOf(): Promise<{ enqueued: Map<string, number>; timeline: TimelineEntry[] }> {
  const enqueued = new Map<string, number>();
  const timeline: TimelineEntry[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(deliveryWorkflowId(taskQueue), runId).fetchHistory();
    let previous: string | undefined;
    const events = history.events ?? [];
    const scheduled = new Map<string, { at: number; size: number }>();
    const started = new Map<string, number>();
    for (const event of events) {
      const at = eventMs(event.eventTime);
      const id = String(event.eventId ?? '');
      const start = event.workflowExecutionStartedEventAttributes;
      if (start !== undefined && start !== null) {
        if (start.continuedExecutionRunId) previous = start.continuedExecutionRunId;
        timeline.push({ at, what: `run started (${events.length} events in this run)` });
      }
      if (event.workflowExecutionContinuedAsNewEventAttributes) timeline.push({ at, what: 'continued as new' });
      if (event.workflowTaskFailedEventAttributes) timeline.push({ at, what: 'workflow task failed' });
      if (event.workflowTaskTimedOutEventAttributes) timeline.push({ at, what: 'workflow task timed out' });
      const activity = event.activityTaskScheduledEventAttributes;
      if (activity?.activityType?.name === 'deliverIncidents') {
        const input = payloadJson(activity.input?.payloads?.[0]) as { incidents?: unknown[] } | undefined;
        scheduled.set(id, { at, size: input?.incidents?.length ?? 0 });
      }
      const began = event.activityTaskStartedEventAttributes;
      if (began && scheduled.has(String(began.scheduledEventId ?? ''))) started.set(String(began.scheduledEventId), at);
      const closed =
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes;
      const of = scheduled.get(String(closed?.scheduledEventId ?? ''));
      if (closed && of !== undefined) {
        const begin = started.get(String(closed.scheduledEventId)) ?? of.at;
        const outcome = event.activityTaskCompletedEventAttributes ? 'done' : 'FAILED';
        timeline.push({
          at: of.at,
          what: `deliverIncidents ×${of.size}: started +${(begin - of.at).toFixed(0)} ms, ${outcome} after ${(at - begin).toFixed(0)} ms`,
        });
      }
      const signal = event.workflowExecutionSignaledEventAttributes;
      if (signal?.signalName !== deliveryEnqueueSignal.name) continue;
      const items = payloadJson(signal.input?.payloads?.[0]) as DeliveryEnqueue | undefined;
      for (const item of items?.incidents ?? [])
        if (!enqueued.has(item.occurrenceId)) enqueued.set(item.occurrenceId, at);
    }
    if (previous === undefined) return { enqueued, timeline: timeline.sort((a, b) => a.at - b.at) };
    runId = previous;
  }
}

/** Trouble → delivery workflow and delivery workflow → incident, in ms, of the jobnets `names`. */
function splitOf(
  names: ReadonlySet<string>,
  enqueued: ReadonlyMap<string, number>,
): { handOver: number[]; delivery: number[] } {
  const handOver: number[] = [];
  const delivery: number[] = [];
  const created = new Map<string, number>();
  for (const record of serviceNow.records)
    if (!created.has(record.correlation_id ?? ''))
      created.set(record.correlation_id ?? '', serviceNow.createdAt.get(record.sys_id ?? '') ?? 0);
  for (const message of hook.received) {
    const data = dataOf(message.body);
    if (data.code !== '0330' || !names.has(data.jobnet)) continue;
    const at = enqueued.get(data.id);
    const made = created.get(data.id);
    if (at === undefined || made === undefined) continue;
    handOver.push(at - data.at);
    delivery.push(made - at);
  }
  return { handOver: handOver.sort((a, b) => a - b), delivery: delivery.sort((a, b) => a - b) };
}

const incidentsOf = (prefix: string) =>
  serviceNow.records.filter((record) => record.correlation_display?.startsWith(`${project}/${prefix}`)).length;

try {
  await applyDeliveryConfig(client, taskQueue, config);

  // 1. Baselines: the same requests without the pipeline.
  log(`baseline: ${baselineCount} look-ups + creates, ${baselineCount} signed webhook posts, ${lanes} at once`);
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const ids = Array.from({ length: baselineCount }, (_, i) => `baseline-${i}`);
  const snLatencies: number[] = [];
  const snStarted = performance.now();
  await lanesOf(ids, async (id) => {
    const began = performance.now();
    const lookup = new URL(`${serviceNow.url}/api/now/v2/table/incident`);
    lookup.searchParams.set('sysparm_query', `correlation_id=${id}`);
    lookup.searchParams.set('sysparm_fields', 'sys_id,number,correlation_id');
    await (await fetch(lookup, { headers: { authorization, accept: 'application/json' } })).text();
    await (
      await fetch(`${serviceNow.url}/api/now/table/incident`, {
        method: 'POST',
        headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ short_description: 'baseline', correlation_id: id, correlation_display: id }),
      })
    ).text();
    snLatencies.push(performance.now() - began);
  });
  const snSeconds = (performance.now() - snStarted) / 1000;
  snLatencies.sort((a, b) => a - b);
  const signer = new Webhook(webhookSecret);
  const hookStarted = performance.now();
  await lanesOf(ids, async (id) => {
    const payload = JSON.stringify({ type: 'jobnet.log', data: { id, code: 'baseline', jobnet: 'baseline', at: 0 } });
    const at = new Date();
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(id, at, payload),
      },
      body: payload,
    });
    await response.arrayBuffer();
  });
  const hookSeconds = (performance.now() - hookStarted) / 1000;
  if (hook.refused > 0) throw new Error(`the receiver refused ${hook.refused} baseline posts`);
  // The same number of rows to Logs Ingestion: one token, gzip JSON arrays of the activity's batch
  // size, one POST at a time (a log sink sends in order).
  const azureStarted = performance.now();
  const tokenAnswer = await fetch(oauth.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bench-logs',
      client_secret: azureClientSecret,
      resource: monitorAudience,
    }).toString(),
  });
  const { access_token: azureToken } = (await tokenAnswer.json()) as { access_token: string };
  for (let from = 0; from < ids.length; from += azureBatch) {
    const rows = ids.slice(from, from + azureBatch).map((id) => ({
      TimeGenerated: new Date().toISOString(),
      JobnetName: 'baseline',
      ProjectName: 'baseline',
      LogLevel: 'info',
      Message: `baseline: 0000: ${id}`,
      EventId: id,
    }));
    const response = await fetch(
      `${azure.endpoint}/dataCollectionRules/${azure.ruleId}/streams/${azure.stream}?api-version=2023-01-01`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${azureToken}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        body: gzipSync(JSON.stringify(rows)),
      },
    );
    await response.arrayBuffer();
    if (response.status !== 204) throw new Error(`Logs Ingestion refused a baseline batch: HTTP ${response.status}`);
  }
  const azureSeconds = (performance.now() - azureStarted) / 1000;
  const azureBaselineRows = azure.rows.length;

  // 2. One trouble at a time.
  log(`${singles} single troubles`);
  // A jobnet each: an abended jobnet is not started again until an operator confirms it.
  const singleNames = Array.from({ length: singles }, (_, i) => `single-${i + 1}`);
  await applyJobnets(client, {
    taskQueue,
    revision: 'bench',
    by: 'bench',
    jobnets: singleNames.map((name) =>
      scheduledJobnet(project, name, [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
    ),
  });
  for (const [i, name] of singleNames.entries()) {
    await start(name);
    await until(`incident of ${name}`, () => incidentsOf('single-') > i, 120_000);
  }
  await until(
    'the 0330 events of the singles at the webhook',
    () => latenciesOf(new Set(singleNames)).latencies.length >= singles,
    60_000,
  );
  const single = latenciesOf(new Set(singleNames));

  // 3. A burst.
  const names = Array.from({ length: burst }, (_, i) => `burst-${String(i).padStart(4, '0')}`);
  log(`applying ${burst} jobnets`);
  await mapConcurrently(
    Array.from({ length: Math.ceil(burst / 100) }, (_, i) => names.slice(i * 100, i * 100 + 100)),
    4,
    async (slice) =>
      await applyJobnets(client, {
        taskQueue,
        revision: 'bench',
        by: 'bench',
        jobnets: slice.map((name) =>
          scheduledJobnet(project, name, [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
        ),
      }),
  );
  // The webhook answers 503 until every incident of the burst exists: its events pile up in the
  // delivery workflow, and the drain after that is the sink's throughput, not the runs' pace.
  hook.mode.failures = Number.MAX_SAFE_INTEGER;
  azure.mode.down = true;
  log(`starting ${burst} runs`);
  const burstStarted = Date.now();
  await mapConcurrently(names, 32, async (name) => await start(name));
  const startsSeconds = (Date.now() - burstStarted) / 1000;
  log(`started in ${startsSeconds.toFixed(1)} s; waiting for ${burst} incidents`);
  let lastReport = Date.now();
  await until(
    'the burst incidents',
    () => {
      const n = incidentsOf('burst-');
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(`${n} incidents so far`);
      }
      return n >= burst;
    },
    30 * 60_000,
  );
  const released = Date.now();
  hook.mode.failures = 0;
  azure.mode.down = false;
  const burstNames = new Set(names);
  // Logs Ingestion's drain, watched from the stand-in's rows: when the first burst row arrived and
  // when the last one did.
  const azureBurstRows = () =>
    azure.rows.filter((row) => row.ProjectName === project && burstNames.has(row.JobnetName!));
  // What a sink dropped (its backlog bound, docs/incidents.md#bounded-state) never arrives.
  const droppedBy = async (sink: string): Promise<number> =>
    (await getDeliveryView(client, taskQueue))?.sinks.find((entry) => entry.sink === sink)?.dropped ?? 0;
  let azureFirstAt: number | undefined;
  await until(
    'the burst log events in Logs Ingestion',
    async () => {
      const rows = azureBurstRows();
      if (rows.length > 0) azureFirstAt ??= Date.now();
      return new Set(rows.map((row) => row.EventId)).size + (await droppedBy('azureMonitor')) >= 2 * burst;
    },
    30 * 60_000,
  );
  const azureLastAt = Date.now();
  const burstLogIds = () =>
    hook.received.filter((message) => burstNames.has(dataOf(message.body).jobnet)).map((message) => message.id);
  await until(
    'the burst log events at the webhook',
    async () => new Set(burstLogIds()).size + (await droppedBy('webhook:bench')) >= 2 * burst,
    30 * 60_000,
  );
  const burstAll = Date.now();
  // A moment for late duplicates to show.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const bursted = latenciesOf(burstNames);
  const burstMessages = hook.received.filter((message) => burstNames.has(dataOf(message.body).jobnet));
  const arrivals = burstMessages.map((message) => message.at).sort((a, b) => a - b);
  const logSeconds = ((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)) / 1000;
  const firstAfterRelease = ((arrivals[0] ?? released) - released) / 1000;
  const logDuplicates = burstMessages.length - new Set(burstMessages.map((message) => message.id)).size;
  const posts = serviceNow.requests.filter(
    (request) => request.method === 'POST' && request.path === '/api/now/table/incident',
  ).length;
  const view = await getDeliveryView(client, taskQueue);
  const { enqueued, timeline } = await enqueuedAtOf();
  for (const entry of timeline.filter((step) => step.at >= burstStarted))
    log(`delivery +${((entry.at - burstStarted) / 1000).toFixed(1)} s: ${entry.what}`);
  const singleSplit = splitOf(new Set(singleNames), enqueued);
  const burstSplit = splitOf(burstNames, enqueued);
  const loadAtEnd = os.loadavg();

  const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(0));
  const out: string[] = [];
  out.push('#### Machine', '');
  out.push('| cores | CPU | memory GiB | node | load average 1/5/15 min at start | at end |');
  out.push('| ---: | --- | ---: | --- | --- | --- |');
  out.push(
    `| ${os.availableParallelism()} | ${os.cpus()[0]?.model ?? '?'} | ${(os.totalmem() / 2 ** 30).toFixed(0)} | ${process.version} | ${loads(loadAtStart)} | ${loads(loadAtEnd)} |`,
    '',
  );
  out.push('#### Trouble → incident (ServiceNow stand-in)', '');
  out.push('| case | troubles | incidents | duplicates | p50 ms | p99 ms | max ms | span s |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(
    `| one at a time | ${singles} | ${single.incidents} | ${single.duplicates} | ${ms(percentile(single.latencies, 50))} | ${ms(percentile(single.latencies, 99))} | ${ms(single.latencies.at(-1) ?? Number.NaN)} | — |`,
  );
  out.push(
    `| burst (${startsSeconds.toFixed(1)} s of starts) | ${burst} | ${bursted.incidents} | ${bursted.duplicates} | ${ms(percentile(bursted.latencies, 50))} | ${ms(percentile(bursted.latencies, 99))} | ${ms(bursted.latencies.at(-1) ?? Number.NaN)} | ${((burstAll - burstStarted) / 1000).toFixed(1)} |`,
  );
  out.push(
    `| baseline: bare look-up + create, ${lanes} at once | ${baselineCount} | ${baselineCount} | — | ${ms(percentile(snLatencies, 50))} | ${ms(percentile(snLatencies, 99))} | ${ms(snLatencies.at(-1) ?? Number.NaN)} | ${snSeconds.toFixed(1)} |`,
    '',
  );
  out.push(
    "Where the time goes (p50 / p99 ms): trouble → its `deliveryEnqueue` signal in the delivery workflow (the actor's hand-over), and that signal → the record created (the delivery workflow, its activity, look-up and create).",
    '',
  );
  out.push('| case | trouble → delivery workflow | delivery workflow → incident |');
  out.push('| --- | ---: | ---: |');
  for (const [name, split] of [
    ['one at a time', singleSplit],
    ['burst', burstSplit],
  ] as const)
    out.push(
      `| ${name} | ${ms(percentile(split.handOver, 50))} / ${ms(percentile(split.handOver, 99))} | ${ms(percentile(split.delivery, 50))} / ${ms(percentile(split.delivery, 99))} |`,
    );
  out.push('');
  out.push(
    `Creating POSTs seen by the stand-in: ${posts} for ${baselineCount + singles + burst} records (${baselineCount} baseline). Delivery view afterwards: ${(view?.sinks ?? []).map((sink) => `${sink.sink} backlog ${sink.backlog}, delivered ${sink.delivered}, dropped ${sink.dropped}`).join('; ')}.`,
    '',
  );
  out.push('#### Log events to the webhook (Standard Webhooks, one POST per event)', '');
  out.push('| case | events | duplicates by id | first after the sink came back s | span s | events/s |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  out.push(
    `| burst's backlog drained through the delivery workflow | ${burstMessages.length} | ${logDuplicates} | ${firstAfterRelease.toFixed(1)} | ${logSeconds.toFixed(1)} | ${(burstMessages.length / Math.max(logSeconds, 0.001)).toFixed(0)} |`,
  );
  out.push(
    `| baseline: bare signed POSTs, ${lanes} at once | ${baselineCount} | 0 | — | ${hookSeconds.toFixed(1)} | ${(baselineCount / hookSeconds).toFixed(0)} |`,
    '',
  );
  const azureRows = azureBurstRows();
  const azureUnique = new Set(azureRows.map((row) => row.EventId)).size;
  const azureDrain = (azureLastAt - (azureFirstAt ?? released)) / 1000;
  out.push('#### Log events to Logs Ingestion (the Azure stand-in, gzip JSON batches)', '');
  out.push('| case | events | duplicates by EventId | first after the sink came back s | span s | events/s |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  out.push(
    `| burst's backlog drained through the delivery workflow | ${azureRows.length} | ${azureRows.length - azureUnique} | ${(((azureFirstAt ?? released) - released) / 1000).toFixed(1)} | ${azureDrain.toFixed(1)} | ${(azureUnique / Math.max(azureDrain, 0.001)).toFixed(0)} |`,
  );
  out.push(
    `| baseline: bare gzip POSTs of ${azureBatch} rows, one at a time | ${azureBaselineRows} | 0 | — | ${azureSeconds.toFixed(2)} | ${(azureBaselineRows / Math.max(azureSeconds, 0.001)).toFixed(0)} |`,
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await stopWorkerProcesses();
  await connection.close().catch(() => undefined);
  await serviceNow.close();
  await hook.close();
  await azure.close();
  await oauth.stop();
  await server.stop();
}
