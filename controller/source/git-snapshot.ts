/**
 * Repository snapshots from git (R-GIT-1, R-GIT-2): the definition files of one commit — named by
 * a SHA, branch or tag — read straight from the object database, without checking anything out,
 * so the working tree (and whatever is uncommitted in it) is never touched and two revisions can
 * be read side by side (`jobnet plan --base main --head feature`).
 *
 * The files are chosen by the rules of the directory snapshot (`repository-snapshot.ts`), so a
 * commit and a checkout of it validate alike: `*.yaml`/`*.yml` only, nothing in or under a name
 * starting with `.` or under `node_modules`, symbolic links followed while they stay inside the
 * tree (those leading out of it or to nothing listed in `links`, for the validator to report),
 * each file once, submodules skipped, files over the size limit returned empty and listed in
 * `oversized` (the validator reports them), and the same order. The revision is the commit SHA.
 *
 * `git ls-tree` lists the tree and `git cat-file --batch` reads every blob in one process: one
 * `git show` per file would start a thousand processes for a thousand jobnets. Everything else
 * goes through simple-git. This module does I/O only; it must not parse YAML.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import {
  isDefinitionFileName,
  maxDefinitionFileBytes,
  type RepositorySnapshot,
  type SkippedLink,
  type SourceFile,
} from '../definitions/repository-snapshot.js';

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
export type GitSnapshot = RepositorySnapshot & { revision: string; oversized: string[]; links: SkippedLink[] };

/**
 * Reads the definition files of commit `ref` in the git repository at `repository` (a work tree,
 * any directory inside one, or a bare repository), below `options.path`.
 * @throws GitSnapshotError when `repository` is not a git repository (`not-a-repository`), `ref`
 *   names no commit (`unknown-ref`) or `options.path` is not a directory at that commit
 *   (`missing-path`); Error when `options.path` leaves the repository or git itself fails.
 */
export async function readGitSnapshot(
  repository: string,
  ref: string,
  options: GitSnapshotOptions = {},
): Promise<GitSnapshot> {
  const git = await openRepository(repository);
  const revision = await resolveCommit(git, repository, ref);
  const subPath = normaliseSubPath(options.path ?? '');
  const maxFileBytes = options.maxFileBytes ?? maxDefinitionFileBytes;

  const tree = subPath === '' ? `${revision}^{tree}` : `${revision}:${subPath}`;
  const type = (await git.raw(['cat-file', '-t', tree]).catch(() => '')).trim();
  if (type !== 'tree') {
    throw new GitSnapshotError(
      `${subPath} is not a directory in ${describeRef(ref, revision)} of ${repository}`,
      'missing-path',
    );
  }

  const entries = parseTree(await git.raw(['ls-tree', '-r', '-z', '-l', '--full-tree', tree]));
  const linkTargets = await readBlobs(
    repository,
    entries.filter((entry) => entry.link).map((entry) => entry.object),
  );
  const { found, links } = walkTree(entries, (object) =>
    new TextDecoder().decode(linkTargets.get(object) ?? new Uint8Array()),
  );
  const oversized: string[] = [];
  const wanted = found.filter((entry) => {
    if (entry.size <= maxFileBytes) return true;
    oversized.push(entry.path);
    return false;
  });
  const contents = await readBlobs(
    repository,
    wanted.map((entry) => entry.object),
  );
  const files: SourceFile[] = found.map((entry) => ({
    path: entry.path,
    bytes: contents.get(entry.object) ?? new Uint8Array(),
  }));
  return { revision, files, oversized, links };
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
  if (root === undefined || root === '')
    throw new GitSnapshotError(`${dir} is not inside a git work tree`, 'not-a-repository');
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
  const sha = (
    await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '')
  ).trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new GitSnapshotError(
      `unknown git ref "${ref}" in ${repository}: no branch, tag or commit of that name`,
      'unknown-ref',
    );
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
  if (normalised === '..' || normalised.startsWith('../'))
    throw new Error(`path ${subPath} lies outside the repository`);
  return normalised;
}

interface TreeEntry {
  path: string;
  object: string;
  size: number;
  /** A symbolic link (mode 120000): the blob holds its target. */
  link: boolean;
}

/** Blobs and symbolic links of `git ls-tree -r -z -l` output; submodules are left out. */
function parseTree(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
    if (type !== 'blob' || object === undefined || size === undefined) continue;
    entries.push({ path: record.slice(tab + 1), object, size: Number(size), link: mode === '120000' });
  }
  return entries;
}

type TreeNode =
  | { kind: 'dir'; children: Map<string, TreeNode> }
  | { kind: 'file'; object: string; size: number }
  | { kind: 'link'; object: string };

/** Links followed in a row before a path is taken for a loop (as the kernel's ELOOP). */
const maxLinkHops = 40;

/**
 * The walk of the directory snapshot (`readDirectorySnapshot`) over a commit's tree: names in
 * code-unit order directory by directory, dot-names and `node_modules` skipped, links followed
 * while they resolve inside the tree (a linked directory walked once), each file once — under its
 * own path when that is one of its paths. Returns the definition files in walk order and the
 * links not followed.
 */
