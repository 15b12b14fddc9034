/**
 * The HTTP API (docs/architecture.md#three-roles-one-state-store, R-OPS-6) on fastify: the controller's status
 * (`GET /api/v1/status`, R-GIT-4), with an operator API its routes, the accounts (admins only) and
 * the web console at `GET /` (`routes/console-routes.ts`; the login URL `/?token=…` signs the browser in),
 * the git push webhook (`POST /api/v1/hooks/git`, R-GIT-1),
 * liveness (`GET /healthz`) and readiness (`GET /readyz`). Every error is `{code, message}` with a
 * 4xx/5xx status (`api-errors.ts`), as the WOI-compatible endpoints answer — fastify's own error
 * bodies never reach a client.
 *
 * The listener is meant to face a network: it runs with the limits of `listener-limits.ts`
 * (connection cap, request, header, idle and keep-alive timeouts, body size), so slow or held
 * connections are cut and cannot exhaust the process's file descriptors.
 *
 * The webhook is authenticated before anything else: GitHub's `X-Hub-Signature-256` HMAC or
 * GitLab's `X-Gitlab-Token`, checked against the shared secret over the raw body of any content
 * type (`controller/source/webhook-signature.ts`); a bad or missing signature is refused with 401
 * and changes nothing. Refusals are counted per client address (@fastify/rate-limit): past
 * `maxRefusalsPerMinute` they are answered 429, and they are logged aggregated (`refusal-log.ts`),
 * never one line each. A request with a valid signature is never limited. Then: a delivery id seen
 * before triggers nothing (202, duplicate; `webhook-deliveries.ts`), a body that is neither JSON
 * nor form-encoded is 415, and a verified push to the controller's branch asks for a reconcile at
 * once; other pushes are acknowledged and ignored.
 *
 * With `metrics`, every answer is counted (method, route pattern, status class) and `GET /metrics`
 * serves the process's registry in the Prometheus text format: in the authenticated operator
 * scope when there is an operator API (`routes/metrics-routes.ts`), else beside `/healthz` on a
 * listener that serves only status (a worker's or a controller's).
 *
 * I/O: it listens on a socket and calls the callbacks it is given; beyond the bounded memory of
 * delivery ids and refusal counts it holds no state of its own.
 */
import type { Socket } from 'node:net';
import etag from '@fastify/etag';
import formBody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ControllerStatus } from '../reconcile/controller-status.js';
import { metricsContentType, type JobnetMetrics } from '../metrics/metrics.js';
import { recordApiRequest } from '../metrics/record-events.js';
import { parsePushEvent, pushConcernsSource, verifyWebhookSignature } from '../source/webhook-signature.js';
import { ApiError, apiErrorOf } from './api-errors.js';
import { fastifyLimitOptions, listenerLimitsOf, type ListenerLimits } from './listener-limits.js';
import { RefusalLog } from './refusal-log.js';
import { RecentDeliveries, deliveryIdOf } from './webhook-deliveries.js';
import type { LoadedAccount } from './auth/token-accounts.js';
import type { OperatorApi } from './operator-api.js';
import { strictValidatorCompiler } from './route-validation.js';
import { registerAccountRoutes } from './routes/account-routes.js';
import { registerBundleRoutes } from './routes/bundle-routes.js';
import { registerConsoleRoutes, registerConsoleShell } from './routes/console-routes.js';
import { registerEventRoutes } from './routes/event-routes.js';
import { registerJobnetRoutes } from './routes/jobnet-routes.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerRunHistoryRoutes } from './routes/run-history-routes.js';
import { registerRunOperationRoutes } from './routes/run-operation-routes.js';
import { RecentWrites } from '../lib/recent-writes.js';
import { parseRunWorkflowId } from '../../workflows/lib/wire-contract.js';

/** One readiness check's outcome. */
export interface ReadinessCheck {
  ok: boolean;
  message: string;
}

