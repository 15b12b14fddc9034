/**
 * A git remote + branch (+ optional sub-path) as the definitions source (R-GIT-1). The remote is
 * cloned once into a cache directory: a `git init` marked as ours, then incremental fetches of the
 * one branch from the URL into `refs/remotes/origin/<branch>` (no remote is configured, so the URL
 * always comes from the options). Each `fetch()` fetches the branch, resolves `origin/<branch>` to
 * a commit SHA, checks that commit out detached and reads the snapshot of the sub-path, whose
 * revision is the SHA (R-GIT-2). `watch()` polls the remote with `git ls-remote` (refs only, no
 * objects) and reports a moved branch; `trigger()` lets the push webhook make the next poll now.
 *
 * Credentials (R-SEC-1). An http(s) remote may be given a user name and a password or token by
 * secret reference; the values are read at each remote operation and handed to git through
 * GIT_ASKPASS: a script, written for the operation into a fresh `mkdtemp` directory (mode 0700)
 * inside the cache's `.git` and removed after it, that prints the values from variables of the git
 * child's environment (the script itself holds no secret). Chosen over
 * `-c http.extraHeader=Authorization: ...` because a command line is readable by every user of the
 * host (`ps`, /proc/<pid>/cmdline) while a process environment is readable only by its owner, and
 * because git gives askpass answers only to the host that asked for them, where an extra header is
 * sent to every URL of the command (redirects included). `-c credential.helper=` empties the helper
 * list for these commands so that no helper (`store`, a keychain) is asked first or writes the
 * secret to disk afterwards. The URL itself must not carry credentials: it is on git's command line
 * and in messages, so an http(s) URL with user info is refused. ssh and local remotes take no
 * credentials (ssh uses the controller's keys and agent, in batch mode: no prompts).
 *
 * git runs as a child process started here (node:child_process), not through simple-git: when the
 * process is out of file descriptors, simple-git leaves the child's `spawn git EMFILE` error event
 * without a listener, which ends the whole controller. Here every way a command can fail — git
 * cannot be started (EMFILE, ENFILE, ENOENT), exits non-zero, or prints nothing for
 * `commandTimeoutMs` and is killed — rejects the operation with a GitSourceError, which the
 * controller retries with backoff. Every argument is built from a validated URL, branch and SHA
 * (the URL always after `--`), GIT_ASKPASS is our own script and the rest of the environment is the
 * operator's own configuration; `-c protocol.ext.allow=never` keeps git's `ext::` transport (which
 * runs a command) off whatever the operator's config says.
 *
 * The snapshot follows symbolic links only while they stay inside the checked-out tree
 * (readDirectorySnapshot reports the others as FILE-SYMLINK and does not read them), and a
 * sub-path that is a link leading out of the clone is refused, so a commit cannot make the
 * controller read files of its host.
 *
 * Does git and file-system I/O only; it must not parse YAML. Every failure is thrown as a
 * GitSourceError naming the URL (credentials never included) and the branch; the controller keeps
 * the last good revision and retries with backoff (CONTRIBUTING.md#5-errors-decide-control-flow).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  describeSecretReference,
  readSecretReference,
  type SecretReference,
} from '../../workflows/activities/secret-references.js';
import { maxDefinitionFileBytes, readDirectorySnapshot } from '../definitions/repository-snapshot.js';
import type { DefinitionSource, SourceRevision, StopWatching } from './source-types.js';

/** Credentials for an http(s) remote; exactly one of `password` and `token`. */
export interface GitCredentials {
  /** Not a secret. Default with a token: `x-access-token` (GitHub; GitLab accepts any name for a token). */
  username?: string;
  password?: SecretReference;
  token?: SecretReference;
}

export interface GitSourceOptions {
  /** https://…, ssh://…, user@host:path, file://… or a local path. */
  url: string;
  branch: string;
  /** Directory inside the repository holding the definitions (default: the repository root). */
  subPath?: string;
  /** Where the clone lives; default `$XDG_CACHE_HOME/jobnet/git/<hash of url, branch, sub-path>`. */
  cacheDir?: string;
  /** Default 15 000 ms (R-GIT-1). */
  pollIntervalMs?: number;
  credentials?: GitCredentials;
  /** A git command that prints nothing for this long is killed (default 60 000 ms). */
  commandTimeoutMs?: number;
  maxFileBytes?: number;
  /** Called with the argv of every git command run (for debug logs); argv never holds a secret. */
  logCommand?: (argv: readonly string[]) => void;
}

