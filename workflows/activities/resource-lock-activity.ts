/**
 * Queues a request with the lock workflow of an exclusive resource (R-JOB `exclusive`), starting
 * that workflow when nobody holds or waits for the resource. `signalWithStart` is idempotent by
 * token on the lock's side, so a retried activity queues the request once.
 */
import type { Client } from '@temporalio/client';
import { legacyResourceLockWorkflowId, workflowTypes } from '../lib/wire-contract.js';
import { acquireResourceSignal, type ResourceLockInput, type ResourceRequest } from '../resource-lock-workflow.js';
import type { ResourceLockRequest } from './activity.types.js';

export function createResourceLockActivity(options: { client: Client; taskQueue: string }) {
  return async function requestResourceLock(request: ResourceLockRequest): Promise<void> {
    const input: ResourceLockInput = { resource: request.resource };
    const signalArgs: [ResourceRequest] = [{ requester: request.requester, token: request.token }];
    await options.client.workflow.signalWithStart(workflowTypes.resourceLock, {
      workflowId: request.lock ?? legacyResourceLockWorkflowId(request.resource),
      taskQueue: options.taskQueue,
      args: [input],
      signal: acquireResourceSignal,
      signalArgs,
    });
  };
}
