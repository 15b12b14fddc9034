/**
 * The bare workflow of the Temporal Schedules baseline of bench/start-latency.bench.ts: it runs one
 * activity and ends. No product code, so what a Schedule costs from its due instant to the
 * activity started is Temporal's own figure on the same server.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './activities.js';

const { bareActivity } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** Runs {@link BareActivities.bareActivity} once. */
export async function bareScheduledWorkflow(seconds: number): Promise<void> {
  await bareActivity(seconds);
}
