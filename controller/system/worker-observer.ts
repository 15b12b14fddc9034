/**
 * One sink, two consumers: what a worker's workflows and activities report is counted in the
 * process's metrics and written as the process's terminal line (docs/operations.md "Metrics",
 * "What the terminal shows"). No I/O of its own.
 */
import { recordJobnetEvent, recordRestPoll } from '../metrics/record-events.js';
import type { JobnetMetrics } from '../metrics/metrics.js';
import type { WorkerObserver } from '../worker/start-worker.js';
import type { ProcessLog } from './process-log.js';

export function workerObserverOf(metrics: JobnetMetrics, log: ProcessLog): WorkerObserver {
  return {
    event(event) {
      recordJobnetEvent(metrics, event);
      log.event(event);
    },
    restPoll(timing) {
      recordRestPoll(metrics, timing);
    },
  };
}
