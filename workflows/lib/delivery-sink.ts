/**
 * The state of one delivery sink (ServiceNow, Azure Monitor, a webhook) and its decisions (R-INC-5):
 * when to try again after a failure (exponential backoff, at least a `Retry-After`, slow for
 * configuration errors), when a failure streak is worth a notice (a configuration error at once,
 * other failures at the third attempt in a row) and that the streak's end is noticed once, only
 * when its start was. The backlog is the sink's own queue.
 *
 * Pure and sandbox-safe: no I/O, no clock (instants are passed in).
 */

/** How an attempt at a sink went. */
export type AttemptOutcome =
  | { ok: true }
  | {
      ok: false;
      /** 400/401/403 and the like: the configuration is wrong; retried slowly. */
      configuration: boolean;
      /** What the remote end or the network said (never a secret). */
      error: string;
      /** Milliseconds a `Retry-After` asked for. */
      retryAfterMs?: number;
    };

/** A notice to send to the `notify` targets. */
export interface SinkNotice {
  sink: string;
  kind: 'failing' | 'recovered';
  at: number;
  /** The error that began the streak (failing) or the last one of it (recovered). */
  error: string;
  /** When the streak began. */
  since: number;
  attempts: number;
}

/** What `jobnet status` and the API show of a sink. */
export interface SinkStatus {
  sink: string;
  delivered: number;
  /** Items dropped because the backlog was full. */
  dropped: number;
  backlog: number;
  lastSuccessAt?: number;
  lastError?: { at: number; message: string; configuration: boolean };
  /** The failure streak in progress. */
  failing?: { since: number; attempts: number; noticed: boolean; nextAttemptAt: number };
  lastNoticeError?: string;
}

export function newSinkStatus(sink: string): SinkStatus {
  return { sink, delivered: 0, dropped: 0, backlog: 0 };
}

/** Backoff after the `attempts`-th failure in a row: 1 s doubling to 30 s; configuration errors 5 minutes. */
export function backoffMs(attempts: number, configuration: boolean): number {
  if (configuration) return 5 * 60_000;
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** Attempts in a row that make a transient failure a streak worth a notice. */
export const noticeAfterAttempts = 3;

/** The decision after one attempt: the new status, when to try again, and a notice to send. */
export interface AttemptDecision {
  status: SinkStatus;
  /** Instant of the next attempt (`now` after a success). */
  nextAttemptAt: number;
  notice?: SinkNotice;
}

/** Applies one attempt's outcome to the sink's status (see the module header). */
export function afterAttempt(
  previous: SinkStatus,
  outcome: AttemptOutcome,
  now: number,
  delivered: number,
): AttemptDecision {
  const status: SinkStatus = { ...previous, delivered: previous.delivered + delivered };
  if (outcome.ok) {
    const streak = previous.failing;
    delete status.failing;
    status.lastSuccessAt = now;
    if (streak?.noticed === true) {
      return {
        status,
        nextAttemptAt: now,
        notice: {
          sink: previous.sink,
          kind: 'recovered',
          at: now,
          error: previous.lastError?.message ?? '',
          since: streak.since,
          attempts: streak.attempts,
        },
      };
    }
    return { status, nextAttemptAt: now };
  }
  const attempts = (previous.failing?.attempts ?? 0) + 1;
  const since = previous.failing?.since ?? now;
  const wait = Math.max(backoffMs(attempts, outcome.configuration), outcome.retryAfterMs ?? 0);
  const nextAttemptAt = now + wait;
  const alreadyNoticed = previous.failing?.noticed === true;
  const noticeNow = !alreadyNoticed && (outcome.configuration || attempts >= noticeAfterAttempts);
  status.lastError = { at: now, message: outcome.error, configuration: outcome.configuration };
  status.failing = { since, attempts, noticed: alreadyNoticed || noticeNow, nextAttemptAt };
  if (!noticeNow) return { status, nextAttemptAt };
  return {
    status,
    nextAttemptAt,
    notice: { sink: previous.sink, kind: 'failing', at: now, error: outcome.error, since, attempts },
  };
}

/**
 * How many attempts the ServiceNow sink has in flight at once. Its records are independent, and
 * the look-up by correlation id keeps a record tried again single, so batches overlap: the next
 * one starts while the previous is still being created instead of after it and a workflow task.
 * A log sink sends one batch at a time, in order.
 */
export const incidentLanes = 4;

/**
 * Whether a lane of a sink may start an attempt: when there is work no other lane holds, and, for
 * every lane but the first, only while the sink is not failing — an outage is probed by one
 * attempt at a time, at the backoff's pace (the first lane waits that out itself).
 */
export function laneMayAttempt(lane: number, hasUnclaimedWork: boolean, status: SinkStatus | undefined): boolean {
  if (!hasUnclaimedWork) return false;
  return lane === 0 || status?.failing === undefined;
}

/** Items an attempt sends while its sink is failing: enough to see it answer again. */
export const probeBatchSize = 10;

/**
 * How many items the next attempt of a sink sends: its full batch while the sink works, a probe's
 * while it fails — every attempt's items are its activity's input in the workflow history, so
 * full batches tried again through an outage would fill the history (and reach its ceiling,
 * lib/delivery-carry.ts) with copies of the same backlog.
 */
export function attemptBatchSize(status: SinkStatus | undefined, full: number): number {
  return status?.failing === undefined ? full : Math.min(full, probeBatchSize);
}

/** The first `max` items of `queue` no lane holds (`claimed`, by `keyOf`). */
export function claimBatch<T>(
  queue: readonly T[],
  claimed: ReadonlySet<string>,
  keyOf: (item: T) => string,
  max: number,
): T[] {
  const batch: T[] = [];
  for (const item of queue) {
    if (batch.length >= max) break;
    if (!claimed.has(keyOf(item))) batch.push(item);
  }
  return batch;
}

/** Most items one sink keeps waiting; older ones are dropped (and counted) beyond it. */
export const maxBacklog = 20_000;

/** Appends to a bounded backlog; returns how many were dropped. */
export function enqueueBounded<T>(queue: T[], items: readonly T[], limit = maxBacklog): number {
  queue.push(...items);
  const over = queue.length - limit;
  if (over <= 0) return 0;
  queue.splice(0, over);
  return over;
}

/** The text of a notice, for mail and webhooks. */
export function noticeText(notice: SinkNotice, deployment: string): { subject: string; body: string } {
  const since = new Date(notice.since).toISOString();
  if (notice.kind === 'failing')
    return {
      subject: `jobnet-gitops: delivery to ${notice.sink} is failing (${deployment})`,
      body: [
        `Deliveries to ${notice.sink} of deployment ${deployment} are failing since ${since} (${notice.attempts} attempts).`,
        `Error: ${notice.error}`,
        'Nothing is lost: the deliveries wait and are retried with backoff. Check the connection and the credential.',
      ].join('\n'),
    };
  return {
    subject: `jobnet-gitops: delivery to ${notice.sink} has recovered (${deployment})`,
    body: [
      `Deliveries to ${notice.sink} of deployment ${deployment} succeed again at ${new Date(notice.at).toISOString()}.`,
      `They had failed since ${since} (${notice.attempts} attempts); last error: ${notice.error}`,
    ].join('\n'),
  };
}
