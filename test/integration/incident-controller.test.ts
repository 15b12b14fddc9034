/**
 * Incidents and the job management log through the controller (docs/incidents.md, docs/logging.md):
 * a definitions directory with an IncidentPolicy pointing at the ServiceNow stand-in
 * (test/emulators/servicenow-server.ts), Settings `logSinks` with a signed webhook
 * (test/emulators/webhook-receiver.ts) and Credentials whose secrets are environment references the
 * worker resolves, reconciled by a real controller process (`startControllerProcess`) serving the
 * operator API, on the shared dev server with a real worker. A jobnet started over the API abends:
 * exactly one incident with the policy's impact and urgency, the run's events on the webhook. Then,
 * over real HTTP, `/api/v1/status` has the delivery section and `/metrics` the delivery families;
 * and neither the ServiceNow password nor the webhook secret is in the status, the metrics, the
 * output of the real `jobnet status --json` / `jobnet troubles --json`, or the delivery workflow's
 * history.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokenDigest, newApiToken } from '../../controller/api/auth/api-tokens.js';
import { TokenAccounts } from '../../controller/api/auth/token-accounts.js';
import type { DeliveryStatus } from '../../controller/incidents/delivery-status.js';
import { createJobnetMetrics } from '../../controller/metrics/metrics.js';
import {
  jsonLogLine,
  startControllerProcess,
  type RunningController,
} from '../../controller/system/controller-process.js';
import { deliveryConfigureSignal } from '../../workflows/delivery-contract.js';
import { deliveryWorkflowId } from '../../workflows/lib/wire-contract.js';
import { runJobnet } from '../cli/cli-process.js';
import { startServiceNowStandIn, type ServiceNowStandIn } from '../emulators/servicenow-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../emulators/webhook-receiver.js';
import { scrape } from '../metrics/scrape.js';
import { until } from './gitops-repository.js';
import { startRunHarness, type RunHarness } from './run-harness.js';

const fixture = path.resolve(import.meta.dirname, '..', 'fixtures', 'gitops', 'base');
const project = 'ctlinc';
const password = `sn-ctl-${randomBytes(8).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
const token = newApiToken();
const cleanups: (() => Promise<unknown>)[] = [];
const log: string[] = [];
let harness: RunHarness;
let serviceNow: ServiceNowStandIn;
let hook: WebhookReceiver;
let controller: RunningController;
let url: string;

const auth = { authorization: `Bearer ${token}` };

async function api(route: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const answer = await fetch(`${url}${route}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  return { status: answer.status, text: await answer.text() };
}

function definitionFiles(): Record<string, string> {
  return {
    'jobnet.yaml': `apiVersion: jobnet/v1
kind: Settings
metadata: {name: settings}
spec:
  timezone: UTC
  logSinks:
    webhooks:
      - name: ops
        url: ${hook.url}
        credential: ops-hook
`,
    'credentials/servicenow.yaml': `apiVersion: jobnet/v1
kind: Credential
metadata: {name: servicenow}
spec:
  type: basic
  user: svc_jobnet
  password: {secretRef: {env: CTL_INCIDENT_SN_PASSWORD}}
`,
    'credentials/ops-hook.yaml': `apiVersion: jobnet/v1
kind: Credential
metadata: {name: ops-hook}
spec:
  type: others
  keys:
    webhookSecret: {secretRef: {env: CTL_INCIDENT_HOOK_SECRET}, secret: true}
`,
    'incidents/servicenow.yaml': `apiVersion: jobnet/v1
kind: IncidentPolicy
metadata: {name: servicenow}
spec:
  serviceNow:
    instanceUrl: ${serviceNow.url}
    credential: servicenow
  rules:
    jobnetAbended:
      impact: 1
      urgency: 2
      include:
        - {project: ${project}, jobnet: "*"}
`,
    [`projects/${project}.yaml`]: `apiVersion: jobnet/v1
kind: Project
metadata: {name: ${project}}
spec:
  calendar: office
---
apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: ${project}, name: fails}
spec:
  start: {at: ["03:00"]}
  jobs:
    exit3: {type: command, argv: [sh, -c, "exit 3"]}
`,
  };
}

function incidentsOfFails() {
  return serviceNow.records.filter((record) => record.correlation_display?.startsWith(`${project}/fails#`));
}

function cliTarget(): string[] {
  return [
    '--address',
    harness.target.address,
    '--namespace',
    harness.target.namespace,
    '--task-queue',
    harness.target.taskQueue,
  ];
}

function expectNoSecret(text: string, where: string): void {
  expect(text.length, where).toBeGreaterThan(0);
  for (const secret of [password, webhookSecret, Buffer.from(`svc_jobnet:${password}`).toString('base64')])
    expect(text.includes(secret), `${where} holds a secret`).toBe(false);
}

beforeAll(async () => {
  // The worker of this test runs in this process: it resolves the references from here.
  process.env.CTL_INCIDENT_SN_PASSWORD = password;
  process.env.CTL_INCIDENT_HOOK_SECRET = webhookSecret;
  serviceNow = await startServiceNowStandIn('svc_jobnet', password);
  cleanups.push(() => serviceNow.close());
  hook = await startWebhookReceiver(webhookSecret);
  cleanups.push(() => hook.close());
  harness = await startRunHarness({ allowCommandJobs: true });
  cleanups.push(() => harness.stop());
  const root = await mkdtemp(path.join(tmpdir(), 'jobnet-incident-controller-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const definitions = path.join(root, 'definitions');
  await cp(fixture, definitions, { recursive: true });
  for (const [file, text] of Object.entries(definitionFiles())) {
    await mkdir(path.dirname(path.join(definitions, file)), { recursive: true });
    await writeFile(path.join(definitions, file), text);
  }
  controller = await startControllerProcess({
    client: harness.client,
    taskQueue: harness.target.taskQueue,
    source: { repo: definitions, pollIntervalMs: 1_000 },
    listen: { host: '127.0.0.1', port: 0 },
    resyncIntervalMs: 1_000,
    accounts: TokenAccounts.inMemory([
      { subject: 'root', groups: [], admin: true, tokens: [{ digest: Buffer.from(apiTokenDigest(token), 'hex') }] },
    ]),
    metrics: createJobnetMetrics({ processMetrics: false }),
    log: (level, message, fields) => log.push(jsonLogLine(level, message, fields)),
  });
  cleanups.push(() => controller.stop());
  url = (controller.api as { url: string }).url;
  await until(
    'the jobnet applied by the controller',
    async () => ((await api(`/api/v1/jobnets/${project}/fails`)).status === 200 ? true : undefined),
    60_000,
    () => log.join(''),
  );
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  delete process.env.CTL_INCIDENT_SN_PASSWORD;
  delete process.env.CTL_INCIDENT_HOOK_SECRET;
}, 60_000);

async function deliveryOf(): Promise<DeliveryStatus> {
  const status = await api('/api/v1/status');
  expect(status.status).toBe(200);
  return (JSON.parse(status.text) as { delivery: DeliveryStatus }).delivery;
}

describe('incidents and log sinks through the controller', () => {
  it('opens one incident under the policy and sends the run events to the webhook', async () => {
    const started = await api(`/api/v1/jobnets/${project}/fails/operations/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status, started.text).toBe(200);
    await until('an incident of the abended run', () => (incidentsOfFails().length > 0 ? true : undefined), 60_000);
    expect(incidentsOfFails()[0]).toMatchObject({
      impact: '1',
      urgency: '2',
      short_description: 'jobnet-gitops: Jobnet abnormal end',
      correlation_display: `${project}/fails#1`,
    });
    const codesOf = () =>
      hook.received
        .map((message) => (message.body as { data: { code: string; jobnet: string } }).data)
        .filter((event) => event.jobnet === 'fails')
        .map((event) => event.code);
    await until('start and abend on the webhook', () => (codesOf().includes('0330') ? true : undefined), 30_000);
    expect(codesOf()).toContain('0328');
    expect(hook.refused).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(incidentsOfFails()).toHaveLength(1);
    expect(serviceNow.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('shows the sinks in /api/v1/status and /metrics', async () => {
    const delivery = await until(
      'both sinks delivered, nothing waiting',
      async () => {
        const seen = await deliveryOf();
        const done = ['serviceNow', 'webhook:ops'].every((name) => {
          const sink = seen.sinks.find((entry) => entry.sink === name);
          return sink !== undefined && sink.backlog === 0 && sink.lastSuccessAt !== undefined;
        });
        return done ? seen : undefined;
      },
      30_000,
    );
    expect(delivery.configured).toBe(true);
    expect(delivery.sinks.map((sink) => sink.sink).sort()).toEqual(['serviceNow', 'webhook:ops']);
    for (const sink of delivery.sinks) {
      expect(sink.delivered).toBeGreaterThanOrEqual(1);
      expect(sink.lastError).toBeUndefined();
      expect(sink.streak).toBeUndefined();
      expect(Number.isNaN(Date.parse(sink.lastSuccessAt ?? ''))).toBe(false);
    }
    const metrics = await scrape(`${url}/metrics`, auth);
    for (const sink of ['serviceNow', 'webhook:ops']) {
      expect(metrics.families).toContain('jobnet_delivery_backlog');
      expect(metrics.value('jobnet_delivery_backlog', { sink })).toBe(0);
      expect(metrics.value('jobnet_deliveries_total', { sink, result: 'delivered' })).toBeGreaterThanOrEqual(1);
      expect(metrics.value('jobnet_delivery_failing', { sink })).toBe(0);
    }
    expect(metrics.value('jobnet_deliveries_total', { sink: 'serviceNow', result: 'delivered' })).toBe(1);
  });

  it('keeps the ServiceNow password and the webhook secret out of status, metrics, CLI output and history', async () => {
    expectNoSecret((await api('/api/v1/status')).text, 'GET /api/v1/status');
    expectNoSecret((await api('/metrics')).text, 'GET /metrics');
    const status = await runJobnet(['status', '--json', ...cliTarget()]);
    expect(status.stderr).toBe('');
    expect((JSON.parse(status.stdout) as { delivery: DeliveryStatus }).delivery.sinks).toHaveLength(2);
    expectNoSecret(status.stdout, 'jobnet status --json');
    const table = await runJobnet(['status', ...cliTarget()]);
    expect(table.stdout).toContain('webhook:ops');
    expectNoSecret(table.stdout + table.stderr, 'jobnet status');
    const troubles = await runJobnet(['troubles', `${project}/fails`, '--json', ...cliTarget()]);
    expect(troubles.code, troubles.stderr).toBe(0);
    const listed = JSON.parse(troubles.stdout) as { kind: string; incident?: { number: string } }[];
    expect(listed.find((trouble) => trouble.kind === 'jobnetAbended')?.incident?.number).toBe(
      incidentsOfFails()[0]!.number,
    );
    expectNoSecret(troubles.stdout + troubles.stderr, 'jobnet troubles --json');
    const history = await harness.client.workflow
      .getHandle(deliveryWorkflowId(harness.target.taskQueue))
      .fetchHistory();
    // Payload data is base64 in the fetched history: read it as the text it holds.
    const text = JSON.stringify(history, (key, value: unknown) =>
      key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
    );
    expect(text).toContain('CTL_INCIDENT_SN_PASSWORD');
    // Resyncs every second since the start: the configuration was sent once, not at each.
    const configured = (history.events ?? []).filter(
      (event) => event.workflowExecutionSignaledEventAttributes?.signalName === deliveryConfigureSignal.name,
    );
    expect(configured).toHaveLength(1);
    expectNoSecret(text, 'the delivery workflow history');
    expectNoSecret(log.join('\n'), 'the controller log');
  });
});