export const defaultPollIntervalMs = 15_000;
const defaultCommandTimeoutMs = 60_000;
const defaultTokenUsername = 'x-access-token';
const cacheMarkerKey = 'jobnet.cache';

export type GitSourceFailure =
  /** The options are unusable (bad URL, branch name or sub-path; credentials for a non-http remote). */
  | 'invalid-config'
  /** The remote has no such branch. */
  | 'branch-not-found'
  /** The commit has no such directory. */
  | 'subpath-not-found'
  /** The remote refused the credentials or asked for some that were not configured. */
  | 'authentication'
  /** A secret reference could not be read. */
  | 'credentials'
  /** The cache directory cannot be used. */
  | 'cache'
  /** Anything else git reported: unreachable host, timeout, corrupt repository. */
  | 'git';

export class GitSourceError extends Error {
  override readonly name = 'GitSourceError';
  constructor(
    readonly reason: GitSourceFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A git command that failed: `ran` when git ran and exited non-zero, not when it could not start or was stopped. */
export class GitRunError extends Error {
  override name = 'GitRunError';
  constructor(
    message: string,
    readonly ran: boolean,
  ) {
    super(message);
  }
}

interface ParsedRemote {
  kind: 'http' | 'ssh' | 'file' | 'local';
  /** What git is given. */
  gitUrl: string;
  /** What messages show. */
  displayUrl: string;
}

/**
 * Classifies a remote and derives its display form. http(s) URLs carrying user info are refused
 * (R-SEC-1: the URL is stored and displayed); the display form drops user info, query and fragment.
 * @throws GitSourceError('invalid-config')
 */
export function parseGitRemote(url: string): ParsedRemote {
  const trimmed = url.trim();
  if (trimmed === '' || trimmed.startsWith('-') || /[\0\r\n]/.test(trimmed)) {
    throw new GitSourceError('invalid-config', 'the git source URL is empty or malformed');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new GitSourceError('invalid-config', 'the git source URL cannot be parsed');
    }
    const displayUrl = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    switch (parsed.protocol) {
      case 'http:':
      case 'https:':
        if (parsed.username !== '' || parsed.password !== '') {
          throw new GitSourceError(
            'invalid-config',
            `the git source URL ${displayUrl} carries credentials; give them as secret references in the source's credentials instead`,
          );
        }
        return { kind: 'http', gitUrl: trimmed, displayUrl };
      case 'file:':
        return { kind: 'file', gitUrl: trimmed, displayUrl };
      case 'ssh:':
      case 'git+ssh:':
      case 'ssh+git:':
      case 'git:':
        if (parsed.password !== '') {
          throw new GitSourceError(
            'invalid-config',
            `the git source URL ${displayUrl} carries a password; ssh remotes authenticate with the controller's keys`,
          );
        }
        return {
          kind: 'ssh',
          gitUrl: trimmed,
          displayUrl: `${parsed.protocol}//${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`,
        };
      default:
        throw new GitSourceError('invalid-config', `the git source URL ${displayUrl} uses an unsupported protocol`);
    }
  }
  // scp-like syntax, user@host:path or host:path (a colon before any slash).
  if (/^[^/\\]+:/.test(trimmed) && !/^[a-z]:[\\/]/i.test(trimmed)) {
    return { kind: 'ssh', gitUrl: trimmed, displayUrl: trimmed };
  }
  const local = path.resolve(trimmed);
  return { kind: 'local', gitUrl: local, displayUrl: local };
}

/** Whether `branch` is a branch name git accepts (the rules of `git check-ref-format --branch`). */
export function isValidBranchName(branch: string): boolean {
  if (branch === '' || branch === '@' || branch.startsWith('-') || branch.startsWith('/') || branch.endsWith('/'))
    return false;
  if (branch.endsWith('.') || branch.includes('..') || branch.includes('@{') || branch.includes('//')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch)) return false;
  return branch.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Normalises a sub-path to `a/b` ('' = root). @throws GitSourceError('invalid-config') for absolute or `..` paths. */
export function normaliseSubPath(subPath: string | undefined): string {
  if (subPath === undefined) return '';
  const forward = subPath.replace(/\\/g, '/');
  if (forward.startsWith('/') || /^[a-z]:/i.test(forward)) {
    throw new GitSourceError('invalid-config', `the sub-path ${subPath} must be relative to the repository root`);
  }
  const normal = path.posix.normalize(forward).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw new GitSourceError('invalid-config', `the sub-path ${subPath} leaves the repository`);
  }
  return normal === '.' ? '' : normal;
}

