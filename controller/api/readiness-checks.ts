/**
 * The checks behind `GET /readyz` (docs/operations.md "Readiness"): Temporal answers a cheap call
 * within a short deadline, and — in a controller — the last reconcile did not fail. `/healthz`
 * stays liveness (the process runs); readiness says whether it can do its work now, so a load
 * balancer or an orchestrator stops sending to a process that would only answer 503.
 *
 * Each check answers within its deadline and never throws. Temporal I/O through
 * `temporal-reachability.ts` only.
 */
import type { Client } from '@temporalio/client';
import { lastReconcileFailure, type ControllerStatus } from '../reconcile/controller-status.js';
import { defaultProbeTimeoutMs, probeTemporal } from '../temporal/temporal-reachability.js';
import type { ReadinessCheck } from './api-server.js';

/** Temporal answers getSystemInfo within `timeoutMs`. */
export function temporalCheck(client: Client, timeoutMs = defaultProbeTimeoutMs): () => Promise<ReadinessCheck> {
  return async () => {
    const probe = await probeTemporal(client, timeoutMs);
    return probe.ok ? { ok: true, message: 'Temporal answers' } : { ok: false, message: probe.message };
  };
}

/** The controller's last reconcile did not fail (a stalled, invalid revision is not a failure of the controller). */
export function reconcileCheck(status: () => ControllerStatus): () => ReadinessCheck {
  return () => {
    const failure = lastReconcileFailure(status());
    return failure === undefined
      ? { ok: true, message: 'the last reconcile did not fail' }
      : { ok: false, message: failure };
  };
}
