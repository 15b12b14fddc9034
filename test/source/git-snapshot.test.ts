/**
 * Git snapshots (R-GIT-1, R-GIT-2) against real temporary repositories: a commit is read without
 * checking it out, with exactly the files, order and bytes the directory snapshot gives for the
 * same tree, optionally below a sub-path, and with errors that name the ref.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDirectorySnapshot, type SourceFile } from '../../controller/definitions/repository-snapshot.js';
import {
  GitSnapshotError,
  readGitSnapshot,
  resolveRef,
  workTreeLocation,
} from '../../controller/source/git-snapshot.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'valid');
const temporaryDirectories: string[] = [];

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  return stdout.trim();
}

function temporaryDirectory(prefix: string): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  temporaryDirectories.push(dir);
  return dir;
}

/** A new repository on branch main with a local identity. */
async function newRepository(): Promise<string> {
  const dir = temporaryDirectory('jobnet-git-snapshot-');
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'config', 'user.name', 'Snapshot Test');
  await git(dir, 'config', 'user.email', 'snapshot-test@example.com');
  return dir;
}

async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--message', message);
  return await git(dir, 'rev-parse', 'HEAD');
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

function listing(files: readonly SourceFile[]): string[] {
  return files.map((file) => `${file.path} ${Buffer.from(file.bytes).toString('base64')}`);
}

async function failure(promise: Promise<unknown>): Promise<GitSnapshotError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitSnapshotError);
  return error as GitSnapshotError;
}

afterAll(() => {
  for (const dir of temporaryDirectories) rmSync(dir, { recursive: true, force: true });
});

