/**
 * The contract of the event registry (docs/architecture.md#the-event-registry): the one workflow that holds the
 * applied event routing and its revision, and through which every message event is raised or
 * cleared (R-EVT-1, R-EVT-3) — by `jobnet event raise|clear`, the HTTP API and `raiseEvent` jobs.
 *
 * Imported by workflow code and by clients alike: plain types and `define*` handles only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventDeliveryAnswer } from './jobnet-actor-contract.js';
import type { ControllerClaim, ControllerOwner } from './lib/controller-ownership.js';
import type { EventRoute } from './lib/event-routing.js';

export interface EventRegistryInput {
  /** Revision of the applied routes; omitted until the first apply. */
  revision?: string;
  routes: EventRoute[];
  /** Raises handled so far (carried over a continue-as-new, for update ids). */
  raises?: number;
  /** The controller's last published status (carried over a continue-as-new). */
  controllerStatus?: unknown;
  /** The controller that owns the deployment (carried over a continue-as-new). */
  controllerOwner?: ControllerOwner;
  /** The projects' access grants of the applied revision (carried over a continue-as-new). */
  access?: ProjectAccessGrants;
}

/** A role granted on a project to subjects, as a Project's `spec.access` writes it (R-SEC-3). */
export interface ProjectAccessGrant {
  role: 'viewer' | 'operator' | 'admin';
  subjects: string[];
}

/**
 * The access grants of a revision, by project: only projects whose `spec.access` grants
 * something; a project missing here is visible to global admins only.
 */
export type ProjectAccessGrants = Record<string, ProjectAccessGrant[]>;

/** New routes from `jobnet apply` / the controller. */
export interface RoutesApply {
  revision: string;
  routes: EventRoute[];
  /** The revision's access grants, for the API (omitted by older controllers: none known). */
  access?: ProjectAccessGrants;
}

/** A raise (R-EVT-1): scope, variable parameter, copy suffix. */
export interface EventRaise {
  event: string;
  project?: string;
  jobnet?: string;
  parameter?: string;
  suffix?: string;
  by: string;
}

/** What one jobnet in scope did with the raise. */
export interface EventTargetResult {
  project: string;
  jobnet: string;
  outcome: EventDeliveryAnswer['outcome'] | 'refused';
  detail: string;
  runId?: string;
}

export interface EventRaiseAnswer {
  event: string;
  /** One entry per jobnet in scope waiting for the event; empty when none waits for it. */
  results: EventTargetResult[];
}

/** `jobnet event clear` (R-EVT-3): pending raises of the jobnets in scope are dropped. */
export interface EventClearRequest {
  project?: string;
  jobnet?: string;
  /** Only the pending raises of this event (WOI msgclear `messagename`); omitted: of every event. */
  event?: string;
  by: string;
}

export interface EventClearAnswer {
  results: { project: string; jobnet: string; cleared: number; refused?: string }[];
}

export interface EventRegistryView {
  revision?: string;
  routes: EventRoute[];
  raises: number;
  /** The access grants applied with the revision; omitted when none were published. */
  access?: ProjectAccessGrants;
}

/** What the registry's delivery activity is given: the raise and its targets, with an update id per target. */
export interface EventDeliveryBatch {
  raise: EventRaise;
  targets: { project: string; jobnet: string; updateId: string }[];
}

export interface EventClearBatch {
  request: EventClearRequest;
  targets: { project: string; jobnet: string; updateId: string }[];
}

export const eventRegistryViewQuery = defineQuery<EventRegistryView>('eventRegistryView');
export const raiseEventUpdate = defineUpdate<EventRaiseAnswer, [EventRaise]>('raiseEvent');
export const clearPendingEventsUpdate = defineUpdate<EventClearAnswer, [EventClearRequest]>('clearPendingEvents');
export const applyRoutesSignal = defineSignal<[RoutesApply]>('applyRoutes');
/**
 * The GitOps controller publishes its status here (R-GIT-4), so `jobnet status` and the API read
 * it from Temporal — the only state store — whichever process asks. Opaque to the workflow.
 */
export const controllerStatusSignal = defineSignal<[unknown]>('controllerStatus');
/** The controller status last published; undefined when no controller has published one. */
export const controllerStatusQuery = defineQuery<unknown>('controllerStatus');
/** Claims or renews the deployment for a controller; rejected (with the owner named) while another controller's lease runs. */
export const claimControllerUpdate = defineUpdate<ControllerOwner, [ControllerClaim]>('claimController');
/** A controller that stops gives its claim up, so a successor need not wait for the lease to lapse. */
export const releaseControllerSignal = defineSignal<[{ id: string }]>('releaseController');
/** The controller that owns the deployment, if its lease runs. */
export const controllerOwnerQuery = defineQuery<ControllerOwner | undefined>('controllerOwner');

export type { ControllerClaim, ControllerOwner };
