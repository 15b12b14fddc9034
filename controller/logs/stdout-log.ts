/**
 * The stdout sink of the job management log (R-LOG-2): one JSON line per event, written by pino
 * on the worker. Always on; a retried hand-over may print an event twice, with the same `id`.
 *
 * I/O: stdout.
 */
import { pino } from 'pino';
import type { LogEvent } from '../../workflows/lib/log-events.js';

const levels = { INFO: 'info', WARNING: 'warn', ERROR: 'error' } as const;

let logger: pino.Logger | undefined;

function jobLog(): pino.Logger {
  logger ??= pino({ base: { log: 'jobnet-job-management' }, timestamp: pino.stdTimeFunctions.isoTime });
  return logger;
}

export function printLogEvents(events: readonly LogEvent[]): void {
  const log = jobLog();
  for (const event of events) {
    const { message, ...fields } = event;
    log[levels[event.level]]({ ...fields, eventTime: new Date(event.at).toISOString() }, message);
  }
}
