/**
 * Operator API route: `GET /metrics` (R-OPS-6), the process's Prometheus metrics in the text
 * exposition format (`controller/metrics/metrics.ts`), rendered by prom-client.
 *
 * Authenticated like every operator route. Its labels name every project of the deployment, so it
 * needs a caller who sees them all: a global admin account (a scraper gets an account of its own,
 * docs/operations.md "Metrics"); anyone else is answered 403. Reads memory only.
 */
import type { FastifyInstance } from 'fastify';
import { metricsContentType, type JobnetMetrics } from '../../metrics/metrics.js';
import { requireAdmin, type OperatorApi } from '../operator-api.js';

/** Registers the route on the authenticated operator scope; without `metrics` (none kept) there is none. */
export function registerMetricsRoutes(routes: FastifyInstance, api: OperatorApi, metrics?: JobnetMetrics): void {
  void api;
  if (metrics === undefined) return;
  routes.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus metrics of this process (text exposition format 0.0.4); needs a global admin',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (request, reply) => {
      requireAdmin(request, 'reading the metrics');
      return await reply.header('content-type', metricsContentType).send(await metrics.registry.metrics());
    },
  );
}
