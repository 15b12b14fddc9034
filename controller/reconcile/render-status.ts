/**
 * Renders the controller status (R-GIT-4) for `jobnet status`: a readable summary — source,
 * revisions, conditions, per-jobnet sync and health, the diagnostics of a stalled revision (with
 * the code frame the status carries) — or
 * the JSON the API serves. Pure. Sources, revisions, names, messages and diagnostics come from the
 * repository and the reconcile: the human form prints each line's values through `printable`, so
 * none can start a line of its own or drive the terminal.
 */
import { printable } from '../cli/terminal-text.js';
import type { ControllerStatus } from './controller-status.js';

function table(rows: string[][]): string {
  const cells = rows.map((row) => row.map(printable));
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length))) ?? [];
  return cells
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}

/** The human form of `status`. */
export function renderControllerStatus(status: ControllerStatus): string {
  const lines: string[] = [];
  // One line of ours around values from outside: its labels hold no control characters.
  const line = (text: string): void => {
    lines.push(printable(text));
  };
  line(`source:     ${status.source}`);
  line(
    `task queue: ${status.taskQueue}${status.environment !== undefined ? `   environment: ${status.environment}` : ''}`,
  );
  line(
    `fetched:    ${status.fetchedRevision ?? '-'}${status.fetchedAt !== undefined ? ` at ${status.fetchedAt}` : ''}`,
  );
  line(
    `attempted:  ${status.attemptedRevision ?? '-'}${status.attemptedAt !== undefined ? ` at ${status.attemptedAt}` : ''}`,
  );
  line(
    `applied:    ${status.appliedRevision ?? '-'}${status.appliedAt !== undefined ? ` at ${status.appliedAt}` : ''}`,
  );
  if (status.lastPlan !== undefined) {
    const { create, update, noop, retire, delete: deleted } = status.lastPlan;
    line(`last plan:  ${create} created, ${update} updated, ${retire} retired, ${deleted} deleted, ${noop} unchanged`);
  }
  if (status.lastError !== undefined) line(`last error: ${status.lastError}`);
  if (status.sourceWarning !== undefined) line(`warning:    ${status.sourceWarning}`);
  if (status.retentionWarning !== undefined) line(`warning:    ${status.retentionWarning}`);
  for (const warning of status.warnings ?? [])
    line(`warning:    ${warning.project}/${warning.name}: ${warning.message}`);
  lines.push('', 'CONDITIONS');
  lines.push(
    table([
      ['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'],
      ...status.conditions.map((c) => [c.type, c.status, c.reason, c.since, c.message]),
    ]),
  );
  if (status.jobnets.length > 0) {
    lines.push('', 'JOBNETS');
    lines.push(
      table([
        ['JOBNET', 'SYNC', 'HEALTH', 'STATUS', 'REVISION'],
        ...status.jobnets.map((j) => [
          `${j.project}/${j.jobnet}`,
          j.sync,
          j.health,
          j.status ?? '-',
          j.revision ?? '-',
        ]),
      ]),
    );
  }
  const delivery = status.delivery;
  if (delivery !== undefined && (delivery.sinks.length > 0 || delivery.error !== undefined)) {
    lines.push('', 'DELIVERY');
    if (delivery.error !== undefined) line(`cannot read the delivery status: ${delivery.error}`);
    if (delivery.sinks.length > 0)
      lines.push(
        table([
          ['SINK', 'BACKLOG', 'DELIVERED', 'LAST SUCCESS', 'STREAK', 'LAST ERROR'],
          ...delivery.sinks.map((s) => [
            s.sink,
            String(s.backlog),
            String(s.delivered),
            s.lastSuccessAt ?? '-',
            s.streak !== undefined ? `failing since ${s.streak.since} (${s.streak.attempts} attempts)` : '-',
            s.lastError !== undefined ? `${s.lastError.at} ${s.lastError.message}` : '-',
          ]),
        ]),
      );
  }
  if (status.diagnostics.length > 0) {
    lines.push('');
    line(`DIAGNOSTICS of revision ${status.attemptedRevision ?? ''}`);
    for (const d of status.diagnostics) {
      line(`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
      for (const frameLine of d.frame ?? []) line(frameLine);
    }
  }
  return `${lines.join('\n')}\n`;
}
