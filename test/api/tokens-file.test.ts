/**
 * The tokens file and role resolution, pure (R-SEC-2, R-SEC-3): a valid file gives its accounts;
 * each mistake is reported at file:line:column naming the field, and no message quotes a hash; a
 * token is found among the stored digests, expired ones flagged; roles take the highest grant
 * that names the subject or a group, and a project without grants is for global admins only.
 */
import { describe, expect, it } from 'vitest';
import {
  apiTokenDigest,
  isApiTokenShaped,
  matchApiToken,
  newApiToken,
  parseExpiryFlag,
} from '../../controller/api/auth/api-tokens.js';
import { accessGrantsOf, roleFromGrants, visibleProjectsFromGrants } from '../../controller/api/auth/roles.js';
import { parseTokensFile } from '../../controller/api/auth/tokens-file.js';

const hash = 'ab'.repeat(32);
const otherHash = 'cd'.repeat(32);

function errorsOf(text: string): string[] {
  const parsed = parseTokensFile(text, 'tokens.yaml');
  if (parsed.ok) throw new Error('expected errors');
  return parsed.errors;
}

describe('the tokens file', () => {
  it('gives the accounts of a valid file, with groups, admin, references and expiries', () => {
    const parsed = parseTokensFile(
      `accounts:
  - subject: alice
    groups: [ops, night]
    tokens:
      - sha256: ${hash.toUpperCase()}
      - secretRef: {env: ALICE_TOKEN}
        expires: 2030-01-31
  - subject: root
    admin: true
    tokens:
      - sha256: ${otherHash}
        expires: 2030-01-31T18:00:00+09:00
`,
      'tokens.yaml',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.accounts.map((a) => [a.subject, a.groups, a.admin])).toEqual([
      ['alice', ['ops', 'night'], false],
      ['root', [], true],
    ]);
    expect(parsed.accounts[0]?.tokens[0]).toMatchObject({ sha256: hash, at: 'tokens.yaml:5:9' });
    expect(parsed.accounts[0]?.tokens[1]).toMatchObject({
      secretRef: { env: 'ALICE_TOKEN' },
      expires: new Date('2030-01-31T00:00:00Z'),
    });
    expect(parsed.accounts[1]?.tokens[0]?.expires).toEqual(new Date('2030-01-31T09:00:00Z'));
  });

  it('points at each mistake with file:line:column and never quotes a hash', () => {
    const errors = errorsOf(`accounts:
  - subject: alice
    colour: blue
    tokens:
      - sha256: ${hash}x
      - {}
      - sha256: ${otherHash}
  - subject: bob
    tokens: []
  - groups: [ops]
    tokens:
      - sha256: ${otherHash}
        expires: next week
`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'tokens.yaml:3:5: unknown field accounts[0].colour',
        'tokens.yaml:5:17: accounts[0].tokens[0].sha256 must be 64 hexadecimal digits (the SHA-256 of the token)',
        'tokens.yaml:6:9: accounts[0].tokens[1] needs exactly one of sha256 or secretRef',
        'tokens.yaml:5:7: accounts[0].tokens must list one or two tokens (two while rotating)',
        'tokens.yaml:9:13: accounts[1].tokens must list one or two tokens (two while rotating)',
        'tokens.yaml:10:5: accounts[2] needs subject',
        'tokens.yaml:13:18: accounts[2].tokens[0].expires must be an ISO 8601 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)',
      ]),
    );
    for (const error of errors) {
      expect(error).not.toContain(hash);
      expect(error).not.toContain(otherHash);
    }
  });

  it('refuses a token given both by digest and by reference', () => {
    expect(errorsOf(`accounts:\n  - subject: a\n    tokens: [{sha256: ${hash}, secretRef: {env: T}}]\n`)).toEqual([
      'tokens.yaml:3:14: accounts[0].tokens[0] needs exactly one of sha256 or secretRef',
    ]);
  });

  it('refuses a subject twice and one digest in two accounts, naming both places', () => {
    const errors = errorsOf(`accounts:
  - subject: alice
    tokens: [{sha256: ${hash}}]
  - subject: alice
    tokens: [{sha256: ${hash.toUpperCase()}}]
`);
    expect(errors).toEqual([
      'tokens.yaml:4:14: subject alice is also the account at tokens.yaml:2:14',
      'tokens.yaml:5:23: the same token digest is also listed at tokens.yaml:3:23',
    ]);
  });

  it('reports YAML syntax errors and an empty file at their position, without the line itself', () => {
    const [syntax] = errorsOf(`accounts:\n  - subject: alice\n    tokens: [{sha256: ${hash}}\n`);
    expect(syntax).toMatch(/^tokens\.yaml:\d+:\d+: not valid YAML: /);
    expect(syntax).not.toContain(hash);
    expect(errorsOf('')).toEqual(['tokens.yaml:1:1: the file is empty; it lists the API accounts under accounts:']);
    expect(errorsOf('accounts: {}\n')).toEqual(['tokens.yaml:1:11: accounts must be array']);
  });
});

