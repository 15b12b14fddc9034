/**
 * Signatures of the delivery activities (delivery-activities.ts), shared with the workflows that
 * call them. Types only.
 */
import type { DeliveryEnqueue, QueuedIncident } from '../delivery-contract.js';
import type {
  CompiledAzureMonitorSink,
  CompiledIncidentPolicy,
  CompiledServiceNow,
  CompiledWebhookTarget,
} from '../lib/delivery-config.js';
import type { AttemptOutcome, SinkNotice } from '../lib/delivery-sink.js';
import type { LogEvent } from '../lib/log-events.js';

/** What the actor hands on after a step. */
export interface EnqueueDeliveriesRequest {
  deployment: string;
  items: DeliveryEnqueue;
}

/** One incident's outcome: created or found (with its number), or failed. */
export type IncidentOutcome =
  | { ok: true; occurrenceId: string; number: string; sysId: string; created: boolean }
  | ({ occurrenceId: string } & Extract<AttemptOutcome, { ok: false }>);

export interface DeliverIncidentsRequest {
  serviceNow: CompiledServiceNow;
  incidents: QueuedIncident[];
}

export type LogSinkTarget =
  { kind: 'azureMonitor'; sink: CompiledAzureMonitorSink } | { kind: 'webhook'; sink: CompiledWebhookTarget };

export interface DeliverLogsRequest {
  target: LogSinkTarget;
  events: LogEvent[];
}

export interface SendNoticeRequest {
  deployment: string;
  notify: CompiledIncidentPolicy['notify'];
  notice: SinkNotice;
}

export interface DeliveryActivities {
  /** Prints the log events on stdout (JSON lines) and hands the items to the delivery workflow. */
  enqueueDeliveries(request: EnqueueDeliveriesRequest): Promise<void>;
  /** Looks up, then creates, each incident: exactly once by correlation id (R-INC-3). */
  deliverIncidents(request: DeliverIncidentsRequest): Promise<IncidentOutcome[]>;
  /** Sends one batch of log events to one sink. */
  deliverLogs(request: DeliverLogsRequest): Promise<AttemptOutcome>;
  /** Sends a failure-streak notice by mail and webhooks; throws when a target failed. */
  sendDeliveryNotice(request: SendNoticeRequest): Promise<void>;
}
