/**
 * What today's timeline marks on a jobnet's row (R-UI-1): each planned start of the business date
 * — started, still due, delayed (its time has passed and no run started after it before the next
 * planned start) or skipped (the schedule is disabled) — and each run with whether it is still
 * going and whether it overran: past its end deadline (the run's own, or the date's `end` deadline)
 * or named by an `endDelayed` or `jobOverrun` trouble (a job past its expected duration). A
 * `startDelayed` trouble of the date marks the row.
 *
 * Browser code, pure: the current instant is a parameter.
 */
import type { RunEntry, RunRef, Trouble } from './api.js';

/** `GET /api/v1/jobnets/{project}/{jobnet}/day` (controller/jobnets/planned-day.ts). */
export interface PlannedDay {
  jobnet: string;
  businessDate: string;
  calendar: string;
  timezone: string;
  dayChangeTime: string;
  dayStart: string;
  dayEnd: string;
  trigger: 'at' | 'every' | 'events' | 'manual';
  enabled: boolean;
  startDay: boolean;
  starts: { businessDate: string; instant: string; time: string; kind: 'at' | 'every' | 'events' }[];
  startDeadline?: string;
  endDeadline?: string;
  endAfterSeconds?: number;
  expectedDurations: Record<string, number>;
}

export type StartMark = 'started' | 'due' | 'delayed' | 'skipped' | 'events';

export interface RunMark {
  run: RunEntry;
  from: number;
  to: number;
  going: boolean;
  /** Why the run overran, when it did. */
  overrun?: string;
}

export interface RowMarks {
  starts: { instant: number; time: string; mark: StartMark }[];
  runs: RunMark[];
  /** The `startDelayed` trouble of the date, when there is one. */
  startDelayed?: Trouble;
}

/** A start this long past its time without a run is delayed (the actor starts within a second or two). */
export const delayGraceMs = 30_000;

export function rowMarks(
  plan: PlannedDay | undefined,
  runs: readonly RunEntry[],
  openRun: RunRef | null | undefined,
  troubles: readonly Trouble[],
  now: number,
): RowMarks {
  const runStarts = runs.map((run) => Date.parse(run.started));
  const planned = plan?.starts ?? [];
  const dayEnd = plan !== undefined ? Date.parse(plan.dayEnd) : Number.POSITIVE_INFINITY;
  const starts = planned.map((start, index) => {
    const instant = Date.parse(start.instant);
    const next = index + 1 < planned.length ? Date.parse(planned[index + 1]?.instant ?? '') : dayEnd;
    let mark: StartMark;
    if (start.kind === 'events') mark = 'events';
    else if (plan?.enabled === false) mark = 'skipped';
    else if (runStarts.some((at) => at >= instant && at < next)) mark = 'started';
    else mark = now >= instant + delayGraceMs ? 'delayed' : 'due';
    return { instant, time: start.time, mark };
  });
  const overrunTroubles = new Map<string, Trouble>();
  for (const trouble of troubles)
    if ((trouble.kind === 'endDelayed' || trouble.kind === 'jobOverrun') && trouble.runId !== undefined)
      overrunTroubles.set(trouble.runId, trouble);
  const runMarks = runs.map((run): RunMark => {
    const from = Date.parse(run.started);
    const going = run.finished === undefined;
    const to = going ? now : Date.parse(run.finished ?? '');
    const deadlines: number[] = [];
    if (openRun?.runId === run.id && openRun.endDeadlineAt !== undefined)
      deadlines.push(Date.parse(openRun.endDeadlineAt));
    if (plan?.endAfterSeconds !== undefined) deadlines.push(from + plan.endAfterSeconds * 1000);
    if (plan?.endDeadline !== undefined && run.businessDate === plan.businessDate)
      deadlines.push(Date.parse(plan.endDeadline));
    const deadline = deadlines.length > 0 ? Math.min(...deadlines) : undefined;
    const trouble = overrunTroubles.get(run.id);
    const mark: RunMark = { run, from, to, going };
    if (trouble !== undefined)
      mark.overrun =
        trouble.kind === 'jobOverrun'
          ? `job ${trouble.job ?? ''} ran past its expected duration`
          : 'not ended by its end deadline';
    else if (deadline !== undefined && to > deadline)
      mark.overrun = `not ended by its end deadline ${new Date(deadline).toISOString()}`;
    return mark;
  });
  const startDelayed = troubles.find(
    (trouble) => trouble.kind === 'startDelayed' && plan !== undefined && trouble.businessDate === plan.businessDate,
  );
  return { starts, runs: runMarks, ...(startDelayed !== undefined ? { startDelayed } : {}) };
}
