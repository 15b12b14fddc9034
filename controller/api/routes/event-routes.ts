/**
 * Operator API routes: message events (R-EVT-1, R-EVT-3, R-OPS-6).
 *
 * - `POST /api/v1/events/raise` `{event, project?, jobnet?, parameter?, suffix?}` and
 *   `POST /api/v1/events/clear` `{project?, jobnet?}` answer per jobnet in scope, as
 *   `jobnet event raise|clear --json` prints: `{ok, event, results}` / `{ok, results}`; a raise no
 *   jobnet in scope waits for, or one the event registry refuses, is 409 `REFUSED` with the
 *   CLI's reason.
 * - `POST /api/v1/msgevent` and `POST /api/v1/msgclear`: the WOI Web API (`../woi-compat.ts`),
 *   JSON or form body, success `{"next": false, "total": 0, "data": []}`, errors with WOI's
 *   `OM_API_000nn` codes and statuses (400, 401, 500 — never another).
 *
 * Who may: the operator role on the project of a scoped request. A request without a project
 * reaches every project whose jobnets wait for the event (clear: start on events); it needs the
 * operator role on each of them, else it is refused (403) as a whole and nothing is raised —
 * an unscoped raise never reaches only part of what it names. Who did it is the authenticated
 * subject.
 *
 * Carries requests out through `jobnets/jobnet-client.ts`, as the CLI does.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventClearRequest, EventRaise } from '../../../workflows/event-registry-contract.js';
import { eventTargets, inScope, type EventRoute, type EventScope } from '../../../workflows/lib/event-routing.js';
import { clearEvents, getEventRegistryView, listJobnetActors, raiseEvent } from '../../jobnets/jobnet-client.js';
import { unknownEventText } from '../../jobnets/render-jobnet.js';
import { ApiError, apiErrorOf } from '../api-errors.js';
import { callerOf, requireRole, roleRank, type OperatorApi } from '../operator-api.js';
import {
  authenticationFailure,
  checkWoiParameters,
  processingFailure,
  serverFailure,
  unnecessaryParameter,
  woiParameters,
  woiSuccess,
  WoiAnswer,
  type WoiError,
  type WoiResource,
} from '../woi-compat.js';
import {
  emptyBodyAsObject,
  errorResponses,
  jobnetNameSchema,
  noQuery,
  projectNameSchema,
  visibilityOf,
} from './jobnet-routes.js';

const eventNameSchema = { type: 'string', minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N}@+_-]+$' };

const raiseResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'jobnet', 'outcome', 'detail'],
  properties: {
    project: { type: 'string' },
    jobnet: { type: 'string' },
    outcome: { type: 'string' },
    detail: { type: 'string' },
    runId: { type: 'string' },
  },
};

const clearResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'jobnet', 'cleared'],
  properties: {
    project: { type: 'string' },
    jobnet: { type: 'string' },
    cleared: { type: 'integer' },
    refused: { type: 'string' },
  },
};

const woiSuccessSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['next', 'total', 'data'],
  properties: { next: { type: 'boolean' }, total: { type: 'integer' }, data: { type: 'array', maxItems: 0 } },
};

interface RaiseBody {
  event: string;
  project?: string;
  jobnet?: string;
  parameter?: string;
  suffix?: string;
}

interface ClearBody {
  project?: string;
  jobnet?: string;
  /** WOI msgclear `messagename` only. */
  event?: string;
}

/**
 * The routes the request in `scope` reaches and the check that the caller operates every project
 * among them (see the module header).
 * @throws ApiError 404 for a scoped project the caller may not see, 403 for a role too low.
 */
async function authorizeScope(
  api: OperatorApi,
  request: FastifyRequest,
  scope: EventScope,
  reached: (routes: readonly EventRoute[]) => EventRoute[],
  what: string,
): Promise<{ subject: string; routes: EventRoute[] | undefined }> {
  if (scope.project !== undefined) {
    const caller = await requireRole(api, request, scope.project, 'operator', what);
    return { subject: caller.subject, routes: undefined };
  }
  const caller = callerOf(request);
  const routes = (await getEventRegistryView(api.client, api.taskQueue))?.routes ?? [];
  if (caller.admin) return { subject: caller.subject, routes };
  const projects = [...new Set(reached(routes).map((route) => route.project))].sort();
  const visible = await visibilityOf(api, caller);
  const refused: string[] = [];
  for (const project of projects) {
    const role = await api.auth.roleOn(caller, project);
    if (role === undefined || roleRank[role] < roleRank.operator) refused.push(project);
  }
  if (refused.length > 0) {
    const named = refused.filter(visible);
    const hidden = refused.length - named.length;
    const list = [...named, ...(hidden > 0 ? [`${hidden} other project(s)`] : [])].join(', ');
    throw new ApiError(
      403,
      'FORBIDDEN',
      `${what} without a project reaches ${list}, where ${caller.subject} is not an operator; give the project`,
    );
  }
  return { subject: caller.subject, routes };
}

