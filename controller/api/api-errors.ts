/**
 * The HTTP API's errors (R-OPS-6): every failure answers `{code, message}` with a 4xx/5xx status,
 * never fastify's own `{statusCode, error, message}` body. Routes throw {@link ApiError} for what
 * they decide; {@link apiErrorOf} maps everything else — fastify's request errors (body too large,
 * malformed JSON, timeouts), Temporal problems (503 `TEMPORAL_UNAVAILABLE`, `NO_WORKER`) — and
 * turns anything unexpected into a 500 `INTERNAL_ERROR` whose message gives nothing away.
 *
 * Pure: no I/O; the server logs what it is told to.
 */
import { TemporalCallError } from '../temporal/temporal-reachability.js';

/** An answer a route decided on: status, code and message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiErrorAnswer {
  statusCode: number;
  /** `field`: the offending request field, e.g. `body/parameter` or `querystring/from`, where there is one. */
  body: { code: string; message: string; field?: string };
  /** An unexpected error: the server logs it (the body does not carry it). */
  internal: boolean;
}

const temporalStatus: Record<TemporalCallError['problem'], number> = {
  TEMPORAL_UNAVAILABLE: 503,
  NO_WORKER: 503,
  TEMPORAL_TIMEOUT: 504,
};

/** Codes of the client errors fastify raises itself, by status. */
const clientErrorCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/** The answer for an error thrown while handling a request. */
export function apiErrorOf(error: unknown): ApiErrorAnswer {
  if (error instanceof ApiError)
    return { statusCode: error.statusCode, body: { code: error.code, message: error.message }, internal: false };
  if (error instanceof TemporalCallError)
    return {
      statusCode: temporalStatus[error.problem],
      body: { code: error.problem, message: error.message },
      internal: false,
    };
  const validation = validationFailureOf(error);
  if (validation !== undefined) return { statusCode: 400, body: validation, internal: false };
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = error instanceof Error ? error.message : 'the request was refused';
    return { statusCode, body: { code: clientErrorCodes[statusCode] ?? 'BAD_REQUEST', message }, internal: false };
  }
  return {
    statusCode: 500,
    body: { code: 'INTERNAL_ERROR', message: 'internal error; the server log has the details' },
    internal: true,
  };
}

interface ValidationFailure {
  validation?: { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/** `{code, message, field}` for a request that failed its route's JSON Schema (fastify's ajv). */
function validationFailureOf(error: unknown): { code: string; message: string; field: string } | undefined {
  const failure = error as ValidationFailure | undefined;
  const first = failure?.validation?.[0];
  if (first === undefined) return undefined;
  const part = failure?.validationContext ?? 'request';
  const params = first.params ?? {};
  const property =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : undefined;
  const path = (first.instancePath ?? '').replace(/^\//, '');
  const field = [part, path, property].filter((piece) => piece !== undefined && piece !== '').join('/');
  const what =
    first.keyword === 'additionalProperties'
      ? `unknown field ${field}`
      : first.keyword === 'required'
        ? `missing field ${field}`
        : `${field} ${first.message ?? 'is invalid'}`;
  return { code: 'INVALID_FIELD', message: what, field };
}
