/**
 * Operator API routes: run history (R-OPS-5, R-OPS-6) — `GET /api/v1/runs` (the filters of
 * `jobnet history`, newest first, `limit` and an opaque `cursor`), `GET /api/v1/runs/:id` (every
 * field of R-OPS-5) and `GET /api/v1/runs/:id/jobs`, each also as CSV (`Accept: text/csv` or
 * `?format=csv`; `?encoding=sjis` for Shift_JIS, named in the Content-Type's charset).
 *
 * A caller lists only the runs of projects it may see (`visibleProjects`); a run of another project
 * is a 404, as if it did not exist (`requireRole`). A run id is one path segment, percent-encoded
 * as a whole (`encodeURIComponent`); anything that is not a run id of this deployment is a 404, and
 * a bad time, filter or cursor a 400 naming the field — never a 500.
 *
 * Carries requests out through history-client.ts; decides nothing about what visibility holds.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isWorkflowNotFound } from '../../../workflows/lib/temporal-refusals.js';
import { parseRunWorkflowId } from '../../../workflows/lib/wire-contract.js';
import { UsageError } from '../../cli/cli-errors.js';
import { parseWindowBound, zoneChoiceOf } from '../../cli/times.js';
import { getRunHistory, listRunHistory, maxHistoryPageSize } from '../../runs/history-client.js';
import {
  csvCharset,
  csvEncodings,
  encodeCsv,
  historyListCsv,
  runJobsCsv,
  type CsvEncoding,
} from '../../runs/history-csv.js';
import {
  HistoryCursorError,
  historyStatuses,
  historyTriggers,
  type HistoryFilter,
  type HistoryPage,
  type HistoryStatus,
  type HistoryTrigger,
} from '../../runs/history-query.js';
import { TemporalCallError, explainTemporalFailure, probeTemporal } from '../../temporal/temporal-reachability.js';
import { ApiError } from '../api-errors.js';
import { callerOf, requireRole, type OperatorApi } from '../operator-api.js';

const tags = ['history'];

/** gRPC status codes the server answers a page token it cannot read with. */
const invalidArgument = 3;
const unknownError = 2;

const errorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

const timeText = { type: 'string', minLength: 1, maxLength: 64 } as const;
const nameText = { type: 'string', minLength: 1, maxLength: 200 } as const;

const outputQuery = {
  format: { type: 'string', enum: ['json', 'csv'], description: 'csv: the same as `Accept: text/csv`' },
  encoding: { type: 'string', enum: csvEncodings, description: 'CSV encoding: utf8 (default) or sjis (Windows-31J)' },
  tz: {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description:
      'IANA zone (or UTC) of wall-clock `from`/`to` and of CSV times; JSON times are always ISO 8601 UTC (default UTC)',
  },
} as const;

const listQuery = {
  type: 'object',
  properties: {
    from: {
      ...timeText,
      description: 'runs started at or after: ISO 8601, or `YYYY-MM-DD HH:mm:ss` / `YYYY-MM-DD` in `tz`',
    },
    to: { ...timeText, description: 'runs started at or before (a date alone: through that day)' },
    project: { ...nameText, description: 'only runs of this project (one the caller may see)' },
    jobnet: { ...nameText, description: 'only runs of this jobnet' },
    status: { type: 'string', enum: historyStatuses },
    trigger: { type: 'string', enum: historyTriggers },
    limit: { type: 'integer', minimum: 1, maximum: maxHistoryPageSize, default: 50, description: 'runs per page' },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'the `nextCursor` of the previous page, with the same filters',
    },
    ...outputQuery,
  },
  additionalProperties: false,
} as const;

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    project: { type: 'string' },
    jobnet: { type: 'string' },
    businessDate: { type: 'string' },
    trigger: { type: 'string' },
    status: { type: 'string' },
    started: { type: 'string', format: 'date-time' },
    finished: { type: 'string', format: 'date-time' },
    open: { type: 'boolean' },
    revision: { type: 'string' },
    retryOf: { type: 'string' },
  },
  required: ['id', 'project', 'jobnet', 'businessDate', 'trigger', 'status', 'started', 'open', 'revision'],
  additionalProperties: false,
} as const;

const jobSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    title: { type: 'string' },
    state: { type: 'string' },
    exitCode: { type: 'integer' },
    attempts: { type: 'integer' },
    started: { type: 'string', format: 'date-time' },
    finished: { type: 'string', format: 'date-time' },
    output: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['name', 'state', 'attempts'],
  additionalProperties: false,
} as const;

const recordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    project: { type: 'string' },
    jobnet: { type: 'string' },
    title: { type: 'string' },
    businessDate: { type: 'string' },
    status: { type: 'string' },
    trigger: { type: 'string' },
    requestedBy: { type: 'string' },
    revision: { type: 'string' },
    parameter: { type: 'string' },
    started: { type: 'string', format: 'date-time' },
    finished: { type: 'string', format: 'date-time' },
    closed: { type: 'string', format: 'date-time' },
    open: { type: 'boolean' },
    error: { type: 'string' },
    retryOf: { type: 'string' },
    retries: { type: 'array', items: entrySchema },
    jobs: { type: 'array', items: jobSchema },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: [
    'id',
    'project',
    'jobnet',
    'businessDate',
    'status',
    'trigger',
    'requestedBy',
    'revision',
    'started',
    'open',
    'retries',
    'jobs',
    'variables',
  ],
  additionalProperties: false,
} as const;

const csvContent = { 'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a header row' } } };

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 503: errorBody, 504: errorBody };

const runParams = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'the run id, percent-encoded as one path segment (encodeURIComponent)',
    },
  },
  required: ['id'],
  additionalProperties: false,
} as const;

const runQuery = { type: 'object', properties: outputQuery, additionalProperties: false } as const;

interface OutputQuery {
  format?: 'json' | 'csv';
  encoding?: CsvEncoding;
  tz?: string;
}

interface ListQuery extends OutputQuery {
  from?: string;
  to?: string;
  project?: string;
  jobnet?: string;
  status?: HistoryStatus;
  trigger?: HistoryTrigger;
  limit: number;
  cursor?: string;
}

/** A 400 naming a query field, shaped like the validator's own failures (`{code: INVALID_FIELD, message, field}`). */
function invalidQueryField(field: string, message: string): Error {
  return Object.assign(new Error(message), {
    validation: [{ instancePath: `/${field}`, message, keyword: 'format' }],
    validationContext: 'querystring',
  });
}

/** The zone of `tz` (default UTC). @throws a 400 naming `tz`. */
function zoneOfQuery(tz: string | undefined): string {
  if (tz === undefined) return 'UTC';
  try {
    const choice = zoneChoiceOf({ tz });
    return choice.kind === 'zone' ? choice.zone : 'UTC';
  } catch (error) {
    if (error instanceof UsageError)
      throw invalidQueryField('tz', 'must be an IANA time zone such as Asia/Tokyo, or UTC');
    throw error;
  }
}

function boundOf(field: 'from' | 'to', text: string, zone: string): number {
  try {
    return parseWindowBound(field, text, zone, field);
  } catch (error) {
    if (error instanceof UsageError) throw invalidQueryField(field, error.message.replace(/^\S+ /, ''));
    throw error;
  }
}

/** Whether the answer is CSV: `format=csv`, or `Accept` prefers `text/csv` (and no `format=json`). */
function wantsCsv(request: FastifyRequest, format: OutputQuery['format']): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept) && !/(^|,)\s*application\/json\s*(;|,|$)/i.test(accept);
}

async function sendCsv(reply: FastifyReply, text: string, encoding: CsvEncoding, filename: string): Promise<Buffer> {
  const encoded = encodeCsv(text, encoding);
  void reply
    .type(`text/csv; charset=${csvCharset(encoding)}`)
    .header('content-disposition', `attachment; filename="${filename}"`);
  if (encoded.unmapped.count > 0) void reply.header('x-jobnet-unmapped-characters', String(encoded.unmapped.count));
  return await Promise.resolve(encoded.bytes);
}

/** The run of `id` the caller may read (404 for anything else), with its history record. */
async function readableRun(api: OperatorApi, request: FastifyRequest, id: string) {
  const identity = parseRunWorkflowId(id);
  const notFound = new ApiError(404, 'NOT_FOUND', `no run ${id}`);
  if (identity === undefined || identity.deployment !== api.taskQueue) throw notFound;
  await requireRole(api, request, identity.project, 'viewer', 'reading run history');
  try {
    const found = await getRunHistory(api.client, api.taskQueue, id);
    if (found === undefined || found.record.project !== identity.project) throw notFound;
    return found.record;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (isWorkflowNotFound(error)) throw notFound;
    throw (await explainTemporalFailure(api.client, api.taskQueue, error)) ?? error;
  }
}

