/**
 * The contract between the GitOps controller loop and the places definitions come from (R-GIT-1):
 * a local directory (controller/source/directory-source.ts) or a git remote + branch
 * (controller/source/git-source.ts). The loop only ever asks a source for "the revision now" and
 * to be told when that may have changed; it never learns how the bytes were obtained.
 *
 * Types only: no I/O here.
 */
import type { RepositorySnapshot } from '../definitions/repository-snapshot.js';

/** One revision of the definitions, read whole (R-GIT-2: each reconcile reads one revision). */
export interface SourceRevision {
  /**
   * What identifies this content: a commit SHA for git sources, `dir:<12 hex>` (a content hash)
   * for directories. Equal revisions mean equal content, so the loop can skip a no-op reconcile.
   */
  revision: string;
  /** The definition files of that revision; `snapshot.revision` equals `revision`. */
  snapshot: RepositorySnapshot;
  /**
   * Files over the size limit, listed in `snapshot.files` with empty content; pass them to
   * `validateSnapshot(..., {oversized})` so they are reported instead of silently empty.
   */
  oversized: readonly string[];
  fetchedAt: Date;
}

/** Stops a watch; resolves when no further callback can happen. */
export type StopWatching = () => Promise<void>;

export interface DefinitionSource {
  /** Where the definitions come from, safe for logs and status (never carries a secret). */
  describe(): string;
  /**
   * Reads the current revision.
   * @throws when the source cannot be read (unreachable remote, missing branch or directory);
   *   the controller keeps the last good revision and retries with backoff (CONTRIBUTING.md#5-errors-decide-control-flow).
   */
  fetch(): Promise<SourceRevision>;
  /**
   * Calls `onChange` when the content may have changed (debounced or polled, never once per file),
   * so the controller fetches again. Problems while watching (a failed poll, a watcher error) go to
   * `onError` and do not stop the watch.
   */
  watch(onChange: () => void, onError?: (error: Error) => void): StopWatching;
}
