/**
 * The graph algorithms the validator's rules share — strongly connected components and a
 * shortest cycle through a node — over graphs given as a node list and a successor function
 * (jobs and their `after` edges, jobnets and their child calls).
 *
 * Everything here is iterative, with explicit stacks and queues: a repository can hold a chain
 * of 10,000 jobnets calling each other, or a jobnet with thousands of jobs in one `after` chain,
 * and a recursive walk would overflow the call stack on them instead of reporting the problem.
 * Time is linear in nodes plus edges.
 *
 * Pure: knows nothing of definitions, reports nothing, never throws.
 */

/** Successors of a node, in the order they are to be visited. */
export type Successors = (node: string) => readonly string[];

/**
 * The strongly connected components of the graph (Tarjan), visiting `nodes` in the order given and
 * successors in the order `successors` gives them, exactly as the recursive formulation would.
 * Components come out in reverse topological order: a component comes after every component it
 * reaches. Within a component, nodes are in the order Tarjan's stack releases them. Successors
 * that are not in `nodes` are visited all the same; leave them out of `successors` if they do not
 * belong to the graph.
 */
export function stronglyConnectedComponents(nodes: Iterable<string>, successors: Successors): string[][] {
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  /** The depth-first path: each node with its successors and the next one to look at. */
  const frames: { node: string; next: readonly string[]; at: number }[] = [];
  const enter = (node: string) => {
    indexOf.set(node, indexOf.size);
    low.set(node, indexOf.size - 1);
    stack.push(node);
    onStack.add(node);
    frames.push({ node, next: successors(node), at: 0 });
  };
  for (const root of nodes) {
    if (indexOf.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.at < frame.next.length) {
        const successor = frame.next[frame.at++]!;
        if (!indexOf.has(successor)) enter(successor);
        else if (onStack.has(successor)) low.set(frame.node, Math.min(low.get(frame.node)!, indexOf.get(successor)!));
        continue;
      }
      frames.pop();
      const node = frame.node;
      if (low.get(node) === indexOf.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        components.push(component);
      }
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(node)!));
    }
  }
  return components;
}

/**
 * Whether a strongly connected component is a cycle: more than one node, or one node that is its
 * own successor.
 */
export function isCyclic(component: readonly string[], successors: Successors): boolean {
  return component.length > 1 || successors(component[0]!).includes(component[0]!);
}

/**
 * A shortest cycle through `start` that stays within `members`, in edge order: `[start, a, …, z]`
 * with edges start → a → … → z → start; `[start]` for a node that is its own successor; undefined
 * when there is no such cycle. Breadth-first, successors taken in code-unit order, so ties are
 * broken the same way on every machine.
 */
export function shortestCycle(
  start: string,
  members: ReadonlySet<string>,
  successors: Successors,
): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    for (const next of [...successors(current)].sort(compareText)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let node: string | undefined = current; node !== undefined && node !== start; node = parent.get(node))
          path.push(node);
        return [start, ...path.reverse()];
      }
      if (!parent.has(next)) {
        parent.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
