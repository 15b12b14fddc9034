/**
 * Operator API routes: jobnets (list, get, operations) and troubles (R-OPS-6, R-OPS-1, R-TRB).
 *
 * - `GET /api/v1/jobnets` — the applied jobnets of the projects the caller may see, optionally of
 *   one project or one status, each with its state, next start, open and last run, result and
 *   trouble count; with `calendars=true` also the calendar (name, zone) of the definition its
 *   actor holds.
 * - `GET /api/v1/jobnets/:project/:jobnet` — what `jobnet get jobnet --json` prints, plus the
 *   calendar and whether the jobnet awaits confirmation (viewer role).
 * - `POST /api/v1/jobnets/:project/:jobnet/operations/:operation` — every jobnet operation of
 *   R-OPS-1 under its CLI name (`force-terminate`) or its camelCase name (`forceTerminate`);
 *   `start` takes an optional `parameter` and copy `suffix`. Operator role; the authenticated
 *   subject is recorded as who did it. A refusal is 409 `REFUSED` with the reason the CLI prints.
 * - `GET /api/v1/troubles` — the troubles of the visible jobnets (project, jobnet, kind, since).
 *
 * Carries requests out through `jobnets/jobnet-client.ts`, as the CLI does; decides nothing about
 * jobnet state (the actor does) nor about authentication (`operator-api.ts`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobnetOperationName, JobnetOperationRequest } from '../../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../../workflows/lib/compiled-jobnet.js';
import type { JobnetStatus, JobnetTrouble, TroubleKind } from '../../../workflows/lib/jobnet-state.js';
import { isWorkflowNotFound } from '../../../workflows/lib/temporal-refusals.js';
import { getAppliedDefinition } from '../../jobnets/applied-definition.js';
import {
  getJobnetView,
  operateJobnetExplained,
  readJobnetEntries,
  readJobnetSummaries,
  refreshSummaries,
  type JobnetEntry,
  type JobnetSummaryEntry,
} from '../../jobnets/jobnet-client.js';
import { awaitsConfirmation, jobnetViewJson, selectTroubles, troubleKinds } from '../../jobnets/render-jobnet.js';
import { mapConcurrently } from '../../lib/bounded-concurrency.js';
import type { RecentWrites } from '../../lib/recent-writes.js';
import { sharedRead } from '../../lib/shared-read.js';
import { summaryOfView } from '../../../workflows/lib/jobnet-summary.js';
import { withIsoTimes } from '../../runs/render-run.js';
import { ApiError } from '../api-errors.js';
import { callerOf, requireRole, type Caller, type OperatorApi } from '../operator-api.js';

// ---------------------------------------------------------------------------------------------
// Schemas shared with the other route modules of this area (event-routes.ts).

/** A project name in a path or a filter: the definitions' ProjectName (letters, digits, `@ + _ -`). */
export const projectNameSchema = { type: 'string', minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N}@+_-]+$' };
/** A jobnet name: the definitions' JobnetName, or a copy `<jobnet>_<suffix>` (R-JN-3). */
export const jobnetNameSchema = { type: 'string', minLength: 1, maxLength: 81, pattern: '^[\\p{L}\\p{N}@+_-]+$' };
/** The error body of every failure (`api-errors.ts`). */
export const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
};
/** Error answers a route may give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<string, typeof errorSchema> {
  return Object.fromEntries(statuses.map((status) => [String(status), errorSchema]));
}
/** The query of a route that takes none: any field is refused. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} };
/** An object whose fields are as the actor answers them (documented in docs/api.md), passed through whole. */
const openObject = { type: 'object', additionalProperties: true };
const openObjectOrNull = { type: ['object', 'null'], additionalProperties: true };

/**
 * Jobnet operations (R-OPS-1) by the names the API takes: the CLI's and the camelCase ones.
 * `start` is the CLI's `jobnet start` (without --dir).
 */
export const jobnetOperationsByName: Readonly<Record<string, JobnetOperationName>> = {
  start: 'start',
  hold: 'hold',
  release: 'release',
  disable: 'disable',
  enable: 'enable',
  confirm: 'confirm',
  restart: 'restart',
  'force-terminate': 'forceTerminate',
  forceTerminate: 'forceTerminate',
  'release-carry-over': 'releaseCarryOver',
  releaseCarryOver: 'releaseCarryOver',
  'cancel-end': 'cancelEnd',
  cancelEnd: 'cancelEnd',
};