describe('readGitSnapshot', () => {
  let repo: string;
  let first: string;
  let second: string;
  beforeAll(async () => {
    repo = await newRepository();
    write(repo, 'projects/demo/project.yaml', 'kind: Project # first\n');
    write(repo, 'projects/demo/jobnets/nightly.yaml', 'kind: Jobnet # first\n');
    first = await commitAll(repo, 'first');
    await git(repo, 'tag', 'v1');
    write(repo, 'projects/demo/project.yaml', 'kind: Project # second\n');
    second = await commitAll(repo, 'second');
    await git(repo, 'checkout', '--quiet', '-b', 'feature');
    write(repo, 'projects/demo/jobnets/extra.yml', 'kind: Jobnet # feature\n');
    await commitAll(repo, 'feature');
    await git(repo, 'checkout', '--quiet', 'main');
  });

  it('reads the files of a commit with its SHA as the revision', async () => {
    const snapshot = await readGitSnapshot(repo, 'main');
    expect(snapshot.revision).toBe(second);
    expect(snapshot.files.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')])).toEqual([
      ['projects/demo/jobnets/nightly.yaml', 'kind: Jobnet # first\n'],
      ['projects/demo/project.yaml', 'kind: Project # second\n'],
    ]);
    expect(snapshot.oversized).toEqual([]);
  });

  it('reads branches, tags and (short) commit SHAs other than the one checked out', async () => {
    expect((await readGitSnapshot(repo, 'v1')).revision).toBe(first);
    expect((await readGitSnapshot(repo, first.slice(0, 10))).revision).toBe(first);
    expect((await readGitSnapshot(repo, 'HEAD~1')).revision).toBe(first);
    const feature = await readGitSnapshot(repo, 'feature');
    expect(feature.files.map((f) => f.path)).toContain('projects/demo/jobnets/extra.yml');
    expect(await git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  });

  it('leaves the working tree alone and ignores what is uncommitted in it', async () => {
    write(repo, 'projects/demo/project.yaml', 'kind: Project # edited, not committed\n');
    write(repo, 'projects/demo/jobnets/untracked.yaml', 'kind: Jobnet\n');
    try {
      const statusBefore = await git(repo, 'status', '--porcelain');
      const snapshot = await readGitSnapshot(repo, 'main');
      expect(snapshot.files.map((f) => f.path)).not.toContain('projects/demo/jobnets/untracked.yaml');
      expect(
        Buffer.from(snapshot.files.find((f) => f.path === 'projects/demo/project.yaml')?.bytes ?? []).toString('utf8'),
      ).toBe('kind: Project # second\n');
      expect(await git(repo, 'status', '--porcelain')).toBe(statusBefore);
      expect(readFileSync(path.join(repo, 'projects/demo/project.yaml'), 'utf8')).toBe(
        'kind: Project # edited, not committed\n',
      );
    } finally {
      await git(repo, 'checkout', '--quiet', '--', '.');
      rmSync(path.join(repo, 'projects/demo/jobnets/untracked.yaml'));
    }
  });

  it('reads below a sub-path, with paths relative to it', async () => {
    const snapshot = await readGitSnapshot(repo, 'feature', { path: 'projects/demo/jobnets/' });
    expect(snapshot.files.map((f) => f.path)).toEqual(['extra.yml', 'nightly.yaml']);
    expect((await readGitSnapshot(repo, 'main', { path: './projects' })).files.map((f) => f.path)).toEqual([
      'demo/jobnets/nightly.yaml',
      'demo/project.yaml',
    ]);
  });

  it('reads from any directory inside the work tree, and from a bare clone', async () => {
    expect((await readGitSnapshot(path.join(repo, 'projects', 'demo'), 'main')).files.map((f) => f.path)).toEqual([
      'projects/demo/jobnets/nightly.yaml',
      'projects/demo/project.yaml',
    ]);
    const bare = path.join(temporaryDirectory('jobnet-git-bare-'), 'definitions.git');
    await git(path.dirname(bare), 'clone', '--quiet', '--bare', repo, bare);
    const snapshot = await readGitSnapshot(bare, 'feature');
    expect(snapshot.files.map((f) => f.path)).toContain('projects/demo/jobnets/extra.yml');
  });

  it('throws naming the ref when it names no commit', async () => {
    const error = await failure(readGitSnapshot(repo, 'no-such-branch'));
    expect(error.reason).toBe('unknown-ref');
    expect(error.message).toContain('unknown git ref "no-such-branch"');
    expect(error.message).toContain(repo);
    expect((await failure(resolveRef(repo, 'v9'))).reason).toBe('unknown-ref');
  });

  it('never reads a ref as a git option', async () => {
    const error = await failure(readGitSnapshot(repo, '--output=/tmp/jobnet-pwned'));
    expect(error.reason).toBe('unknown-ref');
  });

  it('throws when the sub-path is not a directory of that commit', async () => {
    const missing = await failure(readGitSnapshot(repo, 'main', { path: 'no/such/dir' }));
    expect(missing.reason).toBe('missing-path');
    expect(missing.message).toContain('no/such/dir is not a directory in main');
    expect((await failure(readGitSnapshot(repo, 'main', { path: 'projects/demo/project.yaml' }))).reason).toBe(
      'missing-path',
    );
    await expect(readGitSnapshot(repo, 'main', { path: '../elsewhere' })).rejects.toThrow(/outside the repository/);
  });

  it('throws when the directory is not a git repository, or does not exist', async () => {
    const plain = temporaryDirectory('jobnet-not-git-');
    const error = await failure(readGitSnapshot(plain, 'main'));
    expect(error.reason).toBe('not-a-repository');
    expect(error.message).toBe(`${plain} is not a git repository`);
    expect((await failure(readGitSnapshot(path.join(plain, 'missing'), 'main'))).reason).toBe('not-a-repository');
  });
});

