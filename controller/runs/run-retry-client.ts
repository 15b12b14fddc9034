/**
 * The controller's side of retry and bulk cancel (R-OPS-4, docs/operations.md#retry-and-cancel),
 * shared by the CLI (`jobnet retry`, `jobnet cancel`, `jobnet get run`) and the HTTP API:
 * - {@link retryRun}: checks the original (`workflows/lib/run-retry.ts` decides), builds the
 *   retry's input from the original's start input and final state, and starts it — through the
 *   jobnet actor (its `retry` operation) when the original has one, so the actor's state stays the
 *   one truth about the jobnet's open run; directly otherwise (`jobnet start --dir` runs). Either
 *   way the original is closed once the retry has started.
 * - {@link listRetries}: the retries of a run, from visibility (`JobnetRetryOf`).
 * - {@link cancelRunJobs}: one `cancelJobs` Update on the run for every job the filter selects.
 *
 * Does Temporal I/O through the `Client` it is given; it must not print or decide exit codes.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { jobnetOperationUpdate } from '../../workflows/jobnet-actor-contract.js';
import {
  retryPlan,
  retryRefusal,
  retryRunSequence,
  type KnownRetry,
  type RetryPlan,
} from '../../workflows/lib/run-retry.js';
import type { CancelJobAnswer, RunStatus } from '../../workflows/lib/run-state.js';
import { isWorkflowNotFound, refusalReason } from '../../workflows/lib/temporal-refusals.js';
import {
  parseRunWorkflowId,
  runWorkflowId,
  searchAttributeKeys,
  searchAttributeNames,
  visibilityLiteral,
  workflowTypes,
} from '../../workflows/lib/wire-contract.js';
import { runStartTextOf, topLevelRunStart, type RunInput, type RunView } from '../../workflows/run-contract.js';
import { cancelSelection, selectJobs, type CancelFilter } from './run-cancel.js';
import { getRunView, operateRun } from './run-client.js';

/** Answer of {@link retryRun}. */
export type RetryRunResult =
  | {
      ok: true;
      /** The retry's workflow id. */
      runId: string;
      retryOf: string;
      /** The revision the retry runs: the original's. */
      revision: string;
      businessDate: string;
      /** The jobnet actor that started it, when the original has one. */
      actor?: string;
      plan: RetryPlan;
      detail: string;
    }
  | { ok: false; reason: string };

/** Answer of {@link cancelRunJobs}: every job of the run, in name order. */
export type CancelRunResult =
  { ok: true; status: RunStatus | 'closed'; jobs: CancelJobAnswer[] } | { ok: false; reason: string };

/**
 * The input run `workflowId` was started with (the first event of its history).
 * @throws WorkflowNotFoundError-like Temporal errors when there is no such run.
 */
export async function runInputOf(client: Client, workflowId: string): Promise<RunInput> {
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (payload === undefined || payload === null) throw new Error(`run ${workflowId}: its history holds no start input`);
  return defaultPayloadConverter.fromPayload<RunInput>(payload);
}

/** The retries of run `workflowId` (visibility, by `JobnetRetryOf`), oldest first. */
export async function listRetries(client: Client, workflowId: string): Promise<KnownRetry[]> {
  const found: (KnownRetry & { startedAt: number })[] = [];
  const query = `${searchAttributeNames.retryOf} = ${visibilityLiteral(workflowId)}`;
  for await (const execution of client.workflow.list({ query })) {
    found.push({
      runId: execution.workflowId,
      status: execution.typedSearchAttributes.get(searchAttributeKeys.runStatus) ?? 'running',
      open: execution.status.name === 'RUNNING',
      startedAt: execution.startTime.getTime(),
    });
  }
  return found
    .sort((a, b) => a.startedAt - b.startedAt || (a.runId < b.runId ? -1 : 1))
    .map(({ runId, status, open }) => ({ runId, status, open }));
}

/**
 * Retries run `workflowId` for `by` (R-OPS-4). Refusals come back as `{ok: false, reason}` and
 * change nothing.
 * @throws WorkflowNotFoundError when there is no such run; other Temporal errors as thrown.
 */
