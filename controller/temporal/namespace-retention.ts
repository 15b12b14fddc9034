/**
 * The retention of a Temporal namespace: how long it keeps closed workflows (R-OPS-5). Read with
 * DescribeNamespace, set with UpdateNamespace (`workflowExecutionRetentionTtl`), through the
 * client's workflow service. The namespace is the client's.
 *
 * Temporal I/O only; decides nothing (controller/reconcile/history-retention.ts does).
 */
import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { withTemporalDeadline } from './temporal-reachability.js';

/**
 * How long one namespace call may take: without a deadline, the SDK's retries of an unreachable
 * server hold the reconcile that asked (and so the status it reports) for about 20 seconds.
 */
const namespaceCallTimeoutMs = 5_000;

function secondsOf(duration: { seconds?: unknown; nanos?: unknown } | null | undefined): number | undefined {
  if (duration === null || duration === undefined) return undefined;
  const seconds = Number(duration.seconds ?? 0) + Number(duration.nanos ?? 0) / 1e9;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Seconds the client's namespace keeps closed workflows; undefined when it has no retention set.
 * @throws whatever the call throws, TemporalCallError on the deadline.
 */
export async function namespaceRetentionSeconds(client: Client): Promise<number | undefined> {
  const described = await withTemporalDeadline(
    client,
    namespaceCallTimeoutMs,
    'describeNamespace',
    async () => await client.workflowService.describeNamespace({ namespace: client.options.namespace }),
  );
  return secondsOf(described.config?.workflowExecutionRetentionTtl);
}

/**
 * Sets how long the client's namespace keeps closed workflows.
 * @throws whatever the server answers (permission, a minimum), TemporalCallError on the deadline.
 */
export async function setNamespaceRetention(client: Client, seconds: number): Promise<void> {
  await withTemporalDeadline(
    client,
    namespaceCallTimeoutMs,
    'updateNamespace',
    async () =>
      await client.workflowService.updateNamespace({
        namespace: client.options.namespace,
        config: { workflowExecutionRetentionTtl: msToTs(seconds * 1000) },
      }),
  );
}
