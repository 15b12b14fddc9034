/**
 * The one bounded-concurrency helper: results in order, never more than the limit in flight, and
 * nothing started after a failure, which is thrown once the calls in flight have ended.
 */
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../controller/lib/bounded-concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrently', () => {
  it('keeps the order of the items and at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0], 2, async (item, index) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick(item);
      inFlight -= 1;
      return `${index}:${item}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(most).toBe(2);
    expect(await mapConcurrently([], 4, () => Promise.resolve(1))).toEqual([]);
  });

  it('starts nothing after a failure and throws it once the calls in flight have ended', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const failure = await mapConcurrently([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick(item === 1 ? 1 : 10);
      ended.push(item);
      if (item === 1) throw new Error('item 1 failed');
      return item;
    }).catch((error: unknown) => error);
    expect((failure as Error).message).toBe('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(ended.sort()).toEqual([0, 1]);
  });

  it('refuses a limit that is not a positive whole number', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN])
      await expect(mapConcurrently([1], limit, () => Promise.resolve(1))).rejects.toBeInstanceOf(RangeError);
  });
});
