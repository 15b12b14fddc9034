/**
 * Building blocks for run tests and recorded scenarios: compiled jobnets from a few fields, and a
 * compact summary of a run view. No Temporal, no vitest: the history recorder uses them too.
 */
import { compiledJob, type CompiledJobFields, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { parseExitCodeCondition, type ExitCodeCondition } from '../../workflows/lib/exit-code-condition.js';
import type { RunView } from '../../workflows/run-contract.js';

/** Job states and codes of a view, for assertions and failure messages. */
export function summary(view: RunView): Record<string, string> {
  const jobs: Record<string, string> = { '': view.status };
  for (const [name, record] of Object.entries(view.state.jobs)) {
    jobs[name] =
      `${record.state}${record.exitCode !== undefined ? ` ${record.exitCode}` : ''}${record.forcedReason ? ` ${record.forcedReason}` : ''}`;
  }
  return jobs;
}

/** A compiled jobnet from job fields, with a unique name per call. */
export function jobnetOf(name: string, jobs: CompiledJobFields[], extra: Partial<CompiledJobnet> = {}): CompiledJobnet {
  const compiled: CompiledJobnet = { project: 'test', name, revision: 'r1', jobs: {}, ...extra };
  for (const job of jobs) compiled.jobs[job.name] = compiledJob(job);
  return compiled;
}

/** Shorthand for a predecessor list. */
export function after(...jobs: string[]): { job: string }[] {
  return jobs.map((job) => ({ job }));
}

/** The spec of a `command` job running `script` with `sh -c`. */
export function sh(script: string): { argv: string[]; env: Record<string, string> } {
  return { argv: ['sh', '-c', script], env: {} };
}

/** A parsed exit-code condition (R-DEP-2); throws on a typo in a test. */
export function condition(text: string): ExitCodeCondition {
  const parsed = parseExitCodeCondition(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.condition;
}
