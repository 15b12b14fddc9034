/**
 * A repository snapshot: the files of a definitions repo at one revision. The validator works
 * on snapshots only, so a working directory, a git commit and an export bundle all go through
 * the same pipeline (R-GIT-2: one revision, loaded and validated whole).
 *
 * This module does the file-system I/O for directory snapshots; it must not parse YAML.
 */
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SourceFile {
  /** Path relative to the repository root, forward slashes. */
  path: string;
  /** Raw content; decoding (and its errors) belongs to the parser. */
  bytes: Uint8Array;
}

/** A symbolic link of the tree that is not followed, and why (reported as FILE-SYMLINK). */
export interface SkippedLink {
  /** Path of the link relative to the repository root, forward slashes. */
  path: string;
  /** What the link says it points to, as written. */
  target: string;
  /** `outside`: it leads out of the definitions tree; `broken`: to nothing (or round in a loop). */
  reason: 'outside' | 'broken';
}

export interface RepositorySnapshot {
  /** Commit SHA when the snapshot came from git. */
  revision?: string;
  files: SourceFile[];
  /** Symbolic links that were not followed; the validator reports each one. */
  links?: SkippedLink[];
}

/** Largest definition file accepted (R-SEC-4: oversized files get a clear error, not an OOM). */
export const maxDefinitionFileBytes = 5 * 1024 * 1024;

export function isDefinitionFileName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/**
 * Reads every `*.yaml`/`*.yml` file below `root`, skipping dot-directories (R-REPO-1).
 * Symbolic links are followed while they stay inside the tree (the real path of `root`): a
 * linked file is read under the link's path, a linked directory walked under it (each directory
 * once, so a link to an ancestor is no loop). A file reached by several paths is read once, under
 * its own path when that is one of them, else under the first link path in walk order. Links that
 * lead out of the tree, or to nothing, are not followed and are returned in `links` for the
 * validator to report — only those whose name is a definition file's, or that lead to a directory.
 * Files over the size limit are returned with empty content and flagged by `oversized`,
 * so the validator can report them without reading them into memory.
 * Throws only when `root` itself cannot be read (a usage error, not a definition error).
 */
export async function readDirectorySnapshot(
  root: string,
  maxFileBytes = maxDefinitionFileBytes,
): Promise<RepositorySnapshot & { oversized: string[]; links: SkippedLink[] }> {
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
  const realRoot = await realpath(root);
  const inTree = (real: string): boolean =>
    real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
  const relative = (full: string): string => path.relative(root, full).split(path.sep).join('/');

  /** Definition files found, in walk order: path, identity of the file (device:inode), size, whether reached through a link. */
  const found: { rel: string; full: string; identity: string; size: number; linked: boolean }[] = [];
  const links: SkippedLink[] = [];
  const walkedDirectories = new Set<string>();

  async function walk(dir: string, realDir: string, linked: boolean): Promise<void> {
    // A directory is walked through a link once at most (a link to an ancestor is no loop); its
    // own path is always walked, so that its files are found under their own paths.
    if (linked && walkedDirectories.has(realDir)) return;
    walkedDirectories.add(realDir);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules') continue;
        await walk(full, path.join(realDir, entry.name), linked);
      } else if (entry.isFile() && isDefinitionFileName(entry.name)) {
        const info = await stat(full);
        found.push({ rel: relative(full), full, identity: `${info.dev}:${info.ino}`, size: info.size, linked });
      } else if (entry.isSymbolicLink()) {
        await followLink(full, entry.name);
      }
    }
  }

  async function followLink(full: string, name: string): Promise<void> {
    const target = await readlink(full).catch(() => '');
    const [info, real] = await Promise.all([stat(full).catch(() => undefined), realpath(full).catch(() => undefined)]);
    if (info === undefined || real === undefined) {
      if (isDefinitionFileName(name)) links.push({ path: relative(full), target, reason: 'broken' });
      return;
    }
    const relevant = info.isDirectory() ? name !== 'node_modules' : info.isFile() && isDefinitionFileName(name);
    if (!relevant) return;
    if (!inTree(real)) {
      links.push({ path: relative(full), target, reason: 'outside' });
      return;
    }
    if (info.isDirectory()) await walk(full, real, true);
    else found.push({ rel: relative(full), full, identity: `${info.dev}:${info.ino}`, size: info.size, linked: true });
  }

  await walk(root, realRoot, false);

  // One path per file: its own, else the first link path.
  const chosen = new Map<string, (typeof found)[number]>();
  for (const entry of found) {
    const earlier = chosen.get(entry.identity);
    if (earlier === undefined || (earlier.linked && !entry.linked)) chosen.set(entry.identity, entry);
  }
  const files: SourceFile[] = [];
  const oversized: string[] = [];
  for (const entry of found) {
    if (chosen.get(entry.identity) !== entry) continue;
    if (entry.size > maxFileBytes) {
      oversized.push(entry.rel);
      files.push({ path: entry.rel, bytes: new Uint8Array() });
    } else {
      files.push({ path: entry.rel, bytes: await readFile(entry.full) });
    }
  }
  return { files, oversized, links };
}
