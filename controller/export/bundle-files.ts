/**
 * Carrying out export and import (docs/bundles.md): reads the definitions (a directory or a git
 * commit), validates them with the pipeline every command uses, builds the bundle; reads a bundle
 * file (its size checked with stat before a byte is read), decides the import with the pure
 * modules of this folder, validates the resulting tree in memory, and only then writes — files in
 * DIR, or a commit on a new branch made in a separate git work tree, so DIR's own checkout is not
 * touched. The HTTP routes can call {@link exportProject}, {@link readBundleFile} /
 * {@link readBundle} and {@link prepareImport} as the CLI does.
 *
 * I/O: the file system and git. The decisions live in the pure modules next to it.
 */
import { lstat, mkdir, mkdtemp, open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { collectStartDays } from '../../workflows/lib/start-days.js';
import { compileAllJobnets } from '../compile/compile-jobnet.js';
import type { Diagnostic } from '../definitions/diagnostics.js';
import { parseDocuments } from '../definitions/parse-documents.js';
import { readDirectorySnapshot, type RepositorySnapshot, type SourceFile } from '../definitions/repository-snapshot.js';
import { validateSnapshot, type ValidatedRepository } from '../definitions/validate-repository.js';
import { describePlan, type PlanReport, type PlanSide } from '../reconcile/plan-report.js';
import { planReconcile, type ObservedJobnet } from '../reconcile/plan.js';
import { readGitSnapshot, workTreeLocation } from '../source/git-snapshot.js';
import {
  buildBundle,
  maxBundleBytes,
  readBundle,
  renderBundle,
  type Bundle,
  type BundleContent,
  type JobnetExportState,
} from './bundle-format.js';
import { planImport, type ImportPlan, type ImportWrite, type OnConflict } from './import-plan.js';
import { projectDefinitions } from './project-definitions.js';

/** A refusal with a message for the user (and the diagnostics behind it, when there are any). */
export class BundleRefusal extends Error {
  override name = 'BundleRefusal';
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    readonly repository?: ValidatedRepository,
  ) {
    super(message);
  }
}

/** Where export reads the definitions from. */
export type ExportSource = { dir: string } | { repo: string; ref: string; path?: string };

export interface ExportRequest {
  project: string;
  source: ExportSource;
  /** Freeze the start days of this year (`--with-start-days [--year Y]`). */
  startDaysYear?: number;
  /** Held/disabled state read from the live system (`--with-state`), jobnet name → state. */
  state?: Record<string, JobnetExportState>;
  now: number;
}

/**
 * The bundle of `request.project` and its text.
 * @throws BundleRefusal when the definitions do not validate or the project is not defined.
 */
export async function exportProject(request: ExportRequest): Promise<{ bundle: Bundle; text: string }> {
  const bundle = await exportBundle(request);
  return { bundle, text: renderBundle(bundle) };
}

/**
 * The bundle of `request.project`, without its text (for an answer streamed with
 * `renderBundleParts`).
 * @throws BundleRefusal as {@link exportProject}.
 */
export async function exportBundle(request: ExportRequest): Promise<Bundle> {
  const { snapshot, repo } = await readExportSource(request.source);
  const validated = validateSnapshot(snapshot, { oversized: snapshot.oversized });
  if (!validated.ok) {
    throw new BundleRefusal(
      `the definitions in ${repo} have errors; fix them before exporting (jobnet validate)`,
      validated.diagnostics,
      validated.value,
    );
  }
  const definitions = projectDefinitions(validated.value.index, request.project);
  if (definitions === undefined) {
    const known = [...validated.value.index.projects.keys()].sort();
    throw new BundleRefusal(
      `project "${request.project}" is not defined in ${repo}${known.length > 0 ? `; projects: ${known.join(', ')}` : ''}`,
    );
  }
  const content: BundleContent = { project: request.project, definitions };
  if (request.startDaysYear !== undefined) {
    content.startDays = frozenStartDays(validated.value, request.project, request.startDaysYear);
    content.year = request.startDaysYear;
  }
  if (request.state !== undefined) content.state = request.state;
  const source: { revision?: string; repo?: string } = { repo };
  if (snapshot.revision !== undefined) source.revision = snapshot.revision;
  return buildBundle(content, new Date(request.now).toISOString(), source);
}

