/**
 * The controller status as `jobnet api` serves it: read from Temporal, where the controller
 * publishes it (the event registry of its task queue, answered by a query), under a deadline. A
 * read that fails says why in the API's terms — Temporal unreachable, no worker polling the task
 * queue (a query needs one), or too slow — instead of hanging for the SDK's ~18 s of retries and
 * answering a bare 500.
 *
 * Temporal I/O through `jobnet-client.ts` and `temporal-reachability.ts`; decides nothing else.
 */
import type { Client } from '@temporalio/client';
import { withDeliveryStatus } from '../incidents/delivery-client.js';
import { getControllerStatus } from '../jobnets/jobnet-client.js';
import type { ControllerStatus } from '../reconcile/controller-status.js';
import { TemporalCallError, explainTemporalFailure, withTemporalDeadline } from '../temporal/temporal-reachability.js';
import { ApiError } from './api-errors.js';

/** Default time an answer of `/api/v1/status` may take, probes included. */
export const defaultStatusDeadlineMs = 5_000;

/** Part of the deadline kept for finding out why the read failed. */
const probeShareMs = 1_000;

/**
 * Reads the status the controller of `taskQueue` published, within `deadlineMs`.
 * @throws TemporalCallError: `TEMPORAL_UNAVAILABLE`, `NO_WORKER` or `TEMPORAL_TIMEOUT`; ApiError
 *   502 `TEMPORAL_ERROR` for any other failure of the read.
 */
export async function readPublishedStatus(
  client: Client,
  taskQueue: string,
  deadlineMs = defaultStatusDeadlineMs,
): Promise<ControllerStatus | undefined> {
  const probeMs = Math.min(probeShareMs, Math.floor(deadlineMs / 4));
  try {
    const status = (await withTemporalDeadline(
      client,
      deadlineMs - probeMs,
      'reading the controller status',
      async () => await getControllerStatus(client, taskQueue),
    )) as ControllerStatus | undefined;
    return status === undefined ? undefined : await withDeliveryStatus(client, taskQueue, status);
  } catch (error) {
    const explained = await explainTemporalFailure(client, taskQueue, error, probeMs);
    if (explained !== undefined)
      throw new TemporalCallError(explained.problem, `cannot read the controller status: ${explained.message}`, {
        cause: error,
      });
    if (error instanceof TemporalCallError) throw error;
    throw new ApiError(
      502,
      'TEMPORAL_ERROR',
      `cannot read the controller status: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
