/**
 * The operator API's {@link OperatorAuth} (R-SEC-2, R-SEC-3): bearer tokens checked against the
 * accounts of the tokens file (`token-accounts.ts`), roles resolved from the projects' access
 * grants the controller published with the applied revision (`roles.ts` decides).
 *
 * A missing, malformed, unknown or expired token is a 401 `{code, message}`; the message says
 * which of these it was (an expired token says so) but never which account a token belongs to.
 * The grants are read through the event registry's query and kept for a short while (2 s), so a
 * burst of requests costs one Temporal call and a new revision's access applies within seconds.
 *
 * I/O: Temporal queries (through `jobnet-client.ts`); never logs a token.
 */
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { ProjectAccessGrants } from '../../../workflows/event-registry-contract.js';
import { getEventRegistryView } from '../../jobnets/jobnet-client.js';
import { withTemporalDeadline } from '../../temporal/temporal-reachability.js';
import { ApiError } from '../api-errors.js';
import type { Caller, OperatorAuth, ProjectRole } from '../operator-api.js';
import { isApiTokenShaped, matchApiToken } from './api-tokens.js';
import { roleFromGrants, visibleProjectsFromGrants } from './roles.js';
import type { TokenAccounts } from './token-accounts.js';

/** How long published grants are reused before the registry is asked again. */
export const accessCacheMs = 2_000;

/** The bearer token of a request's `Authorization` header; undefined when there is none. */
export function bearerTokenOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (match === null) throw new ApiError(401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The access grants published for `taskQueue`, cached for `cacheMs`; concurrent readers share one
 * query. No registry yet (nothing applied): no grants.
 * @throws TemporalCallError when Temporal does not answer in time.
 */
export function publishedAccessReader(
  client: Client,
  taskQueue: string,
  cacheMs = accessCacheMs,
): () => Promise<ProjectAccessGrants> {
  let cached: { at: number; access: ProjectAccessGrants } | undefined;
  let inFlight: Promise<ProjectAccessGrants> | undefined;
  return async () => {
    if (cached !== undefined && Date.now() - cached.at < cacheMs) return cached.access;
    inFlight ??= withTemporalDeadline(client, 5_000, 'reading the projects access grants', async () => {
      const view = await getEventRegistryView(client, taskQueue);
      return view?.access ?? {};
    })
      .then((access) => {
        cached = { at: Date.now(), access };
        return access;
      })
      .finally(() => (inFlight = undefined));
    return await inFlight;
  };
}

/** Bearer-token authentication over `accounts`, roles from `access` (see the module header). */
export function tokenAuth(accounts: TokenAccounts, access: () => Promise<ProjectAccessGrants>): OperatorAuth {
  return {
    async authenticate(request: FastifyRequest): Promise<Caller> {
      const token = bearerTokenOf(request);
      if (token === undefined)
        throw new ApiError(401, 'UNAUTHENTICATED', 'an API token is required: send Authorization: Bearer <token>');
      if (!isApiTokenShaped(token)) throw new ApiError(401, 'UNAUTHENTICATED', 'the API token is not valid');
      const match = matchApiToken(await accounts.current(), token, new Date());
      if (!match.found) throw new ApiError(401, 'UNAUTHENTICATED', 'the API token is not valid');
      if (match.expired)
        throw new ApiError(401, 'TOKEN_EXPIRED', 'the API token has expired: ask an administrator for a new one');
      const { subject, groups, admin } = match.account;
      return { subject, groups: [...groups], admin };
    },
    async roleOn(caller: Caller, project: string): Promise<ProjectRole | undefined> {
      if (caller.admin) return 'admin';
      const grants = await access();
      return roleFromGrants(caller, Object.hasOwn(grants, project) ? grants[project] : undefined);
    },
    async visibleProjects(caller: Caller): Promise<'all' | readonly string[]> {
      if (caller.admin) return 'all';
      return visibleProjectsFromGrants(caller, await access());
    },
  };
}
