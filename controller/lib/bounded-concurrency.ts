/**
 * Bounded concurrency: an async function over a list with at most a given number of calls in
 * flight. It is how the controller applies hundreds of jobnet actors, how `jobnet ls` and
 * `jobnet troubles` query them, and how the benchmarks read them, without opening hundreds of
 * requests to Temporal at once.
 *
 * Control flow only: no I/O, no timers.
 */

/**
 * Runs `work` on every item, at most `limit` calls at once, and resolves with the results in the
 * order of `items`. Once a call rejects, no further item is started: the calls in flight are
 * awaited, then the first rejection is thrown (nothing keeps running behind the caller's back).
 * @throws RangeError when `limit` is not a positive whole number; the first error of `work`.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`a concurrency limit must be a positive whole number, not ${limit}`);
  const results = new Array<R>(items.length);
  const state: { next: number; failure?: { error: unknown } } = { next: 0 };
  const lane = async (): Promise<void> => {
    while (state.failure === undefined && state.next < items.length) {
      const index = state.next;
      state.next += 1;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        state.failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (state.failure !== undefined) throw state.failure.error;
  return results;
}
