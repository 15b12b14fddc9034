/**
 * The controller's side of the run workflow's contract (workflows/run-contract.ts): start a run
 * of a compiled jobnet by hand, read its view, send it operator operations (R-OPS-1..3), and wait
 * for its final status. The CLI and the HTTP API both go through here, so a run is started,
 * tagged and operated the same way whoever asks.
 *
 * Does Temporal I/O through a `Client` it is given; it must not open connections, print, or
 * decide exit codes (that is the CLI's), and it must not interpret the run state beyond "has it
 * reached a final status" — the run workflow owns the state machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryNotRegisteredError, type Client } from '@temporalio/client';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { businessDateOf, dayNumberOf, systemCalendar } from '../../workflows/lib/business-calendar.js';
import {
  runOperationUpdate,
  runViewQuery,
  runStartTextOf,
  topLevelRunStart,
  type RunInput,
  type RunOperationAnswer,
  type RunOperationRequest,
  type RunResult,
  type RunTrigger,
  type RunView,
} from '../../workflows/run-contract.js';
import { isWorkflowNotFound, refusalReason } from '../../workflows/lib/temporal-refusals.js';
import { runWorkflowId, workflowTypes } from '../../workflows/lib/wire-contract.js';

/** The run workflow's signature, for typing the start call without loading workflow code. */
type RunWorkflow = (input: RunInput) => Promise<RunResult>;

/** What a manual start needs (R-OPS-1 `start`). */
export interface StartRunRequest {
  /** Task queue the workers of the target listen on. */
  taskQueue: string;
  /** The compiled jobnet, with `children` holding every jobnet its `jobnet` jobs may start. */
  jobnet: CompiledJobnet;
  /** The variable parameter `@.VPARAM@` (R-VAR-3). */
  parameter?: string;
  /** Who starts the run (an operator name). */
  requestedBy: string;
  trigger: Extract<RunTrigger, 'manual'>;
  /** `YYYY-MM-DD`; omitted: the business date of `now` in the jobnet's calendar (R-CAL-3). */
  businessDate?: string;
  /** The instant of the start; omitted: the current time. */
  now?: Date;
  /** `record`: the run's `raiseEvent` jobs only record their events (RunInput `eventRouting`). */
  eventRouting?: 'record';
}

/** Answer of {@link operateRun}: accepted with the workflow's answer, or refused with its reason. */
export type OperateRunResult = { ok: true; answer: RunOperationAnswer } | { ok: false; reason: string };

/** Options of {@link waitForRunEnd}. */
export interface WaitForRunEndOptions {
  /** Milliseconds between polls (default 300). */
  pollMs?: number;
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The sequence tag of a manual start: `manual-` and the UTC instant to the millisecond, compact
 * (`manual-20261123T101500123Z`), so two starts of the same business date get different ids.
 */
export function manualRunSequence(now: Date): string {
  return `manual-${now.toISOString().replace(/[-:.]/g, '')}`;
}

/**
 * Starts a run of `request.jobnet` as the run workflow, with id
 * `run/<project>/<jobnet>/<business-date>/manual-<instant>` (docs/architecture.md#the-temporal-mapping) and the search
 * attributes history is listed by (R-OPS-5), and returns the workflow id. Does not wait for a
 * worker to pick it up.
 * @throws RangeError when `businessDate` is not a valid `YYYY-MM-DD` date (a caller bug).
 * @throws whatever the Temporal client throws when the start is not accepted (for instance
 * `WorkflowExecutionAlreadyStartedError`, or a server error when a search attribute is not
 * registered on the cluster).
 */
export async function startRun(client: Client, request: StartRunRequest): Promise<string> {
  const now = request.now ?? new Date();
  const { jobnet } = request;
  const businessDate = request.businessDate ?? businessDateOf(jobnet.calendar ?? systemCalendar('UTC'), now.getTime());
  dayNumberOf(businessDate);
  const workflowId = runWorkflowId(
    request.taskQueue,
    jobnet.project,
    jobnet.name,
    businessDate,
    manualRunSequence(now),
  );
  const { input, searchAttributes } = topLevelRunStart({
    jobnet: request.jobnet,
    businessDate,
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    ...(request.parameter !== undefined ? { parameter: request.parameter } : {}),
    ...(request.eventRouting !== undefined ? { eventRouting: request.eventRouting } : {}),
  });
  await client.workflow.start<RunWorkflow>(workflowTypes.run, {
    workflowId,
    taskQueue: request.taskQueue,
    args: [input],
    typedSearchAttributes: searchAttributes,
    ...runStartTextOf(input),
  });
  return workflowId;
}

/**
 * The view of run `workflowId` (its query). Needs a worker on the run's task queue.
 * @throws WorkflowNotFoundError when there is no such run; a Temporal `ServiceError` when no
 * worker answered the query in time.
 */
export async function getRunView(client: Client, workflowId: string): Promise<RunView> {
  return await client.workflow.getHandle(workflowId).query(runViewQuery);
}

/**
 * Sends an operator operation to run `workflowId` and waits for the answer (R-OPS-3). A refusal
 * by the run (a rejected Update) and an operation on a run whose workflow has already completed
 * come back as `{ok: false, reason}`; nothing was changed then.
 * @throws WorkflowNotFoundError when there is no such run; other Temporal errors as thrown.
 */
export async function operateRun(
  client: Client,
  workflowId: string,
  request: RunOperationRequest,
): Promise<OperateRunResult> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const answer = await handle.executeUpdate(runOperationUpdate, { args: [request] });
    return { ok: true, answer };
  } catch (error) {
    const reason = refusalReason(error);
    if (reason !== undefined) return { ok: false, reason };
    if (isWorkflowNotFound(error)) {
      // The server answers "not found" for a workflow that has completed too; tell them apart.
      const description = await handle.describe(); // throws WorkflowNotFoundError when it really does not exist
      if (description.status.name !== 'RUNNING') {
        return {
          ok: false,
          reason: `the run has ended (workflow ${description.status.name.toLowerCase()}) and accepts no more operations`,
        };
      }
    }
    throw error;
  }
}

/**
 * Polls run `workflowId` until it reaches a final status (`state.result` is set) or its workflow
 * closes, and resolves with the view at that point. While the workflow is open a query that
 * fails (no worker yet, workflow task not yet done) is retried at the next poll.
 * @throws WorkflowNotFoundError when there is no such run; QueryNotRegisteredError when the
 * workflow is not a run; an Error when the workflow has closed and its view cannot be read; the
 * signal's reason when aborted.
 */
export async function waitForRunEnd(
  client: Client,
  workflowId: string,
  options: WaitForRunEndOptions = {},
): Promise<RunView> {
  const { pollMs = 300, signal } = options;
  const handle = client.workflow.getHandle(workflowId);
  for (;;) {
    signal?.throwIfAborted();
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      try {
        return await handle.query(runViewQuery);
      } catch (error) {
        throw new Error(
          `run ${workflowId} has closed (workflow ${description.status.name.toLowerCase()}) and its view cannot be read`,
          { cause: error },
        );
      }
    }
    try {
      const view = await handle.query(runViewQuery);
      if (view.state.result) return view;
    } catch (error) {
      if (isWorkflowNotFound(error) || error instanceof QueryNotRegisteredError) throw error;
      // Open but not answering yet: try again at the next poll.
    }
    await sleep(pollMs, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
  }
}
