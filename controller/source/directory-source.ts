/**
 * A local directory as the definitions source (R-GIT-1): `fetch()` reads the snapshot of the tree,
 * `watch()` tells the controller when files changed, debounced so an editor saving ten files or a
 * `git checkout` rewriting a hundred gives one reconcile, not one per file.
 *
 * The revision is a content hash (`dir:` + 12 hex of sha256 over the sorted paths and bytes of the
 * definition files), not a timestamp: re-reading an unchanged directory gives the same revision, so
 * the controller sees nothing to do. A directory that happens to be a git work tree is still hashed;
 * use the git source to reconcile commits.
 *
 * Does file-system I/O only; it must not parse or validate YAML (that is controller/definitions/).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { watch as watchFiles, type FSWatcher } from 'chokidar';
import {
  isDefinitionFileName,
  maxDefinitionFileBytes,
  readDirectorySnapshot,
  type SkippedLink,
  type SourceFile,
} from '../definitions/repository-snapshot.js';
import type { DefinitionSource, SourceRevision, StopWatching } from './source-types.js';

export interface DirectorySourceOptions {
  /** Quiet time after the last change before `onChange` is called (default 300 ms). */
  debounceMs?: number;
  /** Largest definition file read (default: the validator's limit). */
  maxFileBytes?: number;
}

export const defaultDirectoryDebounceMs = 300;

/**
 * The content revision of a set of definition files: `dir:` + the first 12 hex digits of a sha256
 * over every file's path and bytes in path order (length-framed, so moving bytes between files or
 * renaming a file changes it). Oversized files enter by path only; they are reported as errors anyway.
 * Links that were not followed enter by path and target, so adding or mending one is a new
 * revision (its warning comes and goes with it).
 */
export function directoryRevision(
  files: readonly SourceFile[],
  oversized: readonly string[] = [],
  links: readonly SkippedLink[] = [],
): string {
  const tooLarge = new Set(oversized);
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const marker = tooLarge.has(file.path) ? 'oversized' : String(file.bytes.byteLength);
    hash.update(`${file.path}\0${marker}\0`);
    hash.update(file.bytes);
  }
  for (const link of [...links].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    hash.update(`${link.path}\0link\0${link.target}\0${link.reason}\0`);
  return `dir:${hash.digest('hex').slice(0, 12)}`;
}

/**
 * Whether a path below the root is outside the definitions (R-REPO-1): anything inside a
 * dot-directory (`.git`, `.github`, `.idea`), a dot-file, or `node_modules`. Takes the path relative
 * to the root, either separator.
 */
export function isIgnoredDirectoryPath(relativePath: string): boolean {
  return relativePath
    .split(/[\\/]/)
    .some((segment) => (segment.startsWith('.') && segment !== '.' && segment !== '..') || segment === 'node_modules');
}

export class DirectorySource implements DefinitionSource {
  readonly root: string;
  private readonly debounceMs: number;
  private readonly maxFileBytes: number;
  private ready: Promise<void> = Promise.resolve();

  constructor(root: string, options: DirectorySourceOptions = {}) {
    this.root = path.resolve(root);
    this.debounceMs = options.debounceMs ?? defaultDirectoryDebounceMs;
    this.maxFileBytes = options.maxFileBytes ?? maxDefinitionFileBytes;
  }

  describe(): string {
    return `directory ${this.root}`;
  }

  /**
   * Reads every definition file below the root.
   * @throws Error naming the directory when it does not exist or cannot be read.
   */
  async fetch(): Promise<SourceRevision> {
    let read;
    try {
      read = await readDirectorySnapshot(this.root, this.maxFileBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const detail = code ?? (error instanceof Error ? error.message : String(error));
      throw new Error(`definitions directory ${this.root} cannot be read (${detail})`, { cause: error });
    }
    const revision = directoryRevision(read.files, read.oversized, read.links);
    return {
      revision,
      snapshot: { revision, files: read.files, ...(read.links.length > 0 ? { links: read.links } : {}) },
      oversized: read.oversized,
      fetchedAt: new Date(),
    };
  }

  /**
   * Watches the tree (not dot-directories, not node_modules) and calls `onChange` once per burst of
   * changes, `debounceMs` after the last one. Only definition files and directories count; a change
   * to README.md cannot change the snapshot.
   */
  watch(onChange: () => void, onError?: (error: Error) => void): StopWatching {
    const root = this.root;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const watcher: FSWatcher = watchFiles(root, {
      ignoreInitial: true,
      ignored: (candidate: string) => isIgnoredDirectoryPath(path.relative(root, candidate)),
    });
    const schedule = (): void => {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (!stopped) onChange();
      }, this.debounceMs);
    };
    watcher.on('all', (event, changed) => {
      const isDirectoryEvent = event === 'addDir' || event === 'unlinkDir';
      if (isDirectoryEvent || isDefinitionFileName(changed)) schedule();
    });
    watcher.on('error', (error) => {
      if (!stopped) onError?.(error instanceof Error ? error : new Error(String(error)));
    });
    this.ready = new Promise((resolve) => watcher.once('ready', () => resolve()));
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await watcher.close();
    };
  }

  /**
   * Resolves when the latest watch has scanned the tree, i.e. from when on a change is certain to be
   * seen (the controller logs "watching"; tests write files only after this).
   */
  whenWatching(): Promise<void> {
    return this.ready;
  }
}