const jobnetStatuses: readonly JobnetStatus[] = [
  'waiting',
  'running',
  'warning',
  'ended',
  'pseudoNormal',
  'abended',
  'forced',
  'held',
  'disabled',
  'confirmed',
  'carriedOver',
];

const jobnetParams = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'jobnet'],
  properties: { project: projectNameSchema, jobnet: jobnetNameSchema },
};

const runSchema = openObjectOrNull;

const listItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'jobnet'],
  properties: {
    project: { type: 'string' },
    jobnet: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'string' },
    trigger: { type: 'string' },
    businessDate: { type: 'string' },
    revision: { type: 'string' },
    nextStart: openObjectOrNull,
    openRun: runSchema,
    lastRun: runSchema,
    result: { type: ['string', 'null'] },
    troubleCount: { type: 'integer' },
    calendar: { type: ['object', 'null'], additionalProperties: false, properties: calendarProperties() },
    error: { type: 'string' },
  },
};

function calendarProperties(): Record<string, unknown> {
  return { name: { type: 'string' }, timezone: { type: 'string' } };
}

/**
 * The jobnet view: declared open, so that its fields keep the order the actor answers them in
 * (a remote `jobnet get jobnet --json` prints exactly what a local one does).
 */
const viewSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['project', 'name', 'status', 'state'],
  description:
    'The view of `jobnet get jobnet --json` (project, name, title, revision, digest, copyOf, status, businessDate, trigger, nextStarts, state with times as ISO 8601 UTC), plus calendar {name, timezone} or null and awaitingConfirmation (docs/api.md#jobnets).',
};

const operationAnswerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'operation', 'detail', 'status'],
  properties: {
    ok: { type: 'boolean', const: true },
    operation: { type: 'string' },
    detail: { type: 'string' },
    status: { type: 'string' },
    runId: { type: 'string' },
  },
};

// ---------------------------------------------------------------------------------------------
// Helpers.

/** `preValidation` of a route whose body is optional: no body is an empty object. */
export function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}

/** Whether the caller may see `project`, from `visibleProjects`. */
export async function visibilityOf(api: OperatorApi, caller: Caller): Promise<(project: string) => boolean> {
  if (caller.admin) return () => true;
  const visible = await api.auth.visibleProjects(caller);
  if (visible === 'all') return () => true;
  const set = new Set(visible);
  return (project) => set.has(project);
}

function notApplied(project: string, jobnet: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `jobnet ${project}/${jobnet} is not applied`);
}

/** Runs `work`, turning "no such actor" into 404 for the jobnet. */
async function withActor<T>(project: string, jobnet: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isWorkflowNotFound(error)) throw notApplied(project, jobnet);
    throw error;
  }
}

function calendarOf(definition: CompiledJobnet | undefined): { name: string; timezone: string } | null {
  const calendar = definition?.calendar;
  return calendar === undefined ? null : { name: calendar.name, timezone: calendar.timezone };
}

/**
 * One item of the jobnet list from its summary: the `jobnet ls --json` row with the runs, result
 * and trouble count (and the calendar when asked for).
 */
function listItemOf(
  entry: JobnetSummaryEntry & { definition?: CompiledJobnet },
  calendars: boolean,
): Record<string, unknown> {
  const { project, jobnet, summary } = entry;
  if (summary === undefined) return { project, jobnet, error: entry.error ?? 'unknown' };
  return {
    project,
    jobnet,
    ...(summary.title !== undefined ? { title: summary.title } : {}),
    status: summary.status,
    trigger: summary.trigger,
    businessDate: summary.businessDate,
    revision: summary.revision,
    nextStart: summary.nextStart,
    openRun: summary.openRun === null ? null : withIsoTimes(summary.openRun, runTimeKeys),
    lastRun: summary.lastRun === null ? null : withIsoTimes(summary.lastRun, runTimeKeys),
    result: summary.result,
    troubleCount: summary.troubleCount,
    ...(calendars ? { calendar: calendarOf(entry.definition) } : {}),
  };
}

/** A list entry from a full read (with the definition for its calendar). */
function summaryEntryOf(entry: JobnetEntry): JobnetSummaryEntry & { definition?: CompiledJobnet } {
  const { project, jobnet, view, definition } = entry;
  return {
    project,
    jobnet,
    ...(view !== undefined ? { summary: summaryOfView(view) } : { error: entry.error ?? 'unknown' }),
    ...(definition !== undefined ? { definition } : {}),
  };
}