export interface ApiServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0: any free port. */
  port: number;
  /** Listener limits; omitted fields keep their defaults (`listener-limits.ts`). */
  limits?: Partial<ListenerLimits>;
  /**
   * The controller's status (undefined: none published yet); omitted when this process has no
   * access to one. May throw an ApiError or a TemporalCallError, which are answered as such.
   */
  status?: () => ControllerStatus | undefined | Promise<ControllerStatus | undefined>;
  /** What `/readyz` checks, by name (e.g. `temporal`, `reconcile`); each must answer quickly and never throw. */
  readiness?: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>;
  webhook?: {
    /** The shared secret (resolved from its reference by the caller); never logged. */
    secret: string;
    /** The git source's URL and branch: pushes elsewhere are ignored. Omitted: every push counts. */
    source?: { url: string; branch: string };
    /** A verified push concerning the source: reconcile now. */
    onPush: () => void;
  };
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** How often refused webhook requests are summarised in the log (default 60 s). */
  refusalLogIntervalMs?: number;
  /**
   * The operator API (jobnets, runs, events, history, metrics) and its authentication. With it,
   * every route but `/healthz` and the webhook needs a bearer token, `/api/v1/status` and
   * `/readyz` included; without it (a controller serving only its status) they stay open.
   */
  operator?: OperatorApi;
  /** The API accounts, for `GET /api/v1/accounts` (global admins only); omitted: no such route. */
  accounts?: () => Promise<readonly LoadedAccount[]>;
  /** The process's metrics: requests are counted in them and `GET /metrics` serves them (see the module header). */
  metrics?: JobnetMetrics;
}

export interface RunningApiServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** Content types of push payloads (GitHub sends either; GitLab JSON). */
const payloadContentType = /^application\/(json|x-www-form-urlencoded)\s*(;|$)/i;

/** Answers a malformed or timed-out request on the raw socket, as `{code, message}` (fastify's clientErrorHandler). */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request did not arrive in full in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are too large']
        : [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ code, message });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}

