/**
 * The baseline of bench/run-throughput.bench.ts: a bare Temporal workflow doing the work of a
 * single-job run of one REST job with a time limit — one timer (the time limit) racing one
 * activity (the HTTP call), the timer cancelled when the call has answered. Workflow code only.
 */
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { BareRunActivities } from './bare-run-activities.js';

const { bareCall } = proxyActivities<BareRunActivities>({
  startToCloseTimeout: '70 seconds',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/** Calls `url` once, with a `timeLimitSeconds` timer racing the call; returns the HTTP status. */
export async function bareRunWorkflow(url: string, timeLimitSeconds: number): Promise<number> {
  const limit = new CancellationScope();
  const timedOut = limit.run(async () => {
    await sleep(timeLimitSeconds * 1000);
    return 'timeLimit' as const;
  });
  const call = bareCall(url);
  const first = await Promise.race([call, timedOut]);
  limit.cancel();
  await timedOut.catch((error: unknown) => {
    if (!isCancellation(error)) throw error;
  });
  return first === 'timeLimit' ? -1 : first;
}
