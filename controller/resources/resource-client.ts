/**
 * The controller's side of the resource locks (workflows/resource-lock-workflow.ts): list the
 * locks of a deployment with their holder and queue, and release a holder by hand — the way out
 * for an operator when a holder is stuck (`jobnet resource ls|release`).
 *
 * Temporal I/O through a `Client` it is given; it must not print or decide exit codes.
 */
import type { Client } from '@temporalio/client';
import { isWorkflowNotFound, refusalReason } from '../../workflows/lib/temporal-refusals.js';
import {
  parseResourceLockWorkflowId,
  resourceLockWorkflowId,
  visibilityLiteral,
  workflowTypes,
} from '../../workflows/lib/wire-contract.js';
import {
  forceReleaseResourceSignal,
  resourceLockViewQuery,
  type ResourceLockView,
} from '../../workflows/resource-lock-workflow.js';

/** The locks of the deployment on `taskQueue` that are held or waited for, sorted by resource. */
export async function listResourceLocks(client: Client, taskQueue: string): Promise<ResourceLockView[]> {
  const query = `WorkflowType = ${visibilityLiteral(workflowTypes.resourceLock)} AND ExecutionStatus = 'Running' AND TaskQueue = ${visibilityLiteral(taskQueue)}`;
  const views: ResourceLockView[] = [];
  for await (const execution of client.workflow.list({ query })) {
    if (parseResourceLockWorkflowId(execution.workflowId) === undefined) continue;
    try {
      views.push(await client.workflow.getHandle(execution.workflowId).query(resourceLockViewQuery));
    } catch (error) {
      // Ended between the listing and the query: nobody holds or waits for it any more.
      if (!isWorkflowNotFound(error)) throw error;
    }
  }
  return views.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/** Answer of {@link releaseResource}. */
export type ReleaseResourceResult = { ok: true; released: string } | { ok: false; reason: string };

/**
 * Releases the holder of `resource` (or, with `token`, that request) by hand. The run that held
 * it is not told: its job may still be using the resource.
 * @throws Temporal errors other than "the lock does not run".
 */
export async function releaseResource(
  client: Client,
  taskQueue: string,
  resource: string,
  request: { by: string; token?: string },
): Promise<ReleaseResourceResult> {
  const handle = client.workflow.getHandle(resourceLockWorkflowId(taskQueue, resource));
  let view: ResourceLockView;
  try {
    view = await handle.query(resourceLockViewQuery);
  } catch (error) {
    const reason = refusalReason(error, `nobody holds or waits for resource ${resource}`);
    if (reason !== undefined) return { ok: false, reason };
    throw error;
  }
  const target =
    request.token === undefined
      ? view.holder
      : [view.holder, ...view.queue].find((entry) => entry?.token === request.token);
  if (target === undefined) {
    return {
      ok: false,
      reason:
        request.token === undefined
          ? `resource ${resource} has no holder`
          : `resource ${resource} has no request ${request.token}`,
    };
  }
  await handle.signal(forceReleaseResourceSignal, { by: request.by, token: target.token });
  return { ok: true, released: `${target.requester} (${target.token})` };
}
