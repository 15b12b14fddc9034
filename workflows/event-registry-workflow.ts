/**
 * The event registry (docs/architecture.md#the-event-registry): one workflow per deployment (task queue), id
 * `jobnet-registry/<task-queue>`, holding the applied event routing and its revision. Every raise and clear goes through it (R-EVT-1,
 * R-EVT-3): it picks the jobnets in scope that wait for the event (`lib/event-routing.ts`) and
 * hands the raise to each one's actor in an activity, one Update per actor with an id derived
 * from the raise, so a retried activity never delivers a raise twice. The raiser gets every
 * jobnet's answer — started, pending, delivered to a waiting run, copied, ignored, or refused
 * with the reason (the 256th pending raise, a running jobnet without `whileRunning`, …).
 *
 * It also keeps the status the GitOps controller publishes (R-GIT-4), for `jobnet status` and the
 * API, which controller owns the deployment, and the projects' access grants of the applied revision (read by
 * the API to resolve roles, R-SEC-3) (lib/controller-ownership.ts). Deterministic workflow code only; continues as new when its history grows.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobnetActorActivities } from './activities/activity.types.js';
import {
  applyRoutesSignal,
  claimControllerUpdate,
  clearPendingEventsUpdate,
  controllerOwnerQuery,
  controllerStatusQuery,
  controllerStatusSignal,
  eventRegistryViewQuery,
  raiseEventUpdate,
  releaseControllerSignal,
  type ControllerClaim,
  type ControllerOwner,
  type EventClearAnswer,
  type EventClearRequest,
  type EventRaise,
  type EventRaiseAnswer,
  type EventRegistryInput,
} from './event-registry-contract.js';
import { controllerClaimRefusal } from './lib/controller-ownership.js';
import { eventTargets, inScope, scopeProblem, type EventRoute } from './lib/event-routing.js';

const activities = proxyActivities<JobnetActorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

const historyLimit = 4000;

/** Routes raises and clears to the jobnet actors (see the module header). */
export async function eventRegistryWorkflow(input: EventRegistryInput): Promise<void> {
  let revision = input.revision;
  let routes: EventRoute[] = input.routes;
  let raises = input.raises ?? 0;
  let controllerStatus = input.controllerStatus;
  let controllerOwner = input.controllerOwner;
  let access = input.access;
  const generation = workflowInfo().runId;

  setHandler(eventRegistryViewQuery, () => ({
    ...(revision !== undefined ? { revision } : {}),
    routes,
    raises,
    ...(access !== undefined ? { access } : {}),
  }));
  setHandler(controllerStatusQuery, () => controllerStatus);
  setHandler(controllerStatusSignal, (status) => {
    controllerStatus = status;
  });
  const liveOwner = (): ControllerOwner | undefined =>
    controllerOwner !== undefined && Date.now() - controllerOwner.renewedAt < controllerOwner.leaseMs
      ? controllerOwner
      : undefined;
  setHandler(controllerOwnerQuery, liveOwner);
  setHandler(
    claimControllerUpdate,
    (claim): ControllerOwner => {
      const now = Date.now();
      const since = liveOwner()?.id === claim.id ? (controllerOwner?.since ?? now) : now;
      controllerOwner = { ...claim, since, renewedAt: now };
      return controllerOwner;
    },
    {
      validator: (claim: ControllerClaim) => {
        const refusal = controllerClaimRefusal(controllerOwner, claim, Date.now());
        if (refusal !== undefined) throw new Error(refusal);
      },
    },
  );
  setHandler(releaseControllerSignal, ({ id }) => {
    if (controllerOwner?.id === id) controllerOwner = undefined;
  });
  setHandler(applyRoutesSignal, (applied) => {
    revision = applied.revision;
    routes = applied.routes;
    // Plain state, no command: replays the same with or without the field, so no patch is needed.
    access = applied.access;
  });

  const validateScope = (scope: { project?: string; jobnet?: string }): void => {
    const problem = scopeProblem(scope);
    if (problem !== undefined) throw new Error(problem);
  };

  setHandler(
    raiseEventUpdate,
    async (raise: EventRaise): Promise<EventRaiseAnswer> => {
      raises += 1;
      const id = `${generation}/raise-${raises}`;
      const targets = eventTargets(routes, raise.event, raise).map((route) => ({
        project: route.project,
        jobnet: route.jobnet,
        updateId: `${id}/${route.project}/${route.jobnet}`,
      }));
      if (targets.length === 0) return { event: raise.event, results: [] };
      return { event: raise.event, results: await activities.deliverEventToJobnets({ raise, targets }) };
    },
    { validator: validateScope },
  );

  setHandler(
    clearPendingEventsUpdate,
    async (request: EventClearRequest): Promise<EventClearAnswer> => {
      raises += 1;
      const id = `${generation}/clear-${raises}`;
      const targets = routes
        .filter(
          (route) =>
            (request.event === undefined ? route.startEvents.length > 0 : route.startEvents.includes(request.event)) &&
            inScope(route, request),
        )
        .map((route) => ({
          project: route.project,
          jobnet: route.jobnet,
          updateId: `${id}/${route.project}/${route.jobnet}`,
        }));
      if (targets.length === 0) return { results: [] };
      return { results: await activities.clearEventsOfJobnets({ request, targets }) };
    },
    { validator: validateScope },
  );

  for (;;) {
    await condition(() => {
      const info = workflowInfo();
      return (info.continueAsNewSuggested || info.historyLength > historyLimit) && allHandlersFinished();
    });
    const owner = liveOwner();
    await continueAsNew<typeof eventRegistryWorkflow>({
      ...(revision !== undefined ? { revision } : {}),
      routes,
      raises,
      ...(controllerStatus !== undefined ? { controllerStatus } : {}),
      ...(owner !== undefined ? { controllerOwner: owner } : {}),
      ...(access !== undefined ? { access } : {}),
    });
  }
}
