/**
 * The jobnet summary: the few fields of a jobnet's view that the jobnet list shows (state, next
 * start, open and last run, result, troubles), which the actor publishes in its memo whenever
 * they change. A list of every jobnet is then one visibility listing instead of one query per
 * actor: at 1,000 jobnets a query each took seconds of worker CPU per refresh, and every open
 * console refreshes every 2 s (docs/console.md#the-monitor-at-scale).
 *
 * The same function makes the summary from an actor's view, for actors that have not published
 * one yet (their histories predate it, or they have not stepped since the worker was upgraded),
 * so a list built from memos and one built from queries are the same.
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import type { JobnetView } from '../jobnet-actor-contract.js';
import type { ActorRun, JobnetStatus, PlannedRunStart } from './jobnet-state.js';

/** The version of the summary's shape: a reader ignores a summary of another version and queries. */
export const jobnetSummaryVersion = 1;

/** What the jobnet list shows of one jobnet (times in epoch milliseconds, as in the actor's state). */
export interface JobnetSummary {
  version: typeof jobnetSummaryVersion;
  /** The jobnet's title in the definition the actor holds. */
  title?: string;
  status: JobnetStatus;
  trigger: string;
  businessDate: string;
  revision: string;
  /** The next planned start (or the next business date an event start is allowed), or null. */
  nextStart: PlannedRunStart | null;
  openRun: ActorRun | null;
  lastRun: ActorRun | null;
  /** The outcome shown while no run is open, else the last run's status, else null. */
  result: string | null;
  troubleCount: number;
  /** When the newest kept trouble was recorded, or null: a troubles list since an instant skips the jobnet before it. */
  lastTroubleAt: number | null;
}

/** The summary of a view (the actor's own, or one read by a query). */
export function summaryOfView(view: JobnetView): JobnetSummary {
  const { state } = view;
  return {
    version: jobnetSummaryVersion,
    ...(view.title !== undefined ? { title: view.title } : {}),
    status: view.status,
    trigger: view.trigger,
    businessDate: view.businessDate,
    revision: view.revision,
    nextStart: view.nextStarts[0] ?? null,
    openRun: state.currentRun === undefined ? null : { ...state.currentRun },
    lastRun: state.lastRun === undefined ? null : { ...state.lastRun },
    result: state.lastOutcome ?? state.lastRun?.status ?? null,
    troubleCount: state.troubleCount,
    lastTroubleAt: state.troubles.reduce<number | null>((at, trouble) => Math.max(at ?? trouble.at, trouble.at), null),
  };
}

/** A memo value read back from visibility, when it is a summary of this version. */
export function summaryOfMemo(value: unknown): JobnetSummary | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const summary = value as Partial<JobnetSummary>;
  if (summary.version !== jobnetSummaryVersion || typeof summary.status !== 'string') return undefined;
  return summary as JobnetSummary;
}