/** Builds the fastify app (not listening): for tests with `inject`, and for {@link startApiServer}. */
export function buildApiServer(options: ApiServerOptions): FastifyInstance {
  const limits = listenerLimitsOf(options.limits);
  const app = Fastify({
    logger: false,
    ...fastifyLimitOptions(limits),
    clientErrorHandler: answerClientError,
    // A run id is one percent-encoded path segment, and ids with Japanese names run to hundreds of characters.
    routerOptions: { maxParamLength: 2048 },
  });
  app.server.maxConnections = limits.maxConnections;
  const refusalLog = new RefusalLog((level, message) => options.log?.(level, message), options.refusalLogIntervalMs);
  const deliveries = new RecentDeliveries();
  app.addHook('onClose', () => refusalLog.close());

  // The webhook's signature covers the raw bytes: keep them for every content type, and parse
  // payloads ourselves (so a signed body of the wrong type is a 415, not a signature mismatch).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler(async (error, request, reply) => {
    const answer = apiErrorOf(error);
    if (answer.internal)
      options.log?.(
        'error',
        // The login URL's token never reaches the log.
        `${request.method} ${request.url.replace(/([?&]token=)[^&]*/g, '$1…')} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    return await reply.code(answer.statusCode).send(answer.body);
  });
  app.setNotFoundHandler(
    async (request, reply) =>
      await reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );

  const metrics = options.metrics;
  if (metrics !== undefined)
    app.addHook('onResponse', (request, reply, done) => {
      recordApiRequest(metrics, { method: request.method, route: request.routeOptions.url }, reply.statusCode);
      done();
    });

  app.decorateRequest('caller', null);
  void app.register(rateLimit, { global: false });
  if (options.operator !== undefined)
    void app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'jobnet-gitops operator API',
          version: '1',
          description: 'Jobnets, runs, history, operations, events and status of one deployment (docs/api.md).',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
  void app.register((routes, _options, done) => {
    const countRefusal = routes.createRateLimit({ max: limits.maxRefusalsPerMinute, timeWindow: 60_000 });
    const operator = options.operator;
    const countAuthFailure = routes.createRateLimit({ max: limits.maxRefusalsPerMinute, timeWindow: 60_000 });
    /** Authenticates a request when the server has an operator API (see {@link ApiServerOptions.operator}). */
    const authenticated = async (request: FastifyRequest, reply: { header(name: string, value: unknown): unknown }) => {
      if (operator === undefined) return;
      try {
        request.caller = await operator.auth.authenticate(request);
      } catch (error) {
        if (!(error instanceof ApiError) || error.statusCode !== 401) throw error;
        const counted = await countAuthFailure(request);
        const limited = !counted.isAllowed && counted.isExceeded;
        refusalLog.refused(`API: ${error.message}`, limited);
        if (limited) {
          reply.header('retry-after', counted.ttlInSeconds);
          throw new ApiError(
            429,
            'TOO_MANY_REFUSALS',
            `more than ${limits.maxRefusalsPerMinute} failed authentications a minute from this address; retry in ${counted.ttlInSeconds} s`,
          );
        }
        throw error;
      }
    };

    routes.get('/healthz', { schema: { hide: true } }, () => ({ ok: true }));
    if (metrics !== undefined && operator === undefined)
      routes.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
        reply.header('content-type', metricsContentType).send(await metrics.registry.metrics()),
      );

    if (operator !== undefined) registerConsoleShell(routes);

    let readinessInFlight: Promise<Record<string, ReadinessCheck>> | undefined;
    routes.get('/readyz', { schema: { hide: true }, onRequest: authenticated }, async (_request, reply) => {
      // Concurrent probes share one round of checks, so polling /readyz cannot multiply Temporal calls.
      readinessInFlight ??= runChecks(options.readiness ?? {}).finally(() => (readinessInFlight = undefined));
      const checks = await readinessInFlight;
      const failing = Object.entries(checks).filter(([, check]) => !check.ok);
      if (failing.length === 0) return { ok: true, checks };
      return await reply.code(503).send({
        code: 'NOT_READY',
        message: failing.map(([name, check]) => `${name}: ${check.message}`).join('; '),
        checks,
      });
    });

    routes.get('/api/v1/status', { onRequest: authenticated }, async () => {
      if (options.status === undefined) throw new ApiError(404, 'NO_CONTROLLER', 'this process runs no controller');
      const status = await options.status();
      if (status === undefined) throw new ApiError(503, 'NO_STATUS', 'no controller has published a status yet');
      return status;
    });

    routes.post('/api/v1/hooks/git', { schema: { hide: true } }, async (request, reply) => {
      const webhook = options.webhook;
      if (webhook === undefined)
        throw new ApiError(404, 'WEBHOOK_NOT_CONFIGURED', 'no webhook secret is configured (JOBNET_WEBHOOK_SECRET)');
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const verified = verifyWebhookSignature(request.headers, raw, webhook.secret);
      if (!verified.ok) {
        const counted = await countRefusal(request);
        const limited = !counted.isAllowed && counted.isExceeded;
        refusalLog.refused(verified.message, limited);
        if (limited) {
          void reply.header('retry-after', counted.ttlInSeconds);
          throw new ApiError(
            429,
            'TOO_MANY_REFUSALS',
            `more than ${limits.maxRefusalsPerMinute} refused webhook requests a minute from this address; retry in ${counted.ttlInSeconds} s`,
          );
        }
        throw new ApiError(401, 'WEBHOOK_REFUSED', verified.message);
      }
      const delivery = deliveryIdOf(request.headers);
      if (delivery !== undefined && deliveries.has(delivery)) {
        return await reply.code(202).send({
          accepted: false,
          duplicate: true,
          message: `delivery ${delivery.slice(delivery.indexOf(':') + 1)} was received before; nothing to do`,
        });
      }
      const contentType = request.headers['content-type'] ?? '';
      if (!payloadContentType.test(contentType)) {
        throw new ApiError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `a push payload is application/json or application/x-www-form-urlencoded, not ${contentType === '' ? 'a body without a content type' : contentType} (set the webhook's content type)`,
        );
      }
      const parsed = parsePushEvent(verified.provider, request.headers, raw);
      if (!parsed.ok && parsed.reason !== 'not-a-push') throw new ApiError(400, 'BAD_PAYLOAD', parsed.message);
      if (delivery !== undefined) deliveries.remember(delivery);
      if (!parsed.ok) return await reply.code(202).send({ accepted: false, message: parsed.message });
      if (webhook.source !== undefined && !pushConcernsSource(parsed.push, webhook.source)) {
        return await reply
          .code(202)
          .send({ accepted: false, message: `push to ${parsed.push.ref} does not concern ${webhook.source.branch}` });
      }
      webhook.onPush();
      options.log?.('info', `webhook: push to ${parsed.push.ref} (${parsed.push.after}); reconciling`);
      return await reply
        .code(202)
        .send({ accepted: true, message: `reconciling after the push of ${parsed.push.after}` });
    });

    if (operator !== undefined)
      void routes.register((scope, _scopeOptions, scopeDone) =>
        operatorScope(scope, operator, authenticated, options.accounts, metrics, scopeDone),
      );
    done();
  });
  return app;
}

