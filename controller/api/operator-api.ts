/**
 * The operator API's seams (R-OPS-6, R-SEC-2/3): what the routes under `/api/v1` are given — a
 * Temporal client and the deployment's task queue, who the caller is, and what role the caller
 * holds on a project — so that route modules (`routes/*.ts`) carry out requests and decide
 * nothing about authentication themselves.
 *
 * Every route but `/healthz` (and the push webhook, which has its own signature) runs after
 * {@link OperatorAuth.authenticate} has put the {@link Caller} on the request; a route that
 * touches a project asks {@link requireRole} first, which answers 404 for a project the caller may
 * not see (so its existence is not disclosed) and 403 for an action the caller's role does not allow.
 *
 * Pure types and two small helpers; no I/O.
 */
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-errors.js';

/** A role on a project (R-SEC-3): viewer reads; operator also operates and raises events; admin does everything. */
export type ProjectRole = 'viewer' | 'operator' | 'admin';

/** What each role may do; a higher role includes the lower ones. */
export const roleRank: Record<ProjectRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** The authenticated caller of a request: an account of the tokens file. */
export interface Caller {
  subject: string;
  groups: readonly string[];
  /** A global admin: every role on every project, and the deployment-wide routes. */
  admin: boolean;
}

/** Authentication and authorization, as the server is configured (`auth/`). */
export interface OperatorAuth {
  /**
   * The caller of a request from its `Authorization: Bearer` header.
   * @throws ApiError 401 for a missing, unknown or expired token.
   */
  authenticate(request: FastifyRequest): Promise<Caller>;
  /** The caller's role on `project` (undefined: none — the project is invisible to the caller). */
  roleOn(caller: Caller, project: string): Promise<ProjectRole | undefined>;
  /** The projects the caller may see: `all` for a global admin, else the projects granting any role. */
  visibleProjects(caller: Caller): Promise<'all' | readonly string[]>;
}

/** What the operator routes need. */
export interface OperatorApi {
  client: Client;
  /** The deployment (task queue) whose jobnets and runs the API serves. */
  taskQueue: string;
  auth: OperatorAuth;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every operator route. */
    caller: Caller | null;
  }
}

/** The authenticated caller of `request`. @throws ApiError 401 when the route ran without authentication. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new ApiError(401, 'UNAUTHENTICATED', 'an API token is required');
  return request.caller;
}

/**
 * Checks that the caller holds at least `role` on `project`.
 * @throws ApiError 404 `NOT_FOUND` when the caller holds no role there; 403 `FORBIDDEN` when the role is too low.
 */
export async function requireRole(
  api: OperatorApi,
  request: FastifyRequest,
  project: string,
  role: ProjectRole,
  what: string,
): Promise<Caller> {
  const caller = callerOf(request);
  const held = caller.admin ? 'admin' : await api.auth.roleOn(caller, project);
  if (held === undefined) throw new ApiError(404, 'NOT_FOUND', `no project ${project}`);
  if (roleRank[held] < roleRank[role])
    throw new ApiError(
      403,
      'FORBIDDEN',
      `${what} needs the ${role} role on project ${project}; ${caller.subject} is ${held}`,
    );
  return caller;
}

/** @throws ApiError 403 unless the caller is a global admin. */
export function requireAdmin(request: FastifyRequest, what: string): Caller {
  const caller = callerOf(request);
  if (!caller.admin)
    throw new ApiError(403, 'FORBIDDEN', `${what} needs a global admin account; ${caller.subject} is not one`);
  return caller;
}
