/**
 * The order `jobnet get run` lists a run's jobs in: the flow of the jobnet — every job after the
 * jobs it runs after (a topological order of the `after` edges), ties by name — so the table reads
 * top to bottom as the run goes. A recovery job (R-DEP-4) runs when the job it recovers fails,
 * not after its own predecessors, so it is listed right after that job.
 *
 * Pure: reads the jobs' predecessors and recovery names only; no I/O.
 */

/** What the order needs of a job. */
export interface FlowJob {
  predecessors: readonly { job: string }[];
  recovery?: string;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The names of `jobs` in flow order: a job comes after every job it runs after and a recovery
 * job after the job it recovers; among jobs free to come next, the name decides. Edges to jobs
 * that do not exist are ignored; jobs left on a cycle (a definition the validator refuses) come
 * last, by name.
 */
export function flowOrder(jobs: Readonly<Record<string, FlowJob>>): string[] {
  const names = Object.keys(jobs).sort(compareNames);
  const recoveryOf = (name: string): string | undefined => {
    const recovery = jobs[name]?.recovery;
    return recovery !== undefined && recovery !== name && Object.hasOwn(jobs, recovery) ? recovery : undefined;
  };
  const recoveryJobs = new Set(names.map(recoveryOf).filter((name): name is string => name !== undefined));
  const flowJobs = names.filter((name) => !recoveryJobs.has(name));

  // Kahn's algorithm over the `after` edges of the jobs in the flow, taking the smallest name
  // among the jobs free to come next.
  const successors = new Map<string, string[]>(flowJobs.map((name) => [name, []]));
  const waitingFor = new Map<string, number>(flowJobs.map((name) => [name, 0]));
  for (const name of flowJobs) {
    for (const predecessor of new Set((jobs[name] as FlowJob).predecessors.map((entry) => entry.job))) {
      if (predecessor === name || !successors.has(predecessor)) continue;
      successors.get(predecessor)?.push(name);
      waitingFor.set(name, (waitingFor.get(name) ?? 0) + 1);
    }
  }
  const ready = flowJobs.filter((name) => waitingFor.get(name) === 0);
  const flow: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    flow.push(name);
    for (const next of successors.get(name) ?? []) {
      const left = (waitingFor.get(next) ?? 0) - 1;
      waitingFor.set(next, left);
      if (left === 0) {
        const at = ready.findIndex((candidate) => compareNames(candidate, next) > 0);
        ready.splice(at === -1 ? ready.length : at, 0, next);
      }
    }
  }
  if (flow.length < flowJobs.length) {
    const placed = new Set(flow);
    flow.push(...flowJobs.filter((name) => !placed.has(name)));
  }

  // Each recovery job right after the first job it recovers (and its own recovery after it).
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string): void => {
    if (placed.has(name)) return;
    placed.add(name);
    order.push(name);
    const recovery = recoveryOf(name);
    if (recovery !== undefined) place(recovery);
  };
  for (const name of flow) place(name);
  for (const name of names) place(name);
  return order;
}
