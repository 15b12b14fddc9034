import { describe, expect, it } from 'vitest';
import {
  compiledJob,
  compiledJobnetProblems,
  jobAndDescendants,
  jobNames,
  recoveryJobNames,
  restartPointOf,
  successorsByJob,
  type CompiledJobnet,
} from '../../workflows/lib/compiled-jobnet.js';

function jobnet(jobs: Record<string, { after?: string[]; recovery?: string; restartPoint?: boolean }>): CompiledJobnet {
  return {
    project: 'sales',
    name: 'daily-close',
    revision: 'abc123',
    jobs: Object.fromEntries(
      Object.entries(jobs).map(([name, { after, ...rest }]) => [
        name,
        compiledJob({
          name,
          type: 'sleep',
          spec: { seconds: 1 },
          predecessors: (after ?? []).map((job) => ({ job })),
          ...rest,
        }),
      ]),
    ),
  };
}

describe('compiledJob', () => {
  it('fills in the defaults of the definition format', () => {
    expect(compiledJob({ name: 'a', type: 'sleep', spec: { seconds: 5 } })).toEqual({
      name: 'a',
      type: 'sleep',
      predecessors: [],
      join: 'all',
      normalExitMax: 0,
      alwaysNormal: false,
      hold: false,
      disabled: false,
      rerunAfterRecovery: false,
      restartPoint: false,
      exclusive: [],
      spec: { seconds: 5 },
    });
  });
});

describe('graph questions', () => {
  const net = jobnet({
    load: { recovery: 'cleanup' },
    extract: {},
    transform: { after: ['extract'] },
    report: { after: ['transform', 'load'], restartPoint: true },
    cleanup: { after: ['extract'] },
  });

  it('lists jobs in sorted order', () => {
    expect(jobNames(net)).toEqual(['cleanup', 'extract', 'load', 'report', 'transform']);
  });

  it('knows the recovery jobs and keeps them out of the normal flow', () => {
    expect(recoveryJobNames(net)).toEqual(['cleanup']);
    expect(successorsByJob(net)).toEqual({
      cleanup: [],
      extract: ['transform'],
      load: ['report'],
      report: [],
      transform: ['report'],
    });
  });

  it('finds a job and everything after it', () => {
    expect(jobAndDescendants(net, 'extract')).toEqual(['extract', 'report', 'transform']);
    expect(jobAndDescendants(net, 'report')).toEqual(['report']);
  });

  it('finds the restart point', () => {
    expect(restartPointOf(net)).toBe('report');
    expect(restartPointOf(jobnet({ a: {} }))).toBeUndefined();
  });
});

describe('compiledJobnetProblems guards against compile bugs', () => {
  it('accepts a DAG', () => {
    expect(compiledJobnetProblems(jobnet({ a: {}, b: { after: ['a'] }, c: { after: ['a', 'b'] } }))).toEqual([]);
  });

  it.each<[string, CompiledJobnet, string]>([
    ['a missing predecessor', jobnet({ a: { after: ['ghost'] } }), 'job "a" runs after "ghost", which does not exist'],
    ['a self edge', jobnet({ a: { after: ['a'] } }), 'job "a" runs after itself'],
    [
      'a missing recovery job',
      jobnet({ a: { recovery: 'ghost' } }),
      'job "a" names recovery job "ghost", which does not exist',
    ],
    ['a job recovering itself', jobnet({ a: { recovery: 'a' } }), 'job "a" is its own recovery job'],
    [
      'a cycle',
      jobnet({ a: { after: ['c'] }, b: { after: ['a'] }, c: { after: ['b'] }, d: {} }),
      'dependency cycle among "a", "b", "c"',
    ],
  ])('reports %s', (_name, net, problem) => {
    expect(compiledJobnetProblems(net)).toContain(problem);
  });
});