/**
 * The authenticated operator routes, in a scope of their own: JSON and form bodies parsed (the
 * root keeps raw bytes for the webhook's signature), every request authenticated first, every
 * body, query and path checked strictly against its route's JSON Schema (unknown fields and wrong
 * types are a 400 naming the field, never coerced or dropped).
 */
function operatorScope(
  scope: FastifyInstance,
  operator: OperatorApi,
  authenticated: (request: FastifyRequest, reply: { header(name: string, value: unknown): unknown }) => Promise<void>,
  accounts: ApiServerOptions['accounts'],
  metrics: JobnetMetrics | undefined,
  done: (error?: Error) => void,
): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, parsed) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return parsed(null, undefined);
    try {
      parsed(
        null,
        JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value)),
      );
    } catch {
      parsed(new ApiError(400, 'BAD_JSON', 'the body is not valid JSON'), undefined);
    }
  });
  void scope.register(formBody);
  // An entity tag on every answer: a console polling the same list asks If-None-Match and gets a
  // bodiless 304 while nothing changed (no transfer, no parse, no render on its side).
  void scope.register(etag);
  scope.setValidatorCompiler(strictValidatorCompiler);
  scope.addHook('onRequest', authenticated);
  // A write the API carried out: the jobnet list asks that actor until visibility has caught up.
  const recentWrites = new RecentWrites();
  scope.addHook('onResponse', (request, reply, next) => {
    if (request.method === 'POST' && reply.statusCode < 300) {
      const written = writtenJobnetOf(request.params);
      if (written !== undefined) recentWrites.note(written.project, written.jobnet);
    }
    next();
  });
  scope.get('/api/v1/openapi.json', { schema: { hide: true } }, () => scope.swagger());
  registerJobnetRoutes(scope, operator, recentWrites);
  registerRunHistoryRoutes(scope, operator);
  registerRunOperationRoutes(scope, operator);
  registerEventRoutes(scope, operator);
  registerMetricsRoutes(scope, operator, metrics);
  registerBundleRoutes(scope, operator);
  registerConsoleRoutes(scope, operator);
  if (accounts !== undefined) registerAccountRoutes(scope, accounts);
  done();
}

/** The jobnet a write route's path names: `:project/:jobnet`, or the jobnet of the run `:id`. */
function writtenJobnetOf(params: unknown): { project: string; jobnet: string } | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const { project, jobnet, id } = params as Record<string, unknown>;
  if (typeof project === 'string' && typeof jobnet === 'string') return { project, jobnet };
  return typeof id === 'string' ? parseRunWorkflowId(id) : undefined;
}

async function runChecks(
  checks: Record<string, () => ReadinessCheck | Promise<ReadinessCheck>>,
): Promise<Record<string, ReadinessCheck>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ReadinessCheck]> => {
      try {
        return [name, await check()];
      } catch (error) {
        return [name, { ok: false, message: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Starts the API on `host:port` and resolves once it listens.
 * @throws when the port cannot be bound.
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const app = buildApiServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  // Once listening, a failed accept (out of descriptors) is reported here instead of ending the process.
  app.server.on('error', (error) => options.log?.('error', `listener error: ${error.message}`));
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: async () => await app.close() };
}
