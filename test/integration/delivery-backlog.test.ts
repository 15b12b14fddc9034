/**
 * The delivery workflow's backlog across continue-as-new, on the real dev server with a real
 * worker (docs/incidents.md#bounded-state). The carried state is the next run's input, and above
 * the payload limit the server refuses the continue-as-new and terminates the workflow with
 * everything queued; so the workflow continues as new only once its state fits the carry budget,
 * and drops the oldest items, counted, when its history reaches the ceiling first. With the limits
 * lowered: a webhook sink down while 600 events arrive — the run reaches the ceiling, drops what
 * does not fit (counted: dropped + backlog = 600), continues as new instead of being terminated,
 * and once the sink is back delivers exactly the events it kept, once each; with the sink keeping
 * up, 200 more events pass through further continue-as-new runs with nothing dropped.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getDeliveryView } from '../../controller/incidents/delivery-client.js';
import {
  deliveryConfigureSignal,
  deliveryEnqueueSignal,
  type DeliveryConfigurePayload,
  type DeliveryInput,
} from '../../workflows/delivery-contract.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { logEventOf, type LogEvent } from '../../workflows/lib/log-events.js';
import { deliveryWorkflowId, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { startWebhookReceiver, type WebhookReceiver } from '../emulators/webhook-receiver.js';
import { until } from './gitops-repository.js';
import { startRunHarness, type RunHarness } from './run-harness.js';

const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
const sink = 'webhook:ops';
let harness: RunHarness;
let hook: WebhookReceiver;

beforeAll(async () => {
  process.env.DELIVERY_BACKLOG_HOOK_SECRET = webhookSecret;
  hook = await startWebhookReceiver(webhookSecret);
  harness = await startRunHarness();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await hook?.close();
});

const eventsFrom = (from: number, count: number): LogEvent[] =>
  Array.from({ length: count }, (_, n) =>
    logEventOf('jobnetEnded', {
      id: `backlog-${from + n}`,
      at: 1_796_000_000_000 + from + n,
      project: 'backlog',
      jobnet: `jobnet-${(from + n) % 7}`,
      runId: `run-${from + n}`,
    }),
  );

const idOf = (body: unknown): string => (body as { data: { id: string } }).data.id;

it('continues as new within the payload limit: drops what cannot be carried, counted, and delivers the rest once', async () => {
  const taskQueue = harness.target.taskQueue;
  const workflowId = deliveryWorkflowId(taskQueue);
  const config: DeliveryConfig = {
    revision: 'r1',
    logSinks: {
      webhooks: [
        {
          name: 'ops',
          url: hook.url,
          credential: {
            name: 'ops-hook',
            type: 'others',
            keys: { webhookSecret: { secretRef: { env: 'DELIVERY_BACKLOG_HOOK_SECRET' } } },
          },
        },
      ],
    },
  };
  const input: DeliveryInput = {
    deployment: taskQueue,
    historyLimit: 30,
    carryLimits: { budgetBytes: 40_000, historyEvents: 150 },
  };
  const configure: [DeliveryConfigurePayload] = [{ config }];
  hook.mode.failures = Number.MAX_SAFE_INTEGER;
  await harness.client.workflow.signalWithStart(workflowTypes.delivery, {
    workflowId,
    taskQueue,
    args: [input],
    signal: deliveryConfigureSignal,
    signalArgs: configure,
  });
  const handle = harness.client.workflow.getHandle(workflowId);
  // 120 signals: their own events take the history past the ceiling, without waiting for the
  // failing sink's attempts, which come at the backoff's pace.
  for (let batch = 0; batch < 120; batch += 1)
    await handle.signal(deliveryEnqueueSignal, { incidents: [], logs: eventsFrom(batch * 5, 5) });

  const runs = async () => {
    const found: { runId: string; status: string }[] = [];
    for await (const execution of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      found.push({ runId: execution.runId, status: execution.status.name });
    return found;
  };
  const trimmed = await until(
    'a continue-as-new that had to drop',
    async () => {
      const view = await getDeliveryView(harness.client, taskQueue);
      const status = view?.sinks.find((entry) => entry.sink === sink);
      return status !== undefined && status.dropped > 0 && (await runs()).length >= 2 ? status : undefined;
    },
    90_000,
  );
  expect((await runs()).map((run) => run.status)).not.toContain('TERMINATED');
  expect((await runs()).map((run) => run.status)).toContain('CONTINUED_AS_NEW');
  // Nothing vanished: every event is either still queued or counted as dropped.
  expect(trimmed.dropped + trimmed.backlog).toBe(600);
  expect(trimmed.backlog).toBeGreaterThan(0);
  // The oldest were dropped: what is kept is the newest `backlog` events.
  const kept = new Set(eventsFrom(600 - trimmed.backlog, trimmed.backlog).map((event) => event.id));

  hook.mode.failures = 0;
  let lastView: unknown;
  await until(
    'the kept backlog delivered',
    async () => {
      if (hook.received.length >= kept.size) return true;
      lastView = await getDeliveryView(harness.client, taskQueue);
      return undefined;
    },
    // The sink's backoff is at most 30 s; the rest is room for a machine running the whole suite.
    180_000,
    () => `received ${hook.received.length} of ${kept.size}; delivery: ${JSON.stringify(lastView)}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const delivered = hook.received.map((message) => idOf(message.body));
  expect(new Set(delivered)).toEqual(kept);
  expect(delivered).toHaveLength(kept.size);

  // With the sink up, the state fits: more continue-as-new runs, nothing dropped.
  const runsBefore = (await runs()).length;
  // Each batch once the previous one is delivered: the state stays small, whatever the machine's pace.
  for (let batch = 0; batch < 20; batch += 1) {
    await until(
      'the backlog delivered',
      async () => {
        const view = await getDeliveryView(harness.client, taskQueue);
        return view?.sinks.find((entry) => entry.sink === sink)?.backlog === 0 ? true : undefined;
      },
      30_000,
    );
    await handle.signal(deliveryEnqueueSignal, { incidents: [], logs: eventsFrom(1_000 + batch * 10, 10) });
  }
  await until(
    'the next 200 events delivered',
    () => (hook.received.length >= kept.size + 200 ? true : undefined),
    90_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = hook.received.map((message) => idOf(message.body));
  expect(after).toHaveLength(kept.size + 200);
  expect(new Set(after).size).toBe(kept.size + 200);
  for (const event of eventsFrom(1_000, 200)) expect(after).toContain(event.id);
  const view = await getDeliveryView(harness.client, taskQueue);
  expect(view?.sinks.find((entry) => entry.sink === sink)).toMatchObject({ dropped: trimmed.dropped, backlog: 0 });
  expect((await runs()).length).toBeGreaterThan(runsBefore);
  expect((await runs()).map((run) => run.status)).not.toContain('TERMINATED');
}, 420_000);
