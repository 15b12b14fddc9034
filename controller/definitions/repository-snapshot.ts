/**
 * A repository snapshot: the files of a definitions repo at one revision. The validator works
 * on snapshots only, so a working directory, a git commit and an export bundle all go through
 * the same pipeline (R-GIT-2: one revision, loaded and validated whole).
 *
 * This module does the file-system I/O for directory snapshots; it must not parse YAML.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SourceFile {
  /** Path relative to the repository root, forward slashes. */
  path: string;
  /** Raw content; decoding (and its errors) belongs to the parser. */
  bytes: Uint8Array;
}

export interface RepositorySnapshot {
  /** Commit SHA when the snapshot came from git. */
  revision?: string;
  files: SourceFile[];
}

/** Largest definition file accepted (R-SEC-4: oversized files get a clear error, not an OOM). */
export const maxDefinitionFileBytes = 5 * 1024 * 1024;

export function isDefinitionFileName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/**
 * Reads every `*.yaml`/`*.yml` file below `root`, skipping dot-directories (R-REPO-1).
 * Files over the size limit are returned with empty content and flagged by `oversized`,
 * so the validator can report them without reading them into memory.
 * Throws only when `root` itself cannot be read (a usage error, not a definition error).
 */
export async function readDirectorySnapshot(
  root: string,
  maxFileBytes = maxDefinitionFileBytes,
): Promise<RepositorySnapshot & { oversized: string[] }> {
  const files: SourceFile[] = [];
  const oversized: string[] = [];
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);

  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules') continue;
        await walk(full);
      } else if (entry.isFile() && isDefinitionFileName(entry.name)) {
        const rel = path.relative(root, full).split(path.sep).join('/');
        const { size } = await stat(full);
        if (size > maxFileBytes) {
          oversized.push(rel);
          files.push({ path: rel, bytes: new Uint8Array() });
        } else {
          files.push({ path: rel, bytes: await readFile(full) });
        }
      }
    }
  }
  await walk(root);
  return { files, oversized };
}
