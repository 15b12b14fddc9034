/**
 * Operator API routes: export and import of a project as one bundle (R-EXP-1..3, docs/bundles.md),
 * the HTTP side of `jobnet export` / `jobnet import`, carried out by controller/export/ as the
 * CLI does.
 *
 * - `GET /api/v1/projects/:project/export` (viewer on the project) answers the bundle as
 *   `application/yaml`, streamed definition by definition, with a `Content-Disposition` file name.
 *   The definitions are read from the definitions source the server is configured with
 *   (`api.bundles.source`: a directory, or a git repository at a ref) — the jobnet actors hold
 *   compiled jobnets, not the definitions a bundle carries (projects, calendars, …), so they cannot
 *   be exported from Temporal. A server without a source answers 501. `withState` reads held and
 *   disabled state from the actors of the served task queue.
 * - `POST /api/v1/imports` takes a bundle body (`application/yaml`, at most 200 MiB, streamed to a
 *   temporary file and refused with 413 as soon as it is larger), checks it as `jobnet import`
 *   does, and answers what would be written and the plan (JSON). A dry run by default; with
 *   `dryRun=false` (a global admin only) it writes into the directory the server is configured
 *   with (`api.bundles.importInto`), 501 without one. A dry run without one is planned against an
 *   empty directory.
 *
 * I/O: the file system (a temporary file per import) and Temporal (state). Decisions are in
 * controller/export/.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExportSource } from '../../export/bundle-files.js';
import { maxBundleBytes, type JobnetExportState } from '../../export/bundle-format.js';
import type { OnConflict } from '../../export/import-plan.js';
import { TemporalCallError, explainTemporalFailure } from '../../temporal/temporal-reachability.js';
import { ApiError } from '../api-errors.js';
import { requireAdmin, requireRole, type OperatorApi } from '../operator-api.js';
import { projectNameSchema } from './jobnet-routes.js';

/** Where the bundle routes read and write definitions; set by whoever starts the server. */
export interface BundleApiConfig {
  /** The definitions export reads. Omitted: export answers 501. */
  source?: ExportSource;
  /** The definitions directory an import writes into. Omitted: writing answers 501. */
  importInto?: string;
}

declare module '../operator-api.js' {
  interface OperatorApi {
    /** Definitions source and import directory of the bundle routes (bundle-routes.ts). */
    bundles?: BundleApiConfig;
  }
}

const errorBody = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

const errors = {
  400: errorBody,
  403: errorBody,
  404: errorBody,
  413: errorBody,
  501: errorBody,
  502: errorBody,
  503: errorBody,
  504: errorBody,
};

const exportSchema = {
  tags: ['bundles'],
  summary: 'Export a project and every definition it uses as one bundle (application/yaml)',
  params: {
    type: 'object',
    properties: { project: projectNameSchema },
    required: ['project'],
    additionalProperties: false,
  },
  querystring: {
    type: 'object',
    properties: {
      withStartDays: { type: 'boolean', default: false, description: "freeze each jobnet's start days of `year`" },
      year: {
        type: 'integer',
        minimum: 1970,
        maximum: 9999,
        description: 'year of withStartDays (default: this year)',
      },
      withState: { type: 'boolean', default: false, description: 'carry held/disabled state from the actors' },
    },
    additionalProperties: false,
  },
  produces: ['application/yaml'],
  response: {
    200: { description: 'the bundle file (schemas/bundle.schema.json)', type: 'string' },
    ...errors,
  },
} as const;

const writeSchema = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    action: { type: 'string', enum: ['create', 'overwrite'] },
    what: { type: 'string' },
  },
  required: ['path', 'action', 'what'],
  additionalProperties: false,
} as const;

