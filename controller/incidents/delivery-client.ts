/**
 * The controller's side of delivery: applies a revision's delivery configuration to the
 * deployment's delivery workflow (`signalWithStart`, so the first apply starts it; the workflow
 * ignores a configuration it holds) and reads the workflow's view for status and metrics.
 *
 * Temporal I/O; decides nothing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  deliveryConfigureSignal,
  deliveryViewQuery,
  type DeliveryConfigurePayload,
  type DeliveryInput,
  type DeliveryView,
} from '../../workflows/delivery-contract.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { withTemporalDeadline } from '../temporal/temporal-reachability.js';
import { deliveryStatusOf, type DeliveryStatus } from './delivery-status.js';
import { deliveryWorkflowId, workflowTypes } from '../../workflows/lib/wire-contract.js';

export async function applyDeliveryConfig(client: Client, taskQueue: string, config: DeliveryConfig): Promise<void> {
  const input: DeliveryInput = { deployment: taskQueue };
  const signalArgs: [DeliveryConfigurePayload] = [{ config }];
  await client.workflow.signalWithStart(workflowTypes.delivery, {
    workflowId: deliveryWorkflowId(taskQueue),
    taskQueue,
    args: [input],
    signal: deliveryConfigureSignal,
    signalArgs,
  });
}

/** The delivery view, or undefined when the deployment has not started its delivery workflow. */
export async function getDeliveryView(client: Client, taskQueue: string): Promise<DeliveryView | undefined> {
  try {
    return await client.workflow.getHandle(deliveryWorkflowId(taskQueue)).query(deliveryViewQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** Time the status waits for the delivery view. */
const statusDeadlineMs = 2_000;

/** The delivery section of the status; a view that cannot be read in time says why. */
export async function readDeliveryStatus(client: Client, taskQueue: string): Promise<DeliveryStatus> {
  try {
    // The deadline is on the Temporal call itself, so no SDK retry outlives the read.
    const view = await withTemporalDeadline(
      client,
      statusDeadlineMs,
      'reading the delivery workflow',
      async () => await getDeliveryView(client, taskQueue),
    );
    return deliveryStatusOf(view);
  } catch (error) {
    return { configured: false, sinks: [], unrouted: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `status` with its delivery section read now. */
export async function withDeliveryStatus<T extends object>(
  client: Client,
  taskQueue: string,
  status: T,
): Promise<T & { delivery: DeliveryStatus }> {
  return { ...status, delivery: await readDeliveryStatus(client, taskQueue) };
}
