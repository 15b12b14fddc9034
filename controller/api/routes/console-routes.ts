/**
 * Operator API routes the web console needs (R-UI-1), and the console itself:
 *
 * - `GET /` and `GET /console/:file` — the console's page shell, script and style sheet
 *   (`controller/console/console-assets.ts`). They hold no data and need no token: the login URL
 *   `/?token=…` is read by the page's script, which keeps the token in the tab's sessionStorage and
 *   removes it from the address bar; every datum then comes from the API with the bearer header.
 * - `GET /api/v1/me` — who the caller is: subject, groups, global admin, the deployment, and the
 *   role on each visible project (so the console shows only the buttons the role allows).
 * - `GET /api/v1/jobnets/:project/:jobnet/graph` — the jobs of the applied definition as a graph:
 *   type, join, predecessors with their exit-code conditions, hold/disabled, recovery, child
 *   jobnet — and the child jobnets' graphs (viewer role).
 * - `GET /api/v1/jobnets/:project/:jobnet/days?year=Y` — the start days of a year, computed by
 *   `workflows/lib/start-days.ts` on the applied definition, as `jobnet days --json` (viewer role).
 * - `GET /api/v1/jobnets/:project/:jobnet/day?date=D` — a business date for today's timeline: its
 *   day change and end, every planned start, the deadlines and expected durations
 *   (`jobnets/planned-day.ts`, the start-time functions of `jobnet next`; viewer role).
 *
 * Reads through `jobnets/`; decides nothing about jobnet state nor about authentication.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CompiledJobnet } from '../../../workflows/lib/compiled-jobnet.js';
import { formatExitCodeCondition } from '../../../workflows/lib/exit-code-condition.js';
import { collectStartDays } from '../../../workflows/lib/start-days.js';
import { businessDateOf } from '../../../workflows/lib/business-calendar.js';
import { consoleAssets } from '../../console/console-assets.js';
import { getAppliedDefinition } from '../../jobnets/applied-definition.js';
import { plannedDayOf } from '../../jobnets/planned-day.js';
import { listJobnetActors } from '../../jobnets/jobnet-client.js';
import { isWorkflowNotFound } from '../../../workflows/lib/temporal-refusals.js';
import { ApiError } from '../api-errors.js';
import { callerOf, requireRole, type OperatorApi, type ProjectRole } from '../operator-api.js';
import { errorResponses, jobnetNameSchema, noQuery, projectNameSchema } from './jobnet-routes.js';

/** Security headers of the console's files: its own origin only, no referrer (the login URL holds a token). */
const consoleHeaders = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

/** Registers `GET /` and `GET /console/:file` on the unauthenticated root (see the module header). */
export function registerConsoleShell(routes: FastifyInstance): void {
  const send = async (name: string, reply: FastifyReply) => {
    const asset = (await consoleAssets()).get(name);
    if (asset === undefined) throw new ApiError(404, 'NOT_FOUND', `no console file ${name}`);
    return await reply.headers(consoleHeaders).header('content-type', asset.contentType).send(asset.body);
  };
  // `?token=` is read by the page's script, never by the server; any query is accepted here.
  routes.get('/', { schema: { hide: true } }, async (_request, reply) => await send('index.html', reply));
  routes.get<{ Params: { file: string } }>(
    '/console/:file',
    { schema: { hide: true } },
    async (request, reply) => await send(request.params.file, reply),
  );
}

const jobnetParams = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'jobnet'],
  properties: { project: projectNameSchema, jobnet: jobnetNameSchema },
};

const roleSchema = { type: 'string', enum: ['viewer', 'operator', 'admin'] };

const meSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'groups', 'admin', 'deployment', 'projects'],
  properties: {
    subject: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    admin: { type: 'boolean' },
    deployment: { type: 'string', description: 'the task queue the API serves' },
    projects: {
      type: 'array',
      description: 'the visible projects with applied jobnets or a grant, and the caller’s role on each',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['project', 'role'],
        properties: { project: { type: 'string' }, role: roleSchema },
      },
    },
  },
};

const graphJobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type', 'join', 'predecessors', 'hold', 'disabled'],
  properties: {
    name: { type: 'string' },
    title: { type: 'string' },
    type: { type: 'string' },
    join: { type: 'string', enum: ['all', 'any'] },
    predecessors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['job'],
        properties: {
          job: { type: 'string' },
          exitCode: { type: 'string', description: 'the exit-code condition, e.g. `0`, `!=0`, `1-3`' },
        },
      },
    },
    hold: { type: 'boolean' },
    disabled: { type: 'boolean' },
    recovery: { type: 'string' },
    restartPoint: { type: 'boolean' },
    child: { type: 'string', description: 'the child jobnet a `jobnet` job starts' },
  },
};

const graphOfJobnetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'jobs'],
  properties: { name: { type: 'string' }, title: { type: 'string' }, jobs: { type: 'array', items: graphJobSchema } },
};

const graphSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'name', 'revision', 'jobs', 'children'],
  properties: {
    ...graphOfJobnetSchema.properties,
    project: { type: 'string' },
    revision: { type: 'string' },
    children: { type: 'object', additionalProperties: graphOfJobnetSchema },
  },
};

const isoInstant = { type: 'string', description: 'ISO 8601 UTC' };

const plannedDaySchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'jobnet',
    'businessDate',
    'calendar',
    'timezone',
    'dayChangeTime',
    'dayStart',
    'dayEnd',
    'trigger',
    'enabled',
    'startDay',
    'starts',
    'expectedDurations',
  ],
  properties: {
    jobnet: { type: 'string' },
    businessDate: { type: 'string' },
    calendar: { type: 'string' },
    timezone: { type: 'string' },
    dayChangeTime: { type: 'string', description: 'the calendar’s day change, HH:MM' },
    dayStart: { ...isoInstant, description: 'the instant the business day begins (its day change), ISO 8601 UTC' },
    dayEnd: { ...isoInstant, description: 'the instant the next business day begins, ISO 8601 UTC' },
    trigger: { type: 'string', enum: ['at', 'every', 'events', 'manual'] },
    enabled: { type: 'boolean' },
    startDay: { type: 'boolean' },
    starts: {
      type: 'array',
      description: 'every planned start of the date, as `jobnet next` computes them',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['businessDate', 'instant', 'time', 'kind'],
        properties: {
          businessDate: { type: 'string' },
          instant: isoInstant,
          time: { type: 'string' },
          kind: { type: 'string', enum: ['at', 'every', 'events'] },
        },
      },
    },
    startDeadline: { ...isoInstant, description: 'not started by then: startDelayed' },
    endDeadline: { ...isoInstant, description: 'a run of this date not ended by then: endDelayed' },
    endAfterSeconds: { type: 'integer', description: 'a run not ended this long after its start: endDelayed' },
    expectedDurations: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'seconds by job: a job running longer is a jobOverrun',
    },
  },
};

/** The jobs of a compiled jobnet as the graph route answers them. */
function graphOf(jobnet: CompiledJobnet) {
  return {
    name: jobnet.name,
    ...(jobnet.title !== undefined ? { title: jobnet.title } : {}),
    jobs: Object.values(jobnet.jobs).map((job) => ({
      name: job.name,
      ...(job.title !== undefined ? { title: job.title } : {}),
      type: job.type,
      join: job.join,
      predecessors: job.predecessors.map((edge) => ({
        job: edge.job,
        ...(edge.condition !== undefined ? { exitCode: formatExitCodeCondition(edge.condition) } : {}),
      })),
      hold: job.hold,
      disabled: job.disabled,
      ...(job.recovery !== undefined ? { recovery: job.recovery } : {}),
      ...(job.restartPoint ? { restartPoint: true } : {}),
      ...(job.type === 'jobnet' ? { child: job.spec.jobnet } : {}),
    })),
  };
}

async function appliedDefinition(api: OperatorApi, project: string, jobnet: string): Promise<CompiledJobnet> {
  try {
    return await getAppliedDefinition(api.client, api.taskQueue, project, jobnet);
  } catch (error) {
    if (isWorkflowNotFound(error)) throw new ApiError(404, 'NOT_FOUND', `jobnet ${project}/${jobnet} is not applied`);
    throw error;
  }
}

