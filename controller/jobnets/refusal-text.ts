/**
 * A refused jobnet operation as the CLI prints it: the actor's reason, with any operation it
 * suggests checked against what the actor would accept now. A reason may name an operation the
 * actor would refuse in turn — after `jobnet run close`, a refused start says "restart or confirm
 * it", but no run is open to restart — so when the reason names one that would not be accepted,
 * its advice is replaced by the operations that would be, each with the command that does it.
 *
 * What is accepted is asked of the jobnet state machine's own `operationRefusal`, on the state and
 * compiled schedule the actor holds: nothing here decides on its own whether an operation is
 * allowed. Pure; no I/O.
 */
import type { JobnetOperationName } from '../../workflows/jobnet-actor-contract.js';
import type { CompiledSchedule } from '../../workflows/lib/compiled-schedule.js';
import { operationRefusal, type JobnetActorState } from '../../workflows/lib/jobnet-state.js';

/** A CLI jobnet operation that can clear what blocks another one, and how advice names it. */
interface Remedy {
  cli: string;
  operation: JobnetOperationName;
  /** How the reasons of the actor name it. */
  named: RegExp;
  advice: string;
}

const remedies: readonly Remedy[] = [
  { cli: 'release', operation: 'release', named: /\brelease (it|the jobnet)\b|\brelease it\b/i, advice: 'release it' },
  {
    cli: 'release-carry-over',
    operation: 'releaseCarryOver',
    named: /carry-over be released|release the carry-over|releaseCarryOver|release-carry-over/i,
    advice: 'release the carry-over',
  },
  { cli: 'restart', operation: 'restart', named: /\brestart\b/i, advice: 'restart it' },
  { cli: 'confirm', operation: 'confirm', named: /\bconfirm\b/i, advice: 'confirm it' },
  {
    cli: 'cancel-end',
    operation: 'cancelEnd',
    named: /\bcancelEnd\b|\bcancel-end\b|\bcancel the (day's )?end\b/i,
    advice: "cancel the day's end",
  },
];

/** The operations that may clear what blocks `refused`, in the order advice lists them. */
const remediesOf: Partial<Record<JobnetOperationName, readonly string[]>> = {
  start: ['release', 'release-carry-over', 'restart', 'confirm', 'cancel-end'],
  restart: ['confirm'],
};

/** What the CLI prints for a refusal, and the operations that are accepted now. */
export interface RefusalText {
  reason: string;
  /** CLI operation names the advice suggests (all accepted now). */
  accepted: string[];
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] as string}`;
}

/**
 * The refusal `reason` of `refused` on jobnet `reference` (`project/jobnet`) as the CLI prints it.
 * When the advice after the reason's last `; ` names an operation the actor would refuse now, that
 * advice is replaced by the accepted ones among those that can clear the refusal (with their
 * commands), keeping "wait for the day change" when it was offered; otherwise the reason is
 * returned as it is.
 */
export function refusalText(
  reason: string,
  refused: JobnetOperationName,
  reference: string,
  state: JobnetActorState,
  schedule: CompiledSchedule,
): RefusalText {
  const cut = reason.lastIndexOf('; ');
  const head = cut === -1 ? reason : reason.slice(0, cut);
  const advice = cut === -1 ? '' : reason.slice(cut + 2);
  const isAccepted = (remedy: Remedy): boolean =>
    operationRefusal(state, schedule, { operation: remedy.operation }) === undefined;
  const named = remedies.filter((remedy) => remedy.named.test(advice));
  if (named.length === 0 || named.every(isAccepted)) return { reason, accepted: named.map((remedy) => remedy.cli) };

  const candidates = (remediesOf[refused] ?? []).map((cli) => remedies.find((remedy) => remedy.cli === cli) as Remedy);
  const accepted = candidates.filter(isAccepted);
  const alternatives = accepted.map((remedy) => `${remedy.advice} (jobnet ${remedy.cli} ${reference})`);
  if (/wait for the day change/i.test(advice)) alternatives.push('wait for the day change');
  const text = alternatives.length === 0 ? head : `${head}; ${listed(alternatives)}`;
  return { reason: text, accepted: accepted.map((remedy) => remedy.cli) };
}