describe('tokens', () => {
  it('have one shape, and are found among every stored digest, expired ones flagged', () => {
    const token = newApiToken();
    expect(isApiTokenShaped(token)).toBe(true);
    expect(isApiTokenShaped(`${token}x`)).toBe(false);
    expect(isApiTokenShaped(token.replace('jnt_', 'jnx_'))).toBe(false);
    const now = new Date('2030-01-01T00:00:00Z');
    const accounts = [
      { name: 'a', tokens: [{ digest: Buffer.from(apiTokenDigest(newApiToken()), 'hex') }] },
      {
        name: 'b',
        tokens: [
          { digest: Buffer.from(otherHash, 'hex') },
          { digest: Buffer.from(apiTokenDigest(token), 'hex'), expires: new Date('2029-12-31T00:00:00Z') },
        ],
      },
    ];
    expect(matchApiToken(accounts, token, now)).toMatchObject({ found: true, account: { name: 'b' }, expired: true });
    expect(matchApiToken(accounts, token, new Date('2029-01-01T00:00:00Z'))).toMatchObject({ expired: false });
    expect(matchApiToken(accounts, newApiToken(), now)).toEqual({ found: false });
  });

  it('expire after a duration or at an ISO date', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(parseExpiryFlag('90d', now)).toEqual(new Date('2030-04-01T00:00:00Z'));
    expect(parseExpiryFlag('2030-02-01', now)).toEqual(new Date('2030-02-01T00:00:00Z'));
    expect(parseExpiryFlag('soon', now)).toBeUndefined();
    expect(parseExpiryFlag('0d', now)).toBeUndefined();
  });
});

describe('roles', () => {
  const alice = { subject: 'alice', groups: ['ops'], admin: false };
  const root = { subject: 'root', groups: [], admin: true };
  const access = accessGrantsOf([
    { name: 'b', access: [{ role: 'viewer', subjects: ['bob'] }] },
    {
      name: 'a',
      access: [
        { role: 'viewer', subjects: ['ops'] },
        { role: 'operator', subjects: ['alice'] },
        { role: 'viewer', subjects: ['alice'] },
      ],
    },
    { name: 'c' },
    { name: 'd', access: [] },
  ]);

  it('keeps only projects that grant something, in name order', () => {
    expect(Object.keys(access)).toEqual(['a', 'b']);
  });

  it('take the highest grant naming the subject or a group; none elsewhere; admin everywhere', () => {
    expect(roleFromGrants(alice, access.a)).toBe('operator');
    expect(roleFromGrants({ ...alice, subject: 'carol' }, access.a)).toBe('viewer');
    expect(roleFromGrants(alice, access.b)).toBeUndefined();
    expect(roleFromGrants(alice, undefined)).toBeUndefined();
    expect(roleFromGrants(root, undefined)).toBe('admin');
    expect(visibleProjectsFromGrants(alice, access)).toEqual(['a']);
    expect(visibleProjectsFromGrants(root, access)).toBe('all');
  });
});