/** Raises `raise` (the subject as who); answers like `jobnet event raise --json`, or 409 with the CLI's reason. */
async function raiseFor(api: OperatorApi, request: FastifyRequest, body: RaiseBody) {
  const scope = scopeOf(body);
  const { subject, routes: known } = await authorizeScope(
    api,
    request,
    scope,
    (routes) => eventTargets(routes, body.event, scope),
    `raising event ${body.event}`,
  );
  const raise: EventRaise = { event: body.event, ...scope, by: subject };
  if (body.parameter !== undefined) raise.parameter = body.parameter;
  if (body.suffix !== undefined) raise.suffix = body.suffix;
  const result = await raiseEvent(api.client, api.taskQueue, raise);
  if (!result.ok) throw new ApiError(409, 'REFUSED', result.reason);
  if (result.answer.results.length === 0) {
    // Name only the routes of projects the caller may see.
    const visible = await visibilityOf(api, callerOf(request));
    const routes = (known ?? (await getEventRegistryView(api.client, api.taskQueue))?.routes ?? []).filter((route) =>
      visible(route.project),
    );
    throw new ApiError(409, 'REFUSED', unknownEventText(body.event, routes, scope));
  }
  const refused = result.answer.results.some((target) => target.outcome === 'refused');
  return { ok: !refused, ...result.answer };
}

/** Clears the pending raises of the scope (the subject as who); answers like `jobnet event clear --json`. */
async function clearFor(api: OperatorApi, request: FastifyRequest, body: ClearBody) {
  const scope = scopeOf(body);
  const { subject } = await authorizeScope(
    api,
    request,
    scope,
    (routes) =>
      routes.filter(
        (route) =>
          (body.event === undefined ? route.startEvents.length > 0 : route.startEvents.includes(body.event)) &&
          inScope(route, scope),
      ),
    'clearing events',
  );
  const clearRequest: EventClearRequest = {
    ...scope,
    ...(body.event !== undefined ? { event: body.event } : {}),
    by: subject,
  };
  const result = await clearEvents(api.client, api.taskQueue, clearRequest);
  if (!result.ok) throw new ApiError(409, 'REFUSED', result.reason);
  const refused = result.answer.results.some((target) => target.refused !== undefined);
  return { ok: !refused, ...result.answer };
}

function scopeOf(body: { project?: string; jobnet?: string }): EventScope {
  if (body.jobnet !== undefined && body.project === undefined)
    throw new ApiError(
      400,
      'INVALID_FIELD',
      'body/jobnet needs body/project: an event scoped to a jobnet needs its project too',
    );
  return {
    ...(body.project !== undefined ? { project: body.project } : {}),
    ...(body.jobnet !== undefined ? { jobnet: body.jobnet } : {}),
  };
}

/** Every failure of a WOI route as WOI answers it: 400, 401 or 500 with an `OM_API_000nn` code. */
function woiErrorHandler(resource: WoiResource) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const answer = woiAnswerOf(resource, error, request);
    if (answer.statusCode === 500 && !(error instanceof WoiAnswer))
      request.log.error({ err: error }, `${request.method} ${request.url} failed`);
    void reply.code(answer.statusCode).send(answer.body);
  };
}

function woiAnswerOf(resource: WoiResource, error: unknown, request: FastifyRequest): WoiError {
  if (error instanceof WoiAnswer) return error.answer;
  const general = apiErrorOf(error);
  const { statusCode, body } = general;
  if (statusCode === 401) {
    const header = request.headers.authorization;
    return authenticationFailure(typeof header === 'string' ? header : undefined);
  }
  if (statusCode === 503 || statusCode === 504) return serverFailure('io');
  if (statusCode >= 500) return serverFailure('internal');
  if (body.code === 'INVALID_FIELD' && body.message.startsWith('unknown field '))
    return unnecessaryParameter((body.field ?? '').split('/').pop() ?? '');
  if (body.code === 'INVALID_FIELD' || body.code === 'BAD_JSON' || statusCode === 413 || statusCode === 415)
    return {
      statusCode: 400,
      body: { code: 'OM_API_00099', message: `An internal error occurred. detail=${body.message}` },
    };
  // Not found, not allowed, refused: the resource could not be processed.
  return processingFailure(resource, body.message);
}

/** `preValidation` of a WOI route: WOI's own parameter rules, then the lower-cased values as the body. */
function woiParametersOf(resource: WoiResource) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const checked = checkWoiParameters(resource, request.body);
    if (!checked.ok) return done(new WoiAnswer(checked.error));
    request.body = checked.values;
    done();
  };
}

