/**
 * Repository snapshots from git (R-GIT-1, R-GIT-2): the definition files of one commit — named by
 * a SHA, branch or tag — read straight from the object database, without checking anything out,
 * so the working tree (and whatever is uncommitted in it) is never touched and two revisions can
 * be read side by side (`jobnet plan --base main --head feature`).
 *
 * The files are chosen by the rules of the directory snapshot (`repository-snapshot.ts`), so a
 * commit and a checkout of it validate alike: `*.yaml`/`*.yml` only, nothing in or under a name
 * starting with `.` or under `node_modules`, symbolic links and submodules skipped, files over the
 * size limit returned empty and listed in `oversized` (the validator reports them), and the same
 * order. The revision is the commit SHA.
 *
 * `git ls-tree` lists the tree and `git cat-file --batch` reads every blob in one process: one
 * `git show` per file would start a thousand processes for a thousand jobnets. Everything else
 * goes through simple-git. This module does I/O only; it must not parse YAML.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { isDefinitionFileName, maxDefinitionFileBytes, type RepositorySnapshot, type SourceFile } from '../definitions/repository-snapshot.js';

/** Why a git snapshot could not be read. */
export type GitSnapshotFailure = 'not-a-repository' | 'unknown-ref' | 'missing-path';

/** A git snapshot that could not be read, with a message naming the repository, ref and path. */
export class GitSnapshotError extends Error {
  override name = 'GitSnapshotError';
  constructor(
    message: string,
    readonly reason: GitSnapshotFailure,
  ) {
    super(message);
  }
}

export interface GitSnapshotOptions {
  /** Directory inside the repository holding the definitions, relative to the repository root (default: the root). */
  path?: string;
  /** Largest file read (default 5 MiB); larger ones are returned empty and listed in `oversized`. */
  maxFileBytes?: number;
}

/** A snapshot of a commit: `revision` is its SHA; paths are relative to `options.path`. */
export type GitSnapshot = RepositorySnapshot & { revision: string; oversized: string[] };

/**
 * Reads the definition files of commit `ref` in the git repository at `repository` (a work tree,
 * any directory inside one, or a bare repository), below `options.path`.
 * @throws GitSnapshotError when `repository` is not a git repository (`not-a-repository`), `ref`
 *   names no commit (`unknown-ref`) or `options.path` is not a directory at that commit
 *   (`missing-path`); Error when `options.path` leaves the repository or git itself fails.
 */
export async function readGitSnapshot(repository: string, ref: string, options: GitSnapshotOptions = {}): Promise<GitSnapshot> {
  const git = await openRepository(repository);
  const revision = await resolveCommit(git, repository, ref);
  const subPath = normaliseSubPath(options.path ?? '');
  const maxFileBytes = options.maxFileBytes ?? maxDefinitionFileBytes;

  const tree = subPath === '' ? `${revision}^{tree}` : `${revision}:${subPath}`;
  const type = (await git.raw(['cat-file', '-t', tree]).catch(() => '')).trim();
  if (type !== 'tree') {
    throw new GitSnapshotError(`${subPath} is not a directory in ${describeRef(ref, revision)} of ${repository}`, 'missing-path');
  }

  const entries = parseTree(await git.raw(['ls-tree', '-r', '-z', '-l', '--full-tree', tree])).filter((entry) => isDefinitionPath(entry.path));
  entries.sort((a, b) => compareSnapshotPaths(a.path, b.path));
  const oversized: string[] = [];
  const wanted = entries.filter((entry) => {
    if (entry.size <= maxFileBytes) return true;
    oversized.push(entry.path);
    return false;
  });
  const contents = await readBlobs(repository, wanted.map((entry) => entry.object));
  const files: SourceFile[] = entries.map((entry) => ({ path: entry.path, bytes: contents.get(entry.object) ?? new Uint8Array() }));
  return { revision, files, oversized };
}

/**
 * The commit SHA `ref` names in the repository at `repository`.
 * @throws GitSnapshotError as {@link readGitSnapshot} does (`not-a-repository`, `unknown-ref`).
 */
export async function resolveRef(repository: string, ref: string): Promise<string> {
  return await resolveCommit(await openRepository(repository), repository, ref);
}

