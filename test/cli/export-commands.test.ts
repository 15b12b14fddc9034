/**
 * `jobnet export` / `jobnet import` through the real bin (R-EXP-1..3): the bundle file, `--branch`
 * making a commit on a new branch of a real git repository, `--dry-run` leaving the repository
 * byte-for-byte unchanged, and every refusal writing nothing at all — no file, no directory, no
 * branch.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, renderBundle, type Bundle } from '../../controller/export/bundle-format.js';
import { projectRoot, runJobnet } from './cli-process.js';

const scratch: string[] = [];
let bundleFile = '';
let bundleText = '';

async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jobnet-export-cli-'));
  scratch.push(dir);
  return dir;
}

const gitEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, encoding: 'utf8' });
}

/** A git repository whose main branch holds a copy of `source` (or one empty commit). */
async function repository(source?: string): Promise<string> {
  const dir = await temporaryDir();
  git(dir, 'init', '--quiet', '--initial-branch=main');
  if (source !== undefined) await cp(source, dir, { recursive: true, filter: (s) => !s.includes('/.github') });
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'start');
  return dir;
}

/** Every path below `dir` (.git included) with a digest of its content: equal means unchanged. */
async function treeDigest(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(at: string): Promise<void> {
    for (const entry of (await readdir(at, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) {
        out.push(`${path.relative(dir, full)}/`);
        await walk(full);
      } else if (entry.isSymbolicLink()) out.push(`${path.relative(dir, full)} -> link`);
      else
        out.push(
          `${path.relative(dir, full)} ${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        );
    }
  }
  await walk(dir);
  return out;
}

/** A bundle of `definitions` with a correct checksum, as a file. */
async function craftedBundle(project: string, definitions: unknown[], extra: Partial<Bundle> = {}): Promise<string> {
  const bundle = {
    ...buildBundle({ project, definitions }, '2026-06-15T00:00:00.000Z', {}),
    ...extra,
  };
  const file = path.join(await temporaryDir(), 'crafted.yaml');
  await writeFile(file, renderBundle(bundle));
  return file;
}

beforeAll(async () => {
  const dir = await temporaryDir();
  bundleFile = path.join(dir, 'sales.yaml');
  const result = await runJobnet(['export', '--project', 'sales', '--dir', 'examples', '-o', bundleFile]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  bundleText = await readFile(bundleFile, 'utf8');
});

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('jobnet export', () => {
  it('writes a bundle with the project, what it uses and a sha256', () => {
    expect(bundleText).toMatch(/^kind: Bundle$/m);
    expect(bundleText).toMatch(/^sha256: [0-9a-f]{64}$/m);
    expect(bundleText).toContain('name: daily-close');
    // infra/servers-stop is named by an event of sales/daily-close; the rest of infra is not.
    expect(bundleText).toContain('name: servers-stop');
    expect(bundleText).not.toContain('name: health-check');
    // Secrets are references only.
    expect(bundleText).toContain('secretRef');
  });

  it('names the file P_yyyyMMddHHmmss.yaml by default', async () => {
    const result = await runJobnet(['export', '--project', 'infra', '--dir', path.join(projectRoot, 'examples')]);
    expect(result.code).toBe(0);
    const name = /to (infra_\d{14}\.yaml)/.exec(result.stdout)?.[1];
    expect(name).toBeDefined();
    await rm(path.join(projectRoot, name!), { force: true });
  });

  it('refuses an unknown project', async () => {
    const result = await runJobnet(['export', '--project', 'nope', '--dir', 'examples', '-o', '-']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('project "nope" is not defined');
  });

  it('reads a git commit with --repo and --ref, recording the revision', async () => {
    const repo = await repository(path.join(projectRoot, 'examples'));
    const result = await runJobnet(['export', '--project', 'sales', '--repo', repo, '--ref', 'main', '-o', '-']);
    expect(result.code).toBe(0);
    const revision = git(repo, 'rev-parse', 'main').trim();
    expect(result.stdout).toContain(`revision: ${revision}`);
    expect(/^sha256: (\w+)$/m.exec(result.stdout)?.[1]).toBe(/^sha256: (\w+)$/m.exec(bundleText)?.[1]);
  });
});

describe('jobnet import', () => {
  it('--branch commits to a new branch and prints the plan against the current one', async () => {
    const repo = await repository();
    const before = git(repo, 'rev-parse', 'main').trim();
    const result = await runJobnet(['import', bundleFile, '--into', repo, '--branch', 'import-sales'], gitEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('committed');
    expect(result.stdout).toContain('sales/daily-close');
    expect(git(repo, 'rev-parse', 'main').trim()).toBe(before);
    expect(git(repo, 'rev-parse', 'import-sales^').trim()).toBe(before);
    const files = git(repo, 'ls-tree', '-r', '--name-only', 'import-sales');
    expect(files).toContain('projects/sales/jobnets/daily-close.yaml');
    // The checkout is untouched: still main, nothing written.
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const planned = await runJobnet(['plan', '--base', 'main', '--head', 'import-sales', repo]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('sales/daily-close');
  });

  it('--dry-run prints the writes and the plan and leaves the repository byte-for-byte unchanged', async () => {
    const repo = await repository();
    const before = await treeDigest(repo);
    const result = await runJobnet(['import', bundleFile, '--into', repo, '--branch', 'x', '--dry-run'], gitEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dry run: nothing is written');
    expect(result.stdout).toContain('create    projects/sales/jobnets/daily-close.yaml');
    expect(result.stdout).toContain('added');
    expect(await treeDigest(repo)).toEqual(before);
    expect(git(repo, 'branch', '--list').trim()).toBe('* main');
  });

  it('into the repository it came from: every definition unchanged, nothing written', async () => {
    const dir = await temporaryDir();
    await cp(path.join(projectRoot, 'examples'), dir, { recursive: true });
    const before = await treeDigest(dir);
    const result = await runJobnet(['import', bundleFile, '--into', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 files written');
    expect(await treeDigest(dir)).toEqual(before);
  });

  it('--project renames the project and every reference to it', async () => {
    const dir = await temporaryDir();
    const result = await runJobnet(['import', bundleFile, '--into', dir, '--project', 'sales2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const jobnet = await readFile(path.join(dir, 'projects', 'sales2', 'jobnets', 'daily-close.yaml'), 'utf8');
    expect(jobnet).toContain('project: sales2');
    const policy = await readFile(path.join(dir, 'incidents', 'servicenow.yaml'), 'utf8');
    expect(policy).toContain('sales2,infra');
    expect((await runJobnet(['validate', dir])).code).toBe(0);
  });

  it('--on-conflict skip keeps, overwrite replaces a definition with other content', async () => {
    const dir = await temporaryDir();
    await cp(path.join(projectRoot, 'examples'), dir, { recursive: true });
    const projectFile = path.join(dir, 'projects', 'sales', 'project.yaml');
    const changed = (await readFile(projectFile, 'utf8')).replace('maxConcurrentJobs: 20', 'maxConcurrentJobs: 7');
    await writeFile(projectFile, changed);
    const skipped = await runJobnet(['import', bundleFile, '--into', dir, '--on-conflict', 'skip']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('skipped   Project sales');
    expect(await readFile(projectFile, 'utf8')).toBe(changed);
    const overwritten = await runJobnet(['import', bundleFile, '--into', dir, '--on-conflict', 'overwrite']);
    expect(overwritten.code).toBe(0);
    expect(await readFile(projectFile, 'utf8')).toContain('maxConcurrentJobs: 20');
  });
});

describe('refusals write nothing and make no branch', () => {
  /** Runs an import with --branch into a fresh repository (a copy of `source`, or empty) and checks nothing changed. */
  async function refused(
    file: string,
    expected: string | RegExp,
    options: { source?: string; prepare?: (repo: string) => Promise<void>; args?: string[] } = {},
  ) {
    const repo = await repository(options.source);
    await options.prepare?.(repo);
    const before = await treeDigest(repo);
    for (const args of [['--branch', 'imported'], []]) {
      const result = await runJobnet(['import', file, '--into', repo, ...args, ...(options.args ?? [])], gitEnv);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toContain('internal error');
      expect(await treeDigest(repo)).toEqual(before);
      expect(git(repo, 'branch', '--list').trim()).toBe('* main');
    }
  }

  it('a checksum mismatch (a tampered bundle)', async () => {
    const file = path.join(await temporaryDir(), 'tampered.yaml');
    await writeFile(file, bundleText.replace('sales-extract-orders', 'sales-extract-orders-evil'));
    await refused(file, /checksum mismatch/);
  });

  it('an unknown apiVersion', async () => {
    const file = path.join(await temporaryDir(), 'v2.yaml');
    await writeFile(file, bundleText.replace(/^apiVersion: jobnet\/v1$/m, 'apiVersion: jobnet/v2'));
    await refused(file, /apiVersion "jobnet\/v2" is not supported/);
  });

  it('an unknown kind', async () => {
    const file = path.join(await temporaryDir(), 'kind.yaml');
    await writeFile(file, bundleText.replace(/^kind: Bundle$/m, 'kind: Archive'));
    await refused(file, /this file is not a bundle/);
  });

  it('a file over 200 MiB, refused before it is read', async () => {
    const file = path.join(await temporaryDir(), 'huge.yaml');
    await writeFile(file, '');
    await truncate(file, 200 * 1024 * 1024 + 1); // sparse: no disk used
    const started = Date.now();
    await refused(file, /over the 200 MiB limit for a bundle; it is not read/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a YAML alias bomb', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const file = path.join(await temporaryDir(), 'bomb.yaml');
    await writeFile(file, `apiVersion: jobnet/v1\nkind: Bundle\n${lines.join('\n')}\n`);
    await refused(file, /bomb\.yaml:\d+:\d+: .*alias/i);
  });

  it('a document name leaving DIR', async () => {
    const definitions = [
      { apiVersion: 'jobnet/v1', kind: 'Project', metadata: { name: 'p' }, spec: {} },
      { apiVersion: 'jobnet/v1', kind: 'Calendar', metadata: { name: '../../escape' }, spec: { timezone: 'UTC' } },
    ];
    await refused(await craftedBundle('p', definitions), /would leave the target directory/);
  });

  it('a project name that is an absolute path', async () => {
    const definitions = [{ apiVersion: 'jobnet/v1', kind: 'Project', metadata: { name: '/etc' }, spec: {} }];
    await refused(await craftedBundle('/etc', definitions), /holds a path separator/);
  });

  it('a symbolic link in DIR pointing out of it', async () => {
    const outside = await temporaryDir();
    await refused(bundleFile, /symbolic link leading out of it/, {
      prepare: async (repo) => {
        await mkdir(path.join(outside, 'real'));
        await symlink(path.join(outside, 'real'), path.join(repo, 'projects'));
        git(repo, 'add', 'projects');
        git(repo, 'commit', '--quiet', '-m', 'link');
      },
    });
    expect(await readdir(path.join(outside, 'real'))).toEqual([]);
  });

  it('a name clash with different content', async () => {
    await refused(bundleFile, /Project sales already exists in projects\/sales\/project\.yaml with different content/, {
      source: path.join(projectRoot, 'examples'),
      prepare: async (repo) => {
        const file = path.join(repo, 'projects', 'sales', 'project.yaml');
        await writeFile(file, (await readFile(file, 'utf8')).replace('maxConcurrentJobs: 20', 'maxConcurrentJobs: 7'));
        git(repo, 'commit', '--quiet', '-am', 'change');
      },
    });
  });

  it('a bundle that does not validate', async () => {
    const definitions = [
      { apiVersion: 'jobnet/v1', kind: 'Project', metadata: { name: 'p' }, spec: { calendar: 'missing' } },
    ];
    await refused(await craftedBundle('p', definitions), /would not validate/);
  });

  it('start days frozen for a year that is over', async () => {
    const definitions = [{ apiVersion: 'jobnet/v1', kind: 'Project', metadata: { name: 'p' }, spec: {} }];
    const bundle = buildBundle(
      { project: 'p', definitions, startDays: {}, year: 2001 },
      '2001-06-15T00:00:00.000Z',
      {},
    );
    const file = path.join(await temporaryDir(), 'old.yaml');
    await writeFile(file, renderBundle(bundle));
    await refused(file, /holds the start days of 2001/);
  });
});
