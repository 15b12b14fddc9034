/**
 * The lock of one exclusive resource (R-JOB `exclusive`: jobs naming the same resource never run
 * at the same time, across jobnets). One workflow per resource, id `resource/<name>`, started on
 * the first request by `signalWithStart` (from the `requestResourceLock` activity). It grants the
 * resource to one request at a time, first come first served, by signalling the requesting run;
 * the run signals the release when its job has ended (or when it no longer wants the resource).
 *
 * Deterministic workflow code: it must not do I/O or read the clock. Requests and releases are
 * idempotent by token, so a retried activity or a replayed signal changes nothing. When nobody
 * holds or waits for the resource, the workflow ends; the next request starts it again. Long
 * busy periods continue-as-new with the holder and the queue.
 */
import { condition, continueAsNew, defineQuery, defineSignal, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { resourceGrantedSignal } from './run-contract.js';

/** One request: who asked and its token. */
export interface ResourceRequest {
  requester: string;
  token: string;
}

export interface ResourceLockInput {
  resource: string;
  holder?: ResourceRequest;
  queue?: ResourceRequest[];
}

export interface ResourceLockView {
  resource: string;
  holder?: ResourceRequest;
  queue: ResourceRequest[];
}

export const acquireResourceSignal = defineSignal<[ResourceRequest]>('acquireResource');
export const releaseResourceSignal = defineSignal<[{ token: string }]>('releaseResource');
export const resourceLockViewQuery = defineQuery<ResourceLockView>('resourceLockView');

/** Workflow id of the lock of `resource`. */
export function resourceLockWorkflowId(resource: string): string {
  return `resource/${encodeURIComponent(resource)}`;
}

/** History length after which the lock continues as new. */
const continueAsNewAfterEvents = 2000;

export async function resourceLockWorkflow(input: ResourceLockInput): Promise<void> {
  let holder = input.holder;
  const queue: ResourceRequest[] = [...(input.queue ?? [])];
  let changed = false;

  setHandler(acquireResourceSignal, (request) => {
    if (holder?.token === request.token || queue.some((entry) => entry.token === request.token)) return;
    queue.push(request);
    changed = true;
  });
  setHandler(releaseResourceSignal, ({ token }) => {
    if (holder?.token === token) holder = undefined;
    else {
      const index = queue.findIndex((entry) => entry.token === token);
      if (index >= 0) queue.splice(index, 1);
    }
    changed = true;
  });
  setHandler(resourceLockViewQuery, () => {
    const view: ResourceLockView = { resource: input.resource, queue: [...queue] };
    if (holder) view.holder = holder;
    return view;
  });

  for (;;) {
    while (holder === undefined && queue.length > 0) {
      const next = queue.shift() as ResourceRequest;
      holder = next;
      try {
        await getExternalWorkflowHandle(next.requester).signal(resourceGrantedSignal, { resource: input.resource, token: next.token });
      } catch {
        // The requesting run is gone (ended or terminated): the resource goes to the next one.
        if (holder?.token === next.token) holder = undefined;
      }
    }
    if (holder === undefined && queue.length === 0) return;
    if (workflowInfo().historyLength > continueAsNewAfterEvents) {
      const carried: ResourceLockInput = { resource: input.resource, queue };
      if (holder) carried.holder = holder;
      await continueAsNew<typeof resourceLockWorkflow>(carried);
    }
    changed = false;
    await condition(() => changed);
  }
}
