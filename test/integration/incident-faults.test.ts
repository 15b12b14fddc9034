/**
 * Exactly one incident under the faults that remain after incident-delivery.test.ts, on the real
 * dev server with real `jobnet worker` processes (docs/incidents.md "Exactly once"):
 *   - the worker SIGKILLed while its POST is in flight — the stand-in has created the record but
 *     never answers — and a new worker started: the attempt times out by heartbeat, the next one
 *     looks the correlation id up and finds the record;
 *   - the ServiceNow instance unreachable for a full minute and back: the failure streak sends
 *     exactly one notice mail and one recovery mail (smtp-server, parsed by mailparser).
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { applyDeliveryConfig, getDeliveryView } from '../../controller/incidents/delivery-client.js';
import { applyJobnets, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import { compileIncidentRule } from '../../controller/incidents/compile-delivery.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { startServiceNowStandIn, type ServiceNowStandIn } from '../emulators/servicenow-server.js';
import { sh } from './run-fixtures.js';
import { scheduledJobnet, waitForJobnet } from './scheduler-fixtures.js';
import { killWorkerProcess, startWorkerProcess, stopWorkerProcesses } from './worker-process.js';

const project = 'incfault';
const taskQueue = `incident-faults-${process.pid}-${Date.now().toString(36)}`;
const password = `sn-fault-${Date.now().toString(36)}-secret`;
const passwordEnv = 'INCIDENT_FAULT_SN_PASSWORD';
let connection: Connection;
let client: Client;
let serviceNow: ServiceNowStandIn;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { subject: string; text: string }[] = [];
const workerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  [passwordEnv]: password,
  JOBNET_ALLOW_COMMAND_JOBS: '1',
});
const startWorker = () =>
  startWorkerProcess(inject('temporalAddress'), inject('temporalNamespace'), taskQueue, workerEnv());

function configOf(): DeliveryConfig {
  const base = compileIncidentRule(undefined);
  return {
    revision: 'r1',
    incidents: {
      name: 'servicenow',
      serviceNow: {
        instanceUrl: serviceNow.url,
        credential: {
          name: 'servicenow',
          type: 'basic',
          user: 'svc_jobnet',
          password: { secretRef: { env: passwordEnv } },
        },
      },
      rules: {
        jobnetAbended: base,
        startDelayed: base,
        endDelayed: base,
        executionRefused: base,
        executionSkipped: base,
        jobOverrun: base,
      },
      notify: {
        email: {
          smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
          from: 'jobnet@example.test',
          to: ['ops@example.test'],
        },
        webhooks: [],
      },
    },
    logSinks: { webhooks: [] },
  };
}

function incidentsOf(name: string) {
  return serviceNow.records.filter((record) => record.correlation_display?.startsWith(`${project}/${name}#`));
}

async function until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function start(name: string): Promise<void> {
  await operateJobnet(client, taskQueue, project, name, { operation: 'start', by: 'tester' });
}

beforeAll(async () => {
  serviceNow = await startServiceNowStandIn('svc_jobnet', password);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({ subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
  await applyDeliveryConfig(client, taskQueue, configOf());
  await applyJobnets(client, {
    taskQueue,
    revision: 'r1',
    by: 'tester',
    jobnets: ['killed-worker', 'outage'].map((name) =>
      scheduledJobnet(project, name, [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
    ),
  });
}, 60_000);

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
  await serviceNow?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('exactly one incident under faults', () => {
  it('keeps one incident when the worker is SIGKILLed while its POST is in flight', async () => {
    const worker = await startWorker();
    serviceNow.mode.createThenHold = 1;
    await start('killed-worker');
    await until(() => incidentsOf('killed-worker').length === 1, 'the record created by the held POST', 60_000);
    await killWorkerProcess(worker);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await startWorker();
    const view = await waitForJobnet(
      client,
      taskQueue,
      project,
      'killed-worker',
      (v) => v.state.troubles.some((trouble) => trouble.incident !== undefined),
      60_000,
    );
    const [incident] = incidentsOf('killed-worker');
    expect(view.state.troubles.find((trouble) => trouble.kind === 'jobnetAbended')?.incident?.number).toBe(
      incident!.number,
    );
    // The attempt after the kill looked the correlation id up and did not POST again.
    const posts = serviceNow.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(1);
    const actorRunId = incident!.correlation_id!.slice(0, incident!.correlation_id!.indexOf('#'));
    const lookups = serviceNow.requests.filter(
      (request) => request.method === 'GET' && request.path.includes(actorRunId),
    );
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(incidentsOf('killed-worker')).toHaveLength(1);
    const sink = (await getDeliveryView(client, taskQueue))!.sinks.find((s) => s.sink === 'serviceNow')!;
    expect(sink.backlog).toBe(0);
    expect(sink.lastError?.message).toMatch(/timed out|heartbeat|Activity/i);
  }, 180_000);

  it('keeps one incident, one notice mail and one recovery mail across a minute of unreachable instance', async () => {
    mails.length = 0;
    serviceNow.mode.down = true;
    const downAt = Date.now();
    await start('outage');
    await until(() => mails.length >= 1, 'notice mail', 40_000);
    const during = (await getDeliveryView(client, taskQueue))!.sinks.find((s) => s.sink === 'serviceNow')!;
    expect(during.backlog).toBe(1);
    expect(during.failing?.noticed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + 60_000 - Date.now())));
    expect(incidentsOf('outage')).toHaveLength(0);
    expect(mails).toHaveLength(1);
    serviceNow.mode.down = false;
    await until(() => incidentsOf('outage').length === 1, 'incident after the outage', 45_000);
    await until(() => mails.length >= 2, 'recovery mail', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(incidentsOf('outage')).toHaveLength(1);
    expect(mails.map((mail) => mail.subject)).toEqual([
      expect.stringContaining('delivery to serviceNow is failing'),
      expect.stringContaining('delivery to serviceNow has recovered'),
    ]);
    for (const mail of mails) expect(mail.text).not.toContain(password);
    const after = (await getDeliveryView(client, taskQueue))!.sinks.find((s) => s.sink === 'serviceNow')!;
    expect(after.failing).toBeUndefined();
    expect(after.backlog).toBe(0);
  }, 180_000);
});
