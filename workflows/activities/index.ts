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
import { createRestActivities, type RestPollTiming } from './rest-activities.js';

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
  return {
    runCommand: createCommandActivity(settings),
    requestResourceLock: createResourceLockActivity(settings),
    ...createRestActivities({
      client: settings.client,
      ...(settings.onRestPoll !== undefined ? { onPoll: settings.onRestPoll } : {}),
    }),
    ...createJobnetActorActivities(settings),
    ...createDeliveryActivities(settings),
  };
}