/**
 * Where `dir` lies in its git work tree: the top-level directory and the path of `dir` relative
 * to it (`''` at the top), forward slashes — what {@link readGitSnapshot} takes as `options.path`.
 * @throws GitSnapshotError (`not-a-repository`) when `dir` is not inside a git work tree.
 */
export async function workTreeLocation(dir: string): Promise<{ root: string; path: string }> {
  const git = await openRepository(dir);
  const output = await git.raw(['rev-parse', '--show-toplevel', '--show-prefix']).catch(() => '');
  const [root, prefix] = output.split('\n');
  if (root === undefined || root === '') throw new GitSnapshotError(`${dir} is not inside a git work tree`, 'not-a-repository');
  return { root, path: (prefix ?? '').replace(/\/+$/, '') };
}

// ---------------------------------------------------------------------------------------------

async function openRepository(repository: string): Promise<SimpleGit> {
  let git: SimpleGit;
  try {
    git = simpleGit({ baseDir: repository });
  } catch {
    throw new GitSnapshotError(`${repository} is not a git repository (no such directory)`, 'not-a-repository');
  }
  const gitDir = await git.raw(['rev-parse', '--git-dir']).catch(() => '');
  if (gitDir.trim() === '') throw new GitSnapshotError(`${repository} is not a git repository`, 'not-a-repository');
  return git;
}

async function resolveCommit(git: SimpleGit, repository: string, ref: string): Promise<string> {
  // A ref starting with "-" would be read as an option; git refuses such ref names anyway.
  if (ref === '' || ref.startsWith('-')) throw new GitSnapshotError(`"${ref}" is not a git ref`, 'unknown-ref');
  const sha = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new GitSnapshotError(`unknown git ref "${ref}" in ${repository}: no branch, tag or commit of that name`, 'unknown-ref');
  }
  return sha;
}

function describeRef(ref: string, revision: string): string {
  return revision.startsWith(ref) ? `commit ${revision}` : `${ref} (${revision})`;
}

/** A repository-relative directory, forward slashes, no leading `./` or trailing `/`. */
function normaliseSubPath(subPath: string): string {
  const normalised = path.posix.normalize(subPath.replace(/\\/g, '/')).replace(/^\/+|\/+$/g, '');
  if (normalised === '.' || normalised === '') return '';
  if (normalised === '..' || normalised.startsWith('../')) throw new Error(`path ${subPath} lies outside the repository`);
  return normalised;
}

interface TreeEntry {
  path: string;
  object: string;
  size: number;
}

/** Blobs of `git ls-tree -r -z -l` output; symbolic links (mode 120000) and submodules are left out. */
function parseTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
    if (type !== 'blob' || mode === '120000' || object === undefined || size === undefined) continue;
    entries.push({ path: record.slice(tab + 1), object, size: Number(size) });
  }
  return entries;
}

/** The directory snapshot's rules (R-REPO-1): no dot-names, no `node_modules` directory, YAML files only. */
function isDefinitionPath(file: string): boolean {
  const segments = file.split('/');
  const name = segments[segments.length - 1] as string;
  if (segments.some((segment) => segment.startsWith('.'))) return false;
  if (segments.slice(0, -1).includes('node_modules')) return false;
  return isDefinitionFileName(name);
}

/** The order of the directory snapshot's walk: directory by directory, names in code-unit order. */
function compareSnapshotPaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** The contents of blobs by object id, read by one `git cat-file --batch`. */
async function readBlobs(repository: string, objects: readonly string[]): Promise<Map<string, Uint8Array>> {
  const contents = new Map<string, Uint8Array>();
  const unique = [...new Set(objects)];
  if (unique.length === 0) return contents;
  const output = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: repository, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`git cat-file --batch failed in ${repository} (exit ${code}): ${Buffer.concat(errors).toString('utf8').trim()}`));
    });
    child.stdin.end(unique.join('\n') + '\n');
  });
  let offset = 0;
  for (const object of unique) {
    const newline = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, newline).toString('utf8');
    const [name, type, size] = header.split(' ');
    if (newline < 0 || name !== object || type !== 'blob' || size === undefined) {
      throw new Error(`git cat-file --batch in ${repository}: unexpected answer for ${object}: ${JSON.stringify(header)}`);
    }
    const start = newline + 1;
    const end = start + Number(size);
    contents.set(object, new Uint8Array(output.subarray(start, end)));
    offset = end + 1; // the newline after the content
  }
  return contents;
}