const importSchema = {
  tags: ['bundles'],
  summary: 'Import a bundle: a dry run by default; dryRun=false writes (global admin)',
  querystring: {
    type: 'object',
    properties: {
      dryRun: { type: 'boolean', default: true },
      project: { type: 'string', minLength: 1, maxLength: 200, description: 'import under this project name' },
      onConflict: { type: 'string', enum: ['fail', 'skip', 'overwrite'], default: 'fail' },
    },
    additionalProperties: false,
  },
  consumes: ['application/yaml'],
  response: {
    200: {
      type: 'object',
      properties: {
        dryRun: { type: 'boolean' },
        project: { type: 'string' },
        sha256: { type: 'string' },
        into: { type: ['string', 'null'], description: 'the directory written (or planned against); null: empty' },
        writes: { type: 'array', items: writeSchema },
        unchanged: { type: 'array', items: { type: 'string' } },
        skipped: { type: 'array', items: { type: 'string' } },
        state: {
          type: 'object',
          description: 'jobnet → state written as spec.initialState (R-EXP-2)',
          additionalProperties: {
            type: 'object',
            properties: { held: { type: 'boolean' }, disabled: { type: 'boolean' } },
            additionalProperties: false,
          },
        },
        plan: { type: 'string', description: 'the jobnet plan of the result against the target (Markdown)' },
      },
      required: ['dryRun', 'project', 'sha256', 'into', 'writes', 'unchanged', 'skipped', 'plan'],
      additionalProperties: false,
    },
    ...errors,
  },
} as const;

const yamlType = /^application\/(x-)?yaml\s*(;|$)/i;

/** Registers the routes on the authenticated operator scope. */
export function registerBundleRoutes(routes: FastifyInstance, api: OperatorApi): void {
  // Imports that write run one after the other: each is decided against the directory as the
  // previous one left it.
  let writing: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const result = writing.then(work, work);
    writing = result.catch(() => undefined);
    return result;
  };
  void routes.register((scope, _options, done) => {
    // The body reaches the handler as the request stream, written to a temporary file there.
    scope.addContentTypeParser(yamlType, (_request, payload, parsed) => parsed(null, payload));

    scope.get<{
      Params: { project: string };
      Querystring: { withStartDays: boolean; year?: number; withState: boolean };
    }>('/api/v1/projects/:project/export', { schema: exportSchema }, async (request, reply) => {
      const { project } = request.params;
      await requireRole(api, request, project, 'viewer', 'exporting a project');
      const source = api.bundles?.source;
      if (source === undefined)
        throw new ApiError(
          501,
          'NOT_CONFIGURED',
          'this server has no definitions source to export from; run jobnet export where the definitions are',
        );
      if (request.query.year !== undefined && !request.query.withStartDays)
        throw new ApiError(400, 'INVALID_FIELD', 'year goes with withStartDays');
      const now = Date.now();
      const state = request.query.withState ? await liveState(api, project) : undefined;
      const files = await import('../../export/bundle-files.js');
      const format = await import('../../export/bundle-format.js');
      const exported = await refusals(() =>
        files.exportBundle({
          project,
          source,
          ...(request.query.withStartDays
            ? { startDaysYear: request.query.year ?? new Date(now).getUTCFullYear() }
            : {}),
          ...(state === undefined ? {} : { state }),
          now,
        }),
      );
      return await reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${format.defaultBundleFileName(project, now)}"`)
        .send(Readable.from(format.renderBundleParts(exported)));
    });

    scope.post<{ Querystring: { dryRun: boolean; project?: string; onConflict: OnConflict } }>(
      '/api/v1/imports',
      { schema: importSchema, bodyLimit: maxBundleBytes },
      async (request, reply) => {
        const { dryRun, onConflict } = request.query;
        if (!dryRun) requireAdmin(request, 'writing an import');
        const into = api.bundles?.importInto;
        if (!dryRun && into === undefined)
          throw new ApiError(
            501,
            'NOT_CONFIGURED',
            'this server has no definitions directory to import into; import with dryRun, or with jobnet import',
          );
        const scratch = await mkdtemp(path.join(os.tmpdir(), 'jobnet-api-import-'));
        try {
          const file = path.join(scratch, 'bundle.yaml');
          await receiveBody(request, file);
          const files = await import('../../export/bundle-files.js');
          const { renderPlanMarkdown } = await import('../../reconcile/render-plan.js');
          const bundle = await refusals(() => files.readBundleFile(file));
          const decideAndWrite = async () => {
            const target = into ?? path.join(scratch, 'empty');
            if (into === undefined) await mkdir(target);
            const now = Date.now();
            const prepared = await refusals(() =>
              files.prepareImport(bundle, {
                into: target,
                ...(request.query.project === undefined ? {} : { project: request.query.project }),
                onConflict,
                now,
              }),
            );
            const report = await refusals(() =>
              Promise.resolve().then(() =>
                files.planSnapshots(
                  { side: { label: into === undefined ? 'empty' : 'working tree' }, snapshot: prepared.before },
                  { side: { label: 'imported' }, repository: prepared.result },
                  now,
                ),
              ),
            );
            const { plan } = prepared;
            if (!dryRun) await files.writeImport(target, plan.writes);
            return {
              dryRun,
              project: plan.project,
              sha256: bundle.sha256,
              into: into ?? null,
              writes: plan.writes.map((write) => ({ path: write.path, action: write.action, what: write.what })),
              unchanged: plan.unchanged,
              skipped: plan.skipped,
              ...(plan.state === undefined ? {} : { state: plan.state }),
              plan: renderPlanMarkdown(report),
            };
          };
          return await reply.send(dryRun ? await decideAndWrite() : await oneAtATime(decideAndWrite));
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      },
    );
    done();
  });
}

