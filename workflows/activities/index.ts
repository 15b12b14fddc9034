/**
 * The activities a jobnet worker registers: all of the product's I/O on the Temporal side
 * (docs/architecture.md#the-temporal-mapping). Built per worker, because they need its client and settings.
 */
import type { Client } from '@temporalio/client';
import type { JobnetActivities, JobnetActorActivities } from './activity.types.js';
import { createCommandActivity } from './command-activity.js';
import { createDeliveryActivities } from './delivery-activities.js';
import type { DeliveryActivities } from './delivery.types.js';
import { createJobnetActorActivities } from './jobnet-actor-activities.js';
import { createResourceLockActivity } from './resource-lock-activity.js';
import { createRestActivities, type RestPollTiming, type TerminationFailure } from './rest-activities.js';
import { terminationFailureEventOf } from '../lib/log-events.js';
import { terminationFailureEventId } from '../lib/wire-contract.js';

export interface ActivitySettings {
  client: Client;
  taskQueue: string;
  /** R-JOBT-8: command jobs run only when allowed. */
  allowCommandJobs: boolean;
  /** Hears when each REST poll began against its due instant (the worker's metrics). */
  onRestPoll?: (timing: RestPollTiming) => void;
}

export function createActivities(
  settings: ActivitySettings,
): JobnetActivities & JobnetActorActivities & DeliveryActivities {
  const delivery = createDeliveryActivities(settings);
  const onTerminationFailed = async (failure: TerminationFailure): Promise<void> => {
    const { identity } = failure;
    const event = terminationFailureEventOf(
      {
        id: terminationFailureEventId(failure.runExecutionId, identity.job),
        at: failure.at,
        project: identity.project,
        jobnet: identity.jobnet,
        runId: identity.runId,
        job: identity.job,
      },
      failure.message,
    );
    await delivery.enqueueDeliveries({ deployment: settings.taskQueue, items: { incidents: [], logs: [event] } });
  };
  return {
    runCommand: createCommandActivity(settings),
    requestResourceLock: createResourceLockActivity(settings),
    ...createRestActivities({
      client: settings.client,
      onTerminationFailed,
      ...(settings.onRestPoll !== undefined ? { onPoll: settings.onRestPoll } : {}),
    }),
    ...createJobnetActorActivities(settings),
    ...delivery,
  };
}
