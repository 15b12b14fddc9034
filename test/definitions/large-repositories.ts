/**
 * Generated definition repositories whose graphs are far longer or wider than any fixture: a chain
 * or ring of thousands of jobnets calling each other, a jobnet with thousands of jobs in one
 * `after` chain, a chain of day patterns. For tests that the validator and the compile step walk
 * graphs without recursion and in time linear in their size. Files are path → YAML text, for
 * `validateSnapshot` in memory or, written out with {@link writeRepository}, for the real bin.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type RepositoryFiles = Record<string, string>;

const project = 'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: demo\nspec: {}\n';

/**
 * `count` jobnets `level-1` … `level-<count>`, each running the next through a `jobnet` job; the
 * last sleeps, or, with `ring`, runs `level-1` again. With `readCaptured`, a job of `level-1`
 * captures the prefix TOP and every jobnet has a job reading `@TOP.N@`, which each inherits.
 */
export function jobnetChain(count: number, options: { ring?: boolean; readCaptured?: boolean } = {}): RepositoryFiles {
  const files: RepositoryFiles = { 'project.yaml': project };
  for (let level = 1; level <= count; level++) {
    const next = level < count ? level + 1 : options.ring ? 1 : undefined;
    let jobs =
      next === undefined
        ? '    nap:\n      type: sleep\n      seconds: 1\n'
        : `    run-level-${next}:\n      type: jobnet\n      jobnet: level-${next}\n`;
    if (options.readCaptured) {
      if (level === 1)
        jobs += "    count:\n      type: command\n      variables: {capture: TOP}\n      argv: [sh, -c, 'echo N=1']\n";
      jobs += "    show:\n      type: command\n      argv: [echo, '@TOP.N@']\n";
    }
    files[`jobnets/level-${level}.yaml`] = jobnetText(`level-${level}`, jobs);
  }
  return files;
}

/**
 * One jobnet `long` with `count` jobs `job-1` … `job-<count>`, each running after the one before;
 * with `cycleOf`, `job-1` also runs after `job-<cycleOf>`, closing a cycle of that many jobs.
 */
export function jobChain(count: number, options: { cycleOf?: number } = {}): RepositoryFiles {
  let jobs = '';
  for (let i = 1; i <= count; i++) {
    const after = i > 1 ? `job-${i - 1}` : options.cycleOf !== undefined ? `job-${options.cycleOf}` : undefined;
    jobs += `    job-${i}:\n      type: sleep\n      seconds: 1\n${after === undefined ? '' : `      after: [${after}]\n`}`;
  }
  return { 'project.yaml': project, 'jobnets/long.yaml': jobnetText('long', jobs) };
}

/**
 * `count` day patterns `p1` … `p<count>` in one file, each excluding the next; with `ring`, the
 * last excludes `p1`. A jobnet `nightly` takes its start days from `p1`.
 */
export function dayPatternChain(count: number, options: { ring?: boolean } = {}): RepositoryFiles {
  const patterns: string[] = [];
  for (let i = 1; i <= count; i++) {
    const next = i < count ? i + 1 : options.ring ? 1 : undefined;
    const except = next === undefined ? '' : `  except:\n    dayPattern: p${next}\n`;
    patterns.push(
      `apiVersion: jobnet/v1\nkind: DayPattern\nmetadata:\n  name: p${i}\nspec:\n  monthDays: [${(i % 28) + 1}]\n${except}`,
    );
  }
  const nightly = jobnetText('nightly', '    nap:\n      type: sleep\n      seconds: 1\n').replace(
    'spec:\n',
    'spec:\n  daysFrom: p1\n',
  );
  return { 'project.yaml': project, 'daypatterns.yaml': patterns.join('---\n'), 'jobnets/nightly.yaml': nightly };
}

/** Writes the files below `dir`. */
export function writeRepository(dir: string, files: RepositoryFiles): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

/** In-memory snapshot of the files, for `validateSnapshot`. */
export function snapshotOf(files: RepositoryFiles): { files: { path: string; bytes: Uint8Array }[] } {
  const encoder = new TextEncoder();
  return { files: Object.entries(files).map(([file, text]) => ({ path: file, bytes: encoder.encode(text) })) };
}

function jobnetText(name: string, jobs: string): string {
  return `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata:\n  project: demo\n  name: ${name}\nspec:\n  jobs:\n${jobs}`;
}
