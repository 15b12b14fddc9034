/**
 * A read shared by its callers: while one is in flight, callers join it, and its result answers
 * the callers that come within `maxAgeMs` of the read's start. How the API answers many open
 * consoles polling the same list with one read of it instead of one per console.
 *
 * Control flow only: no I/O; the clock is passed in.
 */

/**
 * Wraps `read`: a call joins the read in flight, or gets the last result when that read started at
 * most `maxAgeMs` before the call, or starts a new read. A failed read is not kept: its callers
 * get its error and the next call reads again.
 * @throws RangeError when `maxAgeMs` is negative or not finite.
 */
export function sharedRead<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) throw new RangeError(`maxAgeMs must be ≥ 0, not ${maxAgeMs}`);
  let last: { startedAt: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return async () => {
    if (inFlight !== undefined) return await inFlight;
    if (last !== undefined && now() - last.startedAt <= maxAgeMs) return last.value;
    const startedAt = now();
    // One read at a time: a new one starts only when none is in flight.
    const current = read()
      .then((value) => {
        last = { startedAt, value };
        return value;
      })
      .finally(() => (inFlight = undefined));
    inFlight = current;
    return await current;
  };
}
