/**
 * `jobnet token create` (R-SEC-2): makes a new API token, prints it once, and prints the lines to
 * paste into the tokens file — the account with the token's SHA-256 (and expiry), never the token
 * itself. The token is shown on stdout only; it is not stored anywhere by this command.
 *
 * Pure but for the random token and stdout.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { apiTokenDigest, newApiToken, parseExpiryFlag } from '../../api/auth/api-tokens.js';
import { UsageError } from '../cli-errors.js';

interface TokenCreateFlags {
  subject: string;
  group: string[];
  admin?: boolean;
  expires?: string;
}

/** Registers `jobnet token create`. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('make API tokens for the tokens file (--tokens-file)');
  token
    .command('create')
    .description(
      'make a new API token: prints the token once, and the YAML lines (its SHA-256, never the token) to paste into the tokens file',
    )
    .requiredOption('--subject <name>', 'the account the token authenticates (matched by Project spec.access)')
    .option(
      '--group <name>',
      'a group of the account, matched by Project spec.access (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--admin', 'a global admin account: every role on every project, and the accounts route')
    .option(
      '--expires <90d|ISO>',
      'when the token stops working: a duration from now (90d, 12h) or an ISO 8601 date or date-time',
    )
    .action((opts: TokenCreateFlags) => {
      const subject = opts.subject.trim();
      if (subject === '' || subject.length > 256) throw new UsageError('--subject must be 1 to 256 characters');
      const groups = [...new Set(opts.group.map((group) => group.trim()))];
      if (groups.some((group) => group === '' || group.length > 256))
        throw new UsageError('--group must be 1 to 256 characters');
      let expires: Date | undefined;
      if (opts.expires !== undefined) {
        expires = parseExpiryFlag(opts.expires, new Date());
        if (expires === undefined)
          throw new UsageError(
            `--expires must be a duration such as 90d or an ISO 8601 date or date-time (2026-12-31, 2026-12-31T18:00:00Z), not "${opts.expires}"`,
          );
        if (expires.getTime() <= Date.now()) throw new UsageError(`--expires ${opts.expires} is in the past`);
      }
      const created = newApiToken();
      const entry = {
        sha256: apiTokenDigest(created),
        ...(expires !== undefined ? { expires: expires.toISOString() } : {}),
      };
      const account = {
        subject,
        ...(groups.length > 0 ? { groups } : {}),
        ...(opts.admin === true ? { admin: true } : {}),
        tokens: [entry],
      };
      const accountLines = stringify([account], { lineWidth: 0 });
      const tokenLines = stringify([entry], { lineWidth: 0 });
      const indent = (text: string, by: string) =>
        text
          .trimEnd()
          .split('\n')
          .map((line) => `${by}${line}`)
          .join('\n');
      process.stdout.write(
        [
          `token: ${created}`,
          '',
          'The token is shown only now: give it to its user and keep it secret. The tokens file holds its',
          'SHA-256 only. Add the account under accounts: in the tokens file:',
          '',
          indent(accountLines, '  '),
          '',
          `or, to rotate the token of an existing account ${subject}, add only this entry under its tokens:`,
          '(an account holds two tokens at most; remove the old one once no client uses it)',
          '',
          indent(tokenLines, '      '),
          '',
        ].join('\n'),
      );
    });
}
