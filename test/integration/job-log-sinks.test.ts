/**
 * The job management log (R-LOG-1, R-LOG-2) on the real dev server with real `jobnet worker`
 * processes: every event kind — start, end normal, pseudo-normal and abended, refusal, skip,
 * start and end delay, job overrun, termination-request failure — reaches stdout (JSON lines of
 * the workers), the Azure Logs Ingestion stand-in (test/emulators/azure-logs-server.ts: an
 * oidc-provider token with the `https://monitor.azure.com` audience, gzip JSON arrays with the
 * stream's columns) and a webhook whose Standard Webhooks signatures are verified by the
 * `standardwebhooks` package. A worker SIGKILLed while the events flow costs no event and, counted
 * by event id, duplicates none. No secret (client secret, token, webhook secret) is in the
 * delivery workflow's history, its status or the workers' output.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { applyDeliveryConfig, getDeliveryView } from '../../controller/incidents/delivery-client.js';
import { applyJobnets, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { deliveryWorkflowId } from '../../workflows/lib/wire-contract.js';
import { startAzureLogsStandIn, monitorAudience, type AzureLogsStandIn } from '../emulators/azure-logs-server.js';
import { startOAuthServer, type OAuthServer } from '../emulators/oauth-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../emulators/webhook-receiver.js';
import { sh } from './run-fixtures.js';
import { nextMinute, scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';
import { killWorkerProcess, startWorkerProcess, stopWorkerProcesses, workerOutput } from './worker-process.js';

const project = 'joblog';
const taskQueue = `job-log-${process.pid}-${Date.now().toString(36)}`;
const clientSecret = `azure-client-secret-${randomBytes(6).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
let connection: Connection;
let client: Client;
let oauth: OAuthServer;
let azure: AzureLogsStandIn;
let hook: WebhookReceiver;
let rest: Server;
let restUrl = '';
const workers: ChildProcess[] = [];

const startWorker = async (): Promise<ChildProcess> => {
  const child = await startWorkerProcess(inject('temporalAddress'), inject('temporalNamespace'), taskQueue, {
    ...process.env,
    JOBLOG_AZURE_SECRET: clientSecret,
    JOBLOG_HOOK_SECRET: webhookSecret,
    JOBNET_ALLOW_COMMAND_JOBS: '1',
  });
  workers.push(child);
  return child;
};

function configOf(): DeliveryConfig {
  return {
    revision: 'r1',
    logSinks: {
      azureMonitor: {
        endpoint: azure.endpoint,
        ruleId: azure.ruleId,
        stream: azure.stream,
        credential: {
          name: 'azure-logs',
          type: 'azuread',
          clientId: 'jobnet-logs',
          clientSecret: { secretRef: { env: 'JOBLOG_AZURE_SECRET' } },
          endpoint: oauth.tokenEndpoint,
          resource: monitorAudience,
        },
      },
      webhooks: [
        {
          name: 'ops',
          url: hook.url,
          credential: {
            name: 'ops-hook',
            type: 'others',
            keys: { webhookSecret: { secretRef: { env: 'JOBLOG_HOOK_SECRET' } } },
          },
        },
      ],
    },
  };
}

/** The job management log lines the workers printed (pino JSON lines). */
function stdoutEvents(): { id: string; code: string; jobnet: string; msg: string }[] {
  return workers
    .flatMap((worker) => workerOutput(worker).split('\n'))
    .filter((line) => line.startsWith('{') && line.includes('jobnet-job-management'))
    .map((line) => JSON.parse(line) as { id: string; code: string; jobnet: string; msg: string });
}

async function until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function start(name: string): Promise<void> {
  await operateJobnet(client, taskQueue, project, name, { operation: 'start', by: 'tester' });
}

