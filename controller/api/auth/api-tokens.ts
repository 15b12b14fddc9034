/**
 * API tokens (R-SEC-2): their shape (`jnt_` and 43 base64url characters: 256 random bits), how a
 * tokens file stores them (the SHA-256, in hex) and how a presented token is checked against the
 * stored digests — always every digest, each with a constant-time comparison, so neither the
 * answer's timing nor an early exit tells how close a guess came.
 *
 * Pure but for {@link newApiToken}, which draws from the operating system's random source. Must
 * never log, print or return a token: callers decide where the one new token is shown.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseDuration } from '../../../workflows/lib/durations.js';

/** What a token looks like; anything else is refused before it is hashed. */
export const apiTokenPattern = /^jnt_[A-Za-z0-9_-]{43}$/;

/** A new random token (256 bits). */
export function newApiToken(): string {
  return `jnt_${randomBytes(32).toString('base64url')}`;
}

/** Whether `text` has a token's shape (cheap; says nothing about whether it is known). */
export function isApiTokenShaped(text: string): boolean {
  return text.length === 47 && apiTokenPattern.test(text);
}

/** The SHA-256 of a token, as stored in a tokens file (lower-case hex). */
export function apiTokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** One stored token: its digest (32 bytes) and when it stops working. */
export interface StoredToken {
  digest: Buffer;
  expires?: Date;
}

/** The outcome of checking a token against the stored ones. */
export type TokenMatch<A> = { found: false } | { found: true; account: A; expired: boolean };

/**
 * Finds the account holding `token` among `accounts`, comparing its digest with every stored one
 * in constant time (no early exit). The token must already have the right shape.
 */
export function matchApiToken<A extends { tokens: readonly StoredToken[] }>(
  accounts: readonly A[],
  token: string,
  now: Date,
): TokenMatch<A> {
  const presented = createHash('sha256').update(token, 'utf8').digest();
  let match: TokenMatch<A> = { found: false };
  for (const account of accounts)
    for (const stored of account.tokens) {
      if (stored.digest.length === presented.length && timingSafeEqual(stored.digest, presented) && !match.found)
        match = {
          found: true,
          account,
          expired: stored.expires !== undefined && stored.expires.getTime() <= now.getTime(),
        };
    }
  return match;
}

/** An ISO 8601 date (`2026-12-31`) or date-time with a zone (`2026-12-31T18:00:00Z`, `…+09:00`). */
const isoPattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

/** Parses an expiry as a tokens file writes it (ISO 8601 date or date-time); undefined when it is not one. */
export function parseIsoExpiry(text: string): Date | undefined {
  if (!isoPattern.test(text)) return undefined;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The expiry of `jobnet token create --expires`: a duration from `now` (`90d`, `12h`) or an ISO
 * 8601 date or date-time; undefined when it is neither (or a zero duration).
 */
export function parseExpiryFlag(text: string, now: Date): Date | undefined {
  const seconds = parseDuration(text.trim());
  if (seconds !== undefined) return seconds > 0 ? new Date(now.getTime() + seconds * 1000) : undefined;
  return parseIsoExpiry(text.trim());
}
