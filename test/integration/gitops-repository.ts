/**
 * A definitions repository for controller tests: a bare "remote" made with `git init --bare` and a
 * work tree (from test/fixtures/gitops/base) that commits and pushes to it, with a project of the
 * test's own. Real git, in a temporary directory the test removes with `remove()`.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const fixture = path.resolve(import.meta.dirname, '..', 'fixtures', 'gitops', 'base');

export interface GitopsRepository {
  /** The temporary directory holding everything (a place for caches too). */
  root: string;
  /** Path of the bare remote; `file://${remote}` is its URL. */
  remote: string;
  /** The project name the jobnets use. */
  project: string;
  /** Writes files (path → YAML, `PROJECT` replaced; null deletes), commits and pushes; returns the SHA. */
  push(message: string, files: Record<string, string | null>): Promise<string>;
  /** Runs git in the work tree (a revert, a force-push…) and returns its output. */
  git(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

/** A jobnet of `PROJECT` starting daily at `at`, with one short sleep job; `extra` adds spec lines. */
export function jobnetYaml(name: string, at: string, extra = ''): string {
  return `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: PROJECT, name: ${name}}
spec:
  start: {at: ["${at}"]}
${extra}  jobs:
    a: {type: sleep, seconds: 1}
`;
}

/** Creates the remote and the work tree, and pushes a first commit with the project and `files`. */
export async function createGitopsRepository(
  prefix: string,
  files: Record<string, string>,
): Promise<{ repository: GitopsRepository; head: string }> {
  const root = await mkdtemp(path.join(tmpdir(), `jobnet-${prefix}-`));
  const remote = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  const project = `${prefix.replace(/[^a-z0-9]/g, '')}${Date.now().toString(36)}`;
  const git = async (...args: string[]): Promise<string> => {
    const { stdout } = await exec(
      'git',
      ['-c', 'user.name=Ops', '-c', 'user.email=ops@example.test', '-c', 'commit.gpgsign=false', ...args],
      { cwd: work },
    );
    return stdout.trim();
  };
  await exec('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  await cp(fixture, work, { recursive: true });
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', remote);
  const repository: GitopsRepository = {
    root,
    remote,
    project,
    async push(message, changes) {
      for (const [file, text] of Object.entries(changes)) {
        const target = path.join(work, file);
        if (text === null) await rm(target);
        else {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, text.replaceAll('PROJECT', project));
        }
      }
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      await git('push', '-q', 'origin', 'main');
      return await git('rev-parse', 'HEAD');
    },
    git,
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
  const head = await repository.push('base definitions', {
    'projects/PROJECT.yaml': `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: PROJECT}\nspec: {calendar: office}\n`,
    ...files,
  });
  return { repository, head };
}

/** Polls `probe` every 100 ms until it gives a value; throws with `what` and the last error after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `${what}: not reached in ${timeoutMs} ms (${lastError instanceof Error ? lastError.message : 'no error'}) ${context()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