/** Registers the routes on the authenticated operator scope. */
export function registerRunHistoryRoutes(routes: FastifyInstance, api: OperatorApi): void {
  routes.get<{ Querystring: ListQuery }>(
    '/api/v1/runs',
    {
      schema: {
        tags,
        summary: 'List runs (history), newest first, with filters and a cursor; JSON or CSV',
        querystring: listQuery,
        response: {
          200: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { runs: { type: 'array', items: entrySchema }, nextCursor: { type: 'string' } },
                  required: ['runs'],
                  additionalProperties: false,
                },
              },
              ...csvContent,
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const zone = zoneOfQuery(query.tz);
      const visible = await api.auth.visibleProjects(callerOf(request));
      const projects: HistoryFilter['projects'] =
        query.project === undefined
          ? visible
          : visible === 'all' || visible.includes(query.project)
            ? [query.project]
            : [];
      const filter: HistoryFilter = { projects };
      if (query.from !== undefined) filter.startedFrom = boundOf('from', query.from, zone);
      if (query.to !== undefined) filter.startedBefore = boundOf('to', query.to, zone);
      if (query.jobnet !== undefined) filter.jobnet = query.jobnet;
      if (query.status !== undefined) filter.status = query.status;
      if (query.trigger !== undefined) filter.trigger = query.trigger;
      let page: HistoryPage;
      try {
        page = await listRunHistory(api.client, api.taskQueue, filter, {
          pageSize: query.limit,
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        });
      } catch (error) {
        if (error instanceof HistoryCursorError) throw invalidQueryField('cursor', error.message);
        // A cursor whose page token the server cannot read (its envelope was valid: it was tampered with).
        const grpcCode = (error as { code?: unknown }).code;
        if (query.cursor !== undefined && (grpcCode === invalidArgument || grpcCode === unknownError))
          throw invalidQueryField('cursor', 'the cursor is not one a previous page of this listing returned');
        const reachable = await probeTemporal(api.client);
        if (!reachable.ok) throw new TemporalCallError(reachable.problem, reachable.message);
        throw error;
      }
      if (wantsCsv(request, query.format)) {
        if (page.nextCursor !== undefined) void reply.header('x-next-cursor', page.nextCursor);
        return await sendCsv(reply, historyListCsv(page.runs, zone), query.encoding ?? 'utf8', 'runs.csv');
      }
      return page;
    },
  );

  routes.get<{ Params: { id: string }; Querystring: OutputQuery }>(
    '/api/v1/runs/:id',
    {
      schema: {
        tags,
        summary: 'One run: times, status, trigger, revision, parameter, every job, errors, retryOf and retries',
        params: runParams,
        querystring: runQuery,
        response: { 200: { content: { 'application/json': { schema: recordSchema }, ...csvContent } }, ...errors },
      },
    },
    async (request, reply) => {
      const record = await readableRun(api, request, request.params.id);
      if (wantsCsv(request, request.query.format))
        return await sendCsv(
          reply,
          runJobsCsv(record, zoneOfQuery(request.query.tz)),
          request.query.encoding ?? 'utf8',
          'run-jobs.csv',
        );
      return record;
    },
  );

  routes.get<{ Params: { id: string }; Querystring: OutputQuery }>(
    '/api/v1/runs/:id/jobs',
    {
      schema: {
        tags,
        summary: "A run's jobs in flow order: state, exit code, attempts, times, output, error; JSON or CSV",
        params: runParams,
        querystring: runQuery,
        response: {
          200: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { id: { type: 'string' }, jobs: { type: 'array', items: jobSchema } },
                  required: ['id', 'jobs'],
                  additionalProperties: false,
                },
              },
              ...csvContent,
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const record = await readableRun(api, request, request.params.id);
      if (wantsCsv(request, request.query.format))
        return await sendCsv(
          reply,
          runJobsCsv(record, zoneOfQuery(request.query.tz)),
          request.query.encoding ?? 'utf8',
          'run-jobs.csv',
        );
      return { id: record.id, jobs: record.jobs };
    },
  );
}
