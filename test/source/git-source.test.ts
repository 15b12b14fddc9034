/**
 * The git source (R-GIT-1) against real repositories (tier 3): a bare repository made with
 * `git init --bare` in a temporary directory, a work repository pushing to it, and, for
 * credentials, the same bare repository served over HTTP by `git http-backend` behind Basic auth,
 * so the secret reference → GIT_ASKPASS path is exercised by a real git client, not assumed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GitSource,
  GitSourceError,
  isValidBranchName,
  normaliseSubPath,
  parseGitRemote,
  type GitSourceOptions,
} from '../../controller/source/git-source.js';
import type { StopWatching } from '../../controller/source/source-types.js';

let dir: string;
let bareRepo: string;
let workRepo: string;
/** Whether bareRepo/workRepo are the shared template's, which tests must not push to. */
let sharedRepositories = true;
const stops: StopWatching[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Jobnet Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();
}

/** Writes (or, with null, deletes) files in the work repository, commits, pushes; returns the SHA. */
async function commitAndPush(files: Record<string, string | null>, branch = 'main'): Promise<string> {
  if (sharedRepositories) throw new Error('call ownRepositories() before pushing');
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(workRepo, file);
    if (content === null) {
      await rm(full);
    } else {
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
  git(workRepo, 'add', '-A');
  git(workRepo, 'commit', '-q', '-m', `change ${Object.keys(files).join(', ')}`);
  git(workRepo, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
  return git(workRepo, 'rev-parse', 'HEAD');
}

function source(options: Partial<GitSourceOptions> = {}): GitSource {
  return new GitSource({
    url: `file://${bareRepo}`,
    branch: 'main',
    subPath: 'defs',
    cacheDir: path.join(dir, 'cache'),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<GitSourceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GitSourceError);
    return error as GitSourceError;
  }
  throw new Error('expected a GitSourceError');
}

/** A source that is only constructed (option checks do no I/O). */
function configured(options: Partial<GitSourceOptions> = {}): GitSource {
  return new GitSource({
    url: 'file:///srv/git/defs.git',
    branch: 'main',
    cacheDir: path.join(tmpdir(), 'jobnet-never-used'),
    ...options,
  });
}

describe('configuration checks', () => {
  it.each(['main', 'release/2025', 'feature/x-1', 'v1.2'])('accepts the branch name %s', (branch) => {
    expect(isValidBranchName(branch)).toBe(true);
  });

  it.each(['', '-upload', 'a..b', 'a b', 'x.lock', 'a/.hidden', 'trailing/', 'x@{1}', 'a:b', 'star*', '@'])(
    'refuses the branch name %j',
    (branch) => {
      expect(isValidBranchName(branch)).toBe(false);
      expect(() => configured({ branch })).toThrow(/is not a valid branch name/);
    },
  );

  it('normalises sub-paths and refuses ones that leave the repository', () => {
    expect(normaliseSubPath(undefined)).toBe('');
    expect(normaliseSubPath('./defs/')).toBe('defs');
    expect(normaliseSubPath('a\\b')).toBe('a/b');
    expect(normaliseSubPath('.')).toBe('');
    expect(() => normaliseSubPath('../x')).toThrow(/leaves the repository/);
    expect(() => normaliseSubPath('a/../../x')).toThrow(/leaves the repository/);
    expect(() => normaliseSubPath('/etc')).toThrow(/must be relative/);
  });

  it('classifies remotes and never displays user info', () => {
    expect(parseGitRemote('https://git.example.com/ops/defs.git?x=1#y')).toMatchObject({
      kind: 'http',
      displayUrl: 'https://git.example.com/ops/defs.git',
    });
    expect(parseGitRemote('git@github.com:ops/defs.git')).toMatchObject({
      kind: 'ssh',
      displayUrl: 'git@github.com:ops/defs.git',
    });
    expect(parseGitRemote('ssh://git@host:2222/ops/defs.git')).toMatchObject({ kind: 'ssh' });
    expect(parseGitRemote('file:///srv/defs.git')).toMatchObject({ kind: 'file' });
    expect(parseGitRemote('relative/repo.git')).toMatchObject({
      kind: 'local',
      gitUrl: path.resolve('relative/repo.git'),
    });
    expect(() => parseGitRemote('--upload-pack=touch /tmp/x')).toThrow(/malformed/);
  });

  it('refuses a URL carrying credentials, without repeating them', () => {
    for (const url of [
      'https://ci:hunter2-secret@git.example.com/ops/defs.git',
      'https://hunter2-secret@git.example.com/ops/defs.git',
    ]) {
      let message = '';
      try {
        configured({ url });
      } catch (error) {
        expect(error).toBeInstanceOf(GitSourceError);
        expect((error as GitSourceError).reason).toBe('invalid-config');
        message = (error as Error).message;
      }
      expect(message).toContain('https://git.example.com/ops/defs.git carries credentials');
      expect(message).not.toContain('hunter2');
    }
  });

  it('refuses credentials for remotes that cannot use them and incomplete credentials', () => {
    expect(() => configured({ credentials: { token: { env: 'X' } } })).toThrow(/http\(s\) remotes only/);
    const url = 'https://git.example.com/ops/defs.git';
    expect(() => configured({ url, credentials: {} })).toThrow(/exactly one of password and token/);
    expect(() => configured({ url, credentials: { password: { env: 'X' }, token: { env: 'Y' } } })).toThrow(
      /exactly one of password and token/,
    );
    expect(() => configured({ url, credentials: { password: { env: 'X' } } })).toThrow(/need a username/);
  });
});

// ---------------------------------------------------------------------------------------------
// Credentials over real HTTP: git http-backend (CGI) behind Basic auth in a node:http server.

interface GitHttpServer {
  url: string;
  /** Authorization headers received, in order (empty string for none). */
  authorizations: string[];
  close(): Promise<void>;
}

async function startGitHttpServer(projectRoot: string, username: string, password: string): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    authorizations.push(authorization);
    if (authorization !== expected) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: username,
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let streaming = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (streaming) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      const end = crlf >= 0 ? crlf : lf;
      if (end < 0) return;
      streaming = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + (crlf >= 0 ? 4 : 2)));
    });
    cgi.stdout.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('on real repositories', () => {
  let firstSha: string;
  /** A bare repository and a work repository with one pushed commit, built once; tests that push work on a copy. */
  let template: string;

  beforeAll(async () => {
    template = await mkdtemp(path.join(tmpdir(), 'jobnet-git-template-'));
    git(template, 'init', '-q', '--template=', '--bare', '-b', 'main', 'remote.git');
    git(template, 'init', '-q', '--template=', '-b', 'main', 'work');
    git(path.join(template, 'work'), 'remote', 'add', 'origin', '../remote.git');
    workRepo = path.join(template, 'work');
    sharedRepositories = false;
    firstSha = await commitAndPush({
      'README.md': '# definitions\n',
      'defs/jobnet.yaml': 'apiVersion: jobnet/v1\nkind: Settings\n',
      'defs/projects/p/jobnets/a.yaml': 'kind: Jobnet # a\n',
      'other/outside.yaml': 'kind: Jobnet # not in the sub-path\n',
    });
  });

  afterAll(async () => {
    await rm(template, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jobnet-git-source-'));
    bareRepo = path.join(template, 'remote.git');
    workRepo = path.join(template, 'work');
    sharedRepositories = true;
  });

  /** Gives the test its own copy of the repositories, for tests that push (read-only tests share the template). */
  async function ownRepositories(): Promise<void> {
    await cp(template, path.join(dir, 'repositories'), { recursive: true, verbatimSymlinks: true });
    bareRepo = path.join(dir, 'repositories', 'remote.git');
    workRepo = path.join(dir, 'repositories', 'work');
    sharedRepositories = false;
  }

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('GitSource.fetch', () => {
    it('returns the pushed SHA and the definition files of the sub-path', async () => {
      const src = source();
      const fetched = await src.fetch();
      expect(fetched.revision).toBe(firstSha);
      expect(fetched.snapshot.revision).toBe(firstSha);
      expect(fetched.snapshot.files.map((f) => f.path).sort()).toEqual(['jobnet.yaml', 'projects/p/jobnets/a.yaml']);
      const a = fetched.snapshot.files.find((f) => f.path === 'projects/p/jobnets/a.yaml')!;
      expect(Buffer.from(a.bytes).toString()).toBe('kind: Jobnet # a\n');
      expect(src.describe()).toBe(`git file://${bareRepo} branch main path defs`);
    });

    it('reads the whole repository without a sub-path, and a plain local path works as the URL', async () => {
      const fetched = await source({ url: bareRepo, subPath: undefined }).fetch();
      expect(fetched.revision).toBe(firstSha);
      expect(fetched.snapshot.files.map((f) => f.path).sort()).toEqual([
        'defs/jobnet.yaml',
        'defs/projects/p/jobnets/a.yaml',
        'other/outside.yaml',
      ]);
    });

    it('gives a new revision after a push, with added, changed and removed files, reusing the clone', async () => {
      await ownRepositories();
      const src = source();
      await src.fetch();
      const marker = path.join(dir, 'cache', '.git', 'kept-between-fetches');
      await writeFile(marker, 'x');

      const secondSha = await commitAndPush({
        'defs/projects/p/jobnets/a.yaml': 'kind: Jobnet # a, changed\n',
        'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n',
        'defs/jobnet.yaml': null,
      });
      const second = await src.fetch();
      expect(second.revision).toBe(secondSha);
      expect(second.revision).not.toBe(firstSha);
      expect(second.snapshot.files.map((f) => f.path).sort()).toEqual([
        'projects/p/jobnets/a.yaml',
        'projects/p/jobnets/b.yaml',
      ]);
      expect(
        Buffer.from(second.snapshot.files.find((f) => f.path === 'projects/p/jobnets/a.yaml')!.bytes).toString(),
      ).toContain('changed');
      expect(existsSync(marker)).toBe(true);

      // Fetching again without a push gives the same revision.
      expect((await src.fetch()).revision).toBe(secondSha);
    });

    it('follows a force-push that rewinds the branch', async () => {
      await ownRepositories();
      const src = source();
      const secondSha = await commitAndPush({ 'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n' });
      expect((await src.fetch()).revision).toBe(secondSha);
      git(workRepo, 'push', '-q', '--force', 'origin', `${firstSha}:refs/heads/main`);
      const rewound = await src.fetch();
      expect(rewound.revision).toBe(firstSha);
      expect(rewound.snapshot.files.map((f) => f.path)).not.toContain('projects/p/jobnets/b.yaml');
    });

    it('fails clearly for a branch the remote does not have', async () => {
      const error = await failure(source({ branch: 'production' }).fetch());
      expect(error.reason).toBe('branch-not-found');
      expect(error.message).toBe(`git source file://${bareRepo} (branch production): the remote has no such branch`);
    });

    it('fails clearly for a sub-path the commit does not have', async () => {
      const error = await failure(source({ subPath: 'definitions' }).fetch());
      expect(error.reason).toBe('subpath-not-found');
      expect(error.message).toContain(`commit ${firstSha} has no directory definitions`);
    });

    it('refuses a sub-path that is a link out of the repository', async () => {
      await ownRepositories();
      await mkdir(path.join(dir, 'elsewhere'));
      await writeFile(path.join(dir, 'elsewhere', 'stolen.yaml'), 'kind: Jobnet\n');
      execFileSync('ln', ['-s', path.join(dir, 'elsewhere'), path.join(workRepo, 'linked')]);
      await commitAndPush({ 'defs/z.yaml': 'kind: Jobnet # z\n' });
      const error = await failure(source({ subPath: 'linked' }).fetch());
      expect(error.reason).toBe('subpath-not-found');
      expect(error.message).toContain('links outside the repository');
    });

    it('fails with the URL and branch when the remote does not exist', async () => {
      const missing = path.join(dir, 'missing.git');
      const error = await failure(source({ url: missing }).fetch());
      expect(error.reason).toBe('git');
      expect(error.message).toMatch(
        new RegExp(`^git source ${missing} \\(branch main\\): cannot fetch from the remote: `),
      );
    });

    it('refuses a cache directory it did not create and leaves it untouched', async () => {
      const cacheDir = path.join(dir, 'not-a-cache');
      await mkdir(cacheDir);
      await writeFile(path.join(cacheDir, 'precious.txt'), 'keep me');
      const error = await failure(source({ cacheDir }).fetch());
      expect(error.reason).toBe('cache');
      expect(await readdir(cacheDir)).toEqual(['precious.txt']);

      // Nor a git repository of someone else's, even one with the same origin.
      const clone = path.join(dir, 'someones-clone');
      git(dir, 'clone', '-q', bareRepo, clone);
      const again = await failure(source({ cacheDir: clone }).fetch());
      expect(again.reason).toBe('cache');
      expect(again.message).toContain('not created by jobnet');
    });
  });

  describe('GitSource.watch', () => {
    it('calls back once per push and not without one', async () => {
      await ownRepositories();
      const src = source({ pollIntervalMs: 40 });
      await src.fetch();
      let calls = 0;
      stops.push(src.watch(() => calls++));
      await src.trigger();
      await src.trigger();
      expect(calls).toBe(0);

      await commitAndPush({ 'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n' });
      await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000, interval: 20 });
      // Further polls see the same SHA: no more callbacks.
      await src.trigger();
      await src.trigger();
      expect(calls).toBe(1);

      await commitAndPush({ 'defs/projects/p/jobnets/c.yaml': 'kind: Jobnet # c\n' });
      await vi.waitFor(() => expect(calls).toBe(2), { timeout: 5_000, interval: 20 });
    });

    it('does not call back for a SHA the controller already fetched', async () => {
      await ownRepositories();
      const src = source({ pollIntervalMs: 60_000 });
      let calls = 0;
      stops.push(src.watch(() => calls++));
      await src.trigger();
      const pushed = await commitAndPush({ 'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n' });
      expect((await src.fetch()).revision).toBe(pushed);
      await src.trigger();
      expect(calls).toBe(0);
    });

    it('polls at once when triggered, without waiting for the interval', async () => {
      await ownRepositories();
      const src = source({ pollIntervalMs: 60_000 });
      await src.fetch();
      let calls = 0;
      stops.push(src.watch(() => calls++));
      await src.trigger();
      await commitAndPush({ 'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n' });
      expect(calls).toBe(0);
      const started = Date.now();
      await src.trigger();
      expect(calls).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('reports a failing poll to onError and keeps polling', async () => {
      await ownRepositories();
      const src = source({ branch: 'production', pollIntervalMs: 60_000 });
      const errors: Error[] = [];
      let calls = 0;
      stops.push(
        src.watch(
          () => calls++,
          (error) => errors.push(error),
        ),
      );
      await src.trigger();
      await src.trigger();
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]).toBeInstanceOf(GitSourceError);
      expect((errors[0] as GitSourceError).reason).toBe('branch-not-found');

      // Once the branch exists, the next poll establishes it and a later push is reported.
      git(workRepo, 'push', '-q', 'origin', 'HEAD:refs/heads/production');
      await src.trigger();
      await commitAndPush({ 'defs/x.yaml': 'kind: Jobnet\n' }, 'production');
      await src.trigger();
      expect(calls).toBe(1);
    });

    it('stops polling when stopped; trigger then does nothing', async () => {
      await ownRepositories();
      const src = source({ pollIntervalMs: 60_000 });
      await src.fetch();
      let calls = 0;
      const stop = src.watch(() => calls++);
      await src.trigger();
      await stop();
      await commitAndPush({ 'defs/projects/p/jobnets/b.yaml': 'kind: Jobnet # b\n' });
      await src.trigger();
      expect(calls).toBe(0);
    });
  });

  describe('GitSource credentials over HTTP', () => {
    const envName = 'JOBNET_TEST_GIT_SECRET';
    let server: GitHttpServer;
    let secret: string;
    let remoteUrl: string;

    beforeEach(async () => {
      secret = `pw-${randomBytes(12).toString('hex')}`;
      process.env[envName] = secret;
      server = await startGitHttpServer(template, 'ci-bot', secret);
      remoteUrl = `${server.url}/remote.git`;
    });

    afterEach(async () => {
      delete process.env[envName];
      await server.close();
    });

    it('authenticates with a password from a secret reference, which never appears in argv, config or on disk', async () => {
      // A credential helper in the operator's global config must neither answer nor store the secret.
      const storeFile = path.join(dir, 'stored-credentials');
      const globalConfig = path.join(dir, 'global.gitconfig');
      await writeFile(globalConfig, `[credential]\n\thelper = store --file ${storeFile}\n`);
      const previousGlobal = process.env.GIT_CONFIG_GLOBAL;
      process.env.GIT_CONFIG_GLOBAL = globalConfig;
      const argvs: (readonly string[])[] = [];
      try {
        const src = source({
          url: remoteUrl,
          credentials: { username: 'ci-bot', password: { env: envName } },
          logCommand: (argv) => argvs.push(argv),
        });
        const fetched = await src.fetch();
        expect(fetched.revision).toBe(firstSha);
        expect(fetched.snapshot.files.map((f) => f.path).sort()).toEqual(['jobnet.yaml', 'projects/p/jobnets/a.yaml']);
        let polled = 0;
        stops.push(src.watch(() => polled++));
        await src.trigger();
        expect(polled).toBe(0);
      } finally {
        if (previousGlobal === undefined) delete process.env.GIT_CONFIG_GLOBAL;
        else process.env.GIT_CONFIG_GLOBAL = previousGlobal;
      }

      // The server really received the secret (so the test is not vacuous) ...
      expect(server.authorizations).toContain(`Basic ${Buffer.from(`ci-bot:${secret}`).toString('base64')}`);
      // ... through git commands whose argv never held it.
      const commands = argvs.map((argv) => argv.join(' '));
      expect(commands.some((c) => c.includes(' fetch '))).toBe(true);
      expect(commands.some((c) => c.includes(' ls-remote '))).toBe(true);
      expect(
        commands
          .filter((c) => c.includes(' fetch ') || c.includes(' ls-remote '))
          .every((c) => c.includes('credential.helper=')),
      ).toBe(true);
      for (const command of commands) expect(command).not.toContain(secret);
      expect(await readFile(path.join(dir, 'cache', '.git', 'config'), 'utf8')).not.toContain(secret);
      expect(existsSync(storeFile)).toBe(false);
      // The askpass script lived for the command only.
      expect(
        (await readdir(path.join(dir, 'cache', '.git'))).filter((name) => name.startsWith('jobnet-askpass-')),
      ).toEqual([]);
    });

    it('sends a token with the default token user name', async () => {
      await server.close();
      server = await startGitHttpServer(template, 'x-access-token', secret);
      const fetched = await source({
        url: `${server.url}/remote.git`,
        credentials: { token: { env: envName } },
      }).fetch();
      expect(fetched.revision).toBe(firstSha);
    });

    it('reads a password from a file reference', async () => {
      const file = path.join(dir, 'git-password');
      await writeFile(file, `${secret}\n`, { mode: 0o600 });
      const fetched = await source({ url: remoteUrl, credentials: { username: 'ci-bot', password: { file } } }).fetch();
      expect(fetched.revision).toBe(firstSha);
    });

    it('reports refused credentials with the URL and branch, never the secret', async () => {
      const wrong = `${secret}-but-wrong`;
      process.env[envName] = wrong;
      const error = await failure(
        source({ url: remoteUrl, credentials: { username: 'ci-bot', password: { env: envName } } }).fetch(),
      );
      expect(error.reason).toBe('authentication');
      expect(error.message).toMatch(
        new RegExp(`^git source ${remoteUrl} \\(branch main\\): cannot fetch from the remote: access denied`),
      );
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(secret);
    });

    it('fails at once, without prompting, when the remote wants credentials and none are configured', async () => {
      const error = await failure(source({ url: remoteUrl }).fetch());
      expect(error.reason).toBe('authentication');
      expect(error.message).toContain(`git source ${remoteUrl} (branch main)`);
    });

    it('names the reference when the secret is missing', async () => {
      delete process.env[envName];
      const error = await failure(
        source({ url: remoteUrl, credentials: { username: 'ci-bot', password: { env: envName } } }).fetch(),
      );
      expect(error.reason).toBe('credentials');
      expect(error.message).toBe(
        `git source ${remoteUrl} (branch main): git password for ${remoteUrl}: the controller's environment variable ${envName} is not set`,
      );
    });
  });
});
