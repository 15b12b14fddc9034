/**
 * `jobnet plan --base REF [--head REF] [DIR]` (R-GIT-5): what merging the head into the base would
 * change, for a pull request. Both sides go through the controller's own pipeline — a snapshot
 * (a commit read without checkout, or the directory as it is), `validateSnapshot` (the validation
 * of `jobnet validate`), `compileAllJobnets`, then `planReconcile` with the base's compiled jobnets
 * as the observed side — so no Temporal is needed and the plan is what the controller would do
 * once the merge lands, with the head's `controller.prune` deciding between retire and delete.
 *
 * An invalid head is refused like `jobnet validate` refuses it (its diagnostics, exit 1); an
 * invalid base is planned as empty, with a note, so a pull request that repairs a broken main
 * still gets a plan. Diagnostics and notes go to stderr as well, so stdout stays the plan.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { instantMillis } from '../../../workflows/lib/business-calendar.js';
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

const formats = ['markdown', 'json'] as const;
type PlanFormat = (typeof formats)[number];

interface PlanFlags {
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

/** Registers `jobnet plan`. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('print what merging --head into --base would change: jobnets added, changed and removed, field diffs, next starts, moved start days (R-GIT-5)')
    .argument('[dir]', 'definitions directory inside a git work tree', '.')
    .requiredOption('--base <ref>', 'branch, tag or commit the pull request merges into, e.g. main')
    .option('--head <ref>', 'branch, tag or commit to merge (default: DIR as it is, uncommitted changes included)')
    .option('--env <name>', 'compile for this Environment (default: the Settings environment)')
    .option('--format <format>', `output format: ${formats.join(', ')}`, 'markdown')
    .option('--now <instant>', 'count next starts and start days from this ISO 8601 instant with Z or offset (default: now)')
    .action(async (dir: string, opts: PlanFlags) => {
      if (!formats.includes(opts.format as PlanFormat)) throw new UsageError(`--format must be one of ${formats.join(', ')}, not "${opts.format}"`);
      const now = parseNow(opts.now);
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
        process.stderr.write(renderDiagnostics(headResult.diagnostics, 'text', summaryOf(headResult.value), { displayPath, texts: headResult.value.texts }));
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
        notes.push(`the base (${sideName(base.description)}) has ${errors} ${errors === 1 ? 'error' : 'errors'} (jobnet validate shows them), so the plan is made against an empty base: every jobnet shows as added`);
      } else {
        const compiled = compileSide(baseResult.value, opts.env);
        if (compiled.ok) observed = compiled.jobnets.map(observedFromBase);
        else notes.push(`the base (${sideName(base.description)}) could not be compiled (${compiled.message}), so the plan is made against an empty base`);
      }
      for (const note of notes) process.stderr.write(`jobnet: note: ${note}\n`);

      const prune = headResult.value.index.settings?.value.spec?.controller?.prune ?? false;
      const plan = planReconcile(desired.jobnets, observed, { prune });
      const report = describePlan(plan, { now, base: base.description, head: head.description, notes });
      process.stdout.write(opts.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderPlanMarkdown(report));
    });
}

/**
 * The instant of `--now`, or the current time.
 * @throws UsageError when it is not an ISO 8601 instant with Z or an offset.
 */
function parseNow(text: string | undefined): number {
  if (text === undefined) return Date.now();
  try {
    return instantMillis(text);
  } catch {
    throw new UsageError(`--now must be an ISO 8601 instant with Z or an offset, e.g. 2027-01-10T00:00:00Z, not "${text}"`);
  }
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
    return { description, snapshot: { files: [], oversized: [] }, missing: `${subPath} does not exist in ${sideName(description)}: it is planned as empty` };
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

function compileSide(repository: ValidatedRepository, environment: string | undefined): { ok: true; jobnets: CompiledJobnet[] } | { ok: false; message: string } {
  const result = compileAllJobnets(repository, environment === undefined ? {} : { environment });
  if (!result.ok) return result;
  if (result.failures.length > 0) return { ok: false, message: result.failures.map((f) => `${f.project}/${f.jobnet}: ${f.message}`).join('; ') };
  return { ok: true, jobnets: result.jobnets };
}

/** What the base "runs": its compiled jobnets, as if the controller had applied the base. */
function observedFromBase(jobnet: CompiledJobnet): ObservedJobnet {
  const observed: ObservedJobnet = { project: jobnet.project, name: jobnet.name, revision: jobnet.revision, definition: jobnet };
  if (jobnet.digest !== undefined) observed.digest = jobnet.digest;
  return observed;
}

function summaryOf(repository: ValidatedRepository): { files: number; documents: number } {
  return { files: repository.fileCount, documents: repository.documents.length };
}

function sideName(side: PlanSide): string {
  return side.revision === undefined ? side.label : `${side.label}, ${revisionText(side.revision)}`;
}
