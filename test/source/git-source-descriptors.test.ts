/**
 * The git source when the process is out of file descriptors (a flood of held connections, a
 * leak): git cannot be started (`spawn git EMFILE`). That must be a GitSourceError the controller
 * retries — never an unhandled error event that ends the process. A real child process with a low
 * `ulimit -n` uses every descriptor it has and then fetches and polls a real repository.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const child = path.join(import.meta.dirname, 'out-of-descriptors-child.ts');
const projectRoot = path.resolve(import.meta.dirname, '..', '..');
let dir: string;
let remote: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Jobnet Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  ).trim();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jobnet-git-fds-'));
  remote = path.join(dir, 'remote.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
  git(dir, 'init', '-q', '-b', 'main', 'work');
  await writeFile(path.join(dir, 'work', 'jobnet.yaml'), 'apiVersion: jobnet/v1\n');
  git(path.join(dir, 'work'), 'add', '-A');
  git(path.join(dir, 'work'), 'commit', '-q', '-m', 'first');
  git(path.join(dir, 'work'), 'push', '-q', remote, 'HEAD:refs/heads/main');
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('reports a git that cannot be started for want of descriptors as a GitSourceError, and fetches again once they are free', async () => {
  const sha = git(path.join(dir, 'work'), 'rev-parse', 'HEAD');
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'bash',
      [
        '-c',
        'ulimit -n 64; exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        child,
        `file://${remote}`,
        path.join(dir, 'cache'),
      ],
      { cwd: projectRoot },
    );
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  expect(result.stderr).not.toContain("Unhandled 'error' event");
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
  expect(report.first).toBe(sha);
  expect(report.held).toBeGreaterThan(0);
  expect(report.exhausted).toMatchObject({ error: 'GitSourceError', reason: 'git' });
  expect((report.exhausted as { message: string }).message).toMatch(/cannot start git: spawn git EMFILE/);
  expect(report.polled).toMatchObject({ error: 'GitSourceError' });
  expect((report.polled as { message: string }).message).toMatch(/EMFILE/);
  expect(report.recovered).toBe(sha);
});