describe('a git snapshot and a directory snapshot of the same tree', () => {
  it('hold the same files in the same order with the same bytes: YAML only, no dot-names, no node_modules, a file linked to once', async () => {
    const repo = await newRepository();
    cpSync(path.join(fixtures, 'all-job-types'), repo, { recursive: true });
    write(repo, '.github/workflows/ci.yaml', 'name: ci\n');
    write(repo, 'projects/.drafts/draft.yaml', 'kind: Jobnet\n');
    write(repo, 'projects/.hidden.yaml', 'kind: Jobnet\n');
    write(repo, 'node_modules/pkg/package.yaml', 'name: pkg\n');
    write(repo, 'README.md', '# definitions\n');
    write(repo, 'a.yaml', '# a file next to a directory of the same stem\n');
    write(repo, 'a/b.yaml', '# inside a/\n');
    write(repo, 'a-b.yml', '# sorts between a and a/ in git, not in a directory walk\n');
    write(repo, '日本語/ジョブ.yaml', '# non-ASCII names\n');
    symlinkSync('a.yaml', path.join(repo, 'link.yaml'));
    await commitAll(repo, 'everything');

    const fromGit = await readGitSnapshot(repo, 'HEAD');
    const fromDirectory = await readDirectorySnapshot(repo);
    expect(listing(fromGit.files)).toEqual(listing(fromDirectory.files));
    expect(fromGit.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['a.yaml', 'a/b.yaml', 'a-b.yml', '日本語/ジョブ.yaml', 'credentials/aws-batch.yaml']),
    );
    expect(
      fromGit.files
        .map((f) => f.path)
        .filter(
          (p) => p.includes('.github') || p.includes('node_modules') || p.includes('.hidden') || p === 'link.yaml',
        ),
    ).toEqual([]);
  });

  it('follow the same symbolic links inside the tree and report the same ones that leave it or lead nowhere', async () => {
    const outside = temporaryDirectory('jobnet-git-snapshot-outside-');
    write(outside, 'calendar.yaml', 'kind: Calendar\n');
    const repo = await newRepository();
    write(repo, 'defs/.shared/business.yaml', 'kind: Calendar # through a link only\n');
    write(repo, 'defs/projects/ops/project.yaml', 'kind: Project\n');
    write(repo, 'defs/projects/ops/jobnets/nightly.yaml', 'kind: Jobnet\n');
    write(repo, 'above.yaml', 'kind: Calendar # outside defs/\n');
    mkdirSync(path.join(repo, 'defs/calendars'), { recursive: true });
    symlinkSync('../.shared/business.yaml', path.join(repo, 'defs/calendars/business.yaml'));
    symlinkSync('projects', path.join(repo, 'defs/mirror'));
    symlinkSync('ops', path.join(repo, 'defs/projects/ops-again'));
    symlinkSync('..', path.join(repo, 'defs/projects/ops/loop'));
    symlinkSync('../../above.yaml', path.join(repo, 'defs/calendars/above.yaml'));
    symlinkSync(path.join(outside, 'calendar.yaml'), path.join(repo, 'defs/calendars/absolute.yaml'));
    symlinkSync('gone.yaml', path.join(repo, 'defs/calendars/moved.yaml'));
    symlinkSync('../README.md', path.join(repo, 'defs/README.md'));
    write(repo, 'README.md', '# not a definition\n');
    await commitAll(repo, 'links');

    const fromGit = await readGitSnapshot(repo, 'HEAD', { path: 'defs' });
    const fromDirectory = await readDirectorySnapshot(path.join(repo, 'defs'));
    expect(listing(fromDirectory.files)).toEqual([
      `calendars/business.yaml ${Buffer.from('kind: Calendar # through a link only\n').toString('base64')}`,
      `projects/ops/jobnets/nightly.yaml ${Buffer.from('kind: Jobnet\n').toString('base64')}`,
      `projects/ops/project.yaml ${Buffer.from('kind: Project\n').toString('base64')}`,
    ]);
    expect(listing(fromGit.files)).toEqual(listing(fromDirectory.files));
    const links = [
      { path: 'calendars/above.yaml', target: '../../above.yaml', reason: 'outside' },
      { path: 'calendars/absolute.yaml', target: path.join(outside, 'calendar.yaml'), reason: 'outside' },
      { path: 'calendars/moved.yaml', target: 'gone.yaml', reason: 'broken' },
    ];
    expect(fromDirectory.links).toEqual(links);
    expect(fromGit.links).toEqual(links);
  });

  it('flag the same files as over the size limit, returned empty', async () => {
    const repo = await newRepository();
    write(repo, 'small.yaml', 'a: 1\n');
    write(repo, 'large.yaml', `a: "${'x'.repeat(200)}"\n`);
    await commitAll(repo, 'sizes');
    const fromGit = await readGitSnapshot(repo, 'main', { maxFileBytes: 100 });
    const fromDirectory = await readDirectorySnapshot(repo, 100);
    expect(fromGit.oversized).toEqual(['large.yaml']);
    expect(fromGit.oversized).toEqual(fromDirectory.oversized);
    expect(listing(fromGit.files)).toEqual(listing(fromDirectory.files));
    expect(fromGit.files.find((f) => f.path === 'large.yaml')?.bytes).toHaveLength(0);
  });
});

describe('workTreeLocation', () => {
  it('gives the top of the work tree and the path of a directory inside it', async () => {
    const repo = await newRepository();
    write(repo, 'deploy/jobnets/jobnet.yaml', 'kind: Settings\n');
    await commitAll(repo, 'nested');
    expect(await workTreeLocation(path.join(repo, 'deploy', 'jobnets'))).toEqual({
      root: repo,
      path: 'deploy/jobnets',
    });
    expect(await workTreeLocation(repo)).toEqual({ root: repo, path: '' });
    const error = await failure(workTreeLocation(temporaryDirectory('jobnet-not-git-')));
    expect(error.reason).toBe('not-a-repository');
  });
});
