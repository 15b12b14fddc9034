/**
 * R-JN-2: child jobnets nest at most 5 levels (a top-level jobnet is level 1), and a jobnet
 * never runs itself through its children. Every jobnet may be started on its own, so the
 * depth of each jobnet's own tree counts.
 *
 * Linear in jobnets plus child calls, without recursion (directed-graph.ts): a chain of 10,000
 * jobnets calling each other is reported like a chain of six, not with a stack overflow.
 */
import { jobnetKey } from '../definition-index.js';
import { isCyclic, shortestCycle, stronglyConnectedComponents } from '../directed-graph.js';
import { chainText, jobFields, maxChainShown, seg, textField, validEntries, type Rule } from './rule-context.js';

export const maxChildDepth = 5;

/** The longest chain of child calls below a jobnet that reaches no cycle. */
interface Depth {
  /** Jobnets in the chain, this one included. */
  levels: number;
  /** The next jobnet of the chain (the first child, in call order, with the longest chain). */
  next?: string;
  /** The innermost jobnet of the chain. */
  last: string;
}

export const checkChildDepth: Rule = (context) => {
  const { jobnets } = context.index;
  /** Child calls of each jobnet: [child key, job name]. */
  const children = new Map<string, [string, string][]>();
  for (const [key, jobnet] of validEntries(jobnets)) {
    const calls: [string, string][] = [];
    // A child call counts also from a job with schema errors elsewhere (rule-context.ts `jobFields`).
    for (const job of jobFields(jobnet)) {
      const name = job.field('/type') === 'jobnet' ? textField(job, '/jobnet') : undefined;
      if (name === undefined) continue;
      const child = jobnetKey(jobnet.value.metadata.project, name);
      if (jobnets.has(child)) calls.push([child, job.name]);
    }
    children.set(key, calls);
  }
  // A child that content rules skip (schema errors outside its jobs) counts as a level without calls.
  const childKeys = new Map([...children].map(([key, calls]) => [key, calls.map(([child]) => child)]));
  const successors = (key: string) => childKeys.get(key) ?? [];
  const order = new Map([...children.keys()].map((key, i) => [key, i]));

  // Components come out callees first, so every child's depth is known before its parent's.
  // A jobnet that can reach a cycle has no depth: the cycle is reported, once, at its first member.
  const depths = new Map<string, Depth>();
  const reachesCycle = new Set<string>();
  for (const component of stronglyConnectedComponents(children.keys(), successors)) {
    if (isCyclic(component, successors)) {
      for (const key of component) reachesCycle.add(key);
      const from = component.reduce((a, b) => (order.get(a)! <= order.get(b)! ? a : b));
      const cycle = shortestCycle(from, new Set(component), successors)!;
      const job = children.get(from)!.find(([child]) => child === (cycle[1] ?? from))![1];
      const counted = cycle.length > maxChainShown ? ` of ${cycle.length} jobnets` : '';
      const text = `${chainText(cycle.map(short))} → ${short(from)}`;
      context.report(
        'CHILD-DEPTH',
        `child jobnets call each other in a cycle${counted}: ${text}`,
        jobnets.get(from)!,
        `/spec/jobs${seg(job)}/jobnet`,
      );
      continue;
    }
    const key = component[0]!;
    let depth: Depth = { levels: 1, last: key };
    for (const child of successors(key)) {
      if (reachesCycle.has(child)) {
        reachesCycle.add(key);
        break;
      }
      const below = depths.get(child)!;
      if (below.levels + 1 > depth.levels) depth = { levels: below.levels + 1, next: child, last: below.last };
    }
    if (!reachesCycle.has(key)) depths.set(key, depth);
  }

  // Report each over-deep chain once, at the outermost jobnet whose parent is not over-deep too.
  const overDeep = (key: string) => (depths.get(key)?.levels ?? 0) > maxChildDepth;
  const hasOverDeepParent = new Set<string>();
  for (const [parent, calls] of childKeys)
    if (overDeep(parent)) for (const child of calls) hasOverDeepParent.add(child);
  for (const key of children.keys()) {
    if (!overDeep(key) || hasOverDeepParent.has(key)) continue;
    const { levels, next, last } = depths.get(key)!;
    const head = [key];
    for (let at = next; at !== undefined && head.length < maxChainShown; at = depths.get(at)!.next) head.push(at);
    const job = children.get(key)!.find(([child]) => child === next)![1];
    context.report(
      'CHILD-DEPTH',
      `child jobnets nest ${levels} levels deep (${chainText(head.map(short), levels, short(last))}); at most ${maxChildDepth} levels are allowed`,
      jobnets.get(key)!,
      `/spec/jobs${seg(job)}/jobnet`,
    );
  }
};

function short(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}
