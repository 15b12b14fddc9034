/**
 * The messages of the delivery workflow (`delivery-workflow.ts`), shared by the jobnet actors'
 * activity that hands it items, the controller that applies the configuration, `jobnet status`
 * and the API that read its status, and the activities that report incident numbers back.
 *
 * Workflow-safe: only @temporalio/workflow message definitions and plain types.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeliveryConfig } from './lib/delivery-config.js';
import type { SinkStatus } from './lib/delivery-sink.js';
import type { IncidentItem } from './lib/incident-record.js';
import type { LogEvent } from './lib/log-events.js';

/** An incident item with the rule's impact and urgency, decided when it was queued. */
export interface QueuedIncident {
  item: IncidentItem;
  impact: number;
  urgency: number;
}

/** State carried across continue-as-new. */
export interface DeliveryCarried {
  config?: DeliveryConfig;
  /** Items that arrived before any configuration. */
  unrouted: { incidents: IncidentItem[]; logs: LogEvent[] };
  incidents: QueuedIncident[];
  logs: Record<string, LogEvent[]>;
  status: Record<string, SinkStatus>;
  /** Incidents decided not to register, and why (the most recent). */
  notRegistered: { occurrenceId: string; reason: string }[];
}

export interface DeliveryInput {
  deployment: string;
  carried?: DeliveryCarried;
  /** Events before continue-as-new (tests lower it). */
  historyLimit?: number;
  /**
   * What continue-as-new may carry and how long a history waits for it to fit
   * (lib/delivery-carry.ts; tests lower them).
   */
  carryLimits?: { budgetBytes?: number; historyEvents?: number };
}

/** Items from a jobnet actor: its troubles' incidents and its log events. */
export interface DeliveryEnqueue {
  incidents: IncidentItem[];
  logs: LogEvent[];
}

export const deliveryEnqueueSignal = defineSignal<[DeliveryEnqueue]>('deliveryEnqueue');
/** The configuration of a revision, applied by the controller. */
export interface DeliveryConfigurePayload {
  config: DeliveryConfig;
}

export const deliveryConfigureSignal = defineSignal<[DeliveryConfigurePayload]>('deliveryConfigure');

/** What `jobnet status` and the API show of delivery. */
export interface DeliveryView {
  revision?: string;
  configured: boolean;
  sinks: SinkStatus[];
  /** Items waiting for a first configuration. */
  unrouted: number;
  notRegistered: { occurrenceId: string; reason: string }[];
}

export const deliveryViewQuery = defineQuery<DeliveryView>('deliveryView');

/** An incident created or found for a trouble, told to the actor that holds it. */
export interface IncidentRegistered {
  troubleId: string;
  number: string;
  sysId: string;
}

export const incidentRegisteredSignal = defineSignal<[IncidentRegistered]>('incidentRegistered');
