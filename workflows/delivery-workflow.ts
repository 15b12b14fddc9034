/**
 * The delivery workflow (docs/incidents.md, docs/logging.md): one per deployment, id
 * `jobnet-delivery/<deployment>` (lib/wire-contract.ts), started by the first `signalWithStart`
 * of a jobnet actor's items or of the controller's configuration. It holds one queue per sink —
 * ServiceNow incidents, Azure Monitor, each log webhook — and runs loops per sink that hand the
 * front of its queue to a delivery activity, remove what was delivered and, after a failure, wait
 * out the backoff (lib/delivery-sink.ts) before trying again: one loop per log sink, in order, and
 * `incidentLanes` for ServiceNow, each with a batch no other lane holds. A failure streak's start and
 * end are notified once each (R-INC-5). Whether a trouble opens an incident is decided when it is
 * queued, by the policy applied then (lib/incident-policy.ts).
 *
 * Durable: the queues are workflow state, so a worker, controller or server restart loses
 * nothing; an activity cut off by a dying worker times out and is tried again, and ServiceNow's
 * lookup by correlation id keeps that from creating a second incident (R-INC-3).
 *
 * History stays bounded: at `historyLimit` events (or when the server suggests it) the loops stop
 * after their attempt in flight and the workflow continues as new with its queues and status —
 * once those fit the payload limit (lib/delivery-carry.ts): until then the sinks keep delivering,
 * and a history near the server's own limits drops the oldest items, counted, instead.
 * Deterministic workflow code only: workflow clock, I/O in activities.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryActivities, IncidentOutcome, LogSinkTarget } from './activities/delivery.types.js';
import {
  deliveryConfigureSignal,
  deliveryEnqueueSignal,
  deliveryViewQuery,
  type DeliveryCarried,
  type DeliveryConfigurePayload,
  type DeliveryInput,
  type DeliveryView,
} from './delivery-contract.js';
import {
  azureMonitorSink,
  logSinkNames,
  serviceNowSink,
  webhookSinkName,
  type DeliveryConfig,
} from './lib/delivery-config.js';
import {
  carriedBytes,
  carryBudgetBytes,
  fitCarried,
  historyCeiling,
  historyNearCeiling,
} from './lib/delivery-carry.js';
import {
  afterAttempt,
  attemptBatchSize,
  claimBatch,
  enqueueBounded,
  incidentLanes,
  laneMayAttempt,
  newSinkStatus,
  type AttemptOutcome,
  type SinkStatus,
} from './lib/delivery-sink.js';
import type { IncidentItem } from './lib/incident-record.js';
import { incidentDecisionOf } from './lib/incident-policy.js';
import type { LogEvent } from './lib/log-events.js';

/** A worker killed mid-batch is noticed by the heartbeat timeout; the loop then tries again itself. */
const deliveries = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

const notices = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const defaultHistoryLimit = 4000;
const incidentBatch = 100;
const logBatch = 500;
const keptNotRegistered = 100;