function defaultCacheDir(gitUrl: string, branch: string, subPath: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = createHash('sha256').update(`${gitUrl}\n${branch}\n${subPath}`).digest('hex').slice(0, 16);
  return path.join(base, 'jobnet', 'git', key);
}

/** Prints the user name or the password from the git child's environment; holds no secret itself. */
const askPassScript = `#!/bin/sh
case "$1" in
  [Uu]sername*) printf '%s\\n' "$JOBNET_GIT_USERNAME" ;;
  *) printf '%s\\n' "$JOBNET_GIT_PASSWORD" ;;
esac
`;

interface ResolvedCredentials {
  username: string;
  secret: string;
}

export class GitSource implements DefinitionSource {
  readonly branch: string;
  readonly subPath: string;
  readonly cacheDir: string;
  readonly pollIntervalMs: number;
  private readonly remote: ParsedRemote;
  private readonly credentials: GitCredentials | undefined;
  private readonly commandTimeoutMs: number;
  private readonly maxFileBytes: number;
  private readonly logCommand: ((argv: readonly string[]) => void) | undefined;
  /** Cache operations run one at a time (a fetch and a poll must not share the work tree mid-checkout). */
  private queue: Promise<unknown> = Promise.resolve();
  /** The newest branch SHA seen by a fetch or a poll; a poll reports only a departure from it. */
  private lastKnownRevision: string | undefined;
  private readonly pollers = new Set<() => Promise<void>>();
  /** The cache was created or checked by this instance (checked once, not on every poll). */
  private cacheReady = false;
  /** The commit this instance last checked out completely (skips a checkout when nothing moved). */
  private checkedOut: string | undefined;