/**
 * Writes the request body to `file`, refusing it with 413 once it is over the bundle limit. The
 * rest of a refused body is read and dropped (not written), so the client receives the answer
 * instead of a reset connection; the listener's request timeout bounds how long that may take.
 */
async function receiveBody(request: FastifyRequest, file: string): Promise<void> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBundleBytes) throw tooLarge();
  const body = request.body;
  if (!(body instanceof Readable))
    throw new ApiError(400, 'BAD_REQUEST', 'the body is a bundle file, sent as application/yaml');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx' });
    let received = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      out.destroy();
      body.resume();
      reject(error);
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      received += chunk.length;
      if (received > maxBundleBytes) return fail(tooLarge());
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => body.resume());
      }
    });
    body.on('end', () => {
      if (!failed) out.end();
    });
    body.on('error', () => fail(new ApiError(400, 'BAD_REQUEST', 'the body did not arrive in full')));
    out.on('error', fail);
    out.on('finish', () => {
      if (!failed) resolve();
    });
  });
}

function tooLarge(): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `a bundle is at most ${maxBundleBytes / (1024 * 1024)} MiB`);
}

/** Runs `work`; a refused export or import becomes a 400 (404 for an unknown project) naming the problem. */
async function refusals<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof Error) || (error.name !== 'BundleRefusal' && error.name !== 'GitSnapshotError')) throw error;
    const diagnostics = (
      error as { diagnostics?: readonly { file: string; line: number; column: number; message: string }[] }
    ).diagnostics;
    const shown = (diagnostics ?? [])
      .slice(0, 5)
      .map((d) => `\n  ${d.file}:${d.line}:${d.column}: ${d.message}`)
      .join('');
    const more = (diagnostics?.length ?? 0) > 5 ? `\n  … and ${diagnostics!.length - 5} more` : '';
    if (/^project "[^"]*" is not defined/.test(error.message)) throw new ApiError(404, 'NOT_FOUND', error.message);
    throw new ApiError(400, 'BUNDLE_REFUSED', `${error.message}${shown}${more}`);
  }
}

/**
 * Held/disabled state of the project's applied jobnets, from their actors (as `jobnet export
 * --with-state`).
 * @throws TemporalCallError (503/504) when Temporal or its worker does not answer; ApiError 502 otherwise.
 */
async function liveState(api: OperatorApi, project: string): Promise<Record<string, JobnetExportState>> {
  try {
    return await readLiveState(api, project);
  } catch (error) {
    const explained = await explainTemporalFailure(api.client, api.taskQueue, error);
    const message = (reason: string) => `cannot read the state of the jobnets of ${project}: ${reason}`;
    if (explained !== undefined)
      throw new TemporalCallError(explained.problem, message(explained.message), { cause: error });
    throw new ApiError(502, 'TEMPORAL_ERROR', message(error instanceof Error ? error.message : String(error)));
  }
}

async function readLiveState(api: OperatorApi, project: string): Promise<Record<string, JobnetExportState>> {
  const { getJobnetView, listJobnetActors } = await import('../../jobnets/jobnet-client.js');
  const state: Record<string, JobnetExportState> = {};
  for (const actor of await listJobnetActors(api.client, api.taskQueue, project)) {
    const view = await getJobnetView(api.client, api.taskQueue, actor.project, actor.jobnet);
    const entry: JobnetExportState = {};
    if (view.state.held) entry.held = true;
    if (view.state.disabledByOperator === true) entry.disabled = true;
    if (entry.held !== undefined || entry.disabled !== undefined) state[actor.jobnet] = entry;
  }
  return state;
}