const runTimeKeys: ReadonlySet<string> = new Set(['startedAt', 'endDeadlineAt']);

/** An instant of a `since` filter: ISO 8601 with a date, optionally time and offset. @throws ApiError 400 */
function sinceOf(text: string): number {
  const at = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)
    ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T'))
    : Number.NaN;
  if (Number.isNaN(at))
    throw new ApiError(
      400,
      'INVALID_FIELD',
      `querystring/since must be an ISO 8601 date or instant (2026-11-23, 2026-11-23T08:00:00Z), not "${text.slice(0, 64)}"`,
    );
  return at;
}

// ---------------------------------------------------------------------------------------------
// Routes.

/**
 * How old, from its start, a read of the whole jobnet list may be to answer another request. The
 * list is one visibility listing of the actors' summaries, and each open console asks for it every
 * 2 s: requests within this share one read, and requests during a read join it.
 */
export const sharedListMaxAgeMs = 1000;

interface ListQuery {
  project?: string;
  status?: JobnetStatus;
  calendars?: boolean;
}

interface JobnetParams {
  project: string;
  jobnet: string;
}

interface OperationParams extends JobnetParams {
  operation: string;
}

interface OperationBody {
  parameter?: string;
  suffix?: string;
}

interface TroublesQuery {
  project?: string;
  jobnet?: string;
  kind?: TroubleKind;
  since?: string;
}

