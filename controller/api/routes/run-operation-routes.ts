/**
 * Operator API routes: run, job and recovery operations, retry and cancel (R-OPS-1..4, R-OPS-6;
 * docs/api.md#run-operations-retry-and-cancel):
 * - `POST /api/v1/runs/{id}/operations/{operation}` with `{job?}`: the operations of `jobnet run <operation>`;
 * - `POST /api/v1/runs/{id}/retry`: `jobnet retry`;
 * - `POST /api/v1/runs/{id}/cancel` with `{jobState?, job?}`: `jobnet cancel`.
 * `{id}` is the run's workflow id as one URL-encoded path segment. Every route needs the `operator`
 * role on the run's project (read from the id); the authenticated subject is recorded as who did
 * it. A refusal is 409 `REFUSED` with the reason (nothing changed); an unknown run 404.
 *
 * Carries out requests through `runs/run-client.ts` and `runs/run-retry-client.ts`; decides nothing
 * about runs itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isWorkflowNotFound } from '../../../workflows/lib/temporal-refusals.js';
import { parseRunWorkflowId } from '../../../workflows/lib/wire-contract.js';
import { CancelFilterError, cancelJobStates } from '../../runs/run-cancel.js';
import { operateRun } from '../../runs/run-client.js';
import { runOperationNames, runOperationRequestOf } from '../../runs/run-operation-names.js';
import { cancelRunJobs, retryRun } from '../../runs/run-retry-client.js';
import { explainTemporalFailure } from '../../temporal/temporal-reachability.js';
import { ApiError } from '../api-errors.js';
import { requireRole, type OperatorApi } from '../operator-api.js';

const runStatuses = ['running', 'warning', 'normal', 'pseudoNormal', 'abended', 'forced'];
const jobStates = ['waiting', 'running', 'normal', 'pseudoNormal', 'abended', 'forced', 'passed', 'held', 'disabled'];

const errorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

const errorResponses = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody } as const;

const runId = {
  type: 'string',
  minLength: 1,
  maxLength: 1000,
  description: 'the run id (its workflow id, run/<deployment>/<project>/<jobnet>/<business-date>/<seq>), URL-encoded',
} as const;

const jobName = { type: 'string', minLength: 1, maxLength: 256 } as const;

/** The run a request names, after checking the caller may operate it. @throws ApiError 404 / 403. */
async function operableRun(api: OperatorApi, request: FastifyRequest, id: string, what: string): Promise<string> {
  const identity = parseRunWorkflowId(id);
  if (identity === undefined) throw new ApiError(404, 'NOT_FOUND', `no run ${id}`);
  if (identity.deployment !== undefined && identity.deployment !== api.taskQueue)
    throw new ApiError(404, 'NOT_FOUND', `no run ${id}`);
  const caller = await requireRole(api, request, identity.project, 'operator', what);
  return caller.subject;
}

/** Temporal's answers as the API's: an unknown run 404, Temporal or worker trouble 503/504. */
async function temporalAnswer(api: OperatorApi, id: string, error: unknown): Promise<never> {
  if (isWorkflowNotFound(error)) throw new ApiError(404, 'NOT_FOUND', `no run ${id}`);
  if (error instanceof ApiError) throw error;
  throw (await explainTemporalFailure(api.client, api.taskQueue, error)) ?? error;
}

function refused(reason: string): ApiError {
  return new ApiError(409, 'REFUSED', reason);
}

