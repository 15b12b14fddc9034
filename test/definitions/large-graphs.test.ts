/**
 * The validator's graph walks on graphs far longer than any fixture: the shared algorithms of
 * directed-graph.ts on chains of 100,000 nodes, and the rules that use them — and the one that
 * walks captured variables down child jobnets — through `validateSnapshot` on generated
 * repositories. No walk may recurse once per node (the call stack would overflow) or take
 * quadratic time.
 */
import { describe, expect, it } from 'vitest';
import { isCyclic, shortestCycle, stronglyConnectedComponents } from '../../controller/definitions/directed-graph.js';
import { validateSnapshot } from '../../controller/definitions/validate-repository.js';
import { jobnetChain, snapshotOf } from './large-repositories.js';

function graphOf(edges: Record<string, string[]>): (node: string) => readonly string[] {
  return (node) => edges[node] ?? [];
}

/** A chain n0 → n1 → … → n<count-1>, closed back to n0 with `ring`. */
function chain(count: number, ring = false): (node: string) => readonly string[] {
  return (node) => {
    const i = Number(node.slice(1));
    return i + 1 < count ? [`n${i + 1}`] : ring ? ['n0'] : [];
  };
}

const nodesOf = (count: number) => Array.from({ length: count }, (_, i) => `n${i}`);

describe('strongly connected components', () => {
  it('come out callees first, cycles and self-loops as their own components', () => {
    const successors = graphOf({ a: ['b'], b: ['c', 'd'], c: ['b'], d: ['d'], e: ['a'] });
    const components = stronglyConnectedComponents(['a', 'b', 'c', 'd', 'e'], successors);
    expect(components.map((c) => [...c].sort())).toEqual([['d'], ['b', 'c'], ['a'], ['e']]);
    expect(components.map((c) => isCyclic(c, successors))).toEqual([true, true, false, false]);
  });

  it('walk a chain and a ring of 100,000 nodes without recursion', () => {
    const open = stronglyConnectedComponents(nodesOf(100_000), chain(100_000));
    expect(open).toHaveLength(100_000);
    expect(open[0]).toEqual(['n99999']);
    const ring = stronglyConnectedComponents(nodesOf(100_000), chain(100_000, true));
    expect(ring).toHaveLength(1);
    expect(ring[0]).toHaveLength(100_000);
  });
});

describe('shortest cycle', () => {
  it('is the shortest way back to the start, in edge order, ties broken by name', () => {
    const successors = graphOf({ a: ['c', 'b'], b: ['a'], c: ['d'], d: ['a'], x: ['x'] });
    expect(shortestCycle('a', new Set(['a', 'b', 'c', 'd']), successors)).toEqual(['a', 'b']);
    expect(shortestCycle('a', new Set(['a', 'c', 'd']), successors)).toEqual(['a', 'c', 'd']);
    expect(shortestCycle('x', new Set(['x']), successors)).toEqual(['x']);
    expect(shortestCycle('a', new Set(['a', 'c']), successors)).toBeUndefined();
  });

  it('goes round a ring of 100,000 nodes', () => {
    const cycle = shortestCycle('n0', new Set(nodesOf(100_000)), chain(100_000, true));
    expect(cycle).toHaveLength(100_000);
    expect(cycle?.at(-1)).toBe('n99999');
  });
});

describe('rules on 10,000 jobnets calling each other', () => {
  it('a chain reading a variable captured at its top: one CHILD-DEPTH, no VAR-CAPTURE-UNKNOWN', () => {
    const result = validateSnapshot(snapshotOf(jobnetChain(10_000, { readCaptured: true })));
    expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([
      'CHILD-DEPTH jobnets/level-1.yaml:10',
    ]);
    expect(result.diagnostics[0]!.message).toMatch(
      /^child jobnets nest 10000 levels deep \(level-1 → level-2 → .* → … → level-10000\)/,
    );
  });

  it('a ring reading a variable captured by one of its jobnets: one CHILD-DEPTH cycle, no VAR-CAPTURE-UNKNOWN', () => {
    const result = validateSnapshot(snapshotOf(jobnetChain(10_000, { ring: true, readCaptured: true })));
    expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([
      'CHILD-DEPTH jobnets/level-1.yaml:10',
    ]);
    expect(result.diagnostics[0]!.message).toContain('a cycle of 10000 jobnets: level-1 → level-2');
  });

  it('a chain of six, as the fixtures have it, is named in full', () => {
    const result = validateSnapshot(snapshotOf(jobnetChain(6)));
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'child jobnets nest 6 levels deep (level-1 → level-2 → level-3 → level-4 → level-5 → level-6); at most 5 levels are allowed',
    ]);
    expect(validateSnapshot(snapshotOf(jobnetChain(5))).diagnostics).toEqual([]);
  });
});
