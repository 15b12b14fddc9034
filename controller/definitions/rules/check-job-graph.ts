/**
 * The jobs of a jobnet form a DAG (R-JN-1) with valid conditional edges (R-DEP-2), recovery
 * jobs that exist and are not the job itself (R-DEP-4), at most one restart point (R-DEP-5),
 * and at most 255 jobs (R-JN-4).
 *
 * Every job counts, also one with schema errors elsewhere: its `after`, `recovery` and
 * `restartPoint` are read where they are well formed and the schema did not already report them
 * (rule-context.ts `jobFields`), so a typo in one field does not hide a cycle through the job.
 */
import { parseExitCodeCondition } from '../../../workflows/lib/exit-code-condition.js';
import type { Located } from '../definition-index.js';
import type { JobnetDocument } from '../types.generated.js';
import { shortestCycle, stronglyConnectedComponents } from '../directed-graph.js';
import {
  chainText,
  isRecord,
  jobFields,
  maxChainShown,
  seg,
  textField,
  validEntries,
  type JobFields,
  type Rule,
  type RuleContext,
} from './rule-context.js';

export const maxJobsPerJobnet = 255;

/** Predecessor names of a job, whatever form each `after` entry takes. */
export function predecessorsOf(after: readonly (string | { job: string })[] | undefined): string[] {
  return (after ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.job));
}

/** One readable `after` entry: the job it names, where that name is written, and its exit-code condition as written. */
interface AfterEntry {
  index: number;
  target: string;
  pointer: string;
  exitCode?: unknown;
}

/** The `after` entries of a job that name a job in a readable form (a name, or `{job: name, …}`). */
function afterEntries(job: JobFields): AfterEntry[] {
  const after = job.value('/after');
  if (!Array.isArray(after)) return [];
  const entries: AfterEntry[] = [];
  after.forEach((entry: unknown, index) => {
    if (typeof entry === 'string') {
      const target = textField(job, `/after/${index}`);
      if (target !== undefined) entries.push({ index, target, pointer: `${job.pointer}/after/${index}` });
    } else if (isRecord(entry)) {
      const target = textField(job, `/after/${index}/job`);
      if (target === undefined) return;
      const exitCode = job.field(`/after/${index}/exitCode`);
      entries.push({
        index,
        target,
        pointer: `${job.pointer}/after/${index}/job`,
        ...(exitCode !== undefined ? { exitCode } : {}),
      });
    }
  });
  return entries;
}

export const checkJobGraph: Rule = (context) => {
  for (const [, jobnet] of validEntries(context.index.jobnets)) checkJobnet(context, jobnet);
};

