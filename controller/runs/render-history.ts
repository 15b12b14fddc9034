/**
 * A history listing as a table (R-OPS-5, R-OPS-7):
 * `ID  STARTED (LOCAL)  FINISHED (LOCAL)  STATUS  PROJECT/JOBNET`, the headers naming the zone the
 * times are shown in (`LOCAL` for the machine's own, `UTC`, or the IANA zone given), and a
 * `RETRY OF` column when a listed run retries another.
 *
 * Pure: returns a string. Ids, names and statuses come from visibility: every cell goes through
 * `printable` (render-run.ts's column alignment), so none can drive the terminal.
 */
import { formatTableTime, isUtc } from '../cli/times.js';
import type { HistoryEntry } from './history-query.js';
import { alignColumns } from './render-run.js';

/** The table, ending with a newline; `label` names the zone in the headers (default: UTC or the zone). */
export function renderHistoryTable(entries: readonly HistoryEntry[], zone: string, label?: string): string {
  const named = label ?? (isUtc(zone) ? 'UTC' : zone);
  const retries = entries.some((entry) => entry.retryOf !== undefined);
  const header = ['ID', `STARTED (${named})`, `FINISHED (${named})`, 'STATUS', 'PROJECT/JOBNET'];
  if (retries) header.push('RETRY OF');
  const rows = entries.map((entry) => {
    const row = [
      entry.id,
      formatTableTime(Date.parse(entry.started), zone),
      entry.finished === undefined ? '-' : formatTableTime(Date.parse(entry.finished), zone),
      entry.status,
      `${entry.project}/${entry.jobnet}`,
    ];
    if (retries) row.push(entry.retryOf ?? '-');
    return row;
  });
  return alignColumns([header, ...rows]).join('\n') + '\n';
}
