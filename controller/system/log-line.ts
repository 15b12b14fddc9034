/**
 * The one form of a log line of the long-running processes (`jobnet up`, `controller`, `api`):
 * JSON on one line (R-LOG-1 form: time, level, message, fields). Pure; no I/O.
 */

/** A log line as JSON with a final newline. */
export function jsonLogLine(level: string, message: string, fields: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`;
}
