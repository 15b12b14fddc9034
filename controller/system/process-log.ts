/**
 * What a long-running process (`jobnet up`, `worker`, `controller`, `api`) writes to its standard
 * output: its log lines, one line per workflow event and per reconcile that changed something
 * (`event-lines.ts`), in one of two formats. `text`, the default on a terminal: `12:00:03  run
 * infra/heartbeat 2026-12-03 started (schedule)  run/…`, times in the process's local zone.
 * `json`, the default otherwise (a pipe, a file, a log collector): one JSON object a line
 * (`log-line.ts`), an event's fields beside its message.
 *
 * I/O: only through the `write` function it is given.
 */
import type { JobnetEvent } from '../../workflows/event-sink-contract.js';
import { printable } from '../cli/terminal-text.js';
import type { ReconcileOutcome } from '../reconcile/summarize-reconcile.js';
import { describeEvent, describeReconcile, textLine, type ReconcileMemory } from './event-lines.js';
import { jsonLogLine } from './log-line.js';

export type LogFormat = 'text' | 'json';

/**
 * The format `--log-format` asks for, or the default for the output.
 * @throws Error for a value other than text or json.
 */
export function logFormatOf(flag: string | undefined, isTTY: boolean): LogFormat {
  if (flag === undefined) return isTTY ? 'text' : 'json';
  if (flag === 'text' || flag === 'json') return flag;
  throw new Error(`--log-format must be text or json, not "${printable(flag)}"`);
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface ProcessLog {
  format: LogFormat;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** A workflow event (from the worker's sink). */
  event(event: JobnetEvent): void;
  /** A reconcile's outcome (from the reconciler). */
  reconciled(outcome: ReconcileOutcome): void;
}

/** Renders the fields of a text log line: ` key=value` each, values printable. */
function textFields(fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return '';
  return Object.entries(fields)
    .map(([key, value]) => ` ${printable(key)}=${printable(typeof value === 'string' ? value : JSON.stringify(value))}`)
    .join('');
}

/** A log writing `format` lines to `write`; `now` is the clock of text lines. */
export function createProcessLog(
  format: LogFormat,
  write: (text: string) => void,
  now: () => Date = () => new Date(),
): ProcessLog {
  let lastReconcile: ReconcileMemory | undefined;
  return {
    format,
    log(level, message, fields) {
      if (format === 'json') write(jsonLogLine(level, message, fields));
      else write(textLine(now(), level, `${printable(message)}${textFields(fields)}`));
    },
    event(event) {
      const line = describeEvent(event);
      if (format === 'json') {
        // Every event is a machine line (job ends too); the message is the text line's.
        const { at, ...fields } = event;
        write(
          jsonLogLine('info', line?.text ?? `${event.event} ${event.project}/${event.jobnet}`, {
            ...fields,
            eventAt: new Date(at).toISOString(),
          }),
        );
      } else if (line !== undefined) write(textLine(now(), line.tag, line.text));
    },
    reconciled(outcome) {
      const { line, memory } = describeReconcile(outcome, lastReconcile);
      lastReconcile = memory;
      if (line === undefined) return;
      if (format === 'json')
        write(
          jsonLogLine('info', line.text, {
            reconcile: outcome.result,
            ...(outcome.revision !== undefined ? { revision: outcome.revision } : {}),
          }),
        );
      else write(textLine(now(), line.tag, line.text));
    },
  };
}
