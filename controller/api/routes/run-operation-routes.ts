/**
 * Operator API routes: run, job and recovery operations, retry and cancel (R-OPS-6).
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorApi } from '../operator-api.js';

/** Registers the routes on the authenticated operator scope. */
export function registerRunOperationRoutes(routes: FastifyInstance, api: OperatorApi): void {
  void routes;
  void api;
}
