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
  const verbs = { create: 'created', update: 'updated', retire: 'retired', delete: 'deleted' } as const;
  const groups: string[] = [];
  for (const kind of ['create', 'update', 'retire', 'delete'] as const) {
    const names = (outcome.plan?.actions ?? [])
      .filter((action) => action.kind === kind)
      .map((action) => printable(`${action.project}/${action.name}`));
    if (names.length > 0) groups.push(`${verbs[kind]} ${names.join(', ')}`);
  }
  return groups.length === 0 ? undefined : groups.join('; ');
}

/**
 * What a reconcile says, given the result of the one before: the jobnets an applied revision
 * changed, and a revision applied after a stalled or failed one (a recovery). A reconcile that
 * changed nothing and recovered nothing has no line; the stall or failure itself is logged by the
 * reconciler.
 */
export function describeReconcile(
  outcome: ReconcileOutcome,
  previous: ReconcileOutcome['result'] | undefined,
): { tag: string; text: string } | undefined {
  const revision = outcome.revision !== undefined ? `revision ${printable(outcome.revision)}` : 'the revision';
  const recovered =
    (previous === 'stalled' || previous === 'failed') &&
    (outcome.result === 'applied' || outcome.result === 'unchanged');
  const changes = outcome.result === 'applied' ? changesOf(outcome) : undefined;
  if (changes === undefined && !recovered) return undefined;
  const parts = [`${revision} ${outcome.result === 'applied' ? 'applied' : 'is what Temporal runs'}`];
  if (changes !== undefined) parts.push(changes);
  if (recovered) parts.push(`recovered: the previous reconcile ${previous === 'stalled' ? 'stalled' : 'failed'}`);
  return { tag: 'reconcile', text: parts.join(': ') };
}