function walkTree(
  entries: readonly TreeEntry[],
  targetOf: (object: string) => string,
): { found: { path: string; object: string; size: number }[]; links: SkippedLink[] } {
  const root: TreeNode = { kind: 'dir', children: new Map() };
  for (const entry of entries) {
    const segments = entry.path.split('/');
    let dir = root;
    for (const segment of segments.slice(0, -1)) {
      let next = dir.children.get(segment);
      if (next === undefined || next.kind !== 'dir') {
        next = { kind: 'dir', children: new Map() };
        dir.children.set(segment, next);
      }
      dir = next;
    }
    dir.children.set(
      segments[segments.length - 1] as string,
      entry.link ? { kind: 'link', object: entry.object } : { kind: 'file', object: entry.object, size: entry.size },
    );
  }

  /** The node `target` (written in the link at `linkPath`) leads to, with its real path; undefined: outside; null: nothing. */
  const resolve = (linkPath: string, target: string): { node: TreeNode; real: string } | undefined | null => {
    if (target.startsWith('/')) return undefined;
    let pending = [...linkPath.split('/').slice(0, -1), ...target.split('/')];
    const real: string[] = [];
    let node: TreeNode = root;
    let hops = 1;
    while (pending.length > 0) {
      const segment = pending.shift() as string;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (real.length === 0) return undefined;
        real.pop();
        node = nodeAt(real);
        continue;
      }
      if (node.kind !== 'dir') return null;
      const child = node.children.get(segment);
      if (child === undefined) return null;
      if (child.kind === 'link') {
        if (++hops > maxLinkHops) return null;
        const inner = targetOf(child.object);
        if (inner.startsWith('/')) return undefined;
        pending = [...inner.split('/'), ...pending];
        continue;
      }
      real.push(segment);
      node = child;
    }
    return { node, real: real.join('/') };
  };
  const nodeAt = (segments: readonly string[]): TreeNode => {
    let node: TreeNode = root;
    for (const segment of segments) node = node.kind === 'dir' ? (node.children.get(segment) ?? node) : node;
    return node;
  };

  const found: { path: string; object: string; size: number; real: string; linked: boolean }[] = [];
  const links: SkippedLink[] = [];
  const walkedThroughLinks = new Set<string>();
  const walk = (dir: TreeNode & { kind: 'dir' }, dirPath: string, realDir: string, linked: boolean): void => {
    if (linked && walkedThroughLinks.has(realDir)) return;
    walkedThroughLinks.add(realDir);
    const join = (base: string, name: string) => (base === '' ? name : `${base}/${name}`);
    for (const name of [...dir.children.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (name.startsWith('.')) continue;
      const node = dir.children.get(name) as TreeNode;
      const at = join(dirPath, name);
      if (node.kind === 'dir') {
        if (name !== 'node_modules') walk(node, at, join(realDir, name), linked);
      } else if (node.kind === 'file') {
        if (isDefinitionFileName(name))
          found.push({ path: at, object: node.object, size: node.size, real: join(realDir, name), linked });
      } else {
        const target = targetOf(node.object);
        const resolved = resolve(join(realDir, name), target);
        if (resolved === null || resolved === undefined) {
          // As the directory snapshot reports them: links named like a definition file, and links
          // out of the tree that may be directories (what is outside a commit cannot be looked at;
          // a name without an extension is taken for one).
          if (isDefinitionFileName(name) || (resolved === undefined && !name.includes('.')))
            links.push({ path: at, target, reason: resolved === undefined ? 'outside' : 'broken' });
          continue;
        }
        if (resolved.node.kind === 'dir') {
          if (name !== 'node_modules') walk(resolved.node, at, resolved.real, true);
        } else if (resolved.node.kind === 'file' && isDefinitionFileName(name)) {
          found.push({
            path: at,
            object: resolved.node.object,
            size: resolved.node.size,
            real: resolved.real,
            linked: true,
          });
        }
      }
    }
  };
  walk(root, '', '', false);

  const chosen = new Map<string, (typeof found)[number]>();
  for (const entry of found) {
    const earlier = chosen.get(entry.real);
    if (earlier === undefined || (earlier.linked && !entry.linked)) chosen.set(entry.real, entry);
  }
  return {
    found: found
      .filter((entry) => chosen.get(entry.real) === entry)
      .map(({ path: file, object, size }) => ({ path: file, object, size })),
    links,
  };
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
      else
        reject(
          new Error(
            `git cat-file --batch failed in ${repository} (exit ${code}): ${Buffer.concat(errors).toString('utf8').trim()}`,
          ),
        );
    });
    child.stdin.end(unique.join('\n') + '\n');
  });
  let offset = 0;
  for (const object of unique) {
    const newline = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, newline).toString('utf8');
    const [name, type, size] = header.split(' ');
    if (newline < 0 || name !== object || type !== 'blob' || size === undefined) {
      throw new Error(
        `git cat-file --batch in ${repository}: unexpected answer for ${object}: ${JSON.stringify(header)}`,
      );
    }
    const start = newline + 1;
    const end = start + Number(size);
    contents.set(object, new Uint8Array(output.subarray(start, end)));
    offset = end + 1; // the newline after the content
  }
  return contents;
}