function checkJobnet(context: RuleContext, jobnet: Located<JobnetDocument>): void {
  const jobs = jobnet.value.spec.jobs;
  const names = Object.keys(jobs);
  if (names.length > maxJobsPerJobnet) {
    context.report(
      'JOB-LIMIT',
      `the jobnet has ${names.length} jobs; at most ${maxJobsPerJobnet} are allowed`,
      jobnet,
      '/spec/jobs',
      { key: true },
    );
  }

  const all = jobFields(jobnet);
  const afterOf = new Map(all.map((job) => [job.name, afterEntries(job)]));
  const predecessors = (name: string): string[] => (afterOf.get(name) ?? []).map((entry) => entry.target);
  const restartPoints: string[] = [];
  for (const job of all) {
    const { name, pointer: at } = job;
    for (const entry of afterOf.get(name) ?? []) {
      const { target, pointer } = entry;
      if (!Object.hasOwn(jobs, target)) {
        context.report(
          'REF-JOB',
          `"${name}" runs after "${target}", which is not a job of this jobnet${nearby(target, names)}`,
          jobnet,
          pointer,
        );
      } else if (target === name) {
        context.report('DAG-CYCLE', `"${name}" lists itself in after`, jobnet, pointer);
      }
      if (typeof entry.exitCode === 'string' || typeof entry.exitCode === 'number') {
        const parsed = parseExitCodeCondition(String(entry.exitCode));
        if (!parsed.ok)
          context.report(
            'EDGE-CONDITION',
            `exit-code condition ${JSON.stringify(entry.exitCode)}: ${parsed.message}`,
            jobnet,
            `${at}/after/${entry.index}/exitCode`,
          );
      }
    }
    const recovery = textField(job, '/recovery');
    if (recovery !== undefined) {
      if (!Object.hasOwn(jobs, recovery)) {
        context.report(
          'REF-JOB',
          `recovery job "${recovery}" is not a job of this jobnet${nearby(recovery, names)}`,
          jobnet,
          `${at}/recovery`,
        );
      } else if (recovery === name) {
        context.report('RECOVERY-INVALID', `"${name}" cannot be its own recovery job`, jobnet, `${at}/recovery`);
      } else if (predecessors(recovery).includes(name)) {
        context.report(
          'RECOVERY-INVALID',
          `recovery job "${recovery}" also runs after "${name}" in the normal flow; a recovery job runs only when "${name}" ends abnormally`,
          jobnet,
          `${at}/recovery`,
        );
      }
    }
    if (job.field('/restartPoint') === true) restartPoints.push(name);
  }
  // A recovery job runs only when the job it recovers fails; jobs after it would never start.
  const recoveryJobs = new Set(
    all.map((job) => textField(job, '/recovery')).filter((r): r is string => r !== undefined),
  );
  for (const { name } of all) {
    for (const { target, pointer } of afterOf.get(name) ?? []) {
      if (recoveryJobs.has(target)) {
        context.report(
          'RECOVERY-INVALID',
          `"${name}" runs after "${target}", which is a recovery job: it runs only when the job it recovers ends abnormally, so "${name}" would never start`,
          jobnet,
          pointer,
        );
      }
    }
  }
  if (restartPoints.length > 1) {
    for (const name of restartPoints.slice(1)) {
      context.report(
        'RESTART-POINT-MULTIPLE',
        `"${name}" is a second restart point; "${restartPoints[0]}" already is one (at most one per jobnet)`,
        jobnet,
        `/spec/jobs${seg(name)}/restartPoint`,
      );
    }
  }
  for (const cycle of findCycles(Object.fromEntries(all.map(({ name }) => [name, { after: predecessors(name) }])))) {
    const first = cycle[0]!;
    const counted = cycle.length > maxChainShown ? ` of ${cycle.length} jobs` : '';
    context.report(
      'DAG-CYCLE',
      `dependency cycle${counted}: ${chainText(cycle)} → ${first}`,
      jobnet,
      `/spec/jobs${seg(first)}/after`,
    );
  }
}

/**
 * Finds the cycles in the "runs after" graph, one per strongly connected component (enough to fix
 * it): the shortest cycle through the component's smallest member, in the order the jobs run.
 * Self-loops are reported separately by the caller. Iterative (directed-graph.ts), so a jobnet
 * with thousands of jobs in one `after` chain costs linear time and no call stack.
 */
export function findCycles(jobs: Record<string, { after?: (string | { job: string })[] }>): string[][] {
  const names = Object.keys(jobs).sort();
  const edges = new Map(
    names.map((n) => [n, predecessorsOf(jobs[n]!.after).filter((p) => Object.hasOwn(jobs, p) && p !== n)]),
  );
  const predecessors = (name: string) => edges.get(name) ?? [];
  return stronglyConnectedComponents(names, predecessors)
    .filter((component) => component.length > 1)
    .map((component) => {
      const start = [...component].sort()[0]!;
      // Along "runs after" edges the cycle is start ← a ← … ← z; reversed, it is the order the jobs run.
      const [, ...rest] = shortestCycle(start, new Set(component), predecessors)!;
      return [start, ...rest.reverse()];
    });
}

function nearby(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  const match = names.find(
    (n) => n.toLowerCase() === lower || n.toLowerCase().startsWith(lower) || lower.startsWith(n.toLowerCase()),
  );
  return match ? ` (did you mean "${match}"?)` : '';
}
