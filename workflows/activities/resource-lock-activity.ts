/**
 * Queues a request with the lock workflow of an exclusive resource (R-JOB `exclusive`), starting
 * that workflow when nobody holds or waits for the resource. `signalWithStart` is idempotent by
 * token on the lock's side, so a retried activity queues the request once.
 */
import type { Client } from '@temporalio/client';
import { acquireResourceSignal, resourceLockWorkflowId, type resourceLockWorkflow } from '../resource-lock-workflow.js';
import type { ResourceLockRequest } from './activity.types.js';

export function createResourceLockActivity(options: { client: Client; taskQueue: string }) {
  return async function requestResourceLock(request: ResourceLockRequest): Promise<void> {
    await options.client.workflow.signalWithStart<typeof resourceLockWorkflow, [{ requester: string; token: string }]>('resourceLockWorkflow', {
      workflowId: resourceLockWorkflowId(request.resource),
      taskQueue: options.taskQueue,
      args: [{ resource: request.resource }],
      signal: acquireResourceSignal,
      signalArgs: [{ requester: request.requester, token: request.token }],
    });
  };
}