beforeAll(async () => {
  oauth = await startOAuthServer({ clientId: 'jobnet-logs', clientSecret });
  azure = await startAzureLogsStandIn({ introspect: (token) => oauth.introspect(token) });
  hook = await startWebhookReceiver(webhookSecret);
  rest = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      if (path === '/submit') response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"w1"}');
      else if (path.startsWith('/status'))
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"RUNNING"}');
      else response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"cannot stop"}');
    });
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve));
  restUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}`;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
}, 60_000);

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
  await azure?.close();
  await hook?.close();
  await oauth?.stop();
  await new Promise<void>((resolve) => (rest ? rest.close(() => resolve()) : resolve()));
});

it('delivers every event kind to stdout, Azure Monitor and a signed webhook, without loss or duplicates across a worker kill', async () => {
  const worker = await startWorker();
  await applyDeliveryConfig(client, taskQueue, configOf());
  const deadline = nextMinute(20_000);
  await applyJobnets(client, {
    taskQueue,
    revision: 'r1',
    by: 'tester',
    jobnets: [
      scheduledJobnet(project, 'ok', [sleepJob('a', 0)]),
      scheduledJobnet(project, 'pseudo', [{ name: 'exit1', type: 'command', spec: sh('exit 1'), normalExitMax: 1 }]),
      scheduledJobnet(project, 'abend', [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
      scheduledJobnet(project, 'refuse', [sleepJob('a', 300)], { start: { at: [deadline.time] } }),
      scheduledJobnet(project, 'skip', [sleepJob('a', 0)], { start: { at: [deadline.time] }, enabled: false }),
      scheduledJobnet(project, 'late-start', [sleepJob('a', 0)], {
        start: {
          events: {
            names: ['NEVER_RAISED'],
            mode: 'any',
            whileRunning: false,
            oncePerDay: false,
            startDaysOnly: false,
          },
        },
        deadlines: { start: deadline.time },
      }),
      scheduledJobnet(project, 'late-end', [sleepJob('a', 4)], { deadlines: { endAfterSeconds: 1 } }),
      scheduledJobnet(project, 'overrun', [sleepJob('a', 4, { expectedDurationSeconds: 1 })]),
      scheduledJobnet(project, 'stop-fails', [
        {
          name: 'call',
          type: 'rest',
          spec: {
            outputLimitBytes: 1024 * 1024,
            request: { url: `${restUrl}/submit`, method: 'POST', timeout: 5, takeoverKeys: { ID: 'id' } },
            monitoring: {
              url: `${restUrl}/status/<ID>`,
              method: 'GET',
              firstMonitorInterval: 1,
              pollingInterval: 1,
              pollingCount: 0,
              pollingEndKey: 'status',
              pollingEndVal: ['SUCCEEDED'],
              checkResultKey: 'status',
            },
            termination: { url: `${restUrl}/stop/<ID>`, method: 'POST' },
          },
        },
      ]),
    ],
  });
  for (const name of ['ok', 'pseudo', 'abend', 'refuse', 'skip', 'late-end', 'overrun', 'stop-fails'])
    await start(name);
  await start('refuse');
  await waitForJobnet(client, taskQueue, project, 'stop-fails', (v) => v.status === 'running', 30_000);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await operateJobnet(client, taskQueue, project, 'stop-fails', { operation: 'forceTerminate', by: 'tester' });

  // A worker killed while events flow.
  await until(() => azure.rows.length >= 3, 'the first rows in Azure Monitor', 60_000);
  await killWorkerProcess(worker);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await startWorker();

  const expected: [string, string][] = [
    ['ok', '0328'],
    ['ok', '0329'],
    ['pseudo', '0328'],
    ['pseudo', '0333'],
    ['abend', '0328'],
    ['abend', '0330'],
    ['refuse', '0328'],
    ['refuse', '0331'],
    ['refuse', '0330'],
    ['skip', '0332'],
    ['late-start', '0310'],
    ['late-end', '0311'],
    ['late-end', '0329'],
    ['overrun', '10114'],
    ['overrun', '0329'],
    ['stop-fails', '0328'],
    ['stop-fails', '0635'],
    ['stop-fails', '0330'],
  ];
  const key = (jobnet: string, code: string) => `${jobnet} ${code}`;
  const want = new Set(expected.map(([jobnet, code]) => key(jobnet, code)));
  const azureKeys = () =>
    new Set(azure.rows.map((row) => key(row.JobnetName!, /: (\d{4,5}): /.exec(row.Message!)![1]!)));
  const hookKeys = () =>
    new Set(
      hook.received.map((message) => {
        const data = (message.body as { data: { jobnet: string; code: string } }).data;
        return key(data.jobnet, data.code);
      }),
    );
  const stdoutKeys = () => new Set(stdoutEvents().map((event) => key(event.jobnet, event.code)));
  const missing = (seen: () => Set<string>) => [...want].filter((k) => !seen().has(k));
  const waitAll = async (seen: () => Set<string>, what: string) =>
    await until(
      () => missing(seen).length === 0,
      `${what} missing ${missing(seen).join(', ')}`,
      60_000 + Math.max(0, deadline.at - Date.now()),
    ).catch(async (error: Error) => {
      const views = await Promise.all(
        ['refuse', 'skip', 'late-end', 'stop-fails'].map(async (name) => {
          const view = await waitForJobnet(client, taskQueue, project, name, () => true).catch(() => undefined);
          return `${name}: ${view?.status} troubles=${JSON.stringify(view?.state.troubles.map((t) => t.kind))} run=${view?.state.lastRun?.status}`;
        }),
      );
      throw new Error(
        `${error.message}\nAzure ${[...azureKeys()].join(', ')}\n${views.join('\n')}\ndelivery ${JSON.stringify(await getDeliveryView(client, taskQueue))}\n${workers.map((w) => workerOutput(w).slice(-3000)).join('\n----\n')}`,
      );
    });
  await waitForJobnet(client, taskQueue, project, 'refuse', (v) => v.state.troubles.length > 0, 120_000);
  await operateJobnet(client, taskQueue, project, 'refuse', { operation: 'forceTerminate', by: 'tester' });
  await waitAll(azureKeys, 'Azure Monitor');
  await waitAll(hookKeys, 'webhook');
  await waitAll(stdoutKeys, 'stdout');
  await new Promise((resolve) => setTimeout(resolve, 3000));

  // Counted by event id, each event arrived once; ids are one per event.
  // Every event the workers printed reached both sinks, and nothing else did.
  const ids = azure.uniqueEventIds();
  const printed = new Set(stdoutEvents().map((event) => event.id));
  expect([...ids].sort()).toEqual([...printed].sort());
  expect([...new Set(hook.received.map((message) => message.id))].sort()).toEqual([...printed].sort());
  for (const k of want) expect(azureKeys().has(k) && hookKeys().has(k)).toBe(true);
  expect(hook.refused).toBe(0);
  for (const row of azure.rows) {
    expect(row.ProjectName).toBe(project);
    expect(['INFO', 'WARNING', 'ERROR']).toContain(row.LogLevel);
    expect(row.Message).toMatch(/^MpJobsch: (INFO|WARNING|ERROR): /);
    expect(new Date(row.TimeGenerated!).toISOString()).toBe(row.TimeGenerated);
  }
  const termination = azure.rows.find((row) => row.Message!.includes(': 0635: '))!;
  expect(termination).toMatchObject({ LogLevel: 'ERROR', JobnetName: 'stop-fails' });
  expect(termination.Message).toContain('StatusCode=500');
  console.info(
    `job log: ${want.size} events; Azure rows ${azure.rows.length} (unique ${ids.size}), webhook messages ${hook.received.length}, stdout lines ${stdoutEvents().length}`,
  );

  // No secret anywhere: history, status, worker output.
  const status = await getDeliveryView(client, taskQueue);
  expect(status!.sinks.map((sink) => [sink.sink, sink.backlog])).toEqual([
    ['azureMonitor', 0],
    ['webhook:ops', 0],
  ]);
  const history = JSON.stringify(await client.workflow.getHandle(deliveryWorkflowId(taskQueue)).fetchHistory());
  const outputs = workers.map((child) => workerOutput(child)).join('\n');
  const secrets = [clientSecret, webhookSecret, webhookSecret.slice('whsec_'.length), ...azure.tokens];
  expect(azure.tokens.size).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(history).not.toContain(secret);
    expect(JSON.stringify(status)).not.toContain(secret);
    expect(outputs).not.toContain(secret);
  }
}, 240_000);
