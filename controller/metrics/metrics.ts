/**
 * The product's Prometheus metrics (docs/operations.md "Metrics"): one registry per process with
 * its typed instruments, all named `jobnet_…` in base units (seconds), counters ending `_total`.
 * Labels are bounded: projects, jobnet names never (a deployment may have thousands), job types,
 * final states, trouble kinds, results, HTTP methods, route patterns and status classes — never a
 * run id, a job instance, a user or a raw URL.
 *
 * Each process serves its own registry (`jobnet up`: worker, controller and API in one; `jobnet
 * worker --metrics-listen`; `jobnet controller --listen`; `jobnet api`). This module only creates
 * the instruments; `record-events.ts` maps what happens onto them and `api-server.ts` serves them.
 * No I/O.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryStatus } from '../incidents/delivery-status.js';

/** The registry and instruments of one process. */
export interface JobnetMetrics {
  registry: Registry;
  runsStarted: Counter<'project' | 'trigger'>;
  runsEnded: Counter<'project' | 'status'>;
  jobDuration: Histogram<'project' | 'type' | 'state'>;
  troubles: Counter<'project' | 'kind'>;
  operations: Counter<'project' | 'operation'>;
  reconcileDuration: Histogram<'result'>;
  restPollLateness: Histogram<'project'>;
  apiRequests: Counter<'method' | 'route' | 'status_class'>;
}

/** Job durations: from a second to a day. */
const jobDurationBuckets = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];
/** A reconcile takes milliseconds to a minute. */
const reconcileBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** A poll on time is late by milliseconds; a busy or absent worker makes it seconds to minutes. */
const lateBuckets = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300];

/** A registry with every instrument, and the process's own metrics (`jobnet_process_…`, `jobnet_nodejs_…`). */
export function createJobnetMetrics(options: { processMetrics?: boolean } = {}): JobnetMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'jobnet_' });
  const registers = [registry];
  return {
    registry,
    runsStarted: new Counter({
      name: 'jobnet_runs_started_total',
      help: 'Runs started (child runs included), by project and what started them.',
      labelNames: ['project', 'trigger'],
      registers,
    }),
    runsEnded: new Counter({
      name: 'jobnet_runs_ended_total',
      help: 'Runs reaching a final status (normal, pseudoNormal, abended, forced); a restarted run that ends again counts again.',
      labelNames: ['project', 'status'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'jobnet_job_duration_seconds',
      help: 'Duration of the jobs that ran, from start to end, by project, job type and final job state.',
      labelNames: ['project', 'type', 'state'],
      buckets: jobDurationBuckets,
      registers,
    }),
    troubles: new Counter({
      name: 'jobnet_troubles_total',
      help: 'Troubles recorded, by project and kind (jobnetAbended, startDelayed, endDelayed, jobOverrun, …).',
      labelNames: ['project', 'kind'],
      registers,
    }),
    operations: new Counter({
      name: 'jobnet_operations_total',
      help: 'Operations accepted on jobnets and runs, by project and operation.',
      labelNames: ['project', 'operation'],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'jobnet_reconcile_duration_seconds',
      help: 'Duration of reconciles, by result (applied, unchanged, stalled, failed).',
      labelNames: ['result'],
      buckets: reconcileBuckets,
      registers,
    }),
    restPollLateness: new Histogram({
      name: 'jobnet_rest_poll_lateness_seconds',
      help: "How late a REST job's poll began against its due instant (its attempt's scheduled time), by project.",
      labelNames: ['project'],
      buckets: lateBuckets,
      registers,
    }),
    apiRequests: new Counter({
      name: 'jobnet_api_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status class (2xx, 4xx, …).',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    }),
  };
}

/** The content type of the text exposition format served at `/metrics`. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Delivery instruments (docs/incidents.md "Failure handling"), read from the delivery workflow at
 * each scrape by `read` (the controller's or API's client): `jobnet_delivery_backlog{sink}`,
 * `jobnet_deliveries_total{sink,result}` (result `delivered` or `dropped`, as the workflow counts
 * them — they survive restarts), `jobnet_delivery_failing{sink}` (1 during a failure streak) and
 * `jobnet_delivery_last_success_timestamp_seconds{sink}`. Sink names are bounded: `serviceNow`,
 * `azureMonitor`, `webhook:<name>` of the configuration.
 */
export function registerDeliveryMetrics(registry: Registry, read: () => Promise<DeliveryStatus>): void {
  let pending: Promise<DeliveryStatus> | undefined;
  // One read per scrape, shared by the instruments.
  const current = (): Promise<DeliveryStatus> => {
    pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  const registers = [registry];
  new Gauge({
    name: 'jobnet_delivery_backlog',
    help: 'Incidents or log events waiting for delivery, by sink.',
    labelNames: ['sink'],
    registers,
    async collect() {
      this.reset();
      for (const sink of (await current()).sinks) this.set({ sink: sink.sink }, sink.backlog);
    },
  });
  new Counter({
    name: 'jobnet_deliveries_total',
    help: 'Incidents and log events delivered or dropped (backlog full), by sink and result.',
    labelNames: ['sink', 'result'],
    registers,
    async collect() {
      this.reset();
      for (const sink of (await current()).sinks) {
        this.inc({ sink: sink.sink, result: 'delivered' }, sink.delivered);
        this.inc({ sink: sink.sink, result: 'dropped' }, sink.dropped);
      }
    },
  });
  new Gauge({
    name: 'jobnet_delivery_failing',
    help: '1 while deliveries to the sink fail in a row (a failure streak), else 0.',
    labelNames: ['sink'],
    registers,
    async collect() {
      this.reset();
      for (const sink of (await current()).sinks) this.set({ sink: sink.sink }, sink.streak !== undefined ? 1 : 0);
    },
  });
  new Gauge({
    name: 'jobnet_delivery_last_success_timestamp_seconds',
    help: 'When a delivery to the sink last succeeded (Unix seconds).',
    labelNames: ['sink'],
    registers,
    async collect() {
      this.reset();
      for (const sink of (await current()).sinks)
        if (sink.lastSuccessAt !== undefined) this.set({ sink: sink.sink }, Date.parse(sink.lastSuccessAt) / 1000);
    },
  });
}
