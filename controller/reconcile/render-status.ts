/**
 * Renders the controller status (R-GIT-4) for `jobnet status`: a readable summary — source,
 * revisions, conditions, per-jobnet sync and health, the diagnostics of a stalled revision — or
 * the JSON the API serves. Pure.
 */
import type { ControllerStatus } from './controller-status.js';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
}

/** The human form of `status`. */
export function renderControllerStatus(status: ControllerStatus): string {
  const lines: string[] = [];
  lines.push(`source:     ${status.source}`);
  lines.push(`task queue: ${status.taskQueue}${status.environment !== undefined ? `   environment: ${status.environment}` : ''}`);
  lines.push(`fetched:    ${status.fetchedRevision ?? '-'}${status.fetchedAt !== undefined ? ` at ${status.fetchedAt}` : ''}`);
  lines.push(`attempted:  ${status.attemptedRevision ?? '-'}${status.attemptedAt !== undefined ? ` at ${status.attemptedAt}` : ''}`);
  lines.push(`applied:    ${status.appliedRevision ?? '-'}${status.appliedAt !== undefined ? ` at ${status.appliedAt}` : ''}`);
  if (status.lastPlan !== undefined) {
    const { create, update, noop, retire, delete: deleted } = status.lastPlan;
    lines.push(`last plan:  ${create} created, ${update} updated, ${retire} retired, ${deleted} deleted, ${noop} unchanged`);
  }
  if (status.lastError !== undefined) lines.push(`last error: ${status.lastError}`);
  for (const warning of status.warnings ?? []) lines.push(`warning:    ${warning.project}/${warning.name}: ${warning.message}`);
  lines.push('', 'CONDITIONS');
  lines.push(table([['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], ...status.conditions.map((c) => [c.type, c.status, c.reason, c.since, c.message])]));
  if (status.jobnets.length > 0) {
    lines.push('', 'JOBNETS');
    lines.push(table([['JOBNET', 'SYNC', 'HEALTH', 'STATUS', 'REVISION'], ...status.jobnets.map((j) => [`${j.project}/${j.jobnet}`, j.sync, j.health, j.status ?? '-', j.revision ?? '-'])]));
  }
  if (status.diagnostics.length > 0) {
    lines.push('', `DIAGNOSTICS of revision ${status.attemptedRevision ?? ''}`);
    for (const d of status.diagnostics) lines.push(`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
  }
  return `${lines.join('\n')}\n`;
}