export async function retryRun(
  client: Client,
  workflowId: string,
  by: string,
  now = Date.now(),
): Promise<RetryRunResult> {
  const view = await getRunView(client, workflowId);
  const refusal = retryRefusal(
    { runId: workflowId, level: view.level, state: view.state },
    await listRetries(client, workflowId),
  );
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const plan = retryPlan(view.state, now);
  const original = await runInputOf(client, workflowId);
  const start = topLevelRunStart({
    jobnet: { ...original.jobnet, children: original.children },
    businessDate: original.businessDate,
    trigger: 'retry',
    requestedBy: by,
    ...(original.parameter !== undefined ? { parameter: original.parameter } : {}),
    ...(original.actor !== undefined ? { actor: original.actor } : {}),
    ...(original.eventRouting !== undefined ? { eventRouting: original.eventRouting } : {}),
    retry: { of: workflowId, from: view.state },
  });
  const answer = (runId: string, actor?: string): RetryRunResult => ({
    ok: true,
    runId,
    retryOf: workflowId,
    revision: original.jobnet.revision,
    businessDate: original.businessDate,
    ...(actor !== undefined ? { actor } : {}),
    plan,
    detail: `run ${runId} started, retrying run ${workflowId} at revision ${original.jobnet.revision}: re-running ${plan.rerun.join(', ') || 'nothing'}; carried ${plan.carried.join(', ') || 'nothing'}`,
  });

  if (original.actor !== undefined) {
    try {
      const accepted = await client.workflow.getHandle(original.actor).executeUpdate(jobnetOperationUpdate, {
        args: [{ operation: 'retry', by, retry: { of: workflowId, input: start.input } }],
      });
      return answer(accepted.runId ?? '', original.actor);
    } catch (error) {
      const reason = refusalReason(
        error,
        `cannot retry: the jobnet actor ${original.actor} that started the run no longer runs`,
      );
      if (reason !== undefined) return { ok: false, reason };
      throw error;
    }
  }

  const description = await client.workflow.getHandle(workflowId).describe();
  const identity = parseRunWorkflowId(workflowId);
  const runId = runWorkflowId(
    identity?.deployment ?? description.taskQueue,
    original.jobnet.project,
    original.jobnet.name,
    original.businessDate,
    retryRunSequence(now),
  );
  await client.workflow.start(workflowTypes.run, {
    workflowId: runId,
    taskQueue: description.taskQueue,
    args: [start.input],
    typedSearchAttributes: start.searchAttributes,
    ...runStartTextOf(start.input),
  });
  // The original no longer awaits the operator; a completed original is already closed.
  if (description.status.name === 'RUNNING')
    await operateRun(client, workflowId, { operation: 'closeRun', by: `${by} (retried by ${runId})` });
  return answer(runId);
}

/**
 * Force-terminates the jobs of run `workflowId` that `filter` selects, in one Update (R-OPS-4),
 * for `by`. A run whose workflow has completed answers every job `alreadyEnded`.
 * @throws CancelFilterError for a bad filter; WorkflowNotFoundError when there is no such run.
 */
export async function cancelRunJobs(
  client: Client,
  workflowId: string,
  filter: CancelFilter,
  by: string,
): Promise<CancelRunResult> {
  const selection = cancelSelection(filter);
  const view: RunView = await getRunView(client, workflowId);
  const { names, notMatching } = selectJobs(view.state.jobs, selection);
  const merge = (answers: CancelJobAnswer[]) =>
    [...answers, ...notMatching].sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
  const ended = (): CancelRunResult => ({
    ok: true,
    status: 'closed',
    jobs: merge(
      names.map((job) => ({ job, outcome: 'alreadyEnded', state: view.state.jobs[job]?.state ?? 'waiting' })),
    ),
  });
  if (view.closed !== undefined) return ended();
  try {
    const result = await operateRun(client, workflowId, {
      operation: 'cancelJobs',
      jobs: names,
      jobStates: selection.jobStates,
      by,
    });
    if (!result.ok) return result.reason.startsWith('the run has ended') ? ended() : result;
    return { ok: true, status: result.answer.status, jobs: merge(result.answer.jobs ?? []) };
  } catch (error) {
    if (isWorkflowNotFound(error)) return ended();
    throw error;
  }
}
