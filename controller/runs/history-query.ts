/**
 * Run history as a question to Temporal visibility (R-OPS-5): the filters of `jobnet history` and
 * `GET /api/v1/runs` (a start-time window, the projects the caller may see, jobnet, status,
 * trigger) become one visibility query over the top-level runs of a deployment, and the page
 * token visibility answers with becomes an opaque cursor that names the query it belongs to.
 * Visibility is the store: there is no database of the product's own.
 *
 * The order of a listing is the visibility store's own, which every page keeps: runs still open
 * first (newest started first), then ended runs, the most recently finished first
 * ({@link compareHistoryOrder}; the dev server's SQL store orders by `CloseTime DESC, StartTime
 * DESC`, and `ORDER BY` is not available there).
 *
 * Pure: builds strings and checks text; no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import type { RunStatus } from '../../workflows/lib/run-state.js';
import type { RunTrigger } from '../../workflows/run-contract.js';
import { searchAttributeNames, visibilityLiteral, workflowTypes } from '../../workflows/lib/wire-contract.js';

/** The run statuses a history filter accepts (`JobnetRunStatus`). */
export const historyStatuses = [
  'running',
  'warning',
  'normal',
  'pseudoNormal',
  'abended',
  'forced',
] as const satisfies readonly RunStatus[];

/** The triggers a history filter accepts (`JobnetTrigger`); child runs are not history entries of their own. */
export const historyTriggers = ['manual', 'schedule', 'event', 'retry'] as const satisfies readonly RunTrigger[];

export type HistoryStatus = (typeof historyStatuses)[number];
export type HistoryTrigger = (typeof historyTriggers)[number];

/** What a history listing asks for; every field narrows it. */
export interface HistoryFilter {
  /** Runs started at or after this instant (epoch milliseconds). */
  startedFrom?: number;
  /** Runs started before this instant (epoch milliseconds, exclusive). */
  startedBefore?: number;
  /**
   * The projects whose runs may be listed: `all`, or these (the caller's visible projects, narrowed
   * by a project filter). An empty list lists nothing.
   */
  projects: 'all' | readonly string[];
  jobnet?: string;
  status?: HistoryStatus;
  trigger?: HistoryTrigger;
  /** Runs whose `JobnetRetryOf` is this run id: the retries of a run. */
  retryOf?: string;
}

/** Thrown for a cursor that was not made by {@link encodeHistoryCursor} for the same query. */
export class HistoryCursorError extends Error {
  override name = 'HistoryCursorError';
}

const quoted = (text: string): string => visibilityLiteral(text);

/** A visibility timestamp literal (RFC 3339 in UTC). */
function instantLiteral(millis: number): string {
  return quoted(new Date(millis).toISOString());
}

/**
 * The visibility query of `filter` over the top-level runs of the deployment on `taskQueue`, or
 * undefined when it can match nothing (no visible project).
 */
export function historyVisibilityQuery(taskQueue: string, filter: HistoryFilter): string | undefined {
  const clauses = [`WorkflowType = ${quoted(workflowTypes.run)}`, `TaskQueue = ${quoted(taskQueue)}`];
  if (filter.projects === 'all') clauses.push(`${searchAttributeNames.project} IS NOT NULL`);
  else {
    const projects = [...new Set(filter.projects)].sort();
    if (projects.length === 0) return undefined;
    clauses.push(
      projects.length === 1
        ? `${searchAttributeNames.project} = ${quoted(projects[0] as string)}`
        : `${searchAttributeNames.project} IN (${projects.map(quoted).join(', ')})`,
    );
  }
  if (filter.jobnet !== undefined) clauses.push(`${searchAttributeNames.name} = ${quoted(filter.jobnet)}`);
  if (filter.status !== undefined) clauses.push(`${searchAttributeNames.runStatus} = ${quoted(filter.status)}`);
  if (filter.trigger !== undefined) clauses.push(`${searchAttributeNames.trigger} = ${quoted(filter.trigger)}`);
  if (filter.retryOf !== undefined) clauses.push(`${searchAttributeNames.retryOf} = ${quoted(filter.retryOf)}`);
  if (filter.startedFrom !== undefined) clauses.push(`StartTime >= ${instantLiteral(filter.startedFrom)}`);
  if (filter.startedBefore !== undefined) clauses.push(`StartTime < ${instantLiteral(filter.startedBefore)}`);
  return clauses.join(' AND ');
}

/** The first 16 hex digits of the query's SHA-256: what a cursor is bound to. */
function queryTag(query: string): string {
  return createHash('sha256').update(query).digest('hex').slice(0, 16);
}

/** The cursor of the next page: the query's tag and visibility's page token, base64url. */
export function encodeHistoryCursor(query: string, token: Uint8Array): string {
  return Buffer.from(JSON.stringify({ q: queryTag(query), t: Buffer.from(token).toString('base64url') })).toString(
    'base64url',
  );
}

/**
 * The page token inside `cursor`.
 * @throws HistoryCursorError when the cursor is not one {@link encodeHistoryCursor} made, or was
 * made for another query (other filters).
 */
export function decodeHistoryCursor(query: string, cursor: string): Uint8Array {
  const invalid = new HistoryCursorError('the cursor is not one a previous page of this listing returned');
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { q, t } = (parsed ?? {}) as { q?: unknown; t?: unknown };
  if (typeof q !== 'string' || typeof t !== 'string' || !/^[A-Za-z0-9_-]+$/.test(t)) throw invalid;
  if (q !== queryTag(query))
    throw new HistoryCursorError('the cursor belongs to a listing with other filters; start again without it');
  const token = Buffer.from(t, 'base64url');
  // Visibility's page tokens (SQL and Elasticsearch stores) are JSON objects; the server answers
  // anything else after retrying for seconds, so it is refused here.
  try {
    const decoded: unknown = JSON.parse(token.toString('utf8'));
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw invalid;
  } catch {
    throw invalid;
  }
  return Uint8Array.from(token);
}

/** One run in a history listing: what visibility holds of it. */
export interface HistoryEntry {
  id: string;
  project: string;
  jobnet: string;
  businessDate: string;
  trigger: string;
  /** The run status (`JobnetRunStatus`): running, warning, normal, pseudoNormal, abended, forced. */
  status: string;
  /** ISO 8601 UTC instant the run's workflow started. */
  started: string;
  /** ISO 8601 UTC instant the run's workflow ended; absent while it is open (running, or ended abnormally and awaiting an operator). */
  finished?: string;
  /** Whether the run's workflow is open: open runs are never removed by the namespace's retention. */
  open: boolean;
  revision: string;
  /** On a retry: the id of the run it retries (`JobnetRetryOf`). */
  retryOf?: string;
}

/** A page of a listing. */
export interface HistoryPage {
  runs: HistoryEntry[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What the order of a listing compares: an open run has no finish. */
export interface HistoryOrderKey {
  id: string;
  started: string;
  finished?: string;
}

/**
 * The order of a listing (see the module header): open runs first, then by finish, then by start,
 * newest first; ties by id, so the order is total.
 */
export function compareHistoryOrder(a: HistoryOrderKey, b: HistoryOrderKey): number {
  const open = (entry: HistoryOrderKey): number => (entry.finished === undefined ? 1 : 0);
  const descending = (x: string, y: string): number => (x < y ? 1 : x > y ? -1 : 0);
  return (
    open(b) - open(a) ||
    descending(a.finished ?? '', b.finished ?? '') ||
    descending(a.started, b.started) ||
    descending(a.id, b.id)
  );
}
