/**
 * The apply step of a reconcile (R-GIT-3): carries a plan out in Temporal, and is the only step
 * that writes there. Created and changed jobnets are loaded into their actors (`applyJobnet`:
 * `signalWithStart`), removed ones retired, or deleted with prune (`retireJobnet`), at most
 * `concurrency` actors at once; then the event registry gets the revision's routes and the projects' access grants (for the
 * API's roles), only when they differ from what it holds, and the delivery workflow the revision's
 * incident policy and log sinks, unless this process applied that very configuration before and the
 * workflow still holds its revision (a resync every few seconds must not grow its history).
 * Unchanged jobnets are not touched.
 *
 * Idempotent: an actor ignores a definition whose digest it holds, a retired actor another
 * retire, so applying a plan twice (a retry after a failure half-way) changes nothing more.
 *
 * Temporal I/O through the jobnet client; it decides nothing (the plan did) and writes no status
 * (the summarizer does).
 */
import type { Client } from '@temporalio/client';
import type { ProjectAccessGrants } from '../../workflows/event-registry-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { eventRoutesOf } from '../../workflows/lib/event-routing.js';
import { applyEventRoutes, applyJobnet, getEventRegistryView, retireJobnet } from '../jobnets/jobnet-client.js';
import { mapConcurrently } from '../lib/bounded-concurrency.js';
import { applyDeliveryConfig, getDeliveryView } from '../incidents/delivery-client.js';
import type { DeliveryConfig } from '../../workflows/lib/delivery-config.js';
import { withTemporalDeadline } from '../temporal/temporal-reachability.js';
import type { ReconcilePlan } from './plan.js';

/** What {@link applyPlan} carries out. */
export interface ApplyRequest {
  /** Task queue of the deployment: its actors and its event registry. */
  taskQueue: string;
  /** The revision applied (recorded with retirements and the routes). */
  revision: string;
  /** Every compiled jobnet of the revision (the routes come from all of them). */
  desired: readonly CompiledJobnet[];
  plan: ReconcilePlan;
  /** Who applies (`controller`, or the operator of `jobnet apply`). */
  by: string;
  /** The revision's incident policy and log sinks, applied to the delivery workflow (docs/incidents.md). */
  delivery?: DeliveryConfig;
  /** The delivery configuration (as JSON) this process applied last: not sent again while the workflow holds its revision. */
  heldDelivery?: string;
  /** How many actors are written at once (default 16). */
  concurrency?: number;
  /** The revision's project access grants (R-SEC-3), published with the routes; omitted: none. */
  access?: ProjectAccessGrants;
}

/** What {@link applyPlan} wrote. */
export interface ApplyResult {
  /** Actors sent a definition or a retirement: the plan's actions other than `noop`. */
  actors: number;
  /** Whether the event registry was given new routes or access grants. */
  routes: boolean;
  /** The delivery configuration (as JSON) the delivery workflow holds now; undefined without one. */
  delivery?: string;
}

/** Deadline of the event registry query: a query waits for a worker, and without one it would hang for the SDK's retries (~18 s). */
const registryQueryTimeoutMs = 10_000;

/**
 * Carries out `request.plan` (see the module header).
 * @throws whatever the Temporal client throws (server unreachable, no worker for the registry
 *   query: TemporalCallError); actors written before the failure stay written.
 */
export async function applyPlan(client: Client, request: ApplyRequest): Promise<ApplyResult> {
  const { taskQueue, revision, by } = request;
  const writes: (() => Promise<unknown>)[] = [];
  for (const action of request.plan.actions) {
    if (action.kind === 'create' || action.kind === 'update')
      writes.push(() => applyJobnet(client, taskQueue, action.desired, by));
    else if (action.kind === 'retire')
      writes.push(() => retireJobnet(client, taskQueue, action.project, action.name, { revision, by, remove: false }));
    else if (action.kind === 'delete')
      writes.push(() => retireJobnet(client, taskQueue, action.project, action.name, { revision, by, remove: true }));
  }
  await mapConcurrently(writes, request.concurrency ?? 16, (write) => write());
  const routes = eventRoutesOf(request.desired);
  const registry = await withTemporalDeadline(
    client,
    registryQueryTimeoutMs,
    'querying the event registry',
    async () => await getEventRegistryView(client, taskQueue),
  );
  const access = request.access ?? {};
  const routesChanged =
    registry === undefined ||
    JSON.stringify(registry.routes) !== JSON.stringify(routes) ||
    JSON.stringify(registry.access ?? {}) !== JSON.stringify(access);
  if (routesChanged) await applyEventRoutes(client, taskQueue, revision, routes, access);
  let delivery: string | undefined;
  if (request.delivery !== undefined) {
    delivery = JSON.stringify(request.delivery);
    const revision = request.delivery.revision;
    const held =
      request.heldDelivery === delivery &&
      (await withTemporalDeadline(
        client,
        registryQueryTimeoutMs,
        'querying the delivery workflow',
        async () => await getDeliveryView(client, taskQueue),
      ).then(
        (view) => view?.configured === true && view.revision === revision,
        () => false,
      ));
    if (!held) await applyDeliveryConfig(client, taskQueue, request.delivery);
  }
  return { actors: writes.length, routes: routesChanged, ...(delivery !== undefined ? { delivery } : {}) };
}
