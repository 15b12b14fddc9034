/**
 * How long the history keeps finished runs (R-OPS-5): Settings `history.retention` (default
 * `31d`) against the retention of the Temporal namespace, which is what really removes closed
 * workflows — and with them their history entries. Open workflows are not subject to retention,
 * so a run that stays open (abended and awaiting an operator) is never removed, however long it
 * waits.
 *
 * `jobnet up` applies the Settings value to the namespace of the dev server it runs; a
 * controller against any other cluster only checks it, and the status carries a warning while
 * the namespace keeps finished runs for less time than the Settings ask.
 *
 * Pure: decides from numbers; the reconciler asks Temporal (controller/temporal/namespace-retention.ts).
 */
import { formatDuration, parseDuration } from '../../workflows/lib/durations.js';

/** The retention when the Settings give none (R-OPS-5). */
export const defaultRetention = '31d';

/** Whether the controller sets the namespace's retention (`jobnet up`'s own dev server) or only checks it. */
export type RetentionMode = 'apply' | 'check';

/** Seconds of Settings `history.retention` (its schema guarantees a duration), else of the default. */
export function retentionSecondsOf(settings: { history?: { retention?: string } } | undefined): number {
  return parseDuration(settings?.history?.retention ?? defaultRetention) ?? (parseDuration(defaultRetention) as number);
}

/** What to do about the namespace's retention. */
export interface RetentionDecision {
  /** Set the namespace's retention to the Settings value. */
  update: boolean;
  /** The status warning while the namespace keeps less than the Settings ask. */
  warning?: string;
}

/** A duration in seconds as Settings write it (`31d`, `1d12h`). */
export function retentionText(seconds: number): string {
  return formatDuration(Math.max(0, Math.round(seconds)));
}

/**
 * The decision for namespace `namespace`, which keeps closed workflows `namespaceSeconds`
 * (undefined: no retention is configured, it keeps them for ever), when the Settings ask for
 * `desiredSeconds`.
 */
export function decideRetention(
  mode: RetentionMode,
  namespace: string,
  namespaceSeconds: number | undefined,
  desiredSeconds: number,
): RetentionDecision {
  if (namespaceSeconds === desiredSeconds) return { update: false };
  if (mode === 'apply') return { update: true };
  if (namespaceSeconds === undefined || namespaceSeconds >= desiredSeconds) return { update: false };
  return { update: false, warning: retentionWarning(namespace, namespaceSeconds, desiredSeconds) };
}

/** The warning for a namespace that keeps finished runs for less time than the Settings ask. */
export function retentionWarning(
  namespace: string,
  namespaceSeconds: number,
  desiredSeconds: number,
  why = '',
): string {
  return `Temporal namespace ${namespace} keeps finished runs for ${retentionText(namespaceSeconds)}, less than Settings history.retention ${retentionText(desiredSeconds)}: older runs leave the history sooner${why} (set it: temporal operator namespace update --retention ${retentionText(desiredSeconds)} ${namespace})`;
}