/** Registers the routes on the authenticated operator scope. */
export function registerJobnetRoutes(routes: FastifyInstance, api: OperatorApi, recentWrites: RecentWrites): void {
  const asked = (project: string, jobnet: string) => recentWrites.has(project, jobnet);
  const readWholeList = sharedRead(
    // The jobnets written to recently are asked per request (below), not in the shared read too.
    async () => await readJobnetSummaries(api.client, api.taskQueue),
    sharedListMaxAgeMs,
  );
  routes.get<{ Querystring: ListQuery }>(
    '/api/v1/jobnets',
    {
      schema: {
        tags: ['jobnets'],
        summary: 'List the applied jobnets the caller may see',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            project: projectNameSchema,
            status: { type: 'string', enum: jobnetStatuses },
            calendars: { type: 'boolean', default: false, description: 'include each jobnet’s calendar' },
          },
        },
        response: { 200: { type: 'array', items: listItemSchema }, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { project, status, calendars = false } = request.query;
      if (project !== undefined) await requireRole(api, request, project, 'viewer', 'listing jobnets');
      const visible = await visibilityOf(api, callerOf(request));
      // The whole list (what every open console polls) is one read shared by its callers; the
      // jobnets this process wrote to since are asked again (the shared read may predate the write).
      const entries = calendars
        ? (
            await readJobnetEntries(api.client, api.taskQueue, {
              ...(project !== undefined ? { project } : {}),
              include: visible,
              definitions: true,
            })
          ).map(summaryEntryOf)
        : project === undefined
          ? await refreshSummaries(
              api.client,
              api.taskQueue,
              (await readWholeList()).filter((entry) => visible(entry.project)),
              asked,
            )
          : await readJobnetSummaries(api.client, api.taskQueue, { project, include: visible, ask: asked });
      return entries
        .filter((entry) => status === undefined || entry.summary?.status === status)
        .map((entry) => listItemOf(entry, calendars));
    },
  );

  routes.get<{ Params: JobnetParams }>(
    '/api/v1/jobnets/:project/:jobnet',
    {
      schema: {
        tags: ['jobnets'],
        summary: 'Show a jobnet: state, next starts, open and last run, troubles, operations',
        params: jobnetParams,
        querystring: noQuery,
        response: { 200: viewSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { project, jobnet } = request.params;
      await requireRole(api, request, project, 'viewer', 'reading a jobnet');
      return await withActor(project, jobnet, async () => {
        const view = await getJobnetView(api.client, api.taskQueue, project, jobnet);
        const definition = await getAppliedDefinition(api.client, api.taskQueue, project, jobnet).catch(
          () => undefined,
        );
        return {
          ...jobnetViewJson(view),
          calendar: calendarOf(definition),
          awaitingConfirmation: awaitsConfirmation(view.state, definition?.schedule),
        };
      });
    },
  );

  routes.post<{ Params: OperationParams; Body: OperationBody | undefined }>(
    '/api/v1/jobnets/:project/:jobnet/operations/:operation',
    {
      schema: {
        tags: ['jobnets'],
        summary: 'Run a jobnet operation (start, hold, release, disable, enable, confirm, restart, …)',
        description:
          'Operations by their CLI name or camelCase: start, hold, release, disable, enable, confirm, restart, force-terminate (forceTerminate), release-carry-over (releaseCarryOver), cancel-end (cancelEnd). Only start takes a body: {parameter, suffix}. A refusal is 409 REFUSED with the reason.',
        querystring: noQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['project', 'jobnet', 'operation'],
          properties: {
            project: projectNameSchema,
            jobnet: jobnetNameSchema,
            operation: { type: 'string', enum: Object.keys(jobnetOperationsByName) },
          },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            parameter: { type: 'string', maxLength: 200, description: 'start: the variable parameter @.VPARAM@' },
            suffix: {
              type: 'string',
              pattern: '^[A-Za-z0-9_-]{1,30}$',
              description: 'start: start a copy named <jobnet>_<suffix>',
            },
          },
        },
        response: { 200: operationAnswerSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
      preValidation: emptyBodyAsObject,
    },
    async (request) => {
      const { project, jobnet } = request.params;
      const operation = jobnetOperationsByName[request.params.operation] as JobnetOperationName;
      const body = request.body ?? {};
      if (operation !== 'start')
        for (const field of ['parameter', 'suffix'] as const)
          if (body[field] !== undefined)
            throw new ApiError(400, 'INVALID_FIELD', `body/${field} goes with the start operation only`);
      const caller = await requireRole(api, request, project, 'operator', `the ${operation} operation`);
      const operationRequest: JobnetOperationRequest = {
        operation,
        by: caller.subject,
        ...(body.parameter !== undefined ? { parameter: body.parameter } : {}),
        ...(body.suffix !== undefined ? { suffix: body.suffix } : {}),
      };
      const result = await withActor(project, jobnet, () =>
        operateJobnetExplained(api.client, api.taskQueue, project, jobnet, operationRequest),
      );
      if (!result.ok) throw new ApiError(409, 'REFUSED', result.reason);
      return { ok: true, ...result.answer };
    },
  );

  routes.get<{ Querystring: TroublesQuery }>(
    '/api/v1/troubles',
    {
      schema: {
        tags: ['jobnets'],
        summary: 'List the troubles of the jobnets the caller may see, oldest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            project: projectNameSchema,
            jobnet: jobnetNameSchema,
            kind: { type: 'string', enum: Object.keys(troubleKinds) },
            since: {
              type: 'string',
              maxLength: 40,
              description: 'only troubles recorded since: an ISO 8601 date (UTC) or instant',
            },
          },
        },
        response: { 200: { type: 'array', items: openObject }, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => troublesOf(api, request, asked),
  );
}

async function troublesOf(
  api: OperatorApi,
  request: FastifyRequest<{ Querystring: TroublesQuery }>,
  asked: (project: string, jobnet: string) => boolean,
) {
  const { project, jobnet, kind } = request.query;
  const since = request.query.since === undefined ? undefined : sinceOf(request.query.since);
  if (jobnet !== undefined && project === undefined)
    throw new ApiError(400, 'INVALID_FIELD', 'querystring/jobnet needs querystring/project too');
  if (project !== undefined) await requireRole(api, request, project, 'viewer', 'reading troubles');
  let views;
  if (project !== undefined && jobnet !== undefined) {
    views = [await withActor(project, jobnet, () => getJobnetView(api.client, api.taskQueue, project, jobnet))];
  } else {
    // Only the jobnets whose summaries hold troubles (since `since`) are asked for them.
    const visible = await visibilityOf(api, callerOf(request));
    const entries = await readJobnetSummaries(api.client, api.taskQueue, {
      ...(project !== undefined ? { project } : {}),
      include: visible,
      ask: asked,
    });
    const troubled = entries.filter(
      ({ summary }) =>
        summary !== undefined &&
        summary.troubleCount > 0 &&
        (since === undefined || (summary.lastTroubleAt !== null && summary.lastTroubleAt >= since)),
    );
    views = (
      await mapConcurrently(troubled, 8, async ({ project: name, jobnet: net }) =>
        getJobnetView(api.client, api.taskQueue, name, net).catch(() => undefined),
      )
    ).flatMap((view) => (view === undefined ? [] : [view]));
  }
  const troubles: JobnetTrouble[] = selectTroubles(views, kind !== undefined ? { kind } : {}).filter(
    (trouble) => since === undefined || trouble.at >= since,
  );
  return withIsoTimes(troubles, new Set(['at']));
}
