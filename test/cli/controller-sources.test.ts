/**
 * Where a real `jobnet controller` process reads definitions from, given `--repo` as a path: a
 * git repository given by its path (here a bare one, as `/srv/defs.git` would be) is read as git,
 * on the branch its HEAD names, not watched as a plain directory; and a revision that holds no
 * definitions at all is applied with a warning in the controller status and the log, not in
 * silence. Against the shared dev server, with a real worker in this process.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../controller/temporal/dev-server.js';
import { createGitopsRepository, jobnetYaml, until } from '../integration/gitops-repository.js';
import { startRunHarness, type RunHarness } from '../integration/run-harness.js';
import { projectRoot, runJobnet } from './cli-process.js';

const exec = promisify(execFile);
const stops: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}, 60_000);

interface StatusAnswer {
  source: string;
  appliedRevision?: string;
  sourceWarning?: string;
  jobnets: { jobnet: string }[];
}

/** A `jobnet controller --repo <repo>` process on a task queue of its own; its output is kept. */
async function startController(
  repo: string,
  cacheDir: string,
): Promise<{ harness: RunHarness; url: string; output: () => string }> {
  const harness = await startRunHarness();
  stops.push(async () => await harness.stop());
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(projectRoot, 'bin', 'jobnet.js'),
      'controller',
      '--repo',
      repo,
      '--cache-dir',
      cacheDir,
      '--poll-interval',
      '1s',
      '--listen',
      `127.0.0.1:${port}`,
      '--address',
      harness.target.address,
      '--namespace',
      harness.target.namespace,
      '--task-queue',
      harness.target.taskQueue,
    ],
    { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stops.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
  return { harness, url: `http://127.0.0.1:${port}`, output: () => output };
}

async function status(url: string): Promise<StatusAnswer> {
  return (await (await fetch(`${url}/api/v1/status`)).json()) as StatusAnswer;
}

describe('jobnet controller --repo PATH', () => {
  it('reads a bare git repository given as a path as git, on the branch its HEAD names', async () => {
    const { repository, head } = await createGitopsRepository('barepath', {
      'jobnets/alpha.yaml': jobnetYaml('alpha', '22:00'),
    });
    stops.push(async () => await repository.remove());
    const { url, output } = await startController(repository.remote, path.join(repository.root, 'cache'));
    const applied = await until(
      'the revision applied',
      async () => ((await status(url)).appliedRevision === head ? await status(url) : undefined),
      60_000,
      output,
    );
    expect(applied.source).toBe(`git ${repository.remote} branch main`);
    expect(applied.jobnets.map((entry) => entry.jobnet)).toEqual(['alpha']);
    expect(applied.sourceWarning).toBeUndefined();
  }, 120_000);

  it('applies a revision without definitions with a warning in the status, `jobnet status` and the log', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'jobnet-empty-source-'));
    stops.push(async () => await rm(root, { recursive: true, force: true }));
    const remote = path.join(root, 'defs.git');
    const work = path.join(root, 'work');
    await exec('git', ['init', '-q', '--bare', '-b', 'trunk', remote]);
    await mkdir(work);
    const git = async (...args: string[]) =>
      await exec(
        'git',
        ['-c', 'user.name=Ops', '-c', 'user.email=ops@example.test', '-c', 'commit.gpgsign=false', ...args],
        { cwd: work },
      );
    await git('init', '-q', '-b', 'trunk');
    await writeFile(path.join(work, 'README.md'), '# the definitions are elsewhere\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'no definitions');
    await git('push', '-q', remote, 'trunk');

    const { harness, url, output } = await startController(remote, path.join(root, 'cache'));
    const shown = await until(
      'the warning',
      async () => ((await status(url)).sourceWarning !== undefined ? await status(url) : undefined),
      60_000,
      output,
    );
    expect(shown.source).toBe(`git ${remote} branch trunk`);
    expect(shown.sourceWarning).toMatch(
      /^revision [0-9a-f]{40} of git .*defs\.git branch trunk holds no definitions \(no \*\.yaml or \*\.yml document\): check the repository, branch and path/,
    );
    await until(
      'the log line',
      () =>
        output().includes('"level":"warn","message":"revision ') && output().includes('holds no definitions')
          ? true
          : undefined,
      10_000,
      output,
    );

    const printed = await runJobnet([
      'status',
      '--address',
      harness.target.address,
      '--namespace',
      harness.target.namespace,
      '--task-queue',
      harness.target.taskQueue,
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^warning: +revision [0-9a-f]{40} of git \S+ branch trunk holds no definitions/m);
  }, 120_000);
});
