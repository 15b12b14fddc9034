/**
 * Pure. The delivery section of the controller status (`jobnet status`, `GET /api/v1/status`,
 * R-INC-5): per sink its backlog, what it delivered and dropped, the last success, the last error
 * in the remote end's words and the failure streak in progress, with instants as ISO-8601 — made
 * from the delivery workflow's view. No I/O; nothing in the view is a secret.
 */
import type { DeliveryView } from '../../workflows/delivery-contract.js';

export interface DeliverySinkStatus {
  sink: string;
  backlog: number;
  delivered: number;
  dropped: number;
  lastSuccessAt?: string;
  lastError?: { at: string; message: string; configuration: boolean };
  /** The failure streak in progress. */
  streak?: { since: string; attempts: number; noticed: boolean; nextAttemptAt: string };
  lastNoticeError?: string;
}

export interface DeliveryStatus {
  configured: boolean;
  /** The revision whose delivery configuration the workflow holds. */
  revision?: string;
  sinks: DeliverySinkStatus[];
  /** Items waiting for a first configuration. */
  unrouted: number;
  /** Set when the delivery workflow could not be read. */
  error?: string;
}

const iso = (at: number): string => new Date(at).toISOString();

export function deliveryStatusOf(view: DeliveryView | undefined): DeliveryStatus {
  if (view === undefined) return { configured: false, sinks: [], unrouted: 0 };
  return {
    configured: view.configured,
    ...(view.revision !== undefined ? { revision: view.revision } : {}),
    unrouted: view.unrouted,
    sinks: view.sinks.map((sink) => {
      const entry: DeliverySinkStatus = {
        sink: sink.sink,
        backlog: sink.backlog,
        delivered: sink.delivered,
        dropped: sink.dropped,
      };
      if (sink.lastSuccessAt !== undefined) entry.lastSuccessAt = iso(sink.lastSuccessAt);
      if (sink.lastError !== undefined)
        entry.lastError = {
          at: iso(sink.lastError.at),
          message: sink.lastError.message,
          configuration: sink.lastError.configuration,
        };
      if (sink.failing !== undefined)
        entry.streak = {
          since: iso(sink.failing.since),
          attempts: sink.failing.attempts,
          noticed: sink.failing.noticed,
          nextAttemptAt: iso(sink.failing.nextAttemptAt),
        };
      if (sink.lastNoticeError !== undefined) entry.lastNoticeError = sink.lastNoticeError;
      return entry;
    }),
  };
}
