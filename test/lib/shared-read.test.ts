/**
 * The shared read: callers join the read in flight, a result answers the callers within its age
 * limit counted from the read's start, and a failure is given to its callers and not kept.
 */
import { describe, expect, it } from 'vitest';
import { sharedRead } from '../../controller/lib/shared-read.js';

describe('sharedRead', () => {
  it('gives every caller during a read that read, and its result until it is older than maxAgeMs', async () => {
    let clock = 1000;
    let reads = 0;
    let release: (() => void) | undefined;
    const read = sharedRead(
      async () => {
        reads += 1;
        const n = reads;
        await new Promise<void>((resolve) => (release = resolve));
        return `read ${n}`;
      },
      500,
      () => clock,
    );
    const first = read();
    clock += 700; // a slow read: callers during it still join it
    const second = read();
    expect(reads).toBe(1);
    release?.();
    expect(await Promise.all([first, second])).toEqual(['read 1', 'read 1']);
    clock = 1000 + 500; // exactly maxAgeMs after the read started
    expect(await read()).toBe('read 1');
    expect(reads).toBe(1);
    clock += 1;
    const third = read();
    expect(reads).toBe(2);
    release?.();
    expect(await third).toBe('read 2');
  });

  it('gives a failure to the callers of that read and reads again on the next call', async () => {
    let reads = 0;
    const read = sharedRead(async () => {
      reads += 1;
      await Promise.resolve();
      if (reads === 1) throw new Error('Temporal did not answer');
      return reads;
    }, 10_000);
    const failures = await Promise.allSettled([read(), read()]);
    expect(failures.map((f) => (f.status === 'rejected' ? (f.reason as Error).message : f.value))).toEqual([
      'Temporal did not answer',
      'Temporal did not answer',
    ]);
    expect(reads).toBe(1);
    expect(await read()).toBe(2);
    expect(await read()).toBe(2);
    expect(reads).toBe(2);
  });

  it('refuses a negative age limit', () => {
    expect(() => sharedRead(() => Promise.resolve(1), -1)).toThrow(RangeError);
  });
});
