/**
 * `jobnet plan` as a pull-request check runs it (R-GIT-5): the real bin against a real temporary
 * git repository whose definitions live in a sub-directory. Main holds test/fixtures/plan/base/;
 * branch `change-schedules` moves one jobnet's start time, adds a holiday to the calendar (moving
 * a start day of two jobnets), adds a jobnet and removes one. The Markdown must equal
 * test/fixtures/plan/expected-plan.md byte for byte, commit SHAs aside (they are substituted, so
 * the golden file does not depend on when the commits were made).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runJobnet } from './cli-process.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'plan');
const golden = path.join(fixtures, 'expected-plan.md');
const now = '2027-01-10T00:00:00Z';
const removedJobnet = 'projects/ops/jobnets/weekly-report.yaml';

let repo: string;
/** The definitions directory inside the work tree, the DIR argument of `jobnet plan`. */
let dir: string;
const shas: Record<string, string> = {};

async function git(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, {
    cwd: repo,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  return stdout.trim();
}

async function commit(message: string): Promise<string> {
  await git('add', '--all');
  await git('commit', '--quiet', '--message', message);
  return await git('rev-parse', 'HEAD');
}

/** Lays the pull request's changes over the definitions directory. */
function applyHeadChanges(): void {
  cpSync(path.join(fixtures, 'head'), dir, { recursive: true });
  rmSync(path.join(dir, removedJobnet));
}

/** The path of nightly-batch.yaml as the CLI shows it: relative to its working directory, like jobnet validate. */
function nightlyBatchAsShown(): string {
  return path.relative(projectRoot, path.join(dir, 'projects/ops/jobnets/nightly-batch.yaml'));
}

/** Short SHAs replaced by `<name>` placeholders, as the golden file writes them. */
function withPlaceholders(text: string): string {
  let result = text;
  for (const [name, sha] of Object.entries(shas)) result = result.split(sha.slice(0, 7)).join(`<${name}>`);
  return result;
}

beforeAll(async () => {
  repo = realpathSync(mkdtempSync(path.join(tmpdir(), 'jobnet-plan-')));
  dir = path.join(repo, 'definitions');
  await git('init', '--quiet', '--initial-branch=main');
  await git('config', 'user.name', 'Plan Test');
  await git('config', 'user.email', 'plan-test@example.com');
  writeFileSync(path.join(repo, 'README.md'), '# Job definitions\n');
  cpSync(path.join(fixtures, 'base'), dir, { recursive: true });
  shas.base = await commit('Job definitions');

  await git('checkout', '--quiet', '-b', 'change-schedules');
  applyHeadChanges();
  shas.head = await commit('Night batch at 21:30, office move on 2027-02-25, stock export, no weekly report');

  await git('checkout', '--quiet', '-b', 'broken', 'main');
  const nightly = path.join(dir, 'projects/ops/jobnets/nightly-batch.yaml');
  writeFileSync(nightly, readFileSync(nightly, 'utf8').replace('at: ["22:00"]', 'at: ["25:00"]'));
  shas.broken = await commit('A start time that does not exist');
  await git('checkout', '--quiet', 'main');
});

afterAll(() => {
  if (repo !== undefined) rmSync(repo, { recursive: true, force: true });
});

describe('jobnet plan', () => {
  it('prints the Markdown plan of a branch against main, exactly as the golden file says', async () => {
    const { code, stdout, stderr } = await runJobnet([
      'plan',
      '--base',
      'main',
      '--head',
      'change-schedules',
      dir,
      '--now',
      now,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(withPlaceholders(stdout)).toBe(readFileSync(golden, 'utf8'));
  });

  it('plans the working directory as it is when no head is given, uncommitted changes included', async () => {
    applyHeadChanges();
    try {
      const { code, stdout } = await runJobnet(['plan', '--base', 'main', dir, '--now', now]);
      expect(code).toBe(0);
      const expected = readFileSync(golden, 'utf8').replace('`change-schedules` (<head>)', '`working tree`');
      expect(withPlaceholders(stdout)).toBe(expected);
    } finally {
      await git('checkout', '--quiet', '--', '.');
      await git('clean', '--quiet', '--force', '--', '.');
    }
    expect(await git('status', '--porcelain')).toBe('');
  });

  it('prints the report as JSON with --format json', async () => {
    const { code, stdout } = await runJobnet([
      'plan',
      '--base',
      'main',
      '--head',
      'change-schedules',
      dir,
      '--now',
      now,
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      base: { revision: string };
      summary: unknown;
      jobnets: { id: string; action: string; movedStartDays?: { added: string[]; removed: string[] } }[];
    };
    expect(report.base.revision).toBe(shas.base);
    expect(report.summary).toEqual({ added: 1, changed: 2, removed: 1, unchanged: 1, warnings: 0 });
    expect(report.jobnets.find((j) => j.id === 'ops/payroll-transfer')?.movedStartDays).toMatchObject({
      added: ['2027-02-24'],
      removed: ['2027-02-25'],
    });
  });

  it('refuses a head with errors like jobnet validate: the diagnostic with file:line:column, exit 1', async () => {
    const { code, stdout, stderr } = await runJobnet(['plan', '--base', 'main', '--head', 'broken', dir, '--now', now]);
    expect(code).toBe(1);
    expect(stdout).toContain(`error[SCHEMA-FORMAT] ${nightlyBatchAsShown()}:12:10\n`);
    expect(stdout).toMatch(/> 12 \| +at: \["25:00"\]/);
    expect(stderr).toContain(`jobnet: the head (broken, ${shas.broken?.slice(0, 7)}) has errors`);
    expect(stdout).not.toContain('Jobnet plan');
  });

  it('refuses a working directory with errors the same way', async () => {
    const nightly = path.join(dir, 'projects/ops/jobnets/nightly-batch.yaml');
    writeFileSync(nightly, readFileSync(nightly, 'utf8').replace('at: ["22:00"]', 'at: ["25:00"]'));
    try {
      const { code, stdout } = await runJobnet(['plan', '--base', 'main', dir, '--now', now]);
      expect(code).toBe(1);
      expect(stdout).toContain(`error[SCHEMA-FORMAT] ${nightlyBatchAsShown()}:12:10\n`);
    } finally {
      await git('checkout', '--quiet', '--', '.');
    }
  });

  it('plans against an empty base, with a note, when the base has errors', async () => {
    const { code, stdout, stderr } = await runJobnet([
      'plan',
      '--base',
      'broken',
      '--head',
      'change-schedules',
      dir,
      '--now',
      now,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('**4 added, 0 changed, 0 removed, 0 unchanged**');
    expect(stdout).toContain(
      `> **Note:** the base (broken, ${shas.broken?.slice(0, 7)}) has 1 error (jobnet validate shows them), so the plan is made against an empty base`,
    );
    expect(stderr).toContain('jobnet: note: the base (broken');
  });

  it('exits 2 naming the ref when a ref does not exist', async () => {
    const base = await runJobnet(['plan', '--base', 'no-such-branch', dir, '--now', now]);
    expect(base.code).toBe(2);
    expect(base.stderr).toContain('unknown git ref "no-such-branch"');
    expect(base.stdout).toBe('');
    const head = await runJobnet(['plan', '--base', 'main', '--head', 'v0.0.0', dir, '--now', now]);
    expect(head.code).toBe(2);
    expect(head.stderr).toContain('unknown git ref "v0.0.0"');
  });

  it('exits 2 outside a git work tree, and on bad options', async () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'jobnet-plan-plain-'));
    try {
      mkdirSync(path.join(plain, 'projects'));
      const outside = await runJobnet(['plan', '--base', 'main', plain]);
      expect(outside.code).toBe(2);
      expect(outside.stderr).toContain('is not a git repository');
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    expect((await runJobnet(['plan', dir])).code).toBe(2); // --base is required
    expect((await runJobnet(['plan', '--base', 'main', dir, '--format', 'html'])).code).toBe(2);
    expect((await runJobnet(['plan', '--base', 'main', dir, '--now', '2027-01-10 09:00'])).code).toBe(2);
  });
});
