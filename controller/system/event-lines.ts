/**
 * One readable terminal line per thing an operator watches happen (docs/operations.md "What the
 * terminal shows"): a run started or ended, an abend, a trouble, an operation, what a reconcile
 * changed, and a reconcile that recovers. Pure: it formats what it is given, with the time it is
 * given; no I/O, no clock.
 *
 * Every value that comes from definitions, operators or services (names, messages, details) goes
 * through `printable`, so no control character reaches the terminal. Events carry no job output
 * or variable values, so no secret can be printed.
 */
import type { JobnetEvent } from '../../workflows/event-sink-contract.js';
import { printable } from '../cli/terminal-text.js';
import type { ReconcileOutcome } from '../reconcile/summarize-reconcile.js';

/** Width of the tag column (`operation` is the longest tag). */
const tagWidth = 9;

/** `HH:MM:SS` in the process's local zone. */
export function clockTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** A line: time, tag, text (already printable), newline. */
export function textLine(at: Date, tag: string, text: string): string {
  return `${clockTime(at)}  ${tag.padEnd(tagWidth)}  ${text}\n`;
}

/** What an event says, without time and tag; undefined when it has no line of its own. */
export function describeEvent(event: JobnetEvent): { tag: string; text: string } | undefined {
  const jobnet = printable(`${event.project}/${event.jobnet}`);
  switch (event.event) {
    case 'runStarted':
      return {
        tag: 'run',
        text: `${jobnet} ${printable(event.businessDate)} started (${printable(event.trigger)})  ${printable(event.runId)}`,
      };
    case 'runEnded': {
      if (event.status === 'abended' || event.status === 'forced') {
        const job =
          event.job !== undefined
            ? `: job ${printable(event.job)}${event.exitCode !== undefined ? ` exit code ${event.exitCode}` : ''}${event.forcedReason !== undefined ? ` (${event.forcedReason})` : ''}`
            : '';
        return {
          tag: 'abend',
          text: `${jobnet} ${printable(event.businessDate)} ${event.status}${job}  ${printable(event.runId)}`,
        };
      }
      return {
        tag: 'run',
        text: `${jobnet} ${printable(event.businessDate)} ended ${event.status}  ${printable(event.runId)}`,
      };
    }
    case 'trouble':
      // The abend line already says it (with the failing job).
      if (event.trouble === 'jobnetAbended') return undefined;
      return { tag: 'trouble', text: `${jobnet} ${event.trouble}: ${printable(event.message)}` };
    case 'operation':
      return {
        tag: 'operation',
        text: `${jobnet} ${printable(event.operation)} by ${printable(event.by)}${event.detail !== '' ? `: ${printable(event.detail)}` : ''}${event.runId !== undefined ? `  ${printable(event.runId)}` : ''}`,
      };
    case 'jobEnded':
      return undefined;
  }
}

/** The jobnets a plan changes, by action: `created infra/a, infra/b; retired ops/x`. */
function changesOf(outcome: ReconcileOutcome): string | undefined {
  const groups: string[] = [];
  for (const kind of ['create', 'update', 'retire', 'delete'] as const) {
    const names = (outcome.plan?.actions ?? [])
      .filter((action) => action.kind === kind)
      .map((action) => printable(`${action.project}/${action.name}`));
    // created, updated, retired, deleted
    if (names.length > 0) groups.push(`${kind}d ${names.join(', ')}`);
  }
  return groups.length === 0 ? undefined : groups.join('; ');
}

/** What the reconciles before this one came to: the result and revision that matter for the next line. */
export interface ReconcileMemory {
  result: ReconcileOutcome['result'];
  revision?: string;
}

/**
 * What a reconcile says, given what the ones before came to: the jobnets an applied revision
 * changed, and a new revision applied after one that stalled (a recovery). A reconcile that
 * changed nothing and recovered nothing has no line; the stall itself, a failure and its end
 * ("no longer fails") are logged by the reconciler. Returns the memory for the next reconcile:
 * a resync of the revision that stalled is still stalled.
 */
export function describeReconcile(
  outcome: ReconcileOutcome,
  previous: ReconcileMemory | undefined,
): { line?: { tag: string; text: string }; memory: ReconcileMemory } {
  const stillStalled =
    previous?.result === 'stalled' && outcome.result === 'unchanged' && outcome.revision === previous.revision;
  const memory: ReconcileMemory = stillStalled
    ? previous
    : { result: outcome.result, ...(outcome.revision !== undefined ? { revision: outcome.revision } : {}) };
  const revision = outcome.revision !== undefined ? `revision ${printable(outcome.revision)}` : 'the revision';
  const recovered =
    !stillStalled && previous?.result === 'stalled' && (outcome.result === 'applied' || outcome.result === 'unchanged');
  const changes = outcome.result === 'applied' ? changesOf(outcome) : undefined;
  if (changes === undefined && !recovered) return { memory };
  const parts = [`${revision} ${outcome.result === 'applied' ? 'applied' : 'is what Temporal runs'}`];
  if (changes !== undefined) parts.push(changes);
  if (recovered)
    parts.push(
      `recovered from stalled revision ${previous.revision !== undefined ? printable(previous.revision) : ''}`.trimEnd(),
    );
  return { line: { tag: 'reconcile', text: parts.join(': ') }, memory };
}