function woiBodySchema(resource: WoiResource) {
  const descriptions: Record<string, string> = {
    projectname: 'project (≤ 50 bytes)',
    jobnetname:
      resource === 'msgevent'
        ? 'jobnet of projectname (≤ 50 bytes)'
        : 'jobnet (≤ 50 bytes); alone, when exactly one project has it',
    messagename:
      resource === 'msgevent'
        ? 'the event (≤ 12 bytes), required'
        : 'only the pending raises of this event (≤ 12 bytes)',
    vparam: 'variable parameter @.VPARAM@ (≤ 200 bytes)',
    suffix: 'copy start <jobnet>_<suffix> (≤ 30 bytes, [A-Za-z0-9-]); only with vparam',
  };
  return {
    type: 'object',
    additionalProperties: false,
    ...(resource === 'msgevent' ? { required: ['messagename'] } : {}),
    properties: Object.fromEntries(
      woiParameters[resource].map((name) => [name, { type: 'string', minLength: 1, description: descriptions[name] }]),
    ),
  };
}

/** The project of a msgclear `jobnetname` given alone: the one visible project that has it. */
async function projectOfJobnet(api: OperatorApi, request: FastifyRequest, jobnet: string): Promise<string> {
  const visible = await visibilityOf(api, callerOf(request));
  const projects = [
    ...new Set(
      (await listJobnetActors(api.client, api.taskQueue))
        .filter((actor) => actor.jobnet === jobnet && visible(actor.project))
        .map((actor) => actor.project),
    ),
  ].sort();
  if (projects.length === 1) return projects[0] as string;
  throw new WoiAnswer(
    processingFailure(
      'msgclear',
      projects.length === 0
        ? `no project has the jobnet ${jobnet}`
        : `the jobnet ${jobnet} is in several projects (${projects.join(', ')}); give projectname`,
    ),
  );
}

/** Registers the routes on the authenticated operator scope. */
export function registerEventRoutes(routes: FastifyInstance, api: OperatorApi): void {
  routes.post<{ Body: RaiseBody }>(
    '/api/v1/events/raise',
    {
      schema: {
        tags: ['events'],
        summary: 'Raise a message event for the jobnets in scope that wait for it',
        querystring: noQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['event'],
          properties: {
            event: eventNameSchema,
            project: projectNameSchema,
            jobnet: jobnetNameSchema,
            parameter: { type: 'string', maxLength: 200, description: 'variable parameter @.VPARAM@' },
            suffix: { type: 'string', pattern: '^[A-Za-z0-9-]{1,30}$', description: 'start a copy <jobnet>_<suffix>' },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['ok', 'event', 'results'],
            properties: {
              ok: { type: 'boolean' },
              event: { type: 'string' },
              results: { type: 'array', items: raiseResultSchema },
            },
          },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => await raiseFor(api, request, request.body),
  );

  routes.post<{ Body: ClearBody | undefined }>(
    '/api/v1/events/clear',
    {
      schema: {
        tags: ['events'],
        summary: 'Clear the pending raises of the event-started jobnets in scope',
        querystring: noQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { project: projectNameSchema, jobnet: jobnetNameSchema },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['ok', 'results'],
            properties: { ok: { type: 'boolean' }, results: { type: 'array', items: clearResultSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request) => await clearFor(api, request, request.body ?? {}),
  );

  routes.post<{ Body: Record<string, string> }>(
    '/api/v1/msgevent',
    {
      schema: {
        tags: ['WOI-compatible'],
        summary: 'WOI msgevent: raise a message event',
        querystring: noQuery,
        body: woiBodySchema('msgevent'),
        response: { 200: woiSuccessSchema, ...errorResponses(400, 401, 500) },
      },
      preValidation: woiParametersOf('msgevent'),
      errorHandler: woiErrorHandler('msgevent'),
    },
    async (request) => {
      const { projectname, jobnetname, messagename, vparam, suffix } = request.body;
      await raiseFor(api, request, {
        event: messagename as string,
        ...(projectname !== undefined ? { project: projectname } : {}),
        ...(jobnetname !== undefined ? { jobnet: jobnetname } : {}),
        ...(vparam !== undefined ? { parameter: vparam } : {}),
        ...(suffix !== undefined ? { suffix } : {}),
      });
      return woiSuccess;
    },
  );

  routes.post<{ Body: Record<string, string> }>(
    '/api/v1/msgclear',
    {
      schema: {
        tags: ['WOI-compatible'],
        summary: 'WOI msgclear: clear the pending message events of the scope',
        querystring: noQuery,
        body: woiBodySchema('msgclear'),
        response: { 200: woiSuccessSchema, ...errorResponses(400, 401, 500) },
      },
      preValidation: woiParametersOf('msgclear'),
      errorHandler: woiErrorHandler('msgclear'),
    },
    async (request) => {
      const { jobnetname, messagename } = request.body;
      const projectname =
        request.body.projectname ??
        (jobnetname !== undefined ? await projectOfJobnet(api, request, jobnetname) : undefined);
      await clearFor(api, request, {
        ...(messagename !== undefined ? { event: messagename } : {}),
        ...(projectname !== undefined ? { project: projectname } : {}),
        ...(jobnetname !== undefined ? { jobnet: jobnetname } : {}),
      });
      return woiSuccess;
    },
  );
}
