/**
 * What `jobnet plan` does once its flags are read (plan-command.ts registers it): reads the head
 * (DIR as it is, or a commit) and the base commit, validates and compiles both, plans the head
 * against the base as if the controller had applied the base, and prints the report.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CompiledJobnet } from '../../../workflows/lib/compiled-jobnet.js';
import { compileAllJobnets } from '../../compile/compile-jobnet.js';
import { readDirectorySnapshot, type RepositorySnapshot } from '../../definitions/repository-snapshot.js';
import { renderDiagnostics } from '../../definitions/render-diagnostics.js';
import { validateSnapshot, type ValidatedRepository } from '../../definitions/validate-repository.js';
import { describePlan, type PlanSide } from '../../reconcile/plan-report.js';
import { planReconcile, revisionText, type ObservedJobnet } from '../../reconcile/plan.js';
import { renderPlanMarkdown } from '../../reconcile/render-plan.js';
import { GitSnapshotError, readGitSnapshot, resolveRef, workTreeLocation } from '../../source/git-snapshot.js';
import { CommandFailure, UsageError } from '../cli-errors.js';

/** The flags of `jobnet plan`. */
export interface PlanFlags {
  base: string;
  head?: string;
  env?: string;
  format: string;
  now?: string;
}

/** One side of the plan, read and validated. */
interface Side {
  description: PlanSide;
  snapshot: RepositorySnapshot & { oversized: string[] };
  /** Why the side is empty although the caller named it (its directory does not exist there). */
  missing?: string;
}

/** Plans `dir` (see the module header) at `now`. */
export async function runPlan(dir: string, opts: PlanFlags, now: number): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const location = await gitCall(() => workTreeLocation(dir));
  const displayPath = (file: string) => path.relative(process.cwd(), path.join(dir, file)) || file;

  const head = opts.head === undefined ? await workingDirectory(dir) : await commitSide(dir, opts.head, location.path);
  const headResult = validateSnapshot(head.snapshot, { oversized: head.snapshot.oversized });
  if (!headResult.ok) {
    process.stdout.write(
      renderDiagnostics(headResult.diagnostics, opts.format === 'json' ? 'json' : 'text', summaryOf(headResult.value), {
        displayPath,
        texts: headResult.value.texts,
        color: process.stdout.isTTY && !process.env.NO_COLOR,
      }),
    );
    throw new CommandFailure(`the head (${sideName(head.description)}) has errors; fix them first (jobnet validate)`);
  }
  if (headResult.diagnostics.length > 0) {
    process.stderr.write(
      renderDiagnostics(headResult.diagnostics, 'text', summaryOf(headResult.value), {
        displayPath,
        texts: headResult.value.texts,
      }),
    );
  }
  const desired = compileSide(headResult.value, opts.env);
  if (!desired.ok) throw new CommandFailure(`the head (${sideName(head.description)}): ${desired.message}`);

  const notes: string[] = [];
  if (head.missing !== undefined) notes.push(head.missing);
  const base = await commitSide(dir, opts.base, location.path);
  let observed: ObservedJobnet[] = [];
  if (base.missing !== undefined) notes.push(base.missing);
  const baseResult = validateSnapshot(base.snapshot, { oversized: base.snapshot.oversized });
  if (!baseResult.ok) {
    const errors = baseResult.diagnostics.filter((d) => d.severity === 'error').length;
    notes.push(
      `the base (${sideName(base.description)}) has ${errors} ${errors === 1 ? 'error' : 'errors'} (jobnet validate shows them), so the plan is made against an empty base: every jobnet shows as added`,
    );
  } else {
    const compiled = compileSide(baseResult.value, opts.env);
    if (compiled.ok) observed = compiled.jobnets.map(observedFromBase);
    else
      notes.push(
        `the base (${sideName(base.description)}) could not be compiled (${compiled.message}), so the plan is made against an empty base`,
      );
  }
  for (const note of notes) process.stderr.write(`jobnet: note: ${note}\n`);

  const prune = headResult.value.index.settings?.value.spec?.controller?.prune ?? false;
  const plan = planReconcile(desired.jobnets, observed, { prune });
  const report = describePlan(plan, { now, base: base.description, head: head.description, notes });
  process.stdout.write(opts.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderPlanMarkdown(report));
}

async function workingDirectory(dir: string): Promise<Side> {
  return { description: { label: 'working tree' }, snapshot: await readDirectorySnapshot(dir) };
}

/**
 * The definitions of commit `ref` below `subPath` (DIR's place in its work tree). A directory that
 * does not exist at that commit is an empty side (the pull request adds or removes it), with a note.
 * @throws UsageError when `ref` names no commit.
 */
async function commitSide(dir: string, ref: string, subPath: string): Promise<Side> {
  try {
    const snapshot = await readGitSnapshot(dir, ref, { path: subPath });
    return { description: { label: ref, revision: snapshot.revision }, snapshot };
  } catch (error) {
    if (!(error instanceof GitSnapshotError) || error.reason !== 'missing-path') throw asUsageError(error);
    const description: PlanSide = { label: ref };
    description.revision = await gitCall(() => resolveRef(dir, ref));
    return {
      description,
      snapshot: { files: [], oversized: [] },
      missing: `${subPath} does not exist in ${sideName(description)}: it is planned as empty`,
    };
  }
}

async function gitCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asUsageError(error);
  }
}

/** Git problems the user can fix (not a repository, unknown ref) are usage errors (exit 2). */
function asUsageError(error: unknown): unknown {
  return error instanceof GitSnapshotError ? new UsageError(error.message) : error;
}

function compileSide(
  repository: ValidatedRepository,
  environment: string | undefined,
): { ok: true; jobnets: CompiledJobnet[] } | { ok: false; message: string } {
  const result = compileAllJobnets(repository, environment === undefined ? {} : { environment });
  if (!result.ok) return result;
  if (result.failures.length > 0)
    return { ok: false, message: result.failures.map((f) => `${f.project}/${f.jobnet}: ${f.message}`).join('; ') };
  return { ok: true, jobnets: result.jobnets };
}

/** What the base "runs": its compiled jobnets, as if the controller had applied the base. */
function observedFromBase(jobnet: CompiledJobnet): ObservedJobnet {
  const observed: ObservedJobnet = {
    project: jobnet.project,
    name: jobnet.name,
    revision: jobnet.revision,
    definition: jobnet,
  };
  if (jobnet.digest !== undefined) observed.digest = jobnet.digest;
  return observed;
}

function summaryOf(repository: ValidatedRepository): { files: number; documents: number } {
  return { files: repository.fileCount, documents: repository.documents.length };
}

function sideName(side: PlanSide): string {
  return side.revision === undefined ? side.label : `${side.label}, ${revisionText(side.revision)}`;
}