/** Registers the routes on the authenticated operator scope. */
export function registerRunOperationRoutes(routes: FastifyInstance, api: OperatorApi): void {
  routes.post<{ Params: { id: string; operation: string }; Body: { job?: string } | undefined }>(
    '/api/v1/runs/:id/operations/:operation',
    {
      schema: {
        tags: ['runs'],
        summary: 'Operate a run or one of its jobs (force-terminate, restart, hold, release, recovery…)',
        params: {
          type: 'object',
          properties: { id: runId, operation: { type: 'string', enum: [...runOperationNames] } },
          required: ['id', 'operation'],
          additionalProperties: false,
        },
        body: {
          type: 'object',
          properties: { job: { ...jobName, description: 'the job, for a job or recovery operation' } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              runId: { type: 'string' },
              operation: { type: 'string' },
              detail: { type: 'string' },
              status: { type: 'string', enum: runStatuses },
            },
            required: ['runId', 'operation', 'detail', 'status'],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id, operation } = request.params;
      const by = await operableRun(api, request, id, `run ${operation}`);
      const built = runOperationRequestOf(operation, request.body?.job, by);
      if (!built.ok) throw new ApiError(400, 'INVALID_FIELD', built.problem);
      const result = await operateRun(api.client, id, built.request).catch((error: unknown) =>
        temporalAnswer(api, id, error),
      );
      if (!result.ok) throw refused(result.reason);
      return { runId: id, operation, detail: result.answer.detail, status: result.answer.status };
    },
  );

  routes.post<{ Params: { id: string } }>(
    '/api/v1/runs/:id/retry',
    {
      schema: {
        tags: ['runs'],
        summary:
          "Retry an abended or forced run: a new linked run re-runs the jobs that did not succeed, carrying the others' results, at the original's revision",
        params: { type: 'object', properties: { id: runId }, required: ['id'], additionalProperties: false },
        body: { type: 'object', properties: {}, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              runId: { type: 'string', description: 'the retry' },
              retryOf: { type: 'string', description: 'the original run' },
              revision: { type: 'string', description: "the revision the retry runs: the original's" },
              businessDate: { type: 'string' },
              actor: { type: 'string', description: 'the jobnet actor whose open run the retry is' },
              rerun: { type: 'array', items: { type: 'string' } },
              carried: { type: 'array', items: { type: 'string' } },
              variables: { type: 'object', additionalProperties: { type: 'string' } },
              detail: { type: 'string' },
            },
            required: ['runId', 'retryOf', 'revision', 'businessDate', 'rerun', 'carried', 'variables', 'detail'],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const by = await operableRun(api, request, id, 'retrying a run');
      const result = await retryRun(api.client, id, by).catch((error: unknown) => temporalAnswer(api, id, error));
      if (!result.ok) throw refused(result.reason);
      return {
        runId: result.runId,
        retryOf: result.retryOf,
        revision: result.revision,
        businessDate: result.businessDate,
        ...(result.actor !== undefined ? { actor: result.actor } : {}),
        rerun: result.plan.rerun,
        carried: result.plan.carried,
        variables: result.plan.variables,
        detail: result.detail,
      };
    },
  );

  routes.post<{ Params: { id: string }; Body: { jobState?: string; job?: string } | undefined }>(
    '/api/v1/runs/:id/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'Force-terminate the running and waiting jobs of a run at once, all or those matching',
        params: { type: 'object', properties: { id: runId }, required: ['id'], additionalProperties: false },
        body: {
          type: 'object',
          properties: {
            jobState: {
              type: 'string',
              enum: [...cancelJobStates],
              description: 'only jobs in this state; omitted: running, waiting and held',
            },
            job: { ...jobName, description: 'only jobs whose name matches this glob (picomatch)' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              runId: { type: 'string' },
              status: { type: 'string', enum: [...runStatuses, 'closed'] },
              jobs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    job: { type: 'string' },
                    state: { type: 'string', enum: jobStates },
                    outcome: {
                      type: 'string',
                      enum: ['terminated', 'alreadyTerminating', 'alreadyEnded', 'notMatching'],
                    },
                  },
                  required: ['job', 'state', 'outcome'],
                  additionalProperties: false,
                },
              },
            },
            required: ['runId', 'status', 'jobs'],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const by = await operableRun(api, request, id, 'cancelling jobs of a run');
      const filter = {
        ...(request.body?.jobState !== undefined ? { jobState: request.body.jobState } : {}),
        ...(request.body?.job !== undefined ? { job: request.body.job } : {}),
      };
      const result = await cancelRunJobs(api.client, id, filter, by).catch((error: unknown) => {
        if (error instanceof CancelFilterError)
          throw new ApiError(400, 'INVALID_FIELD', `body/${error.field} ${error.message}`);
        return temporalAnswer(api, id, error);
      });
      if (!result.ok) throw refused(result.reason);
      return { runId: id, status: result.status, jobs: result.jobs };
    },
  );
}
