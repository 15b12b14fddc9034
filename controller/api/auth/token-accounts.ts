/**
 * The API's accounts as the server holds them (R-SEC-2): loaded from the tokens file
 * (`tokens-file.ts` parses it), with every token reduced to its SHA-256 — a `secretRef` token is
 * read through the one secret reader (`secret-references.ts`) and hashed, and only the digest is
 * kept. The file is read again when it (or a file a reference names) changes, checked at most once
 * a second, and on SIGHUP, so rotating a token needs no restart; a reload that fails keeps the last
 * good accounts and logs why, once per broken version.
 *
 * `jobnet up` holds one account in memory instead ({@link TokenAccounts.inMemory}).
 *
 * I/O: reads the tokens file and the files its references name; never logs or returns a token or
 * a digest.
 */
import { stat, readFile } from 'node:fs/promises';
import { readSecretReference, SecretUnavailableError } from '../../../workflows/activities/secret-references.js';
import { apiTokenDigest, isApiTokenShaped, type StoredToken } from './api-tokens.js';
import { parseTokensFile, type TokensFileAccount } from './tokens-file.js';

/** An account with its tokens' digests. */
export interface LoadedAccount {
  subject: string;
  groups: string[];
  admin: boolean;
  tokens: StoredToken[];
}

/** The tokens file cannot be used; `problems` are `file:line:column: message` lines. */
export class TokensFileError extends Error {
  override readonly name = 'TokensFileError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The error for the `problems` of `file`, each on a line of its own. */
function tokensFileError(file: string, problems: readonly string[]): TokensFileError {
  return new TokensFileError(
    `the tokens file ${file} cannot be used:\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
    problems,
  );
}

/** Reads and resolves the tokens file `file`. @throws TokensFileError with every problem found. */
export async function loadTokensFile(file: string): Promise<LoadedAccount[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw tokensFileError(file, [`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const parsed = parseTokensFile(text, file);
  if (!parsed.ok) throw tokensFileError(file, parsed.errors);
  const problems: string[] = [];
  const accounts = await Promise.all(
    parsed.accounts.map(async (account: TokensFileAccount): Promise<LoadedAccount> => {
      const tokens: StoredToken[] = [];
      for (const entry of account.tokens) {
        let digest: string;
        if ('sha256' in entry) digest = entry.sha256;
        else {
          try {
            const token = await readSecretReference(entry.secretRef, `token of account ${account.subject}`, 'api');
            if (!isApiTokenShaped(token)) {
              problems.push(
                `${entry.at}: the token read from the reference is not an API token (jnt_ and 43 base64url characters; jobnet token create makes one)`,
              );
              continue;
            }
            digest = apiTokenDigest(token);
          } catch (error) {
            if (!(error instanceof SecretUnavailableError)) throw error;
            problems.push(`${entry.at}: ${error.message}`);
            continue;
          }
        }
        tokens.push({
          digest: Buffer.from(digest, 'hex'),
          ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
        });
      }
      return { subject: account.subject, groups: account.groups, admin: account.admin, tokens };
    }),
  );
  if (problems.length > 0) throw tokensFileError(file, problems);
  return accounts;
}

/** The files whose change means a reload: the tokens file and the files its references name. */
async function stampOf(files: readonly string[]): Promise<string> {
  const stamps = await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(file);
        return `${file}:${info.mtimeMs}:${info.size}:${info.ino}`;
      } catch {
        return `${file}:missing`;
      }
    }),
  );
  return stamps.join('|');
}

async function referencedFiles(file: string): Promise<string[]> {
  try {
    const parsed = parseTokensFile(await readFile(file, 'utf8'), file);
    if (!parsed.ok) return [file];
    const refs = parsed.accounts.flatMap((account) =>
      account.tokens.flatMap((entry) =>
        'secretRef' in entry && 'file' in entry.secretRef ? [entry.secretRef.file] : [],
      ),
    );
    return [file, ...new Set(refs)];
  } catch {
    return [file];
  }
}

export interface TokenAccountsOptions {
  /** Where reloads are reported (one line per outcome; never a token). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Least time between two checks for a change (default 1 s). */
  checkIntervalMs?: number;
  /** Reload on SIGHUP too (default true). */
  reloadOnSighup?: boolean;
}

/** The accounts the API authenticates against (see the module header). */
export class TokenAccounts {
  private lastCheck = 0;
  private checking: Promise<void> | undefined;
  private brokenStamp: string | undefined;
  private readonly onSighup = () => void this.reload();

  private constructor(
    private accounts: LoadedAccount[],
    private readonly file: string | undefined,
    private stamp: string,
    private watched: string[],
    private readonly options: TokenAccountsOptions,
  ) {
    if (file !== undefined && options.reloadOnSighup !== false) process.on('SIGHUP', this.onSighup);
  }

  /**
   * Loads the tokens file `file`.
   * @throws TokensFileError when it cannot be read or is not valid (the process should not start).
   */
  static async fromFile(file: string, options: TokenAccountsOptions = {}): Promise<TokenAccounts> {
    const watched = await referencedFiles(file);
    const stamp = await stampOf(watched);
    return new TokenAccounts(await loadTokensFile(file), file, stamp, watched, options);
  }

  /** Accounts held in memory only (`jobnet up`): never reloaded. */
  static inMemory(accounts: LoadedAccount[]): TokenAccounts {
    return new TokenAccounts(accounts, undefined, '', [], {});
  }

  /** The current accounts, after reloading the file when it changed (checked at most once per interval). */
  async current(): Promise<readonly LoadedAccount[]> {
    if (this.file !== undefined && Date.now() - this.lastCheck >= (this.options.checkIntervalMs ?? 1000)) {
      this.lastCheck = Date.now();
      this.checking ??= this.reloadIfChanged().finally(() => (this.checking = undefined));
      await this.checking;
    }
    return this.accounts;
  }

  /** Reads the file again now (SIGHUP); a failure keeps the accounts held. */
  async reload(): Promise<void> {
    if (this.file === undefined) return;
    const watched = await referencedFiles(this.file);
    await this.load(watched, await stampOf(watched), 'reloaded');
  }

  /** Stops watching for SIGHUP. */
  close(): void {
    process.off('SIGHUP', this.onSighup);
  }

  private async reloadIfChanged(): Promise<void> {
    const stamp = await stampOf(this.watched);
    if (stamp === this.stamp || stamp === this.brokenStamp) return;
    const watched = await referencedFiles(this.file as string);
    await this.load(watched, await stampOf(watched), 'changed; reloaded');
  }

  private async load(watched: string[], stamp: string, what: string): Promise<void> {
    const file = this.file as string;
    try {
      this.accounts = await loadTokensFile(file);
      this.stamp = stamp;
      this.watched = watched;
      this.brokenStamp = undefined;
      this.options.log?.('info', `tokens file ${file} ${what}: ${this.accounts.length} account(s)`);
    } catch (error) {
      if (!(error instanceof TokensFileError)) throw error;
      if (this.brokenStamp !== stamp)
        this.options.log?.('error', `${error.message}\nkeeping the ${this.accounts.length} account(s) loaded before`);
      this.brokenStamp = stamp;
      this.watched = watched;
    }
  }
}
