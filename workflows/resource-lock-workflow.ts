/**
 * The lock of one exclusive resource (R-JOB `exclusive`: jobs naming the same resource never run
 * at the same time, across jobnets). One workflow per resource and deployment, id
 * `resource/<deployment>/<name>` (lib/wire-contract.ts), started on the first request by
 * `signalWithStart` (from the `requestResourceLock` activity). It grants the resource to one
 * request at a time, first come first served, by signalling the requesting run; the run signals
 * the release when its job has ended (or when it no longer wants the resource).
 *
 * A holder that no longer runs (terminated outside the product, so it never released) would
 * strand every waiter. While someone waits, the lock therefore probes the holder — a signal, which
 * fails once the holder's workflow has ended — a few seconds after the wait began and then at
 * doubling intervals, and releases a holder that is gone. Operators can also release by hand
 * (`jobnet resource release`).
 *
 * Deterministic workflow code: it must not do I/O or read the clock outside the workflow clock.
 * Requests and releases are idempotent by token, so a retried activity or a replayed signal
 * changes nothing. When nobody holds or waits for the resource, the workflow ends; the next
 * request starts it again. Long busy periods continue-as-new with the holder and the queue.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { livenessProbeSignal, resourceGrantedSignal } from './run-contract.js';

/** One request: who asked and its token; `at` is when the lock received it (or granted it, for the holder). */
export interface ResourceRequest {
  requester: string;
  token: string;
  at?: number;
}

/** A release the lock made itself or an operator asked for (not the holder's own release). */
export interface ResourceRelease {
  token: string;
  requester: string;
  at: number;
  by: string;
  reason: string;
}

export interface ResourceLockInput {
  resource: string;
  holder?: ResourceRequest;
  queue?: ResourceRequest[];
  releases?: ResourceRelease[];
}

export interface ResourceLockView {
  resource: string;
  holder?: ResourceRequest;
  queue: ResourceRequest[];
  /** The latest releases by probe or operator, newest last. */
  releases: ResourceRelease[];
}

/** An operator releases the holder (or the request with `token`) of a lock by hand. */
export interface ResourceForceRelease {
  by: string;
  token?: string;
}

export const acquireResourceSignal = defineSignal<[ResourceRequest]>('acquireResource');
export const releaseResourceSignal = defineSignal<[{ token: string }]>('releaseResource');
export const forceReleaseResourceSignal = defineSignal<[ResourceForceRelease]>('forceReleaseResource');
export const resourceLockViewQuery = defineQuery<ResourceLockView>('resourceLockView');

/** History length after which the lock continues as new. */
const continueAsNewAfterEvents = 2000;
/** The first probe of a holder comes this long after someone waits; then the interval doubles up to the maximum. */
const firstProbeMs = 3_000;
const maxProbeMs = 60_000;
/** Releases kept for the view. */
const keptReleases = 20;

export async function resourceLockWorkflow(input: ResourceLockInput): Promise<void> {
  let holder = input.holder;
  const queue: ResourceRequest[] = [...(input.queue ?? [])];
  const releases: ResourceRelease[] = [...(input.releases ?? [])];
  let changed = false;

  const recordRelease = (entry: ResourceRequest, by: string, reason: string): void => {
    releases.push({ token: entry.token, requester: entry.requester, at: Date.now(), by, reason });
    if (releases.length > keptReleases) releases.splice(0, releases.length - keptReleases);
  };

  setHandler(acquireResourceSignal, (request) => {
    if (holder?.token === request.token || queue.some((entry) => entry.token === request.token)) return;
    queue.push({ requester: request.requester, token: request.token, at: Date.now() });
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
  setHandler(forceReleaseResourceSignal, ({ by, token }) => {
    if (holder !== undefined && (token === undefined || holder.token === token)) {
      recordRelease(holder, by, 'released by an operator');
      holder = undefined;
    } else if (token !== undefined) {
      const index = queue.findIndex((entry) => entry.token === token);
      if (index >= 0)
        recordRelease(queue.splice(index, 1)[0] as ResourceRequest, by, 'request withdrawn by an operator');
    }
    changed = true;
  });
  setHandler(resourceLockViewQuery, () => {
    const view: ResourceLockView = { resource: input.resource, queue: [...queue], releases: [...releases] };
    if (holder) view.holder = holder;
    return view;
  });

  let probeMs = firstProbeMs;
  for (;;) {
    while (holder === undefined && queue.length > 0) {
      const next = queue.shift() as ResourceRequest;
      holder = { ...next, at: Date.now() };
      probeMs = firstProbeMs;
      try {
        await getExternalWorkflowHandle(next.requester).signal(resourceGrantedSignal, {
          resource: input.resource,
          token: next.token,
        });
      } catch {
        // The requesting run is gone (ended or terminated): the resource goes to the next one.
        if (holder?.token === next.token) holder = undefined;
      }
    }
    if (holder === undefined && queue.length === 0) return;
    if (workflowInfo().historyLength > continueAsNewAfterEvents) {
      const carried: ResourceLockInput = { resource: input.resource, queue, releases };
      if (holder) carried.holder = holder;
      await continueAsNew<typeof resourceLockWorkflow>(carried);
    }
    changed = false;
    if (holder !== undefined && queue.length > 0 && patched('probe-resource-holders')) {
      const probed = holder;
      if (!(await condition(() => changed, probeMs)) && holder === probed) {
        probeMs = Math.min(probeMs * 2, maxProbeMs);
        try {
          await getExternalWorkflowHandle(probed.requester).signal(livenessProbeSignal);
        } catch {
          if (holder?.token === probed.token) {
            recordRelease(probed, 'resource lock', `the holder ${probed.requester} no longer runs`);
            holder = undefined;
          }
        }
      }
    } else {
      await condition(() => changed);
    }
  }
}
