/**
 * The HTTP API (DESIGN.md §1 "api", R-OPS-6) on fastify: today the controller's status
 * (`GET /api/v1/status`, R-GIT-4), the git push webhook (`POST /api/v1/hooks/git`, R-GIT-1) and
 * `GET /healthz`. Errors are `{code, message}` with a 4xx/5xx status, as the WOI-compatible
 * endpoints answer.
 *
 * The webhook is authenticated before anything else: GitHub's `X-Hub-Signature-256` HMAC or
 * GitLab's `X-Gitlab-Token`, checked against the shared secret over the raw body
 * (`controller/source/webhook-signature.ts`); a bad or missing signature is refused with 401 and
 * changes nothing. A verified push to the controller's branch asks for a reconcile at once; other
 * pushes are acknowledged and ignored.
 *
 * I/O: it listens on a socket and calls the callbacks it is given; it holds no state of its own.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ControllerStatus } from '../reconcile/controller-status.js';
import { parsePushEvent, pushConcernsSource, verifyWebhookSignature } from '../source/webhook-signature.js';

export interface ApiServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0: any free port. */
  port: number;
  /** The controller's status (undefined: none published yet); omitted when this process has no access to one. */
  status?: () => ControllerStatus | undefined | Promise<ControllerStatus | undefined>;
  webhook?: {
    /** The shared secret (resolved from its reference by the caller); never logged. */
    secret: string;
    /** The git source's URL and branch: pushes elsewhere are ignored. Omitted: every push counts. */
    source?: { url: string; branch: string };
    /** A verified push concerning the source: reconcile now. */
    onPush: () => void;
  };
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface RunningApiServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** Builds the fastify app (not listening): for tests with `inject`, and for {@link startApiServer}. */
export function buildApiServer(options: ApiServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
  // The webhook's signature covers the raw bytes: keep them, and parse JSON ourselves.
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/healthz', () => ({ ok: true }));

  app.get('/api/v1/status', async (_request, reply) => {
    if (options.status === undefined) return await reply.code(404).send({ code: 'NO_CONTROLLER', message: 'this process runs no controller' });
    const status = await options.status();
    if (status === undefined) return await reply.code(503).send({ code: 'NO_STATUS', message: 'no controller has published a status yet' });
    return status;
  });

  app.post('/api/v1/hooks/git', async (request, reply) => {
    const webhook = options.webhook;
    if (webhook === undefined) return await reply.code(404).send({ code: 'WEBHOOK_NOT_CONFIGURED', message: 'no webhook secret is configured (JOBNET_WEBHOOK_SECRET)' });
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const verified = verifyWebhookSignature(request.headers, raw, webhook.secret);
    if (!verified.ok) {
      options.log?.('warn', `webhook refused: ${verified.message}`);
      return await reply.code(401).send({ code: 'WEBHOOK_REFUSED', message: verified.message });
    }
    const parsed = parsePushEvent(verified.provider, request.headers, raw);
    if (!parsed.ok) {
      if (parsed.reason === 'not-a-push') return await reply.code(202).send({ accepted: false, message: parsed.message });
      return await reply.code(400).send({ code: 'BAD_PAYLOAD', message: parsed.message });
    }
    if (webhook.source !== undefined && !pushConcernsSource(parsed.push, webhook.source)) {
      return await reply.code(202).send({ accepted: false, message: `push to ${parsed.push.ref} does not concern ${webhook.source.branch}` });
    }
    webhook.onPush();
    options.log?.('info', `webhook: push to ${parsed.push.ref} (${parsed.push.after}); reconciling`);
    return await reply.code(202).send({ accepted: true, message: `reconciling after the push of ${parsed.push.after}` });
  });

  app.setNotFoundHandler(async (request, reply) => await reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` }));
  return app;
}

/**
 * Starts the API on `host:port` and resolves once it listens.
 * @throws when the port cannot be bound.
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const app = buildApiServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: async () => await app.close() };
}