/** Registers the console's API routes on the authenticated operator scope. */
export function registerConsoleRoutes(routes: FastifyInstance, api: OperatorApi): void {
  routes.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['console'],
        summary: 'Who the caller is, and the role on each visible project',
        querystring: noQuery,
        response: { 200: meSchema, ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const visible = await api.auth.visibleProjects(caller);
      const applied = [...new Set((await listJobnetActors(api.client, api.taskQueue)).map((actor) => actor.project))];
      const names = visible === 'all' ? applied : [...new Set([...visible])];
      const projects: { project: string; role: ProjectRole }[] = [];
      for (const project of names.sort()) {
        const role = caller.admin ? 'admin' : await api.auth.roleOn(caller, project);
        if (role !== undefined) projects.push({ project, role });
      }
      return {
        subject: caller.subject,
        groups: [...caller.groups],
        admin: caller.admin,
        deployment: api.taskQueue,
        projects,
      };
    },
  );

  routes.get<{ Params: { project: string; jobnet: string } }>(
    '/api/v1/jobnets/:project/:jobnet/graph',
    {
      schema: {
        tags: ['console'],
        summary: 'The jobs of the applied definition as a graph, with the child jobnets',
        params: jobnetParams,
        querystring: noQuery,
        response: { 200: graphSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { project, jobnet } = request.params;
      await requireRole(api, request, project, 'viewer', 'reading a jobnet');
      const definition = await appliedDefinition(api, project, jobnet);
      return {
        project,
        revision: definition.revision,
        ...graphOf(definition),
        children: Object.fromEntries(
          Object.entries(definition.children ?? {}).map(([name, child]) => [name, graphOf(child)]),
        ),
      };
    },
  );

  routes.get<{ Params: { project: string; jobnet: string }; Querystring: { year?: number } }>(
    '/api/v1/jobnets/:project/:jobnet/days',
    {
      schema: {
        tags: ['console'],
        summary: 'The start days of a year, as `jobnet days --json`',
        params: jobnetParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            year: { type: 'integer', minimum: 1, maximum: 9999, description: 'default: the current business year' },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['jobnet', 'year', 'calendar', 'timezone', 'startDays', 'problems'],
            properties: {
              jobnet: { type: 'string' },
              year: { type: 'integer' },
              calendar: { type: 'string' },
              timezone: { type: 'string' },
              startDays: { type: 'array', items: { type: 'string' } },
              problems: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const { project, jobnet } = request.params;
      await requireRole(api, request, project, 'viewer', 'reading a jobnet');
      const definition = await appliedDefinition(api, project, jobnet);
      const { schedule, calendar } = definition;
      if (schedule === undefined || calendar === undefined)
        throw new ApiError(409, 'NO_SCHEDULE', `jobnet ${project}/${jobnet} has no schedule of start days`);
      const year = request.query.year ?? Number(businessDateOf(calendar, Date.now()).slice(0, 4));
      const pad = String(year).padStart(4, '0');
      const { days, problems } = collectStartDays(
        schedule.days,
        calendar,
        { from: `${pad}-01-01`, to: `${pad}-12-31` },
        schedule.dayPatterns,
        schedule.dayPatternName === undefined ? {} : { dayPatternName: schedule.dayPatternName },
      );
      return {
        jobnet: `${project}/${jobnet}`,
        year,
        calendar: calendar.name,
        timezone: calendar.timezone,
        startDays: days,
        problems: problems.map((problem) => problem.message),
      };
    },
  );

  routes.get<{ Params: { project: string; jobnet: string }; Querystring: { date?: string } }>(
    '/api/v1/jobnets/:project/:jobnet/day',
    {
      schema: {
        tags: ['console'],
        summary: 'A business date of a jobnet: its day change, every planned start, deadlines and expected durations',
        params: jobnetParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            date: {
              type: 'string',
              pattern: '^\\d{4}-\\d{2}-\\d{2}$',
              description: 'the business date, YYYY-MM-DD; default: the current one of the jobnet’s calendar',
            },
          },
        },
        response: { 200: plannedDaySchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { project, jobnet } = request.params;
      await requireRole(api, request, project, 'viewer', 'reading a jobnet');
      const definition = await appliedDefinition(api, project, jobnet);
      try {
        return plannedDayOf(definition, Date.now(), request.query.date);
      } catch (error) {
        if (error instanceof RangeError) throw new ApiError(400, 'INVALID_FIELD', `querystring/date: ${error.message}`);
        throw error;
      }
    },
  );
}
