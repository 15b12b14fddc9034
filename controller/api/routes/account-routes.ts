/**
 * `GET /api/v1/accounts` (R-SEC-2): the API accounts of the tokens file — subject, groups, global
 * admin, and per token only when it expires and whether it has — for global admins only. Tokens
 * and their digests are never part of an answer.
 *
 * Carries out the request; the accounts come from `auth/token-accounts.ts`.
 */
import type { FastifyInstance } from 'fastify';
import type { LoadedAccount } from '../auth/token-accounts.js';
import { requireAdmin } from '../operator-api.js';

const accountSchema = {
  type: 'object',
  properties: {
    subject: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    admin: { type: 'boolean' },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          expires: { type: 'string', format: 'date-time' },
          expired: { type: 'boolean' },
        },
        required: ['expired'],
        additionalProperties: false,
      },
    },
  },
  required: ['subject', 'groups', 'admin', 'tokens'],
  additionalProperties: false,
} as const;

/** Registers the accounts route; `accounts` gives the accounts the server holds. */
export function registerAccountRoutes(
  routes: FastifyInstance,
  accounts: () => Promise<readonly LoadedAccount[]>,
): void {
  routes.get(
    '/api/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'List the API accounts (global admins only)',
        description: 'Subjects, groups, admin flag and token expiries; never tokens or their hashes.',
        response: {
          200: {
            type: 'object',
            properties: { accounts: { type: 'array', items: accountSchema } },
            required: ['accounts'],
            additionalProperties: false,
          },
        },
      },
    },
    async (request) => {
      requireAdmin(request, 'listing the API accounts');
      const now = Date.now();
      return {
        accounts: (await accounts()).map((account) => ({
          subject: account.subject,
          groups: [...account.groups],
          admin: account.admin,
          tokens: account.tokens.map((token) => ({
            ...(token.expires !== undefined ? { expires: token.expires.toISOString() } : {}),
            expired: token.expires !== undefined && token.expires.getTime() <= now,
          })),
        })),
      };
    },
  );
}
