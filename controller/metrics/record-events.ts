/**
 * What happens, counted: maps each workflow event (workflows/event-sink-contract.ts), REST poll
 * timing, reconcile and API answer onto the instruments of `metrics.ts`. Pure apart from updating
 * the in-memory instruments it is given; no I/O, no clock (every duration arrives measured).
 */
import type { RestPollTiming } from '../../workflows/activities/rest-activities.js';
import type { JobnetEvent } from '../../workflows/event-sink-contract.js';
import type { JobnetMetrics } from './metrics.js';

/** Counts one workflow event. */
export function recordJobnetEvent(metrics: JobnetMetrics, event: JobnetEvent): void {
  switch (event.event) {
    case 'runStarted':
      metrics.runsStarted.inc({ project: event.project, trigger: event.trigger });
      return;
    case 'runEnded':
      metrics.runsEnded.inc({ project: event.project, status: event.status });
      return;
    case 'jobEnded':
      metrics.jobDuration.observe({ project: event.project, type: event.jobType, state: event.state }, event.seconds);
      return;
    case 'trouble':
      metrics.troubles.inc({ project: event.project, kind: event.trouble });
      return;
    case 'operation':
      metrics.operations.inc({ project: event.project, operation: event.operation });
      return;
  }
}

/** Observes how late one REST poll began. */
export function recordRestPoll(metrics: JobnetMetrics, timing: RestPollTiming): void {
  metrics.restPollLateness.observe({ project: timing.project }, timing.lateSeconds);
}

/** Observes one reconcile: its result and how long it took. */
export function recordReconcile(metrics: JobnetMetrics, result: string, seconds: number): void {
  metrics.reconcileDuration.observe({ result }, seconds);
}

/**
 * Counts one API answer. `route` is the route's pattern (`/api/v1/runs/:runId`), or `unmatched`
 * for a request no route took (a 404): never the raw URL, whose ids would make the labels unbounded.
 */
export function recordApiRequest(
  metrics: JobnetMetrics,
  request: { method: string; route: string | undefined },
  statusCode: number,
): void {
  metrics.apiRequests.inc({
    method: request.method,
    route: request.route ?? 'unmatched',
    status_class: `${Math.floor(statusCode / 100)}xx`,
  });
}
