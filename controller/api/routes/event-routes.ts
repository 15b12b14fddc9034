/**
 * Operator API routes: events raise/clear and the WOI-compatible msgevent/msgclear (R-OPS-6).
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorApi } from '../operator-api.js';

/** Registers the routes on the authenticated operator scope. */
export function registerEventRoutes(routes: FastifyInstance, api: OperatorApi): void {
  void routes;
  void api;
}