export async function deliveryWorkflow(input: DeliveryInput): Promise<void> {
  const s: DeliveryCarried = input.carried ?? {
    unrouted: { incidents: [], logs: [] },
    incidents: [],
    logs: {},
    status: {},
    notRegistered: [],
  };
  /** Bumped by each configuration: a loop waiting out a backoff tries again at once. */
  let configEpoch = 0;
  /** Bumped by each attempt that delivered something: the carried state may fit now. */
  let deliveredEpoch = 0;
  let draining = false;
  /** The lanes running, as `<sink>#<lane>`. */
  const running = new Set<string>();
  /** Occurrence ids of the incidents an attempt in flight holds. */
  const claimed = new Set<string>();
  // Runs started before the lanes keep one loop per sink until they continue as new.
  const lanesOfServiceNow = patched('delivery-incident-lanes') ? incidentLanes : 1;
  const lanesOf = (sink: string): number => (sink === serviceNowSink ? lanesOfServiceNow : 1);
  const occurrenceOf = (queued: { item: IncidentItem }): string => queued.item.occurrenceId;

  const statusOf = (sink: string): SinkStatus => (s.status[sink] ??= newSinkStatus(sink));

  const configuredSinks = (config: DeliveryConfig | undefined): string[] =>
    config === undefined ? [] : [...(config.incidents !== undefined ? [serviceNowSink] : []), ...logSinkNames(config)];

  const backlogOf = (sink: string): unknown[] => (sink === serviceNowSink ? s.incidents : (s.logs[sink] ?? []));
  const hasUnclaimedWork = (sink: string): boolean =>
    sink === serviceNowSink
      ? s.incidents.some((queued) => !claimed.has(occurrenceOf(queued)))
      : backlogOf(sink).length > 0;

  const route = (incidents: IncidentItem[], logs: LogEvent[]): void => {
    const config = s.config;
    if (config === undefined) {
      enqueueBounded(s.unrouted.incidents, incidents);
      enqueueBounded(s.unrouted.logs, logs);
      return;
    }
    for (const item of incidents) {
      const decision = incidentDecisionOf(config.incidents, item);
      if (decision.register) {
        const dropped = enqueueBounded(s.incidents, [{ item, impact: decision.impact, urgency: decision.urgency }]);
        statusOf(serviceNowSink).dropped += dropped;
      } else {
        s.notRegistered.push({ occurrenceId: item.occurrenceId, reason: decision.reason });
        if (s.notRegistered.length > keptNotRegistered)
          s.notRegistered.splice(0, s.notRegistered.length - keptNotRegistered);
      }
    }
    if (logs.length > 0)
      for (const sink of logSinkNames(config)) statusOf(sink).dropped += enqueueBounded((s.logs[sink] ??= []), logs);
  };

  const configure = (payload: DeliveryConfigurePayload): void => {
    if (s.config !== undefined && JSON.stringify(s.config) === JSON.stringify(payload.config)) return;
    s.config = payload.config;
    configEpoch += 1;
    const sinks = new Set(configuredSinks(s.config));
    for (const sink of Object.keys(s.logs)) if (!sinks.has(sink)) delete s.logs[sink];
    if (!sinks.has(serviceNowSink)) s.incidents.length = 0;
    for (const sink of Object.keys(s.status)) if (!sinks.has(sink)) delete s.status[sink];
    const { incidents, logs } = s.unrouted;
    s.unrouted = { incidents: [], logs: [] };
    route(incidents, logs);
    startLoops();
  };

  const view = (): DeliveryView => ({
    ...(s.config !== undefined ? { revision: s.config.revision } : {}),
    configured: s.config !== undefined,
    sinks: configuredSinks(s.config).map((sink) => ({ ...statusOf(sink), backlog: backlogOf(sink).length })),
    unrouted: s.unrouted.incidents.length + s.unrouted.logs.length,
    notRegistered: [...s.notRegistered],
  });

  const sinkConfigured = (sink: string): boolean => configuredSinks(s.config).includes(sink);
  // Runs started before probes send full batches through an outage until they continue as new.
  const probing = patched('delivery-probe-batches');
  const batchSizeOf = (sink: string, full: number): number => (probing ? attemptBatchSize(s.status[sink], full) : full);

  /** One attempt at the front of the sink's queue: what happened and how many were delivered. */
  const attempt = async (sink: string): Promise<{ outcome: AttemptOutcome; delivered: number }> => {
    const config = s.config as DeliveryConfig;
    if (sink === serviceNowSink) {
      const batch = claimBatch(s.incidents, claimed, occurrenceOf, batchSizeOf(sink, incidentBatch));
      for (const queued of batch) claimed.add(occurrenceOf(queued));
      let results: IncidentOutcome[];
      try {
        results = await deliveries.deliverIncidents({ serviceNow: config.incidents!.serviceNow, incidents: batch });
      } catch (error) {
        return { outcome: { ok: false, configuration: false, error: failureText(error) }, delivered: 0 };
      } finally {
        for (const queued of batch) claimed.delete(occurrenceOf(queued));
      }
      const done = new Set(results.filter((result) => result.ok).map((result) => result.occurrenceId));
      s.incidents = s.incidents.filter((queued) => !done.has(queued.item.occurrenceId));
      const failures = results.filter((result) => !result.ok);
      const [first] = failures;
      if (first === undefined) return { outcome: { ok: true }, delivered: done.size };
      const retryAfter = Math.max(0, ...failures.map((failure) => failure.retryAfterMs ?? 0));
      return {
        outcome: {
          ok: false,
          configuration: failures.some((failure) => failure.configuration),
          error: first.error,
          ...(retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
        },
        delivered: done.size,
      };
    }
    const queue = s.logs[sink] ?? [];
    const batch = queue.slice(0, batchSizeOf(sink, logBatch));
    const target: LogSinkTarget =
      sink === azureMonitorSink
        ? { kind: 'azureMonitor', sink: config.logSinks.azureMonitor! }
        : { kind: 'webhook', sink: config.logSinks.webhooks.find((hook) => webhookSinkName(hook.name) === sink)! };
    let outcome: AttemptOutcome;
    try {
      outcome = await deliveries.deliverLogs({ target, events: batch });
    } catch (error) {
      outcome = { ok: false, configuration: false, error: failureText(error) };
    }
    if (!outcome.ok) return { outcome, delivered: 0 };
    const ids = new Set(batch.map((event) => event.id));
    const current = s.logs[sink];
    if (current !== undefined) s.logs[sink] = current.filter((event) => !ids.has(event.id));
    return { outcome, delivered: batch.length };
  };

  const sinkLoop = async (sink: string, lane: number): Promise<void> => {
    try {
      for (;;) {
        await condition(
          () => draining || !sinkConfigured(sink) || laneMayAttempt(lane, hasUnclaimedWork(sink), s.status[sink]),
        );
        if (draining || !sinkConfigured(sink)) return;
        const failing = statusOf(sink).failing;
        if (failing !== undefined && failing.nextAttemptAt > Date.now()) {
          const epoch = configEpoch;
          await condition(() => draining || configEpoch !== epoch, failing.nextAttemptAt - Date.now());
          if (draining) return;
          if (!sinkConfigured(sink) || !hasUnclaimedWork(sink)) continue;
        }
        const { outcome, delivered } = await attempt(sink);
        if (delivered > 0) deliveredEpoch += 1;
        if (!sinkConfigured(sink)) continue;
        const decision = afterAttempt(statusOf(sink), outcome, Date.now(), delivered);
        s.status[sink] = decision.status;
        const notify = s.config?.incidents?.notify;
        if (decision.notice !== undefined && notify !== undefined) {
          try {
            await notices.sendDeliveryNotice({ deployment: input.deployment, notify, notice: decision.notice });
            delete statusOf(sink).lastNoticeError;
          } catch (error) {
            statusOf(sink).lastNoticeError = failureText(error);
          }
        }
      }
    } finally {
      running.delete(`${sink}#${lane}`);
    }
  };

  const startLoops = (): void => {
    if (draining) return;
    for (const sink of configuredSinks(s.config))
      for (let lane = 0; lane < lanesOf(sink); lane += 1) {
        const key = `${sink}#${lane}`;
        if (running.has(key)) continue;
        running.add(key);
        void sinkLoop(sink, lane);
      }
  };

  setHandler(deliveryEnqueueSignal, (items) => route(items.incidents, items.logs));
  setHandler(deliveryConfigureSignal, configure);
  setHandler(deliveryViewQuery, view);

  startLoops();
  const limit = input.historyLimit ?? defaultHistoryLimit;
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > limit);
  // The state is the next run's input: above the payload limit the server refuses the
  // continue-as-new and terminates the workflow with all it holds (lib/delivery-carry.ts). Runs
  // that began before this check (no marker) continue as new at once, as they did.
  const bounded = patched('delivery-carry-budget');
  const ceiling = { ...historyCeiling, events: input.carryLimits?.historyEvents ?? historyCeiling.events };
  const nearCeiling = (): boolean =>
    historyNearCeiling({ length: workflowInfo().historyLength, sizeBytes: workflowInfo().historySize }, ceiling);
  const budget = input.carryLimits?.budgetBytes ?? carryBudgetBytes;
  if (bounded) {
    while (carriedBytes(s) > budget && !nearCeiling()) {
      const epoch = deliveredEpoch;
      await condition(() => deliveredEpoch !== epoch || nearCeiling());
    }
  }
  draining = true;
  await condition(() => running.size === 0 && allHandlersFinished());
  if (bounded) {
    const drops = fitCarried(s, budget);
    if (Object.keys(drops).length > 0)
      log.warn('the delivery backlog exceeded what continue-as-new can carry; the oldest items were dropped', {
        drops,
      });
  }
  await continueAsNew<typeof deliveryWorkflow>({
    deployment: input.deployment,
    carried: s,
    ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}),
    ...(input.carryLimits !== undefined ? { carryLimits: input.carryLimits } : {}),
  });
}

function failureText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
