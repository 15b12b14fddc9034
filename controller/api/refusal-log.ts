/**
 * Logs refused webhook requests aggregated: the first refusal after a quiet interval is logged at
 * once, the ones that follow within the interval are counted and logged as one line with the count
 * when it ends. A flood of bad signatures (thousands a second) thus costs a line a minute, not a
 * warning each, and the log still says that it happened, how often, and the last reason.
 *
 * I/O: one unref'd timer and the log callback it is given.
 */

export type RefusalLogger = (level: 'info' | 'warn', message: string) => void;

/** Default aggregation interval. */
export const defaultRefusalLogIntervalMs = 60_000;

export class RefusalLog {
  private counted = 0;
  private limited = 0;
  private lastReason = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: RefusalLogger,
    private readonly intervalMs = defaultRefusalLogIntervalMs,
  ) {}

  /** A refused request; `limited` when it was answered 429 (over the client's refusal limit). */
  refused(reason: string, limited: boolean): void {
    if (this.timer === undefined) {
      this.log(
        'warn',
        `webhook refused: ${reason} (further refusals are counted and logged every ${Math.round(this.intervalMs / 1000)} s)`,
      );
      this.timer = setInterval(() => this.flush(), this.intervalMs);
      this.timer.unref();
      return;
    }
    this.counted += 1;
    if (limited) this.limited += 1;
    this.lastReason = reason;
  }

  /** Logs what was counted since the last line; stops the timer when nothing was. */
  flush(): void {
    if (this.counted === 0) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const limited = this.limited > 0 ? `, ${this.limited} of them answered 429` : '';
    this.log(
      'warn',
      `webhook refused ${this.counted} more request(s) in the last ${Math.round(this.intervalMs / 1000)} s${limited}; last reason: ${this.lastReason}`,
    );
    this.counted = 0;
    this.limited = 0;
  }

  /** Logs what is pending and stops. */
  close(): void {
    this.flush();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