  /** @throws GitSourceError('invalid-config') for a bad URL, branch, sub-path or credentials shape. */
  constructor(options: GitSourceOptions) {
    this.remote = parseGitRemote(options.url);
    if (!isValidBranchName(options.branch)) {
      throw new GitSourceError(
        'invalid-config',
        `${JSON.stringify(options.branch)} is not a valid branch name (git source ${this.remote.displayUrl})`,
      );
    }
    this.branch = options.branch;
    this.subPath = normaliseSubPath(options.subPath);
    const credentials = options.credentials;
    if (credentials) {
      if (this.remote.kind !== 'http') {
        throw new GitSourceError(
          'invalid-config',
          `credentials apply to http(s) remotes only; ${this.remote.displayUrl} authenticates otherwise`,
        );
      }
      if ((credentials.password === undefined) === (credentials.token === undefined)) {
        throw new GitSourceError(
          'invalid-config',
          `credentials for ${this.remote.displayUrl} need exactly one of password and token`,
        );
      }
      if (credentials.password !== undefined && !credentials.username) {
        throw new GitSourceError(
          'invalid-config',
          `credentials for ${this.remote.displayUrl} with a password need a username`,
        );
      }
    }
    this.credentials = credentials;
    this.cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir(this.remote.gitUrl, this.branch, this.subPath));
    this.pollIntervalMs = options.pollIntervalMs ?? defaultPollIntervalMs;
    this.commandTimeoutMs = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
    this.maxFileBytes = options.maxFileBytes ?? maxDefinitionFileBytes;
    this.logCommand = options.logCommand;
  }

  describe(): string {
    return `git ${this.remote.displayUrl} branch ${this.branch}${this.subPath ? ` path ${this.subPath}` : ''}`;
  }

  /**
   * Fetches the branch, checks out its head commit and reads the sub-path.
   * @throws GitSourceError: 'branch-not-found', 'subpath-not-found', 'authentication',
   *   'credentials', 'cache' or 'git' (unreachable remote, timeout).
   */
  fetch(): Promise<SourceRevision> {
    return this.serialized(async () => {
      await this.ensureCache();
      const branchRef = `refs/heads/${this.branch}`;
      const trackingRef = `refs/remotes/origin/${this.branch}`;
      await this.remoteGit(
        ['fetch', '--quiet', '--no-tags', '--', this.remote.gitUrl, `+${branchRef}:${trackingRef}`],
        'cannot fetch from',
      );
      const sha = (
        await this.localGit(
          ['rev-parse', '--verify', '--quiet', `${trackingRef}^{commit}`],
          'cannot resolve the fetched branch',
        )
      ).trim();
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
        throw this.error('git', `cannot resolve the fetched branch (got ${JSON.stringify(sha.slice(0, 80))})`);
      }
      if (this.checkedOut !== sha) {
        this.checkedOut = undefined;
        await this.localGit(['checkout', '--quiet', '--force', '--detach', sha], `cannot check out ${sha}`);
        await this.localGit(['clean', '-ffdxq'], `cannot clean the checkout of ${sha}`);
        this.checkedOut = sha;
      }
      const root = await this.subPathDirectory(sha);
      const read = await readDirectorySnapshot(root, this.maxFileBytes).catch((error: NodeJS.ErrnoException) => {
        throw this.error('git', `cannot read the checkout of ${sha}`, error.code ?? 'error');
      });
      this.lastKnownRevision = sha;
      const snapshot = { revision: sha, files: read.files, ...(read.links.length > 0 ? { links: read.links } : {}) };
      return { revision: sha, snapshot, oversized: read.oversized, fetchedAt: new Date() };
    });
  }

  /**
   * The SHA the branch points to on the remote now (`git ls-remote`), without fetching objects.
   * @throws GitSourceError as `fetch()` does.
   */
  remoteRevision(): Promise<string> {
    return this.serialized(async () => {
      await this.ensureCache();
      const branchRef = `refs/heads/${this.branch}`;
      const output = await this.remoteGit(
        ['ls-remote', '--', this.remote.gitUrl, branchRef],
        'cannot list the branches of',
      );
      for (const line of output.split('\n')) {
        const [sha, ref] = line.trim().split(/\s+/);
        if (ref === branchRef && sha) return sha;
      }
      throw this.error('branch-not-found', 'the remote has no such branch');
    });
  }

  /**
   * Polls the remote every `pollIntervalMs` (the first poll at once) and calls `onChange` when the
   * branch moved away from the last SHA seen by a fetch or a poll — once per move, not once per
   * poll. A failed poll goes to `onError`; polling goes on.
   */
  watch(onChange: () => void, onError?: (error: Error) => void): StopWatching {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> | undefined;
    /** Callers of pollNow() waiting for a poll that has not started yet. */
    let queued: { promise: Promise<void>; resolve: () => void } | undefined;

    const report = (error: unknown): void => {
      onError?.(error instanceof Error ? error : new Error(String(error)));
    };
    const poll = async (): Promise<void> => {
      try {
        const sha = await this.remoteRevision();
        if (stopped) return;
        if (this.lastKnownRevision === undefined) {
          this.lastKnownRevision = sha;
        } else if (sha !== this.lastKnownRevision) {
          this.lastKnownRevision = sha;
          onChange();
        }
      } catch (error) {
        if (!stopped) report(error);
      }
    };
    const start = (): void => {
      timer = undefined;
      const waiting = queued;
      queued = undefined;
      inFlight = poll().finally(() => {
        inFlight = undefined;
        waiting?.resolve();
        if (stopped) return;
        if (queued) start();
        else timer = setTimeout(start, this.pollIntervalMs);
      });
    };
    const pollNow = (): Promise<void> => {
      if (stopped) return Promise.resolve();
      if (!queued) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        queued = { promise, resolve };
      }
      const { promise } = queued;
      if (!inFlight) {
        if (timer) clearTimeout(timer);
        start();
      }
      return promise;
    };

    this.pollers.add(pollNow);
    start();
    return async () => {
      stopped = true;
      this.pollers.delete(pollNow);
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      queued?.resolve();
      queued = undefined;
    };
  }

  /**
   * Makes every active watch poll now instead of at its next interval (the push webhook calls
   * this); resolves when those polls are done, so `onChange` has been called if the branch moved.
   * Without an active watch it does nothing.
   */
  async trigger(): Promise<void> {
    await Promise.all([...this.pollers].map((pollNow) => pollNow()));
  }

  /** Runs cache operations one at a time; after a failure the cache is checked again (it may have been removed). */
  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => {
      this.cacheReady = false;
      this.checkedOut = undefined;
    });
    return result;
  }

  private error(reason: GitSourceFailure, what: string, detail?: string): GitSourceError {
    return new GitSourceError(
      reason,
      `git source ${this.remote.displayUrl} (branch ${this.branch}): ${what}${detail ? `: ${detail}` : ''}`,
    );
  }

  /** Creates the cache clone on first use; refuses a directory that is not one of ours. */
  private async ensureCache(): Promise<void> {
    if (this.cacheReady) return;
    await this.prepareCache();
    this.cacheReady = true;
  }

  private async prepareCache(): Promise<void> {
    // Only a missing .git means "no cache yet": out of descriptors (EMFILE) must not make an
    // existing cache look foreign.
    const hasRepository = await stat(path.join(this.cacheDir, '.git')).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
        throw this.error('cache', `cannot read the cache directory ${this.cacheDir} (${error.code ?? 'error'})`);
      },
    );
    if (!hasRepository) {
      await mkdir(this.cacheDir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        throw this.error('cache', `cannot create the cache directory ${this.cacheDir} (${error.code ?? 'error'})`);
      });
      const entries = await readdir(this.cacheDir).catch((error: NodeJS.ErrnoException) => {
        throw this.error('cache', `cannot read the cache directory ${this.cacheDir} (${error.code ?? 'error'})`);
      });
      if (entries.length > 0) {
        throw this.error(
          'cache',
          `the cache directory ${this.cacheDir} is not empty and is not a jobnet git cache; remove it or choose another`,
        );
      }
      await this.localGit(['init', '--quiet'], 'cannot create the cache repository');
      await this.localGit(['config', cacheMarkerKey, 'true'], 'cannot mark the cache repository');
      return;
    }
    const marker = await this.localGit(['config', '--get', cacheMarkerKey], 'cannot read the cache marker', true);
    if (marker.trim() !== 'true') {
      throw this.error(
        'cache',
        `the cache directory ${this.cacheDir} is a git repository not created by jobnet; remove it or choose another`,
      );
    }
  }

  /** The checked-out sub-path, refusing one that is missing, not a directory, or a link out of the clone. */
  private async subPathDirectory(sha: string): Promise<string> {
    const root = this.subPath ? path.join(this.cacheDir, ...this.subPath.split('/')) : this.cacheDir;
    const notFound = (): GitSourceError =>
      this.error('subpath-not-found', `commit ${sha} has no directory ${this.subPath}`);
    let real: string;
    try {
      real = await realpath(root);
      if (!(await stat(real)).isDirectory()) throw notFound();
    } catch (error) {
      if (error instanceof GitSourceError) throw error;
      throw notFound();
    }
    const cacheReal = await realpath(this.cacheDir);
    if (real !== cacheReal && !real.startsWith(cacheReal + path.sep)) {
      throw this.error('subpath-not-found', `in commit ${sha}, ${this.subPath} links outside the repository`);
    }
    return real;
  }

  /** A local git command; with `allowFailure`, a non-zero exit gives '' (git that cannot start still throws). */
  private async localGit(args: string[], what: string, allowFailure = false): Promise<string> {
    try {
      return await this.git(args, this.environment(), []);
    } catch (error) {
      if (allowFailure && error instanceof GitRunError && error.ran) return '';
      throw this.error('git', what, this.gitMessage(error, []));
    }
  }

  /** Runs a command that talks to the remote, with the credentials (if any) behind GIT_ASKPASS. */
  private async remoteGit(args: string[], what: string): Promise<string> {
    const credentials = await this.resolveCredentials();
    const secrets = credentials ? [credentials.secret] : [];
    let askPassDir: string | undefined;
    try {
      let env = this.environment();
      if (credentials) {
        // Inside the cache's .git (ours, never part of a snapshot) rather than a shared /tmp,
        // which may also be mounted noexec.
        askPassDir = await mkdtemp(path.join(this.cacheDir, '.git', 'jobnet-askpass-'));
        const script = path.join(askPassDir, 'askpass.sh');
        await writeFile(script, askPassScript, { mode: 0o700 });
        env = {
          ...env,
          GIT_ASKPASS: script,
          JOBNET_GIT_USERNAME: credentials.username,
          JOBNET_GIT_PASSWORD: credentials.secret,
        };
      }
      return await this.git(args, env, credentials ? ['credential.helper='] : []);
    } catch (error) {
      const message = this.gitMessage(error, secrets);
      if (/couldn't find remote ref/i.test(message))
        throw this.error('branch-not-found', 'the remote has no such branch');
      if (
        /authentication failed|could not read (username|password)|terminal prompts disabled|invalid username or password|\b40[13]\b/i.test(
          message,
        )
      ) {
        throw this.error('authentication', `${what} the remote: access denied`, message);
      }
      throw this.error('git', `${what} the remote`, message);
    } finally {
      if (askPassDir) await rm(askPassDir, { recursive: true, force: true });
    }
  }

  /**
   * Runs `git -c … args` in the cache directory and resolves with its stdout.
   * @throws GitRunError with git's stderr when it exits non-zero, or saying why it could not run or
   *   was stopped; never leaves an error event of the child unhandled.
   */
  private git(args: string[], env: Record<string, string>, config: string[]): Promise<string> {
    const argv = [...['protocol.ext.allow=never', ...config].flatMap((entry) => ['-c', entry]), ...args];
    this.logCommand?.(['git', ...argv]);
    const timeoutMs = this.commandTimeoutMs;
    return new Promise<string>((resolve, reject) => {
      const stdout: Buffer[] = [];
      let stderr = '';
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== undefined) reject(error);
        else resolve(Buffer.concat(stdout).toString('utf8'));
      };
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn('git', argv, { cwd: this.cacheDir, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      } catch (error) {
        settle(new GitRunError(`cannot start git: ${error instanceof Error ? error.message : String(error)}`, false));
        return;
      }
      // Out of descriptors (EMFILE) or no git binary (ENOENT): node reports it here, on the next
      // tick, and may give the child no stdout or stderr at all.
      child.on('error', (error) => {
        settle(new GitRunError(`cannot start git: ${error.message}`, false));
        child.kill('SIGKILL');
      });
      const quiet = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          settle(
            new GitRunError(
              `git ${args[0] ?? ''} printed nothing for ${Math.round(timeoutMs / 1000)} s and was stopped`,
              false,
            ),
          );
          child.kill('SIGKILL');
        }, timeoutMs);
      };
      quiet();
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        quiet();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
        quiet();
      });
      child.on('close', (code, signal) => {
        if (code === 0) settle(undefined);
        else
          settle(
            new GitRunError(
              stderr.trim() !== ''
                ? stderr.trim()
                : `git ${args[0] ?? ''} ended with ${code !== null ? `exit code ${code}` : `signal ${signal ?? 'unknown'}`}`,
              code !== null,
            ),
          );
      });
    });
  }

  /** The operator's environment, minus prompts: a fetch must fail, never wait for a terminal. */
  private environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
    env.GIT_TERMINAL_PROMPT = '0';
    env.GCM_INTERACTIVE = 'never';
    // ssh would ask on a terminal for an unknown host key or a key passphrase; fail instead,
    // unless the operator chose their own ssh command.
    if (this.remote.kind === 'ssh' && env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined) {
      env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
    }
    return env;
  }

  private async resolveCredentials(): Promise<ResolvedCredentials | undefined> {
    const credentials = this.credentials;
    if (!credentials) return undefined;
    const reference = (credentials.password ?? credentials.token)!;
    const kind = credentials.password ? 'password' : 'token';
    try {
      const secret = await readSecretReference(reference, `git ${kind} for ${this.remote.displayUrl}`, 'controller');
      return { username: credentials.username || defaultTokenUsername, secret };
    } catch (error) {
      const detail = error instanceof Error ? error.message : `cannot read ${describeSecretReference(reference)}`;
      throw new GitSourceError(
        'credentials',
        `git source ${this.remote.displayUrl} (branch ${this.branch}): ${detail}`,
      );
    }
  }

  /** git's own message, first lines only, with the raw URL replaced by its display form and secrets masked. */
  private gitMessage(error: unknown, secrets: readonly string[]): string {
    let text = error instanceof Error ? error.message : String(error);
    if (this.remote.gitUrl !== this.remote.displayUrl)
      text = text.split(this.remote.gitUrl).join(this.remote.displayUrl);
    for (const secret of secrets) if (secret) text = text.split(secret).join('***');
    const lines = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    return lines.slice(0, 4).join(' | ');
  }
}
