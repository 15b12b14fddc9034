/**
 * Incidents in ServiceNow on the real dev server with a real worker (docs/incidents.md): the
 * jobnet actors hand their troubles to the deployment's delivery workflow, which opens exactly one
 * incident per occurrence in the ServiceNow stand-in (test/emulators/servicenow-server.ts) under
 * the applied IncidentPolicy — included, excluded, an operator's kill ignored, a time-limit kill
 * not — and keeps exactly one under faults: the first POST creating the record but answering 502,
 * the instance unreachable and back (one notice mail and one recovery mail, read from smtp-server
 * with mailparser). No secret reaches the delivery workflow's history or status.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeliveryConfig, getDeliveryView } from '../../controller/incidents/delivery-client.js';
import { applyJobnets, getJobnetView, operateJobnet } from '../../controller/jobnets/jobnet-client.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { compileIncidentRule } from '../../controller/incidents/compile-delivery.js';
import { deliveryWorkflowId } from '../../workflows/lib/wire-contract.js';
import { startServiceNowStandIn, type ServiceNowStandIn } from '../emulators/servicenow-server.js';
import { sh } from './run-fixtures.js';
import { startRunHarness, type RunHarness } from './run-harness.js';
import { scheduledJobnet, sleepJob, waitForJobnet } from './scheduler-fixtures.js';

const project = 'inc';
const password = `sn-pass-${Date.now().toString(36)}-secret`;
let harness: RunHarness;
let serviceNow: ServiceNowStandIn;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { subject: string; text: string; to: string }[] = [];

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
          password: { secretRef: { env: 'INCIDENT_TEST_SN_PASSWORD' } },
        },
      },
      rules: {
        jobnetAbended: compileIncidentRule({
          impact: 2,
          urgency: 1,
          include: [{ project: 'inc', jobnet: '*' }],
          exclude: [{ project: '*', jobnet: '*-sandbox' }],
          ignoreOperatorForcedEnd: true,
        }),
        startDelayed: base,
        endDelayed: base,
        executionRefused: base,
        executionSkipped: compileIncidentRule({ register: false }),
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

async function start(name: string): Promise<void> {
  await operateJobnet(harness.client, harness.target.taskQueue, project, name, { operation: 'start', by: 'tester' });
}

function incidentsOf(name: string) {
  return serviceNow.records.filter((record) => record.correlation_display?.startsWith(`${project}/${name}#`));
}

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  process.env.INCIDENT_TEST_SN_PASSWORD = password;
  serviceNow = await startServiceNowStandIn('svc_jobnet', password);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  harness = await startRunHarness({ allowCommandJobs: true });
  await applyDeliveryConfig(harness.client, harness.target.taskQueue, configOf());
  await applyJobnets(harness.client, {
    taskQueue: harness.target.taskQueue,
    revision: 'r1',
    by: 'tester',
    jobnets: [
      scheduledJobnet(project, 'fails', [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
      scheduledJobnet(project, 'fails-sandbox', [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
      scheduledJobnet(project, 'killed', [sleepJob('long', 120)]),
      scheduledJobnet(project, 'too-long', [sleepJob('long', 30, { timeLimitSeconds: 1 })]),
      scheduledJobnet(project, 'flaky', [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
      scheduledJobnet(project, 'outage', [{ name: 'exit3', type: 'command', spec: sh('exit 3') }]),
    ],
  });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await serviceNow?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('incidents in ServiceNow', () => {
  it('opens exactly one incident for an abended run of an included jobnet, with the rule and the trouble in it', async () => {
    await start('fails');
    await until(() => incidentsOf('fails').length === 1, 'incident of fails');
    const [incident] = incidentsOf('fails');
    expect(incident).toMatchObject({
      impact: '2',
      urgency: '1',
      short_description: 'jobnet-gitops: Jobnet abnormal end',
      correlation_display: `${project}/fails#1`,
    });
    expect(incident!.correlation_id!.length).toBeLessThanOrEqual(64);
    expect(incident!.correlation_id).toMatch(/^[0-9a-f-]{36}#1$/);
    for (const part of [
      'Project: inc',
      'Jobnet: fails',
      'Job: exit3',
      'Exit code: 3',
      '0330',
      'Cause:',
      'Action:',
      'Run: ',
    ])
      expect(incident!.description).toContain(part);
    // The number is kept on the trouble.
    const view = await waitForJobnet(harness.client, harness.target.taskQueue, project, 'fails', (v) =>
      v.state.troubles.some((trouble) => trouble.incident?.number === incident!.number),
    );
    expect(view.state.troubles.filter((trouble) => trouble.kind === 'jobnetAbended')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(incidentsOf('fails')).toHaveLength(1);
  });

  it('opens none for an excluded jobnet, none for an operator kill (ignoreOperatorForcedEnd), one for a time-limit kill', async () => {
    await start('fails-sandbox');
    await start('killed');
    await start('too-long');
    await waitForJobnet(harness.client, harness.target.taskQueue, project, 'killed', (v) => v.status === 'running');
    await operateJobnet(harness.client, harness.target.taskQueue, project, 'killed', {
      operation: 'forceTerminate',
      by: 'tester',
    });
    await until(() => incidentsOf('too-long').length === 1, 'incident of too-long');
    for (const name of ['fails-sandbox', 'killed'])
      await waitForJobnet(
        harness.client,
        harness.target.taskQueue,
        project,
        name,
        (v) => v.state.troubles.some((trouble) => trouble.kind === 'jobnetAbended'),
        60_000,
      ).catch(async (error: Error) => {
        const seen = await getJobnetView(harness.client, harness.target.taskQueue, project, name);
        throw new Error(
          `${name}: ${error.message.slice(0, 200)} status=${seen.status} troubles=${JSON.stringify(seen.state.troubles)}`,
        );
      });
    const view = await getDeliveryView(harness.client, harness.target.taskQueue);
    const reasons = (await getDeliveryView(harness.client, harness.target.taskQueue))!.notRegistered.map(
      (entry) => entry.reason,
    );
    expect(reasons.some((reason) => reason.includes('fails-sandbox is excluded'))).toBe(true);
    expect(reasons.some((reason) => reason.includes('ignoreOperatorForcedEnd'))).toBe(true);
    expect(view).toBeDefined();
    expect(incidentsOf('fails-sandbox')).toHaveLength(0);
    expect(incidentsOf('killed')).toHaveLength(0);
    expect(incidentsOf('too-long')[0]!.description).toContain('Forced end: timeLimit');
  }, 90_000);

  it('keeps exactly one incident when the first POST creates the record but answers 502', async () => {
    serviceNow.mode.createThen502 = 1;
    await start('flaky');
    await until(() => serviceNow.requests.some((request) => request.status === 502), '502 answered');
    await waitForJobnet(harness.client, harness.target.taskQueue, project, 'flaky', (v) =>
      v.state.troubles.some((trouble) => trouble.incident !== undefined),
    );
    expect(incidentsOf('flaky')).toHaveLength(1);
  });

  it('survives the instance being unreachable: one incident, one notice mail, one recovery mail', async () => {
    mails.length = 0;
    serviceNow.mode.down = true;
    await start('outage');
    const notice = Date.now();
    await until(() => mails.length >= 1, 'notice mail', 40_000);
    expect(Date.now() - notice).toBeLessThan(40_000);
    const during = await getDeliveryView(harness.client, harness.target.taskQueue);
    const sink = during!.sinks.find((s) => s.sink === 'serviceNow')!;
    expect(sink.backlog).toBeGreaterThanOrEqual(1);
    expect(sink.failing?.noticed).toBe(true);
    expect(sink.lastError?.message).toContain('cannot be reached');
    serviceNow.mode.down = false;
    await until(() => incidentsOf('outage').length === 1, 'incident after the outage', 60_000);
    await until(() => mails.length >= 2, 'recovery mail', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(incidentsOf('outage')).toHaveLength(1);
    expect(mails.map((mail) => mail.subject)).toEqual([
      expect.stringContaining('delivery to serviceNow is failing'),
      expect.stringContaining('delivery to serviceNow has recovered'),
    ]);
    expect(mails[0]!.to).toBe('ops@example.test');
  }, 120_000);

  it('keeps the ServiceNow password out of the delivery history and status', async () => {
    const history = await harness.client.workflow
      .getHandle(deliveryWorkflowId(harness.target.taskQueue))
      .fetchHistory();
    // Payload data is base64 in the fetched history: read it as the text it holds, or a secret in
    // it could never be found.
    const text = JSON.stringify(history, (key, value: unknown) =>
      key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
    );
    expect(text).toContain('INCIDENT_TEST_SN_PASSWORD');
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(`svc_jobnet:${password}`).toString('base64'));
    const status = JSON.stringify(await getDeliveryView(harness.client, harness.target.taskQueue));
    expect(status).not.toContain(password);
    const actor = JSON.stringify(await getJobnetView(harness.client, harness.target.taskQueue, project, 'fails'));
    expect(actor).not.toContain(password);
  });
});
