/**
 * What the delivery workflow carries across continue-as-new, kept inside Temporal's payload limit
 * (docs/incidents.md#bounded-state). The carried state is the input of the next run, one payload:
 * above the server's blob limit (2 MB by default) the continue-as-new is refused and the server
 * terminates the workflow with everything it held. So the workflow continues as new only once the
 * state fits {@link carryBudgetBytes} — its sinks keep delivering until then — and when its history
 * nears the server's own limits first, it drops the oldest items until the state fits: log events
 * first (each sink's oldest), then the oldest incidents, every one counted as dropped on its sink.
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import type { DeliveryCarried } from '../delivery-contract.js';
import { serviceNowSink } from './delivery-config.js';

/** Most bytes of carried state (UTF-8 JSON): the 2 MB blob limit less room for the rest of the input. */
export const carryBudgetBytes = 1_500_000;

/**
 * History this long or this large no longer waits for the state to fit: Temporal terminates a
 * workflow at 51,200 events or 50 MB, and warns from 10,240 events / 10 MB.
 */
export const historyCeiling = { events: 20_000, bytes: 20_000_000 };

/** UTF-8 length of a string, without TextEncoder (the workflow sandbox's may be absent). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of the carried state as the next run's input would hold it. */
export function carriedBytes(state: DeliveryCarried): number {
  return utf8Length(JSON.stringify(state));
}

/** Whether the workflow may stop waiting for its state to fit and continue as new anyway. */
export function historyNearCeiling(
  history: { length: number; sizeBytes: number },
  ceiling: { events: number; bytes: number } = historyCeiling,
): boolean {
  return history.length >= ceiling.events || history.sizeBytes >= ceiling.bytes;
}

/** What {@link fitCarried} dropped, by sink. */
export type CarryDrops = Record<string, number>;

/**
 * Drops the oldest items of `state` (in place) until it fits `budget`: log events first — the
 * oldest of the longest backlog each time — then the oldest incidents, then items that arrived
 * before any configuration. The drops are added to each sink's `dropped` count; returns them.
 */
export function fitCarried(state: DeliveryCarried, budget = carryBudgetBytes): CarryDrops {
  const drops: CarryDrops = {};
  let over = carriedBytes(state) - budget;
  if (over <= 0) return drops;
  const dropFrom = <T>(sink: string, queue: T[]): boolean => {
    const item = queue.shift();
    if (item === undefined) return false;
    // A comma between items in the JSON array, at most.
    over -= utf8Length(JSON.stringify(item)) + 1;
    drops[sink] = (drops[sink] ?? 0) + 1;
    const status = state.status[sink];
    if (status !== undefined) status.dropped += 1;
    return true;
  };
  while (over > 0) {
    const longest = Object.entries(state.logs)
      .filter(([, queue]) => queue.length > 0)
      .sort(([, a], [, b]) => b.length - a.length)[0];
    if (longest !== undefined) {
      dropFrom(longest[0], longest[1]);
      continue;
    }
    if (dropFrom(serviceNowSink, state.incidents)) continue;
    if (dropFrom('unrouted', state.unrouted.logs)) continue;
    if (dropFrom('unrouted', state.unrouted.incidents)) continue;
    break;
  }
  return drops;
}
