/**
 * The jobnets written to recently: operated on, or one of their runs operated on, through this
 * process. The jobnet list reads summaries from Temporal visibility, which the server updates a
 * moment after the actor's workflow task; for a jobnet in this set the list asks the actor instead,
 * so an operator who holds a jobnet sees it held in the next refresh (read-your-writes).
 *
 * Control flow only: no I/O; the clock is passed in.
 */

/** How long a write makes the list ask the actor: well past visibility's delay under load. */
export const recentWriteWindowMs = 10_000;

export class RecentWrites {
  readonly #until = new Map<string, number>();

  constructor(
    private readonly windowMs = recentWriteWindowMs,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes a write to `project/jobnet` now. */
  note(project: string, jobnet: string): void {
    const now = this.now();
    for (const [key, until] of this.#until) if (until <= now) this.#until.delete(key);
    this.#until.set(keyOf(project, jobnet), now + this.windowMs);
  }

  /** Whether `project/jobnet` was written to within the window. */
  has(project: string, jobnet: string): boolean {
    const until = this.#until.get(keyOf(project, jobnet));
    return until !== undefined && until > this.now();
  }
}

function keyOf(project: string, jobnet: string): string {
  return JSON.stringify([project, jobnet]);
}
