/** The jobnets written to recently (controller/lib/recent-writes.ts): the window, per jobnet, on a given clock. */
import { describe, expect, it } from 'vitest';
import { RecentWrites } from '../../controller/lib/recent-writes.js';

describe('RecentWrites', () => {
  it('holds a written jobnet for the window only, and no other jobnet', () => {
    let now = 1_000;
    const writes = new RecentWrites(10_000, () => now);
    expect(writes.has('sales', 'daily')).toBe(false);
    writes.note('sales', 'daily');
    expect(writes.has('sales', 'daily')).toBe(true);
    expect(writes.has('sales', 'other')).toBe(false);
    // A project and jobnet cannot run together into another pair.
    expect(writes.has('sal', 'esdaily')).toBe(false);
    now += 9_999;
    expect(writes.has('sales', 'daily')).toBe(true);
    now += 1;
    expect(writes.has('sales', 'daily')).toBe(false);
  });

  it('renews the window on a second write', () => {
    let now = 0;
    const writes = new RecentWrites(10_000, () => now);
    writes.note('p', 'j');
    now = 8_000;
    writes.note('p', 'j');
    now = 15_000;
    expect(writes.has('p', 'j')).toBe(true);
  });
});
