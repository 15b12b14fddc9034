/**
 * The order `jobnet get run` lists jobs in: topological over the `after` edges, ties by name, a
 * recovery job right after the job it recovers.
 */
import { describe, expect, it } from 'vitest';
import { flowOrder, type FlowJob } from '../../controller/runs/flow-order.js';

function job(after: string[] = [], recovery?: string): FlowJob {
  return { predecessors: after.map((name) => ({ job: name })), ...(recovery !== undefined ? { recovery } : {}) };
}

describe('flowOrder', () => {
  it('puts every job after the jobs it runs after, whatever their names', () => {
    expect(flowOrder({ zz: job(), mm: job(['zz']), aa: job(['mm']) })).toEqual(['zz', 'mm', 'aa']);
  });

  it('orders jobs free at the same time by name, and a join after all of its predecessors', () => {
    const jobs = {
      start: job(),
      'b-branch': job(['start']),
      'a-branch': job(['start']),
      'c-slow': job(['b-branch']),
      join: job(['a-branch', 'c-slow']),
    };
    expect(flowOrder(jobs)).toEqual(['start', 'a-branch', 'b-branch', 'c-slow', 'join']);
  });

  it('starts with the jobs that wait for nothing, by name', () => {
    expect(flowOrder({ b: job(), a: job(), c: job(['a']) })).toEqual(['a', 'b', 'c']);
  });

  it('lists a recovery job right after the job it recovers, not first for having no predecessors', () => {
    const jobs = {
      load: job(['extract'], 'reset'),
      extract: job(),
      report: job(['load']),
      reset: job(),
      archive: job(['report']),
    };
    expect(flowOrder(jobs)).toEqual(['extract', 'load', 'reset', 'report', 'archive']);
  });

  it('ignores edges to jobs that do not exist and puts jobs on a cycle last, by name', () => {
    expect(flowOrder({ a: job(['ghost']), c: job(['d']), d: job(['c']), b: job(['a']) })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('is the order of names for a jobnet without edges', () => {
    expect(flowOrder({ c: job(), a: job(), b: job() })).toEqual(['a', 'b', 'c']);
  });
});
