/**
 * R-JN-2: child jobnets nest at most 5 levels (a top-level jobnet is level 1), and a jobnet
 * never runs itself through its children. Every jobnet may be started on its own, so the
 * depth of each jobnet's own tree counts.
 */
import { jobnetKey } from '../definition-index.js';
import { validJobs, seg, validEntries, type Rule } from './rule-context.js';

export const maxChildDepth = 5;

export const checkChildDepth: Rule = (context) => {
  const { jobnets } = context.index;
  /** Child calls of each jobnet: [child key, job name]. */
  const children = new Map<string, [string, string][]>();
  for (const [key, jobnet] of validEntries(jobnets)) {
    const calls: [string, string][] = [];
    for (const [name, job] of validJobs(jobnet)) {
      if (job.type === 'jobnet') {
        const child = jobnetKey(jobnet.value.metadata.project, job.jobnet);
        if (jobnets.has(child)) calls.push([child, name]);
      }
    }
    children.set(key, calls);
  }

  // Longest chain below each jobnet (memoised); a chain that meets itself is a cycle.
  const longest = new Map<string, string[]>();
  const cycles: string[][] = [];
  const active: string[] = [];
  const chainFrom = (key: string): string[] => {
    const cached = longest.get(key);
    if (cached) return cached;
    const at = active.indexOf(key);
    if (at >= 0) {
      cycles.push([...active.slice(at), key]);
      return [key];
    }
    active.push(key);
    let best: string[] = [];
    for (const [child] of children.get(key) ?? []) {
      const chain = chainFrom(child);
      if (chain.length > best.length) best = chain;
    }
    active.pop();
    const result = [key, ...best];
    longest.set(key, result);
    return result;
  };
  for (const key of children.keys()) chainFrom(key);

  const reportedCycles = new Set<string>();
  for (const cycle of cycles) {
    const id = [...new Set(cycle)].sort().join('|');
    if (reportedCycles.has(id)) continue;
    reportedCycles.add(id);
    const [from, to] = [cycle[0]!, cycle[1]!];
    const jobnet = jobnets.get(from)!;
    const job = children.get(from)!.find(([child]) => child === to)![1];
    context.report('CHILD-DEPTH', `child jobnets call each other in a cycle: ${cycle.map(short).join(' → ')}`, jobnet, `/spec/jobs${seg(job)}/jobnet`);
  }

  // Report each over-deep chain once, at the outermost jobnet whose parent is not over-deep too.
  // A chain that runs into a cycle (a jobnet twice) is not a depth problem: the cycle is reported.
  const overDeep = new Set(
    [...longest].filter(([, chain]) => chain.length > maxChildDepth && new Set(chain).size === chain.length).map(([key]) => key),
  );
  for (const key of overDeep) {
    const hasOverDeepParent = [...children].some(([parent, calls]) => overDeep.has(parent) && calls.some(([c]) => c === key));
    if (hasOverDeepParent) continue;
    const chain = longest.get(key)!;
    const jobnet = jobnets.get(key)!;
    const job = children.get(key)!.find(([child]) => child === chain[1])![1];
    context.report(
      'CHILD-DEPTH',
      `child jobnets nest ${chain.length} levels deep (${chain.map(short).join(' → ')}); at most ${maxChildDepth} levels are allowed`,
      jobnet,
      `/spec/jobs${seg(job)}/jobnet`,
    );
  }
};

function short(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}