async function readExportSource(
  source: ExportSource,
): Promise<{ snapshot: RepositorySnapshot & { oversized: string[] }; repo: string }> {
  if ('dir' in source) {
    const info = await stat(source.dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new BundleRefusal(`${source.dir} is not a directory`);
    const snapshot = await readDirectorySnapshot(source.dir);
    return { snapshot, repo: path.resolve(source.dir) };
  }
  const local = await stat(source.repo).catch(() => undefined);
  if (local?.isDirectory()) {
    const snapshot = await readGitSnapshot(source.repo, source.ref, { path: source.path ?? '' });
    return { snapshot, repo: source.repo };
  }
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'jobnet-export-'));
  try {
    await simpleGit().clone(source.repo, scratch, ['--bare', '--quiet']);
    const snapshot = await readGitSnapshot(scratch, source.ref, { path: source.path ?? '' });
    return { snapshot, repo: source.repo };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Start days of `year` of each jobnet of `project`, compiled as the controller compiles them. */
function frozenStartDays(repository: ValidatedRepository, project: string, year: number): Record<string, string[]> {
  const compiled = compileAllJobnets(repository);
  if (!compiled.ok) throw new BundleRefusal(`cannot compute start days: ${compiled.message}`);
  const y = String(year).padStart(4, '0');
  const days: Record<string, string[]> = {};
  for (const jobnet of compiled.jobnets) {
    if (jobnet.project !== project || jobnet.schedule === undefined || jobnet.calendar === undefined) continue;
    const schedule = jobnet.schedule;
    const options = schedule.dayPatternName === undefined ? {} : { dayPatternName: schedule.dayPatternName };
    days[jobnet.name] = collectStartDays(
      schedule.days,
      jobnet.calendar,
      { from: `${y}-01-01`, to: `${y}-12-31` },
      schedule.dayPatterns,
      options,
    ).days;
  }
  return Object.fromEntries(Object.entries(days).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads and checks a bundle file: refused before reading when it is over the size limit, then as
 * `readBundle` checks it.
 * @throws BundleRefusal naming the file and the problem.
 */
export async function readBundleFile(file: string, maxBytes = maxBundleBytes): Promise<Bundle> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new BundleRefusal(`${file} does not exist`);
  if (!info.isFile()) throw new BundleRefusal(`${file} is not a file`);
  if (info.size > maxBytes) {
    throw new BundleRefusal(
      `${file} is ${formatMiB(info.size)}, over the ${formatMiB(maxBytes)} limit for a bundle; it is not read`,
    );
  }
  // Read through one handle, never more than the limit, in case the file grows after the stat.
  const handle = await open(file, 'r');
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  if (bytes.length > maxBytes) throw new BundleRefusal(`${file} grew over the ${formatMiB(maxBytes)} limit while read`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleRefusal(`${file} is not valid UTF-8`);
  }
  const reading = readBundle(file, text);
  if (!reading.ok) throw new BundleRefusal(reading.message);
  return reading.bundle;
}

export interface ImportRequestFlags {
  into: string;
  project?: string;
  onConflict: OnConflict;
  /** Read the target at this commit (the branch import) instead of DIR as it is. */
  baseRef?: string;
  now: number;
}

/** What an import would do, checked and validated, not yet written. */
export interface PreparedImport {
  plan: ImportPlan;
  /** The target before and after, for the plan report. */
  before: RepositorySnapshot & { oversized: string[] };
  after: RepositorySnapshot & { oversized: string[] };
  result: ValidatedRepository;
  /** Warnings of the validation of the result. */
  diagnostics: readonly Diagnostic[];
}

/**
 * Decides an import and validates the result in memory. Writes nothing.
 * @throws BundleRefusal when the import is refused (conflicts, unsafe paths, a year that is over)
 *   or the result does not validate (with its diagnostics).
 */
export async function prepareImport(bundle: Bundle, flags: ImportRequestFlags): Promise<PreparedImport> {
  const info = await stat(flags.into).catch(() => undefined);
  if (!info?.isDirectory()) throw new BundleRefusal(`${flags.into} is not a directory`);
  const before =
    flags.baseRef === undefined
      ? await readDirectorySnapshot(flags.into)
      : await readGitSnapshot(flags.into, flags.baseRef, { path: (await workTreeLocation(flags.into)).path });
  const parsed = parseDocuments(before.files, new Set(before.oversized));
  const counts = new Map<string, number>();
  for (const doc of parsed.documents) counts.set(doc.file, (counts.get(doc.file) ?? 0) + 1);
  const decision = planImport({
    bundle,
    ...(flags.project === undefined ? {} : { project: flags.project }),
    onConflict: flags.onConflict,
    currentYear: new Date(flags.now).getUTCFullYear(),
    existing: parsed.documents.map((doc) => ({
      file: doc.file,
      value: doc.value,
      documentsInFile: counts.get(doc.file) ?? 1,
    })),
    existingFiles: new Set(before.files.map((file) => file.path)),
  });
  if (!decision.ok) throw new BundleRefusal(`the bundle is not imported:\n  - ${decision.problems.join('\n  - ')}`);
  const plan = decision.plan;
  await refuseLinksOut(flags.into, plan.writes);

  const written = new Map(plan.writes.map((write) => [write.path, new TextEncoder().encode(write.text)]));
  const files: SourceFile[] = before.files.map((file) => ({
    path: file.path,
    bytes: written.get(file.path) ?? file.bytes,
  }));
  const known = new Set(before.files.map((file) => file.path));
  for (const write of plan.writes)
    if (!known.has(write.path)) files.push({ path: write.path, bytes: written.get(write.path)! });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const after = { ...before, files, oversized: before.oversized.filter((file) => !written.has(file)) };
  // The files written are the YAML of values the plan holds: validated from those values, not parsed again.
  const knownValues = new Map(plan.writes.map((write) => [write.path, [write.value]]));
  const validated = validateSnapshot(after, { oversized: after.oversized, knownValues });
  if (!validated.ok) {
    throw new BundleRefusal(
      `the bundle is not imported: ${flags.into} with the bundle's definitions would not validate`,
      validated.diagnostics,
      validated.value,
    );
  }
  return { plan, before, after, result: validated.value, diagnostics: validated.diagnostics };
}

/**
 * Refuses writes whose directories lead out of `root` through a symbolic link, or that would
 * replace a symbolic link.
 */
async function refuseLinksOut(root: string, writes: readonly ImportWrite[]): Promise<void> {
  const realRoot = await realpath(root);
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);
  for (const write of writes) {
    const target = path.join(root, ...write.path.split('/'));
    const link = await lstat(target).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      throw new BundleRefusal(
        `the bundle is not imported: ${write.path} in ${root} is a symbolic link; import does not write through links`,
      );
    }
    let dir = path.dirname(target);
    while (!(await stat(dir).catch(() => undefined))) dir = path.dirname(dir);
    if (!inside(await realpath(dir))) {
      throw new BundleRefusal(
        `the bundle is not imported: ${write.path} would be written outside ${root} (${path.relative(root, dir)} is a symbolic link leading out of it)`,
      );
    }
  }
}

