/**
 * Whether Temporal answers, and what a failed Temporal call means for an operator: the server is
 * unreachable, no worker polls the task queue (so queries and workflow tasks wait forever), or a
 * call simply took too long. The HTTP API answers with these (`/readyz`, a 503 instead of a hang),
 * and the reconciler names them in the controller's conditions instead of repeating the SDK's
 * "Failed to query Workflow".
 *
 * Every call here has a deadline: the SDK retries an unreachable server for about 18 s and an
 * AbortSignal does not stop those retries, so a call runs under `client.withDeadline` and a timer
 * that gives up at the same moment (the abandoned call ends on its own deadline).
 *
 * Temporal I/O only (getSystemInfo, describeTaskQueue); it knows nothing of definitions or runs
 * and never prints the connection's credentials.
 */
import type { Client } from '@temporalio/client';

/** What went wrong with Temporal, as the API's error codes name it. */
export type TemporalProblem =
  /** The server does not answer (down, unreachable, refusing connections). */
  | 'TEMPORAL_UNAVAILABLE'
  /** The server answers, but no worker polls the task queue. */
  | 'NO_WORKER'
  /** The call did not finish within its deadline, for another reason. */
  | 'TEMPORAL_TIMEOUT';

/** A Temporal call that failed in one of the ways of {@link TemporalProblem}; the message says which and what to do. */
export class TemporalCallError extends Error {
  override name = 'TemporalCallError';
  constructor(
    readonly problem: TemporalProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Default deadline of a reachability probe. */
export const defaultProbeTimeoutMs = 2_000;

/** `1.5 s`, `3 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Runs `work` with a deadline of `timeoutMs` on its Temporal calls, and settles by then even when
 * the SDK is still retrying.
 * @throws TemporalCallError('TEMPORAL_TIMEOUT') when the deadline passes; whatever `work` throws otherwise.
 */
export async function withTemporalDeadline<T>(
  client: Client,
  timeoutMs: number,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const call = client.withDeadline(Date.now() + timeoutMs, work);
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TemporalCallError('TEMPORAL_TIMEOUT', `${what}: Temporal did not answer within ${seconds(timeoutMs)}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}

/** The address of the client's connection, when it has one (for messages; never credentials). */
function addressOf(client: Client): string | undefined {
  const connection = client.connection as { options?: { address?: unknown } };
  return typeof connection.options?.address === 'string' ? connection.options.address : undefined;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** Outcome of a probe: ok, or why not. */
export type ProbeResult = { ok: true } | { ok: false; problem: TemporalProblem; message: string };

/**
 * Whether the Temporal server answers a cheap call (getSystemInfo) within `timeoutMs`.
 * Never throws.
 */
export async function probeTemporal(client: Client, timeoutMs = defaultProbeTimeoutMs): Promise<ProbeResult> {
  try {
    await withTemporalDeadline(
      client,
      timeoutMs,
      'getSystemInfo',
      async () => await client.workflowService.getSystemInfo({}),
    );
    return { ok: true };
  } catch (error) {
    const address = addressOf(client);
    return {
      ok: false,
      problem: 'TEMPORAL_UNAVAILABLE',
      message: `Temporal${address !== undefined ? ` at ${address}` : ''} is unreachable: ${reasonOf(error)}`,
    };
  }
}

/**
 * How many workers poll `taskQueue` for workflow tasks (describeTaskQueue), within `timeoutMs`.
 * @throws whatever the call throws, TemporalCallError on the deadline.
 */
export async function workflowPollerCount(
  client: Client,
  taskQueue: string,
  timeoutMs = defaultProbeTimeoutMs,
): Promise<number> {
  const answer = await withTemporalDeadline(
    client,
    timeoutMs,
    'describeTaskQueue',
    async () =>
      // 1 = TASK_QUEUE_TYPE_WORKFLOW: the pollers that run workflow tasks and answer queries.
      await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1,
      }),
  );
  return answer.pollers?.length ?? 0;
}

/** The message of a task queue no worker polls. */
export function noWorkerMessage(taskQueue: string): string {
  return `no worker polls task queue ${taskQueue}; start one (jobnet worker --task-queue ${taskQueue})`;
}

/**
 * Why a Temporal call made for `taskQueue` failed, when the reason is Temporal's side: the server
 * is unreachable, or no worker polls the queue. Probes both at once within `timeoutMs`; undefined
 * when Temporal answers and has a worker (the failure is something else). Never throws.
 */
export async function explainTemporalFailure(
  client: Client,
  taskQueue: string,
  error: unknown,
  timeoutMs = defaultProbeTimeoutMs,
): Promise<TemporalCallError | undefined> {
  if (error instanceof TemporalCallError && error.problem !== 'TEMPORAL_TIMEOUT') return error;
  const [reachable, pollers] = await Promise.all([
    probeTemporal(client, timeoutMs),
    workflowPollerCount(client, taskQueue, timeoutMs).catch(() => undefined),
  ]);
  if (!reachable.ok) return new TemporalCallError('TEMPORAL_UNAVAILABLE', reachable.message, { cause: error });
  if (pollers === 0) return new TemporalCallError('NO_WORKER', noWorkerMessage(taskQueue), { cause: error });
  return undefined;
}
