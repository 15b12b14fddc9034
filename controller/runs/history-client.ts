/**
 * Run history from Temporal visibility (R-OPS-5): one page of the runs of a deployment that match
 * a filter (history-query.ts builds the query and the cursor), and one run with everything
 * `jobnet history show` and `GET /api/v1/runs/:id` report — its visibility record, its view (the
 * run query: jobs, outputs, errors) and the runs that retry it. The CLI and the API both go
 * through here.
 *
 * Does Temporal I/O through the `Client` it is given (listWorkflowExecutions, describe, query);
 * must not print, decide exit codes or HTTP statuses, or read the run state beyond what it
 * reports.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { RunView } from '../../workflows/run-contract.js';
import { parseRunWorkflowId, searchAttributeKeys as keys, workflowTypes } from '../../workflows/lib/wire-contract.js';
import {
  compareHistoryOrder,
  decodeHistoryCursor,
  encodeHistoryCursor,
  historyVisibilityQuery,
  type HistoryEntry,
  type HistoryFilter,
  type HistoryPage,
} from './history-query.js';
import { runHistoryRecord, type RunHistoryRecord } from './history-record.js';
import { getRunView } from './run-client.js';

export type { HistoryEntry, HistoryPage } from './history-query.js';

export interface ListHistoryOptions {
  /** Runs per page (1–1000). */
  pageSize: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** The largest page a listing asks visibility for. */
export const maxHistoryPageSize = 1000;

function entryOf(
  id: string,
  attributes: TypedSearchAttributes,
  started: Date,
  closed: Date | undefined,
  open: boolean,
): HistoryEntry | undefined {
  const project = attributes.get(keys.project);
  const jobnet = attributes.get(keys.name);
  if (project === undefined || jobnet === undefined) return undefined;
  const identity = parseRunWorkflowId(id);
  const entry: HistoryEntry = {
    id,
    project,
    jobnet,
    businessDate: attributes.get(keys.businessDate) ?? identity?.businessDate ?? '',
    trigger: attributes.get(keys.trigger) ?? '',
    status: attributes.get(keys.runStatus) ?? 'running',
    started: started.toISOString(),
    open,
    revision: attributes.get(keys.revision) ?? '',
  };
  if (closed !== undefined && !open) entry.finished = closed.toISOString();
  const retryOf = attributes.get(keys.retryOf);
  if (retryOf !== undefined) entry.retryOf = retryOf;
  return entry;
}

/**
 * One page of the runs of the deployment on `taskQueue` matching `filter`, in the listing's order
 * (history-query.ts).
 * @throws HistoryCursorError for a cursor that is not one of this listing's; whatever the Temporal
 * client throws otherwise (a page token the server refuses included).
 */
export async function listRunHistory(
  client: Client,
  taskQueue: string,
  filter: HistoryFilter,
  options: ListHistoryOptions,
): Promise<HistoryPage> {
  const query = historyVisibilityQuery(taskQueue, filter);
  if (query === undefined) return { runs: [] };
  const nextPageToken = options.cursor === undefined ? undefined : decodeHistoryCursor(query, options.cursor);
  const namespace = client.options.namespace;
  const page = await client.workflowService.listWorkflowExecutions({
    namespace,
    query,
    pageSize: Math.min(Math.max(1, Math.floor(options.pageSize)), maxHistoryPageSize),
    ...(nextPageToken !== undefined ? { nextPageToken } : {}),
  });
  const runs: HistoryEntry[] = [];
  for (const raw of page.executions) {
    const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, undefined, namespace);
    const entry = entryOf(
      info.workflowId,
      info.typedSearchAttributes,
      info.startTime,
      info.closeTime,
      info.status.name === 'RUNNING',
    );
    if (entry !== undefined) runs.push(entry);
  }
  runs.sort(compareHistoryOrder);
  const token = page.nextPageToken;
  return token !== undefined && token !== null && token.length > 0
    ? { runs, nextCursor: encodeHistoryCursor(query, token) }
    : { runs };
}

/** Every run of the deployment that retries run `id` (`JobnetRetryOf`), in the listing's order. */
export async function listRetriesOf(
  client: Client,
  taskQueue: string,
  id: string,
  projects: HistoryFilter['projects'] = 'all',
): Promise<HistoryEntry[]> {
  const retries: HistoryEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRunHistory(
      client,
      taskQueue,
      { projects, retryOf: id },
      { pageSize: 100, ...(cursor ? { cursor } : {}) },
    );
    retries.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return retries;
}

/** The visibility entry of a described run (undefined for a workflow that is not a top-level run). */
export function historyEntryOf(description: WorkflowExecutionDescription): HistoryEntry | undefined {
  return entryOf(
    description.workflowId,
    description.typedSearchAttributes,
    description.startTime,
    description.closeTime,
    description.status.name === 'RUNNING',
  );
}

/**
 * Everything history reports of run `id` (R-OPS-5): its visibility record, its view, its retries.
 * Undefined when `id` is not a top-level run of the deployment on `taskQueue`.
 * @throws WorkflowNotFoundError when there is no such workflow; a Temporal `ServiceError` when no
 * worker answered the run query.
 */
export async function getRunHistory(
  client: Client,
  taskQueue: string,
  id: string,
): Promise<{ record: RunHistoryRecord; entry: HistoryEntry; view: RunView } | undefined> {
  const description = await client.workflow.getHandle(id).describe();
  if (description.type !== workflowTypes.run || description.taskQueue !== taskQueue) return undefined;
  const entry = historyEntryOf(description);
  if (entry === undefined) return undefined;
  const [view, retries] = await Promise.all([getRunView(client, id), listRetriesOf(client, taskQueue, id)]);
  return { record: runHistoryRecord(view, entry, retries), entry, view };
}