/**
 * Writes the import into `root`: every file first as a temporary file next to its place, then
 * renamed over it, so a reader never sees a half-written file; when a write fails, the temporary
 * files and the directories made for them are removed.
 */
export async function writeImport(root: string, writes: readonly ImportWrite[]): Promise<void> {
  const made: string[] = [];
  const temporary: { from: string; to: string }[] = [];
  try {
    for (const write of writes) {
      const target = path.join(root, ...write.path.split('/'));
      const created = await mkdir(path.dirname(target), { recursive: true });
      if (created !== undefined) made.push(created);
      const from = path.join(path.dirname(target), `.${path.basename(target)}.import-${process.pid}.tmp`);
      await writeFile(from, write.text, { flag: 'wx' });
      temporary.push({ from, to: target });
    }
    for (const { from, to } of temporary) await rename(from, to);
  } catch (error) {
    for (const { from } of temporary) await rm(from, { force: true });
    for (const dir of made.reverse()) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Commits the import on a new branch `branch` of the git repository holding `dir`, starting at
 * its HEAD, in a temporary work tree (DIR's checkout and uncommitted changes are not touched).
 * @throws BundleRefusal when `dir` is not in a git work tree or the branch exists already.
 */
export async function commitImportBranch(
  dir: string,
  branch: string,
  writes: readonly ImportWrite[],
  message: string,
): Promise<{ revision: string; base: string }> {
  const location = await workTreeLocation(dir);
  const git = simpleGit(location.root);
  const existing = await git.raw(['branch', '--list', branch]);
  if (existing.trim() !== '') throw new BundleRefusal(`branch ${branch} already exists in ${location.root}`);
  const valid = await git
    .raw(['check-ref-format', '--branch', branch])
    .then(() => true)
    .catch(() => false);
  if (!valid) throw new BundleRefusal(`${JSON.stringify(branch)} is not a valid branch name`);
  const base = (await git.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'jobnet-import-'));
  const tree = path.join(scratch, 'tree');
  let created = false;
  try {
    await git.raw(['worktree', 'add', '--quiet', '-b', branch, tree, 'HEAD']);
    created = true;
    const root = path.join(tree, ...location.path.split('/').filter((s) => s !== ''));
    await mkdir(root, { recursive: true });
    await writeImport(root, writes);
    const inTree = simpleGit(tree);
    const paths = writes.map((write) => path.posix.join(location.path, write.path));
    await inTree.raw(['add', '--', ...paths]);
    const identity = (await inTree.raw(['config', 'user.email']).catch(() => '')).trim();
    const author = identity === '' ? ['-c', 'user.name=jobnet import', '-c', 'user.email=jobnet-import@localhost'] : [];
    await inTree.raw([...author, 'commit', '--quiet', '-m', message]);
    const revision = (await inTree.raw(['rev-parse', 'HEAD'])).trim();
    await git.raw(['worktree', 'remove', '--force', tree]);
    return { revision, base };
  } catch (error) {
    if (created) {
      await git.raw(['worktree', 'remove', '--force', tree]).catch(() => undefined);
      await git.raw(['branch', '-D', branch]).catch(() => undefined);
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await git.raw(['worktree', 'prune']).catch(() => undefined);
  }
}

/**
 * The plan (as `jobnet plan` reports it) of `head` against `base`, both already read: validated,
 * compiled for `environment` (default: the Settings one) and planned as the controller would.
 * An invalid or uncompilable base is planned as empty, with a note.
 */
export function planSnapshots(
  base: { side: PlanSide; snapshot: RepositorySnapshot & { oversized: string[] } },
  head: { side: PlanSide; repository: ValidatedRepository },
  now: number,
  environment?: string,
): PlanReport {
  const options = environment === undefined ? {} : { environment };
  const desired = compileAllJobnets(head.repository, options);
  if (!desired.ok) throw new BundleRefusal(`the imported definitions cannot be compiled: ${desired.message}`);
  if (desired.failures.length > 0) {
    throw new BundleRefusal(
      `the imported definitions cannot be compiled: ${desired.failures.map((f) => `${f.project}/${f.jobnet}: ${f.message}`).join('; ')}`,
    );
  }
  const notes: string[] = [];
  let observed: ObservedJobnet[] = [];
  const baseResult = validateSnapshot(base.snapshot, { oversized: base.snapshot.oversized });
  if (baseResult.value.documents.length === 0) {
    notes.push(`the base (${base.side.label}) holds no definitions: every jobnet shows as added`);
  } else if (!baseResult.ok) {
    notes.push(`the base (${base.side.label}) has errors, so the plan is made against an empty base`);
  } else {
    const compiled = compileAllJobnets(baseResult.value, options);
    if (compiled.ok) {
      observed = compiled.jobnets.map((jobnet) => {
        const entry: ObservedJobnet = {
          project: jobnet.project,
          name: jobnet.name,
          revision: jobnet.revision,
          definition: jobnet,
        };
        if (jobnet.digest !== undefined) entry.digest = jobnet.digest;
        return entry;
      });
    } else notes.push(`the base (${base.side.label}) could not be compiled (${compiled.message})`);
  }
  const prune = head.repository.index.settings?.value.spec?.controller?.prune ?? false;
  const plan = planReconcile(desired.jobnets, observed, { prune });
  return describePlan(plan, { now, base: base.side, head: head.side, notes });
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}
